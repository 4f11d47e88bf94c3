"""Which records a record's body names: key-shaped text resolved as a reader of that record would resolve it.

Corpora do not write bridge's keys. nats-io's ADRs write ``ADR-8`` for the file ``ADR-8.md`` (key ADR-0008);
MADR's own decisions write ``[ADR-0008](0008-add-status-field.md)`` for their file 0008, which bridge keys
ADR-0068 when another import root took ADR-0008 first. So a key in the text is matched by prefix and number
without zero padding, case-insensitively (``ADR-8`` = ``adr-08`` = ``ADR-0008``), and resolved in this order:

1. text that is a Markdown link's text (``[ADR-8](ADR-8.md)``) names the record the link goes to, if any;
   text inside a link's target (``](adr-002-configuration.md)``) names that record or, when the link goes
   to no record (a picture, a web page), nothing;
2. in a record imported from a folder (its import root), the record of that root whose file carries the
   number (``ADR-8.md``, ``0008-….md``), else the record of that root with that key;
3. in a record made in bridge (no root), the record with that key;
4. otherwise the one record of another root that its own folder calls so (file number, or key when the file
   name carries none), or the record with that key when none does; when records of several other roots
   could be meant, the mention counts for none of them.

A key written with a space (``PEP 8``, upper-case prefix) or as a reST role (``:pep:`8```) counts as plain text.

Everything is built once per call; each body is scanned for ``-digit`` (and once each for the two other forms)
and only text around those hits is looked at, so a knowledge base of thousands of records costs a few passes over
its text.
"""

from __future__ import annotations

import posixpath
import re
import string
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Mapping, Sequence
from urllib.parse import unquote

from bridge.domain import KEY_PREFIX_BY_KIND, Record

_DASH_DIGIT = re.compile(r"-[0-9]")
"""Where a key's number starts; finding these first keeps the scan near the speed of a substring search."""
_KEY_REST = re.compile(r"[0-9][A-Za-z0-9]*\b")
"""The part of a key after the dash, as the text writes it."""
_WORD = re.compile(r"\w")
_NUMBERED = re.compile(r"([A-Za-z][A-Za-z0-9]*)-([0-9]+)")
"""A key with a plain number (ADR-0008, rb-12), compared as prefix and number without leading zeros."""
_FILE_NUMBER = re.compile(r"(?:([A-Za-z]+)[-_ ]?)?([0-9]{1,5})(?=[-_.\s]|$)")
"""The number a file or folder name carries (``ADR-8.md``, ``0008-add-status-field.md``, ``pep-0008.rst``);
date-named files (``20200924-….md``) carry none, as at import."""
_LINK_AFTER = re.compile(r"[ `]*\]\(\s*<?([^)\s>]+)")
"""The rest of a Markdown link whose text is the key: ``](target``."""
_LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]+)")
"""A Markdown link's target."""
_FOLDER_RECORD_FILES = frozenset({"readme", "index", "_index"})
"""File names that stand for their folder, whose name then carries the number."""
_ALNUM = frozenset(string.ascii_letters + string.digits)
_LETTERS = frozenset(string.ascii_letters)


def mention_name(text: str) -> str:
    """Return how a key is compared: upper-case, number without zero padding (``adr-0008`` → ``ADR-8``)."""
    numbered = _NUMBERED.fullmatch(text)
    if numbered is None:
        return text.upper()
    return f"{numbered.group(1).upper()}-{numbered.group(2).lstrip('0') or '0'}"


def file_name(record: Record) -> str | None:
    """Return the name a record's own folder calls it by: the number its file (or folder) name carries.

    ``ADR-8.md`` → ``ADR-8``; ``0008-add-status-field.md`` → the key's prefix and 8, whatever key bridge gave
    it.
    A lettered name counts only with the key's or the kind's prefix (``v2-migration.md`` carries no name).
    """
    if not record.source_path:
        return None
    key_prefix = record.key.split("-", 1)[0].upper()
    allowed = {key_prefix, KEY_PREFIX_BY_KIND.get(record.kind, key_prefix)}
    parts = record.source_path.rsplit("/", 2)
    names = [parts[-1]]
    if len(parts) > 1 and parts[-1].rsplit(".", 1)[0].lower() in _FOLDER_RECORD_FILES:
        names.append(parts[-2])  # a record kept as a folder: 0012-disk-full/README.md
    for part in names:
        found = _FILE_NUMBER.match(part)
        if found is None:
            continue
        letters = (found.group(1) or "").upper()
        if letters and letters not in allowed:
            return None
        return f"{letters or key_prefix}-{found.group(2).lstrip('0') or '0'}"
    return None


class MentionResolver:
    """Every way the records of one knowledge base can be named in text, to resolve the mentions in bodies."""

    def __init__(self, records: Sequence[Record], roots: Mapping[str, str] | None = None) -> None:
        self.root: dict[str, str] = {}
        """Upper-case key → import root ("" for a record made in bridge, or when roots are not known)."""
        self.exact: set[str] = set()
        self.by_key_name: dict[str, list[str]] = defaultdict(list)
        """Compared key (``ADR-8``) → the keys that compare so (normally one)."""
        self.in_root: dict[tuple[str, str], list[str]] = defaultdict(list)
        """(root, file name) → keys of that root whose file carries the name."""
        self.folder_names: dict[str, list[tuple[str, str]]] = defaultdict(list)
        """Name its folder uses (file name, else compared key) → (root, key) of every record called so."""
        self.by_path: dict[tuple[str, str], list[str]] = defaultdict(list)
        """(root, lower-case source path) → keys (one per root; several under "" when roots are not known)."""
        self.prefixes: set[str] = set()
        """Upper-case key prefixes worth looking at in text."""
        for record in records:
            key = record.key.upper()
            root = (roots or {}).get(key, "") or ""
            self.root[key] = root
            self.exact.add(key)
            named = mention_name(key)
            self.by_key_name[named].append(key)
            self.prefixes.add(key.split("-", 1)[0])
            self.prefixes.add(KEY_PREFIX_BY_KIND.get(record.kind, "").upper())
            own = file_name(record)
            if own is not None:
                self.prefixes.add(own.split("-", 1)[0])
                if root:
                    self.in_root[(root, own)].append(key)
            self.folder_names[own or named].append((root, key))
            if record.source_path:
                self.by_path[(root, record.source_path.lower())].append(key)
        self.prefixes.discard("")
        names = "|".join(sorted((re.escape(prefix) for prefix in self.prefixes if prefix.isalpha()), key=len,
                                reverse=True))
        self._other_forms = [
            # a key written with a space (``PEP 8``; upper-case prefixes only, so prose like ``step 2`` is not)
            re.compile(rf"({names})[ \u00a0]([0-9]{{1,5}})(?![0-9A-Za-z])"),  # no leading \b: 7x faster
            # a reStructuredText role (PEPs write ``:pep:`8``` thousands of times)
            re.compile(rf":({names.lower()}):`([0-9]{{1,5}})`"),
        ] if names else []
        self._cache: dict[tuple[str, str, str | None, str, bool], str | None] = {}

    def named_in(self, record: Record) -> set[str]:
        """Return the upper-case keys of the other records that record's body names."""
        key = record.key.upper()
        root = self.root.get(key, "")
        named: set[str] = set()
        for token, target, in_target in self.key_texts(record.body):
            found = self.resolve(token, target, root, record.source_path, in_target=in_target)
            if found is not None:
                named.add(found)
        named.discard(key)
        return named

    def key_texts(self, body: str) -> list[tuple[str, str | None, bool]]:
        """Return each key-shaped text with a known prefix, with the target of the Markdown link it is in.

        The flag says the text is inside the link's target (``](adr-002-configuration.md)``), so it names a
        record only through that target; otherwise it is the link's text (``[ADR-8](…)``) or plain text.
        """
        found: list[tuple[str, str | None, bool]] = []
        spans: list[tuple[int, int, str]] | None = None
        starts: list[int] = []
        for hit in _DASH_DIGIT.finditer(body):
            dash = hit.start()
            start = dash
            while start > 0 and body[start - 1] in _ALNUM:
                start -= 1
            if start == dash or body[start] not in _LETTERS or (start > 0 and _WORD.match(body, start - 1)):
                continue
            if body[start:dash].upper() not in self.prefixes:
                continue
            rest = _KEY_REST.match(body, dash + 1)
            if rest is None:
                continue
            if spans is None:
                spans = [(link.start(1), link.end(1), link.group(1)) for link in _LINK_TARGET.finditer(body)]
                starts = [span[0] for span in spans]
            inside = bisect_right(starts, start) - 1
            if inside >= 0 and spans[inside][0] <= start < spans[inside][1]:
                found.append((body[start:rest.end()], spans[inside][2], True))
                continue
            target = None
            before = start
            while before > 0 and body[before - 1] in " `":
                before -= 1
            if before > 0 and body[before - 1] == "[":
                link = _LINK_AFTER.match(body, rest.end())
                target = link.group(1) if link else None
            found.append((body[start:rest.end()], target, False))
        for pattern in self._other_forms:
            found.extend((f"{other.group(1).upper()}-{other.group(2)}", None, False) for other in pattern.finditer(body)
                         if other.start() == 0 or not body[other.start() - 1].isalnum())
        return found

    def resolve(
        self, token: str, target: str | None, root: str, source_path: str, *, in_target: bool = False
    ) -> str | None:
        """Return the upper-case key a key text names in a record of root (at source_path), or None.

        With in_target the text is part of a link's target: it names the record the link goes to, or nothing
        (``img/adr-0018-existing-cicd.png`` is a picture, not a mention of ADR-0018).
        """
        cache_key = (token.upper(), root, target, posixpath.dirname(source_path) if target else "", in_target)
        if cache_key in self._cache:
            return self._cache[cache_key]
        found = self._by_link(target, root, source_path) if target else None
        if found is None and not in_target:
            found = self._by_name(token.upper(), mention_name(token), root)
        self._cache[cache_key] = found
        return found

    def _key_owner(self, upper: str, name: str) -> str | None:
        """Return the record keyed so: the exact key, else the only key that compares equal."""
        if upper in self.exact:
            return upper
        owners = self.by_key_name.get(name, [])
        return owners[0] if len(owners) == 1 else None

    def _by_name(self, upper: str, name: str, root: str) -> str | None:
        """Resolve a key text by its name (rules 2–4 of the module docstring)."""
        owner = self._key_owner(upper, name)
        if not root:
            if owner is not None:
                return owner
            called = self.folder_names.get(name, [])
            return called[0][1] if len(called) == 1 else None
        same = self.in_root.get((root, name), [])
        if len(same) > 1:  # two files of one folder carry the number: the one keyed so, if any
            same = [key for key in same if mention_name(key) == name] or same
        if same:
            return same[0] if len(same) == 1 else None
        if owner is not None and self.root.get(owner) == root:
            return owner
        elsewhere = {key for other, key in self.folder_names.get(name, []) if other != root}
        if len(elsewhere) == 1:
            return elsewhere.pop()
        return owner if not elsewhere else None

    def _by_link(self, target: str, root: str, source_path: str) -> str | None:
        """Return the record a relative link from source_path goes to, when it names exactly one."""
        path = unquote(target.split("#", 1)[0].split("?", 1)[0]).strip()
        if not path or ":" in path:
            return None
        if path.startswith("/"):
            path = path.lstrip("/")
        else:
            path = posixpath.join(posixpath.dirname(source_path), path)
        path = posixpath.normpath(path).lower()
        for candidate in (path, f"{path}.md"):
            owners = self.by_path.get((root, candidate), [])
            if len(owners) == 1:
                return owners[0]
        return None


def count_mentions(records: Sequence[Record], roots: Mapping[str, str] | None = None) -> dict[str, int]:
    """Return upper-case key → how many other records' bodies name it (see the module docstring).

    roots maps upper-case keys to the import root each record came from ("" or missing for records made in
    bridge). Without it every record is taken as rootless: links still resolve by path, but a bare
    ``ADR-0008`` in one corpus cannot be told from the same text in another and goes to the record keyed so.
    """
    resolver = MentionResolver(records, roots)
    counts: dict[str, int] = defaultdict(int)
    for record in records:
        for key in resolver.named_in(record):
            counts[key] += 1
    return dict(counts)

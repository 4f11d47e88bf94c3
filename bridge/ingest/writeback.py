"""Write an edited record back into its own file with a minimal diff, in the file's own format.

The file is changed only where the edit shows: the body is replaced (git then shows only the lines that differ),
front-matter keys or PEP header fields that changed are rewritten in place under the name the file already uses,
a status stated in the body (adr-tools ``## Status``, log4brains ``- Status:``) is rewritten where it stands, and
only what none of those can express goes into front matter. Lines the edit did not touch keep their bytes (line
endings included). The result is parsed back and must give the edited record, else nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from difflib import SequenceMatcher
from typing import Any

import yaml

from bridge.domain import Record
from bridge.errors import BridgeError, ParseError
from bridge.ingest.parse import FRONT_MATTER_ALIASES, LINK_FIELDS, parse_record_text
from bridge.ingest.rst_record import render_rst_header
from bridge.ingest.status_links import (
    LINK_VERBS,
    LinkTarget,
    add_status_link,
    link_line,
    remove_status_link,
    resolve_link_refs,
)
from bridge.ingest.writer import FILE_FIELDS, _Dumper, render_front_matter

_ALIAS_TO_FIELD = {alias: name for name, aliases in FRONT_MATTER_ALIASES.items() for alias in aliases}
_TOP_KEY = re.compile(r"^([A-Za-z0-9_][A-Za-z0-9_ -]*?)\s*:(\s|$)")
_STATUS_LINE = re.compile(r"^(\W{0,3}status\W{0,3}:\W{0,3}\s*)(.*?)(\s*)$", re.IGNORECASE)
_STATUS_HEADING = re.compile(r"^#{1,6}\s*\W{0,3}status\W{0,3}:?\s*#*\s*$", re.IGNORECASE)
_HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9-]*):(\s*)(.*)$")
_LINE = re.compile(r"(.*?)(\r\n|\n|\r|$)", re.DOTALL)


class WriteBackError(BridgeError):
    """The edit cannot be written into the file's own format without rewriting the file."""


def rewrite_file(data: bytes, source_path: str, base: Record, edited: Record,
                 folder_names: Sequence[str] | None = None,
                 links: Mapping[str, LinkTarget] | None = None) -> tuple[bytes, Record]:
    """Return the file bytes with edited's changes since base applied, and the record as the file now states it.

    data is the file as it is now (it must still be the base version); source_path is relative to the import
    root and folder_names are the folders it sits in (as the importer saw them), so parsing back gives the same
    kind and topics. links (key → its file seen from this one) lets a file without front matter state added or
    removed links as adr-tools does, in its Status section. The returned record's body (and status wording) differs
    from edited's only when a status, title or link had to be written into the body. Raises WriteBackError when
    the edit cannot be written in the file's format.
    """
    try:
        original = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WriteBackError(f"{source_path}: not UTF-8 text; bridge will not rewrite it") from exc
    bom = original.startswith("\ufeff")
    original = original.removeprefix("\ufeff")
    normal = original.replace("\r\n", "\n").replace("\r", "\n")
    checker = _Checker(normal, source_path, base, edited, folder_names, links or {})
    if edited.body_format == "rst" and not normal.startswith("---\n"):
        text = _rewrite_rst(normal, base, edited)
    else:
        text = _rewrite_markdown(normal, base, edited, checker, links or {})
    wrong = checker.mismatches(text)
    if wrong:
        raise WriteBackError(f"{source_path}: cannot write {', '.join(wrong)} into the file's format")
    parsed = checker.parse(text)
    assert parsed is not None
    return (("\ufeff" if bom else "") + _keep_unchanged_lines(original, text)).encode("utf-8"), parsed


class _Checker:
    """Parses candidate texts and names the fields that differ from the edited record."""

    def __init__(self, original: str, source_path: str, base: Record, edited: Record,
                 folder_names: Sequence[str] | None, links: Mapping[str, LinkTarget]) -> None:
        self.source_path, self.edited, self.folder_names, self.links = source_path, edited, folder_names, links
        self.kind = edited.kind
        self.error = ""
        self.restated_body: str | None = None
        """The body after a stated status or title was rewritten in it (then the body may differ from edited's)."""
        self.restated_status_text: str | None = None
        """The status paragraph written for a superseded record (``Superseded by [10. Use X](0010-use-x.md)``)."""
        before = self.parse(original)
        self.fields = [
            name for name in FILE_FIELDS
            if getattr(base, name) != getattr(edited, name)
            or (before is not None and name not in LINK_FIELDS and getattr(before, name) == getattr(base, name))
        ]
        """Fields to check: the ones the edit changed, and the ones the file already expresses exactly."""

    def parse(self, text: str) -> Record | None:
        try:
            record = parse_record_text(text, self.source_path, kind=self.kind, folder_names=self.folder_names).record
        except ParseError as exc:
            self.error = str(exc)
            return None
        resolve_link_refs(record, self.links)
        return record

    def mismatches(self, text: str) -> list[str]:
        """Return the checked fields whose parsed value in text differs from the edited record."""
        parsed = self.parse(text)
        if parsed is None:
            return [f"a file that parses ({self.error})"]
        return [
            name for name in self.fields
            if getattr(parsed, name) != getattr(self.edited, name)
            and not (name == "body" and self.restated_body is not None and parsed.body == self.restated_body)
            and not (name == "status_text" and parsed.status_text == self.restated_status_text)
        ]


# -- reST with a PEP-style header ---------------------------------------------------------------------------------


def _header_values(text: str | None) -> dict[str, str]:
    """Return name → value of a rendered PEP-style header (empty for None)."""
    values: dict[str, str] = {}
    for line in (text or "").split("\n"):
        if not line.strip():
            break
        match = _HEADER_LINE.match(line)
        if match:
            values[match.group(1)] = match.group(3)
    return values


def _rewrite_rst(text: str, base: Record, edited: Record) -> str:
    """Rewrite changed header fields in place and replace the body."""
    old_values, new_values = _header_values(render_rst_header(base)), _header_values(render_rst_header(edited))
    lines = text.split("\n")
    end = next((number for number, line in enumerate(lines) if not line.strip()), len(lines))
    header = lines[:end]
    for name in [*old_values, *(n for n in new_values if n not in old_values)]:
        if old_values.get(name) == new_values.get(name):
            continue
        start = next((i for i, line in enumerate(header) if line.lower().startswith(name.lower() + ":")), None)
        if start is None:
            if name in new_values:
                header.append(f"{name}: {new_values[name]}")
            continue
        stop = start + 1
        while stop < len(header) and header[stop][:1] in (" ", "\t"):
            stop += 1
        match = _HEADER_LINE.match(header[start])
        spacing = match.group(2) if match and match.group(2) else " "
        replacement = [f"{header[start].split(':', 1)[0]}:{spacing}{new_values[name]}"] if name in new_values else []
        header[start:stop] = replacement
    return "\n".join(header) + "\n\n" + edited.body


# -- Markdown (with or without front matter) ----------------------------------------------------------------------


def _front_values(record: Record) -> dict[str, Any]:
    """Return the front matter bridge would write for record, as a mapping."""
    text = render_front_matter(record)
    yaml_text = text[4:text.index("\n---\n", 3) + 1]
    loaded = yaml.safe_load(yaml_text) or {}
    return loaded if isinstance(loaded, dict) else {}


def _split(text: str) -> tuple[list[str] | None, str]:
    """Return (front-matter lines without the fences, or None when there is none; the body)."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None, text
    for number in range(1, len(lines)):
        if lines[number].rstrip() in ("---", "..."):
            return lines[1:number], "\n".join(lines[number + 1:])
    return None, text


def _key_block(front: list[str], names: Sequence[str]) -> tuple[int, int, str] | None:
    """Return (start, stop, key as written) of the first top-level key among names, with its nested lines."""
    wanted = {name.lower() for name in names}
    for start, line in enumerate(front):
        match = _TOP_KEY.match(line)
        if match and match.group(1).lower() in wanted:
            stop = start + 1
            while stop < len(front) and (front[stop][:1] in (" ", "\t", "-") or not front[stop].strip()):
                stop += 1
            while stop > start + 1 and not front[stop - 1].strip():
                stop -= 1
            return start, stop, match.group(1)
    return None


def _dump_key(key: str, value: Any) -> list[str]:
    """Return the YAML lines of one key."""
    text = yaml.dump({key: value}, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False,
                     width=100)
    return text.rstrip("\n").split("\n")


def _set_keys(front: list[str], values: dict[str, Any], keys: Sequence[str], *, only_existing: bool = False) -> list[str]:
    """Return front with each rendered key set to values[key] (or removed when absent), under the file's own name.

    With only_existing, keys the file does not have yet are left out (the body may state them instead).
    """
    front = list(front)
    for key in keys:
        field = _ALIAS_TO_FIELD.get(key)
        names = FRONT_MATTER_ALIASES[field] if field else (key,)
        found = _key_block(front, [key, *names])
        if found is None:
            if key in values and not only_existing:
                front.extend(_dump_key(key, values[key]))
            continue
        start, stop, written = found
        front[start:stop] = _dump_key(written, values[key]) if key in values else []
    return front


def _edit_status(body: str, status_text: str) -> str | None:
    """Return body with its stated status (a ``Status:`` line or a Status section's first paragraph) replaced."""
    lines = body.split("\n")
    for number, line in enumerate(lines):
        match = _STATUS_LINE.match(line)
        if match and match.group(2):
            lines[number] = f"{match.group(1)}{status_text}{match.group(3)}"
            return "\n".join(lines)
    for number, line in enumerate(lines):
        if _STATUS_HEADING.match(line.strip()):
            start = number + 1
            while start < len(lines) and not lines[start].strip():
                start += 1
            if start >= len(lines) or lines[start].lstrip().startswith("#"):
                lines[number + 1:number + 1] = ["", status_text]
                return "\n".join(lines)
            stop = start
            while stop < len(lines) and lines[stop].strip() and not lines[stop].lstrip().startswith("#"):
                stop += 1
            lines[start:stop] = [status_text]
            return "\n".join(lines)
    return None


def _edit_title(body: str, old_title: str, new_title: str) -> str | None:
    """Return body with old_title replaced by new_title in its first heading, or None when it is not there."""
    lines = body.split("\n")
    for number, line in enumerate(lines):
        if line.startswith("#"):
            if old_title and old_title in line:
                lines[number] = line.replace(old_title, new_title, 1)
                return "\n".join(lines)
            return None
    return None


def _join(front: list[str] | None, body: str) -> str:
    return body if front is None else "---\n" + "".join(f"{line}\n" for line in front) + "---\n" + body


def _edit_links(body: str, base: Record, edited: Record, links: Mapping[str, LinkTarget], checker: _Checker) -> str:
    """Return body with added and removed links stated in its Status section, as adr-tools states them.

    A record that became superseded gets ``Superseded by [M. Title](000M-title.md)`` as its status paragraph
    (``_edit_status``); other links become paragraphs of their own at the end of the section.
    """
    for name in LINK_VERBS:
        old, new = getattr(base, name), getattr(edited, name)
        for key in old:
            if key not in new and key in links:
                body = remove_status_link(body, links[key].path) or body
        for key in new:
            target = links.get(key)
            if key in old or target is None:
                continue
            line = link_line(name, target)
            if (name == "superseded_by" and edited.status == "superseded" and base.status != "superseded"
                    and checker.restated_status_text is None):
                restated = _edit_status(body, line)
                if restated is not None:
                    body, checker.restated_status_text = restated, line
                    continue
            body = add_status_link(body, line) or body
    if body != edited.body:
        checker.restated_body = body
    return body


def _rewrite_markdown(text: str, base: Record, edited: Record, checker: _Checker,
                      links: Mapping[str, LinkTarget]) -> str:
    """Rewrite changed front-matter keys in place, replace the body, and fix what still differs."""
    front, _ = _split(text)
    old_values, new_values = _front_values(base), _front_values(edited)
    body = edited.body
    if front is None and links:
        body = _edit_links(body, base, edited, links, checker)
    if front is not None:
        changed = [key for key in {**old_values, **new_values} if old_values.get(key) != new_values.get(key)]
        front = _set_keys(front, new_values, changed, only_existing=True)
    candidate = _join(front, body)
    wrong = checker.mismatches(candidate)
    if "title" in wrong and edited.body == base.body:
        retitled = _edit_title(body, base.title, edited.title)
        if retitled is not None:
            body = checker.restated_body = retitled
            candidate = _join(front, body)
            wrong = checker.mismatches(candidate)
    if {"status", "status_text"} & set(wrong) and (front is None or _key_block(front, ["status"]) is None):
        restated = _edit_status(body, edited.status_text or edited.status)
        if restated is not None:
            body = checker.restated_body = restated
            candidate = _join(front, body)
            wrong = checker.mismatches(candidate)
    if wrong:
        fixes = [key for key in new_values if _ALIAS_TO_FIELD.get(key, key) in wrong]
        for name in ("status", "status_text"):
            if name in wrong and name in new_values and name not in fixes:
                fixes.append(name)
        candidate = _join(_set_keys(front or [], new_values, fixes), body)
    return candidate


# -- line endings -------------------------------------------------------------------------------------------------


def _lines(text: str) -> list[tuple[str, str]]:
    """Return (content, line ending) per line of text; the last line's ending may be empty."""
    found = [(match.group(1), match.group(2)) for match in _LINE.finditer(text)]
    return [item for item in found if item != ("", "")]


def _keep_unchanged_lines(original: str, result: str) -> str:
    """Return result with every line that equals an original line (by content) written with its original bytes."""
    old, new = _lines(original), _lines(result)
    endings = [ending for _, ending in old if ending]
    newline = max(set(endings), key=endings.count) if endings else "\n"
    matcher = SequenceMatcher(None, [c for c, _ in old], [c for c, _ in new], autojunk=False)
    out: list[str] = []
    for tag, i1, _i2, j1, j2 in matcher.get_opcodes():
        for offset in range(j2 - j1):
            content, ending = new[j1 + offset]
            if tag == "equal":
                old_ending = old[i1 + offset][1]
                ending = (old_ending or newline) if ending else ""
            elif ending:
                ending = newline
            out.append(content + ending)
    return "".join(out)

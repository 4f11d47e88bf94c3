"""Scan import paths: find record files, parse them, give each a stable key, resolve links, attach git history.

Keys: a key an earlier import gave the same file is kept; else the file's own key (``id:`` or its number);
else the next free ``ADR-NNNN``/``RB-NNNN``. Two files of one folder claiming the same key: the second (in path
order) fails, naming both. A file whose own key is already held by a record from elsewhere (another import root,
or another root of this scan) gets the next free key instead, with a warning.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from bridge.domain import KEY_PATTERN, KEY_PREFIX_BY_KIND, ImportFailure, RecordKind, SourceFile
from bridge.errors import BridgeError, ParseError
from bridge.ingest.discover import (
    classify,
    folder_record_page,
    is_template_record,
    record_folders,
    walk_files,
)
from bridge.ingest.fields import normalise_key
from bridge.ingest.git_history import HistoryRules, find_git_root, read_history
from bridge.ingest.owners_files import OwnersFiles, apply_declared_owners
from bridge.ingest.parse import LINK_FIELDS, parse_record_file, relative_source_path

_KEY_NUMBER = re.compile(r"^([A-Za-z]+)-(\d+)$")
_UNSAFE_KEY = "\0unsafe"
"""Marks a file whose own key is not in the safe character set (it is given a fresh key, with a warning)."""


@dataclass
class ScannedRoot:
    """The records found under one import root, with what failed and what was skipped."""

    root: Path
    """Absolute import root; records' ``source_path`` is relative to it."""
    files: list[SourceFile] = field(default_factory=list)
    failures: list[ImportFailure] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Paths (relative to root) deliberately not imported: images, templates, index pages…"""
    skip_reasons: dict[str, str] = field(default_factory=dict)
    """Skipped path → why it is not a record."""
    folder_records: set[str] = field(default_factory=set)
    """Source paths of README/index pages that stand for their folder (folder-per-record layouts)."""
    warnings: list[str] = field(default_factory=list)
    git_root: Path | None = None


@dataclass
class ScanResult:
    """Every root of one scan."""

    roots: list[ScannedRoot] = field(default_factory=list)

    @property
    def files(self) -> list[SourceFile]:
        """Return the parsed files of every root."""
        return [source for root in self.roots for source in root.files]


def import_root_of(path: Path, known_roots: Collection[Path] = ()) -> Path:
    """Return the import root a path is read under: the deepest known root holding it, else the folder itself.

    A folder inside a folder imported before belongs to that import: read on its own, each of its files would
    become a second record (another root, another relative path) beside the one it already is.
    """
    path = Path(path).expanduser().absolute()
    folder = path.resolve() if path.is_dir() else path.parent.resolve()
    holding = [root for root in known_roots if folder.is_relative_to(root)]
    return max(holding, key=lambda root: len(root.parts)) if holding else folder


def _group_paths(paths: Sequence[Path], known_roots: Collection[Path] = ()) -> list[tuple[Path, list[Path] | None]]:
    """Return (root, chosen files or None for the whole folder) per import path; files share their root.

    A folder inside a known root stands for that whole root (unchanged files there stay unchanged).
    """
    groups: dict[Path, list[Path] | None] = {}
    for raw in paths:
        path = Path(raw).expanduser().absolute()
        root = import_root_of(path, known_roots)
        if path.is_dir():
            groups[root] = None
        else:
            chosen = groups.setdefault(root, [])
            if chosen is not None:
                chosen.append(path)
    return list(groups.items())


def _skip(scanned: ScannedRoot, source_path: str, reason: str) -> None:
    """Note a file that is deliberately not imported, with why."""
    scanned.skipped.append(source_path)
    scanned.skip_reasons[source_path] = reason


def _is_folder_record(path: Path, folders: frozenset[Path], named: bool) -> bool:
    """Return whether path is the README/index page standing for its folder (a named page always is)."""
    return folder_record_page(path) and (path.parent in folders or named)


def _parse_root(root: Path, chosen: list[Path] | None, kind: RecordKind | None, max_file_bytes: int,
                *, changed_only: bool = False) -> ScannedRoot:
    """Parse the record files of one root (all files under it, or only the chosen ones); no file aborts the rest.

    changed_only says the chosen files are the root's changed files (a sync), not files the user named: they are
    classified as in a scan of the whole root (templates and project files skipped).
    """
    scanned = ScannedRoot(root=root)
    named = chosen is not None and not changed_only
    candidates = sorted(chosen) if chosen is not None else list(walk_files(root))
    folders = record_folders(candidates, root) if not named else frozenset()
    for path in candidates:
        try:
            _parse_candidate(scanned, path, kind, max_file_bytes, folders, named)
        except Exception as exc:  # noqa: BLE001 - one bad file (symlink loop, deep nesting…) must not stop the import
            reason = str(exc).splitlines()[0] if str(exc) else ""
            scanned.failures.append(ImportFailure(
                path=relative_source_path(path, root), error=f"cannot read file ({type(exc).__name__}: {reason})"[:300],
            ))
    if kind is None:
        _follow_majority_kind(scanned, max_file_bytes)
    _apply_owners_files(scanned)
    _note_extensionless_copies(scanned)
    scanned.files.sort(key=lambda source: source.record.source_path)
    return scanned


def _parse_candidate(scanned: ScannedRoot, path: Path, kind: RecordKind | None, max_file_bytes: int,
                     folders: frozenset[Path], named: bool) -> None:
    """Parse one file into scanned: a record, a skipped path (with its reason) or a failure.

    folders are the record folders of the root; named says the user named the file on the command line.
    """
    root = scanned.root
    source_path = _lexical_path(path, root) if path.is_symlink() else relative_source_path(path, root)
    if not path.exists() and not path.is_symlink():
        scanned.failures.append(ImportFailure(path=str(path), error="no such file or folder"))
        return
    candidate = classify(path, folder_records=folders, named=named, root=root)
    if candidate.skip_reason:
        _skip(scanned, source_path, candidate.skip_reason)
        return
    folder_record = _is_folder_record(path, folders, named)
    try:
        source = parse_record_file(path, root, kind=kind, max_bytes=max_file_bytes, folder_record=folder_record)
    except ParseError as exc:
        scanned.failures.append(ImportFailure(path=source_path, error=exc.reason, line=exc.line))
        return
    if is_template_record(source.record) and not named:
        _skip(scanned, source_path, "template")
        return
    if folder_record:
        scanned.folder_records.add(source.record.source_path)
    scanned.files.append(source)


def _lexical_path(path: Path, root: Path) -> str:
    """Return path relative to root without following links (for naming a skipped symlink)."""
    try:
        return path.absolute().relative_to(root).as_posix()
    except ValueError:
        return path.name


def _follow_majority_kind(scanned: ScannedRoot, max_file_bytes: int) -> None:
    """Re-read files of a root that is mostly not decisions, so files nothing types follow their siblings' kind.

    A prometheus-style runbook tree has no ``runbooks`` folder; its few runbooks without Meaning/Impact sections
    would otherwise become decisions.
    """
    counts = Counter(source.record.kind for source in scanned.files)
    majority, count = counts.most_common(1)[0] if counts else ("decision", 0)
    if majority == "decision" or count * 2 <= len(scanned.files):
        return
    for position, source in enumerate(scanned.files):
        if source.record.kind == "decision":
            path = scanned.root / source.record.source_path
            try:
                scanned.files[position] = parse_record_file(
                    path, scanned.root, max_bytes=max_file_bytes, default_kind=majority,
                    folder_record=source.record.source_path in scanned.folder_records,
                )
            except Exception:  # noqa: BLE001 - it parsed once; keep the first reading
                continue


def _apply_owners_files(scanned: ScannedRoot) -> None:
    """Give records that name no owners or reviewers those of the OWNERS/CODEOWNERS files above them."""
    if not scanned.files:
        return
    owners_files = OwnersFiles(scanned.root)
    for source in scanned.files:
        record = source.record
        owners, reviewers, owners_file = apply_declared_owners(
            owners_files, record.source_path, record.owners, record.reviewers
        )
        record.owners, record.reviewers = owners, reviewers
        if owners_file:
            record.extra.setdefault("owners_file", owners_file)


def _note_extensionless_copies(scanned: ScannedRoot) -> None:
    """Warn about files without an extension that sit beside a Markdown file of the same name."""
    paths = {source.record.source_path for source in scanned.files}
    for path in sorted(paths):
        if not PurePosixPath(path).suffix and f"{path}.md" in paths:
            scanned.warnings.append(
                f"{path}: has no extension and sits beside {path}.md; imported as a record of its own"
            )


class _KeyBook:
    """Keys claimed during one scan, and the next free number per prefix."""

    def __init__(self, taken_keys: Collection[str]) -> None:
        self.taken = {key.lower() for key in taken_keys}
        self.claimed: dict[str, tuple[int, str]] = {}
        """Lower-case key → (root index, source path) of the file holding it in this scan."""
        self.highest: dict[str, int] = {}
        for key in taken_keys:
            self._note(key)

    def _note(self, key: str) -> None:
        match = _KEY_NUMBER.match(key)
        if match:
            prefix = match.group(1).upper()
            self.highest[prefix] = max(self.highest.get(prefix, 0), int(match.group(2)))

    def claim(self, key: str, root_index: int, source_path: str) -> None:
        self.claimed[key.lower()] = (root_index, source_path)
        self._note(key)

    def allocate(self, kind: str, root_index: int, source_path: str) -> str:
        prefix = KEY_PREFIX_BY_KIND.get(kind, "ADR")
        number = self.highest.get(prefix, 0) + 1
        key = f"{prefix}-{number:04d}"
        self.claim(key, root_index, source_path)
        return key


def _assign_keys(roots: list[ScannedRoot], existing_keys: Mapping[tuple[str, str], str],
                 taken_keys: Collection[str]) -> None:
    """Give every parsed file its key (kept, own or allocated); duplicate claims in one root become failures."""
    book = _KeyBook(taken_keys)
    previous_by_root: list[dict[str, str]] = []
    for index, scanned in enumerate(roots):
        previous = {path: key for (root, path), key in existing_keys.items() if root == str(scanned.root)}
        previous_by_root.append(previous)
        for source in scanned.files:
            kept = previous.get(source.record.source_path)
            if kept:
                source.record.key = kept
                book.claim(kept, index, source.record.source_path)
    needs_key: list[tuple[int, SourceFile, str]] = []
    """(root index, file, where its own key is already used — empty when it had none)."""
    for index, scanned in enumerate(roots):
        present = {source.record.source_path for source in scanned.files}
        freed = {key.lower() for path, key in previous_by_root[index].items() if path not in present}
        kept_paths = set(previous_by_root[index])
        duplicates: list[SourceFile] = []
        for source in scanned.files:
            record = source.record
            if record.source_path in kept_paths:
                continue
            own = record.key
            if not own:
                needs_key.append((index, source, ""))
                continue
            if not KEY_PATTERN.match(own):
                needs_key.append((index, source, _UNSAFE_KEY))
                continue
            holder = book.claimed.get(own.lower())
            if holder and holder[0] == index:
                scanned.failures.append(ImportFailure(
                    path=record.source_path,
                    error=f"key {own} is already claimed by {holder[1]} in the same folder; give one of them "
                          f"another id",
                ))
                duplicates.append(source)
            elif holder or (own.lower() in book.taken and own.lower() not in freed):
                where = f"{roots[holder[0]].root / holder[1]}" if holder else "a record imported from elsewhere"
                needs_key.append((index, source, where))
            else:
                book.claim(own, index, record.source_path)
        for source in duplicates:
            scanned.files.remove(source)
    for index, source, used_by in sorted(needs_key, key=lambda item: (item[0], item[1].record.source_path)):
        record = source.record
        own = record.key
        record.key = book.allocate(record.kind, index, record.source_path)
        if used_by == _UNSAFE_KEY:
            roots[index].warnings.append(
                f"{record.source_path}: key {own!r} is not allowed (use letters, digits, '.', '_' or '-' after a "
                f"prefix and a dash, like ADR-0007); given {record.key}"
            )
        elif used_by:
            roots[index].warnings.append(f"{record.source_path}: key {own} is already used by {used_by}; given {record.key}")


def _reference_index(scanned: ScannedRoot) -> dict[str, str]:
    """Return the ways files of a root can be referred to (path, name, stem, key) → key; ambiguous names dropped."""
    index: dict[str, str] = {}
    ambiguous: set[str] = set()
    for source in scanned.files:
        record = source.record
        path = record.source_path.lower()
        name = posixpath.basename(path)
        stem = name.rsplit(".", 1)[0] if "." in name else name
        index[path] = record.key
        index[record.key.lower()] = record.key
        aliases = [name, stem]
        if record.source_path in scanned.folder_records and "/" in path:
            folder = posixpath.dirname(path)
            index[folder] = record.key
            aliases.append(posixpath.basename(folder))
        for alias in aliases:
            if alias in index and index[alias] != record.key:
                ambiguous.add(alias)
            index.setdefault(alias, record.key)
    for alias in ambiguous:
        index.pop(alias, None)
    return index


def _resolve(ref: str, source_path: str, local: dict[str, str], everywhere: dict[str, str],
             kind: RecordKind) -> str | None:
    """Return the key a reference names, or None when no scanned file matches it."""
    target = ref.strip().split("#", 1)[0].split("?", 1)[0].strip()
    if not target:
        return None
    lowered = target.lower().rstrip("/")
    if lowered.startswith("/"):
        parts = lowered.strip("/").split("/")
        for start in range(len(parts)):
            suffix = "/".join(parts[start:])
            if "/" in suffix and suffix in local:
                return local[suffix]
    if "/" in lowered or lowered.startswith("."):
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(source_path.lower()), lowered))
        for candidate in (joined, f"{joined}.md"):
            if candidate in local:
                return local[candidate]
        lowered = posixpath.basename(lowered)
    for candidate in (lowered, lowered.rsplit(".", 1)[0] if lowered.endswith((".md", ".rst")) else lowered):
        if candidate in local:
            return local[candidate]
    key = normalise_key(target, kind).lower()
    return local.get(key) or everywhere.get(key)


def _known_reference_index(known: Mapping[str, str]) -> dict[str, str]:
    """Return (path, name, stem, key) → key for files bridge already holds (source path → key); ambiguous dropped."""
    index: dict[str, str] = {}
    ambiguous: set[str] = set()
    for source_path, key in known.items():
        path = source_path.lower()
        name = posixpath.basename(path)
        stem = name.rsplit(".", 1)[0] if "." in name else name
        index[path] = key
        index[key.lower()] = key
        for alias in (name, stem):
            if alias in index and index[alias] != key:
                ambiguous.add(alias)
            index.setdefault(alias, key)
    for alias in ambiguous:
        index.pop(alias, None)
    return index


def _resolve_links(roots: list[ScannedRoot], known: Mapping[str, str] | None = None) -> None:
    """Replace file-name and relative-link references with the keys of the scanned files they name.

    known maps the source paths of files not scanned this time (an incremental sync) to their keys, so references
    to them resolve as in a full import.
    """
    locals_by_root = [_reference_index(scanned) for scanned in roots]
    if known:
        held = _known_reference_index(known)
        for local in locals_by_root:
            for alias, known_key in held.items():
                local.setdefault(alias, known_key)
    everywhere = {source.record.key.lower(): source.record.key for scanned in roots for source in scanned.files}
    for scanned, local in zip(roots, locals_by_root, strict=True):
        for source in scanned.files:
            record = source.record
            for name in LINK_FIELDS:
                resolved: list[str] = []
                for ref in getattr(record, name):
                    key = _resolve(ref, record.source_path, local, everywhere, record.kind)
                    if key is None and (ref.endswith((".md", ".rst")) or "/" in ref):
                        scanned.warnings.append(f"{record.source_path}: {name} reference '{ref}' matches no record")
                    value = key or ref
                    if value not in resolved:
                        resolved.append(value)
                setattr(record, name, resolved)


def _attach_history(scanned: ScannedRoot, rules: HistoryRules) -> None:
    """Attach each file's git history when the root is inside a git work tree."""
    scanned.git_root = find_git_root(scanned.root)
    if scanned.git_root is None or not scanned.files:
        return
    try:
        history = read_history(scanned.root, rules=rules)
    except BridgeError as exc:
        scanned.warnings.append(f"git history not read: {exc}")
        return
    for source in scanned.files:
        source.history = history.get(source.record.source_path, [])


def scan_paths(
    paths: Sequence[Path],
    *,
    kind: RecordKind | None = None,
    max_file_bytes: int = 2_000_000,
    bot_patterns: Sequence[str] = ("[bot]",),
    existing_keys: Mapping[tuple[str, str], str] | None = None,
    taken_keys: Collection[str] = (),
    history_rules: HistoryRules | None = None,
    known_roots: Collection[Path] = (),
) -> ScanResult:
    """Find, parse and key every record under paths (folders or single files), with git history when in git.

    existing_keys maps (absolute root as str, source_path) to the key an earlier import gave that file;
    taken_keys are keys already used in the knowledge base. Bad files become failures; the rest still import.
    history_rules (bots, bulk commits, ignored revisions) default to the bot_patterns given. A path inside one of
    known_roots (folders imported before) is read as part of that root.
    """
    rules = history_rules or HistoryRules(bot_patterns=tuple(bot_patterns))
    roots = [_parse_root(root, chosen, kind, max_file_bytes) for root, chosen in _group_paths(paths, known_roots)]
    _assign_keys(roots, existing_keys or {}, taken_keys)
    _resolve_links(roots)
    for scanned in roots:
        _attach_history(scanned, rules)
    return ScanResult(roots=roots)


def scan_root_files(
    root: Path,
    paths: Sequence[str],
    *,
    known_keys: Mapping[str, str],
    taken_keys: Collection[str] = (),
    kind_by_path: Mapping[str, RecordKind] | None = None,
    max_file_bytes: int = 2_000_000,
    history_rules: HistoryRules | None = None,
    since: str | None = None,
) -> ScannedRoot:
    """Parse only the given files of an import root (paths relative to it), as a full import of the root would.

    known_keys maps every source path of the root that bridge already holds to its key: those files keep their
    keys and references to them resolve. kind_by_path keeps the kind a file had. With since, the files' git
    history is read from that commit on (an incremental sync); the writer skips commits it already has.
    """
    root = root.resolve()
    scanned = _parse_root(root, [root / path for path in paths], None, max_file_bytes, changed_only=True)
    for position, source in enumerate(scanned.files):
        kind = (kind_by_path or {}).get(source.record.source_path)
        if kind and source.record.kind != kind:
            try:
                scanned.files[position] = parse_record_file(root / source.record.source_path, root, kind=kind,
                                                            max_bytes=max_file_bytes)
            except ParseError:
                continue
    existing = {(str(root), path): key for path, key in known_keys.items()}
    _assign_keys([scanned], existing, taken_keys)
    _resolve_links([scanned], known_keys)
    scanned.git_root = find_git_root(root)
    if scanned.git_root is not None and scanned.files:
        try:
            history = read_history(root, rules=history_rules, since=since)
        except BridgeError as exc:
            scanned.warnings.append(f"git history not read: {exc}")
            history = {}
        for source in scanned.files:
            source.history = history.get(source.record.source_path, [])
    return scanned

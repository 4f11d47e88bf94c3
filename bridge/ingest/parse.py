"""Parse one record file: Markdown with or without YAML front matter, or PEP/NEP-style reStructuredText.

Fields stated in the file win (front matter, then the body's own status line, table or section); what the file
does not say comes from its path (key from the file name's number, kind and topic from its folders).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from bridge.domain import BodyFormat, Record, RecordKind, SourceFile
from bridge.errors import ParseError
from bridge.ingest import rst
from bridge.ingest.fields import (
    KIND_ALIASES,
    RUNBOOK_SECTIONS,
    as_date,
    as_list,
    as_text,
    is_placeholder,
    jsonable,
    key_from_filename,
    kind_from_folders,
    normalise_key,
    title_from_name,
    topic_from_path,
)
from bridge.ingest.markdown import MarkdownFacts, markdown_facts
from bridge.ingest.record_folder import metadata_file, read_metadata
from bridge.ingest.rst_record import record_from_header
from bridge.ingest.status import IMPORT_DEFAULT_STATUS, normalise_status

FRONT_MATTER_ALIASES: dict[str, tuple[str, ...]] = {
    "key": ("id", "key"),
    "kind": ("kind",),
    "title": ("title",),
    "status": ("status",),
    "status_text": ("status_text",),
    "date": ("date",),
    "review_by": ("review_by", "review-by", "reviewBy"),
    "authors": ("authors", "author", "decision-makers", "decision_makers", "deciders"),
    "owners": ("owners", "owner"),
    "reviewers": ("reviewers", "reviewer"),
    "consulted": ("consulted",),
    "informed": ("informed",),
    "topics": ("topics", "topic"),
    "tags": ("tags", "tag"),
    "supersedes": ("supersedes",),
    "superseded_by": ("superseded_by", "superseded-by", "supersededBy"),
    "amends": ("amends",),
    "related": ("related", "relates", "see_also"),
    "format": ("format", "body_format"),
}
"""Record field → the front-matter keys that set it. MADR's ``decision-makers``/``deciders`` decided, so they
are the record's authors."""

_ALIAS_TO_FIELD: dict[str, str] = {alias: name for name, aliases in FRONT_MATTER_ALIASES.items() for alias in aliases}
LINK_FIELDS: tuple[str, ...] = ("supersedes", "superseded_by", "amends", "related")
PEOPLE_FIELDS: tuple[str, ...] = ("authors", "owners", "reviewers", "consulted", "informed")
RST_SUFFIXES: frozenset[str] = frozenset({".rst", ".txt"})


@dataclass
class FrontMatter:
    """A file's YAML front matter grouped by record field, with the keys bridge does not model."""

    values: dict[str, list[Any]] = field(default_factory=dict)
    """Record field → the values of every key that sets it, in file order."""
    extra: dict[str, Any] = field(default_factory=dict)
    present: bool = False

    def has(self, name: str) -> bool:
        """Return whether the front matter sets the record field name."""
        return name in self.values

    def first(self, name: str) -> Any:
        """Return the first value given for the field, or None."""
        return self.values[name][0] if name in self.values else None

    def add_defaults(self, fields: dict[str, Any]) -> None:
        """Set the fields this front matter does not state from a metadata file (the file's own values win)."""
        for name, value in fields.items():
            if name == "extra":
                for key, item in value.items():
                    self.extra.setdefault(key, item)
                continue
            field_name = _ALIAS_TO_FIELD.get(name, name)
            if field_name not in self.values and value not in (None, "", []):
                self.values[field_name] = [value]
        self.present = self.present or bool(fields)

    def merged_list(self, name: str) -> list[str]:
        """Return every value given for a list field, merged in order without duplicates."""
        merged: list[str] = []
        for value in self.values.get(name, []):
            merged += [item for item in as_list(value) if item not in merged]
        return merged


MAX_FRONT_MATTER_VALUES = 50_000
"""Front matter expanding to more values than this is refused: YAML aliases can make a small file huge."""


def _too_many_values(data: Any, limit: int) -> bool:
    """Return whether data, with aliases expanded, holds more than limit values."""
    pending = [data]
    count = 0
    while pending:
        value = pending.pop()
        count += 1
        if count > limit:
            return True
        if isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list | tuple | set):
            pending.extend(value)
    return False


def split_front_matter(text: str, display_path: str) -> tuple[FrontMatter, str]:
    """Return the front matter and the body of text; raises ParseError with the line for malformed YAML."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return FrontMatter(), text
    for number in range(1, len(lines)):
        if lines[number].rstrip() in ("---", "..."):
            break
    else:
        raise ParseError("front matter opened with '---' on line 1 is never closed with '---'", display_path, 1)
    yaml_text = "\n".join(lines[1:number])
    try:
        data = yaml.safe_load(yaml_text) if yaml_text.strip() else {}
    except RecursionError as exc:
        raise ParseError("front matter is nested too deeply to read", display_path, 2) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        line = mark.line + 2 if mark is not None else 1
        raise ParseError(f"malformed YAML front matter: {problem}", display_path, line) from exc
    if not isinstance(data, dict):
        raise ParseError("front matter is not a mapping of 'field: value' lines", display_path, 2)
    if _too_many_values(data, MAX_FRONT_MATTER_VALUES):
        raise ParseError(f"front matter expands to more than {MAX_FRONT_MATTER_VALUES:,} values (YAML aliases?)",
                         display_path, 2)
    front = FrontMatter(present=True)
    for raw_key, value in data.items():
        name = _ALIAS_TO_FIELD.get(str(raw_key))
        if name is None:
            front.extra[str(raw_key)] = jsonable(value)
        else:
            front.values.setdefault(name, []).append(value)
    return front, "\n".join(lines[number + 1:])


def front_matter_block(text: str) -> str:
    """Return text's front matter with its '---' lines and the line break after them ("" when it has none)."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return ""
    for number in range(1, len(lines)):
        if lines[number].rstrip() in ("---", "..."):
            return "\n".join(lines[: number + 1]) + "\n"
    return ""


def _decode(data: bytes, display_path: str, max_bytes: int) -> str:
    """Return the file's text, refusing empty, oversized, binary and non-UTF-8 content."""
    if len(data) > max_bytes:
        raise ParseError(f"file is {len(data):,} bytes, over the {max_bytes:,}-byte limit", display_path)
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ParseError("binary file (contains NUL bytes), not a text record", display_path, line)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})", display_path, line) from exc
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ParseError("file is empty", display_path)
    return text


def relative_source_path(path: Path, root: Path) -> str:
    """Return path relative to root with forward slashes (the file name when it is outside root or unresolvable)."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        return path.name


def parse_record_file(
    path: Path, root: Path, kind: RecordKind | None = None, max_bytes: int = 2_000_000,
    *, default_kind: RecordKind = "decision", folder_record: bool = False,
) -> SourceFile:
    """Parse the record file at path (relative names are taken from root); raises ParseError naming the file.

    default_kind is used only when nothing (front matter, folders, sections) says what kind the file is;
    folder_record says the file is the README/index page standing for its folder (``record_folder``).
    """
    source_path = relative_source_path(path, root)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ParseError(f"file is {size:,} bytes, over the {max_bytes:,}-byte limit", source_path)
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror or exc}", source_path) from exc
    text = _decode(data, source_path, max_bytes)
    folders = list(root.resolve().parts) + list(PurePosixPath(source_path).parts[:-1])
    metadata: dict[str, Any] | None = None
    if folder_record:
        beside = metadata_file(path.parent)
        metadata = read_metadata(beside, source_path) if beside is not None else {}
    return parse_record_text(text, source_path, kind=kind, folder_names=folders, default_kind=default_kind,
                             metadata=metadata, folder_name=path.parent.name if folder_record else None)


def parse_record_text(
    text: str, source_path: str, *, kind: RecordKind | None = None, folder_names: Sequence[str] | None = None,
    default_kind: RecordKind = "decision", metadata: dict[str, Any] | None = None, folder_name: str | None = None,
) -> SourceFile:
    """Parse a record file's text; source_path (relative, with '/') supplies what the text does not say.

    folder_name is set for a folder-per-record page: the record is named by its folder (key and fallback title
    from the folder name, topic from the folders above it) and metadata holds the fields of the metadata file
    beside the page.
    """
    front, body = split_front_matter(text, source_path)
    if metadata is not None:
        front.add_defaults(metadata)
    suffix = PurePosixPath(source_path).suffix.lower()
    format_value = as_text(front.first("format")).lower()
    if format_value in ("rst", "restructuredtext"):
        body_format: BodyFormat = "rst"
    elif format_value in ("markdown", "md"):
        body_format = "markdown"
    else:
        if format_value:
            front.extra["format"] = front.first("format")
        body_format = "rst" if suffix in RST_SUFFIXES else "markdown"
    folders = list(folder_names) if folder_names is not None else list(PurePosixPath(source_path).parts[:-1])
    if body_format == "rst" and not front.present:
        return record_from_header(rst.read_rst_header(body), source_path, kind, folders, default_kind)
    return _parse_markdown(front, body, body_format, source_path, kind, folders, default_kind, folder_name)


def _kind_of(front: FrontMatter, explicit: RecordKind | None, folders: list[str], source_path: str,
             facts: MarkdownFacts | None, warnings: list[str], default_kind: RecordKind) -> RecordKind:
    """Return the record kind: given, else front matter, else folder names, else runbook sections, else default."""
    stated = as_text(front.first("kind")).lower()
    stated_kind = KIND_ALIASES.get(stated) if stated else None
    if stated and stated_kind is None:
        if explicit is None:
            raise ParseError(f"unknown kind '{stated}': use decision, runbook or postmortem", source_path)
        warnings.append(f"front matter kind '{stated}' ignored; imported as {explicit}")
    if explicit:
        return explicit
    if stated_kind:
        return stated_kind
    by_folder = kind_from_folders(folders)
    if by_folder:
        return by_folder
    if facts is not None:
        sections = {heading.text.lower().strip(" :") for heading in facts.headings if heading.level > 1}
        if len(sections & RUNBOOK_SECTIONS) >= 2:
            return "runbook"
    return default_kind


def _stated_date(front: FrontMatter, name: str, warnings: list[str]) -> tuple[bool, date | None]:
    """Return (whether front matter states the date field, its value); an unreadable date goes to extra."""
    if not front.has(name):
        return False, None
    raw = front.first(name)
    parsed = as_date(raw)
    if parsed is None and raw not in (None, ""):
        key = FRONT_MATTER_ALIASES[name][0]
        front.extra.setdefault(key, jsonable(raw))
        warnings.append(f"{key} '{raw}' is not a date; kept as written")
    return True, parsed


def _has_rfc_header(facts: MarkdownFacts) -> bool:
    """Return whether the body opens with Rust-style RFC header bullets (``- RFC PR:`` or ``- Feature Name:``)."""
    return bool(facts.extra.get("rfc_pr") or facts.extra.get("feature_name"))


def _fallback_title(facts: MarkdownFacts, naming_name: str) -> str:
    """Return a title for a body without one: its RFC ``Feature Name``, else the file (or folder) name.

    Only structured bodies (with headings or header bullets) get one; a bare text file still has no title.
    """
    if not facts.headings and not facts.extra:
        return ""
    feature = facts.extra.get("feature_name", "").strip("` ")
    if feature and re.fullmatch(r"[\w:.\- ]+", feature) and feature.lower() not in ("n/a", "none", "na"):
        return title_from_name(feature)
    return title_from_name(naming_name)


def _parse_markdown(front: FrontMatter, body: str, body_format: BodyFormat, source_path: str,
                    explicit_kind: RecordKind | None, folders: list[str], default_kind: RecordKind,
                    folder_name: str | None = None) -> SourceFile:
    """Build the record of a Markdown file (or a reST body under front matter)."""
    warnings: list[str] = []
    facts = markdown_facts(body) if body_format == "markdown" else _rst_facts(body)
    kind = _kind_of(front, explicit_kind, folders, source_path, facts, warnings, default_kind)
    naming_name = folder_name or PurePosixPath(source_path).name
    title = as_text(front.first("title")) or facts.title or _fallback_title(facts, naming_name)
    if not title:
        raise ParseError("no title: add a '# Title' heading or a 'title:' front-matter field", source_path)
    if front.has("status") and isinstance(front.first("status"), dict | list):
        warnings.append(f"status is a {'mapping' if isinstance(front.first('status'), dict) else 'list'}, not a "
                        f"word like '{IMPORT_DEFAULT_STATUS[kind]}': ignored")
        front.values.pop("status")
    if front.has("status") and is_placeholder(as_text(front.first("status"))):
        front.values.pop("status")
    if front.has("status") and as_text(front.first("status")):
        raw_status = as_text(front.first("status"))
        status_text = as_text(front.first("status_text")) if front.has("status_text") else raw_status
    else:
        raw_status = status_text = facts.status_text
    status, superseded_refs, status_warnings = normalise_status(raw_status, kind)
    warnings += status_warnings
    status = status or IMPORT_DEFAULT_STATUS[kind]
    has_date, stated_date = _stated_date(front, "date", warnings)
    if not has_date:
        stated_date = facts.stated_date
        if facts.date_text and stated_date is None:
            warnings.append(f"date '{facts.date_text}' is not a date; ignored")
    _, review_by = _stated_date(front, "review_by", warnings)
    explicit_key = front.first("key")
    key = normalise_key(explicit_key, kind) if as_text(explicit_key) else key_from_filename(
        naming_name, kind, prefix="RFC" if _has_rfc_header(facts) else None
    )
    topic_path = posixpath.dirname(source_path) if folder_name else source_path
    topics = front.merged_list("topics") if front.has("topics") else as_list(topic_from_path(topic_path))

    def listed(name: str) -> list[str]:
        if front.has(name):
            return front.merged_list(name)
        return list(getattr(facts, name, []))

    superseded_by = listed("superseded_by")
    if not front.has("superseded_by"):
        superseded_by += [ref for ref in superseded_refs if ref not in superseded_by]
    record = Record(
        key=key, kind=kind, title=title, status=status, body=body, status_text=status_text,
        body_format=body_format, topics=topics, tags=listed("tags"), owners=listed("owners"),
        authors=listed("authors"), reviewers=listed("reviewers"), consulted=listed("consulted"),
        informed=listed("informed"), supersedes=listed("supersedes"), superseded_by=superseded_by,
        amends=listed("amends"), related=listed("related"), date=stated_date, review_by=review_by,
        source_path=source_path, extra={**facts.extra, **front.extra},
    )
    return SourceFile(record=record, warnings=warnings)


def _rst_facts(body: str) -> MarkdownFacts:
    """Return the title of a reST body as facts (reST bodies under front matter state nothing else)."""
    header = rst.read_rst_header(body)
    return MarkdownFacts(title=header.title or header.fields.get("Title", ""))

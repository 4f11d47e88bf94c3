"""Write records back to files: YAML front matter + body, or a PEP-style header for reST records.

The rule is that parsing what is written gives the same record: every field is written explicitly unless the
parser would derive exactly the same value from the body, and reST records are checked after rendering and
fall back to front matter (with ``format: rst``) whenever a PEP-style header cannot hold them exactly.
"""

from __future__ import annotations

import re
from dataclasses import fields as dataclass_fields
from pathlib import PurePosixPath
from typing import Any

import yaml

from bridge.domain import KEY_PREFIX_BY_KIND, Record
from bridge.errors import ParseError
from bridge.ingest.fields import GENERIC_FOLDERS, jsonable, key_from_filename, slugify
from bridge.ingest.markdown import markdown_facts
from bridge.ingest.parse import FRONT_MATTER_ALIASES, parse_record_text
from bridge.ingest.rst_record import render_rst_header
from bridge.ingest.status import IMPORT_DEFAULT_STATUS, normalise_status

FOLDER_BY_KIND: dict[str, str] = {
    "decision": "decisions", "runbook": "runbooks", "postmortem": "postmortems", "handoff": "handoffs",
}
"""Export folder of each kind."""

FILE_FIELDS: tuple[str, ...] = (
    "key", "kind", "title", "status", "status_text", "body", "body_format", "topics", "tags", "owners", "authors",
    "reviewers", "consulted", "informed", "supersedes", "superseded_by", "amends", "related", "date", "review_by",
    "extra",
)
"""Record fields a file carries: import → export → import keeps each of them identical."""

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")
_RECORD_SUFFIXES = (".md", ".markdown", ".rst")


class _Dumper(yaml.SafeDumper):
    """YAML dumper that indents lists under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        return super().increase_indent(flow, False)


def file_fields(record: Record) -> dict[str, Any]:
    """Return the record's file-level fields (what a round trip must preserve), for comparison."""
    names = {item.name for item in dataclass_fields(record)}
    return {name: getattr(record, name) for name in FILE_FIELDS if name in names}


def _safe_component(text: str) -> str:
    """Return text when it is a safe single path component, else ""."""
    if not _SAFE_NAME.match(text) or text in (".", "..") or ".." in text:
        return ""
    return text


def export_relative_path(record: Record) -> PurePosixPath:
    """Return where the record's file goes inside an export directory; never absolute, never outside it.

    Records go under their kind's folder, and under their topic's folder when the source file sat in a folder
    named after that topic. The source file name is kept when it carries the record's own key; otherwise the
    name is the key's number (or the key) followed by a slug of the title.
    """
    parts = [FOLDER_BY_KIND.get(record.kind, "records")]
    source = PurePosixPath(record.source_path.replace("\\", "/")) if record.source_path else None
    if source is not None and len(source.parts) > 1:
        parent = source.parts[-2]
        if parent in record.topics and parent.lower() not in GENERIC_FOLDERS and _safe_component(parent):
            parts.append(parent)
    suffix = ".rst" if record.body_format == "rst" else ".md"
    name = ""
    if source is not None:
        source_name = _safe_component(source.name)
        kind = record.kind if record.kind in KEY_PREFIX_BY_KIND else "decision"
        prefix = record.key.split("-", 1)[0] if record.key.upper().startswith("RFC-") else None
        if source_name and record.key and key_from_filename(source_name, kind, prefix) == record.key:
            stem = source_name
            for known in _RECORD_SUFFIXES + (".txt",):
                if stem.lower().endswith(known):
                    stem = stem[: -len(known)]
                    break
            name = f"{stem}{suffix}" if _safe_component(f"{stem}{suffix}") else ""
    if not name:
        prefix = KEY_PREFIX_BY_KIND.get(record.kind, "")
        match = re.fullmatch(rf"{prefix}-(\d+)", record.key) if prefix else None
        lead = match.group(1) if match else slugify(record.key, 40)
        source_stem = _safe_component(source.stem) if source is not None else ""
        title_slug = source_stem or slugify(record.title) or "record"
        name = f"{lead}-{title_slug}{suffix}" if lead else f"{title_slug}{suffix}"
    return PurePosixPath(*parts, name)


def _body_derived(record: Record) -> dict[str, Any]:
    """Return the fields the parser would read from the body when the front matter does not state them."""
    if record.body_format != "markdown":
        return {}
    facts = markdown_facts(record.body)
    status, refs, _ = normalise_status(facts.status_text, record.kind)
    superseded_by = list(facts.superseded_by) + [ref for ref in refs if ref not in facts.superseded_by]
    return {
        "status_text": facts.status_text, "date": facts.stated_date, "authors": facts.authors,
        "owners": facts.owners, "reviewers": facts.reviewers, "tags": facts.tags, "supersedes": facts.supersedes,
        "superseded_by": superseded_by, "amends": facts.amends, "related": facts.related,
    }


def render_front_matter(record: Record) -> str:
    """Return record as YAML front matter followed by its body."""
    derived = _body_derived(record)
    front: dict[str, Any] = {}
    if record.key:
        front["id"] = record.key
    front["kind"] = record.kind
    front["title"] = record.title
    status_implied = (
        record.status_text == "" and record.status == IMPORT_DEFAULT_STATUS.get(record.kind)
        and not derived.get("status_text")
    )
    if not status_implied:
        front["status"] = record.status
        if record.status_text != record.status:
            front["status_text"] = record.status_text
    for name in ("date", "review_by"):
        value = getattr(record, name)
        if value is not None:
            front[name] = value
        elif name in record.extra:
            front[name] = record.extra[name]
        elif derived.get(name) is not None:
            front[name] = None
    front["topics"] = list(record.topics)
    for name in ("authors", "owners", "reviewers", "consulted", "informed", "tags",
                 "supersedes", "superseded_by", "amends", "related"):
        items = list(getattr(record, name))
        if items or derived.get(name):
            front[name] = items
    if record.body_format == "rst":
        front["format"] = "rst"
    modelled = {alias for aliases in FRONT_MATTER_ALIASES.values() for alias in aliases}
    for name, value in record.extra.items():
        if name not in front and (name not in modelled or name == "format"):
            front[name] = jsonable(value)
    text = yaml.dump(front, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=None, width=100)
    return f"---\n{text}---\n{record.body}"


def render_record(record: Record) -> str:
    """Return the file text of record; parsing it back gives the same record (see FILE_FIELDS)."""
    if record.body_format == "rst":
        text = render_rst_header(record)
        if text is not None:
            path = export_relative_path(record).as_posix()
            try:
                reparsed = parse_record_text(text, path).record
            except ParseError:
                reparsed = None
            if reparsed is not None and file_fields(reparsed) == file_fields(record):
                return text
    return render_front_matter(record)

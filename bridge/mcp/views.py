"""Compact JSON and Markdown views of records for tool results and ``record://`` resources."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bridge.domain import Record, SearchHit

RECORD_URI_PREFIX = "record://"
"""Scheme of the resources that expose one record each."""

_LIST_FIELDS = ("topics", "owners", "authors", "reviewers", "tags", "supersedes", "superseded_by", "amends", "related")


def record_uri(key: str) -> str:
    """Return the resource URI of the record with key."""
    return f"{RECORD_URI_PREFIX}{key}"


def _plain(value: Any) -> Any:
    """Return value with dates as ISO strings, ready for JSON and YAML."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def front_matter(record: Record) -> dict[str, Any]:
    """Return the record's metadata as front-matter fields, leaving out empty ones."""
    fields: dict[str, Any] = {
        "key": record.key, "kind": record.kind, "title": record.title, "status": record.status,
    }
    for name in _LIST_FIELDS:
        values = getattr(record, name)
        if values:
            fields[name] = list(values)
    for name in ("date", "review_by", "updated_at"):
        value = getattr(record, name)
        if value is not None:
            fields[name] = _plain(value)
    if record.source_path:
        fields["source_path"] = record.source_path
    fields["version"] = record.version
    return fields


def record_markdown(record: Record) -> str:
    """Return the record as a Markdown (or reST) document with YAML front matter."""
    import yaml

    header = yaml.safe_dump(front_matter(record), sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{header}---\n{record.body.rstrip()}\n"


def record_summary(record: Record) -> dict[str, Any]:
    """Return the one-line form of a record used in lists."""
    summary: dict[str, Any] = {"key": record.key, "title": record.title, "kind": record.kind, "status": record.status}
    if record.superseded_by:
        summary["superseded_by"] = list(record.superseded_by)
    return summary


def hit_view(hit: SearchHit) -> dict[str, Any]:
    """Return the compact form of a search hit: no source path, score rounded."""
    view = hit.to_dict()
    view.pop("source_path", None)
    view["score"] = round(hit.score, 4)
    return view


def cut_text(text: str, offset: int, max_chars: int) -> tuple[str, int | None]:
    """Return text[offset:] cut to max_chars at a line break where possible, and the next offset (None at the end)."""
    remaining = text[offset:]
    if len(remaining) <= max_chars:
        return remaining, None
    window = remaining[:max_chars]
    line_break = window.rfind("\n")
    cut = line_break + 1 if line_break >= max_chars // 2 else max_chars
    return remaining[:cut], offset + cut

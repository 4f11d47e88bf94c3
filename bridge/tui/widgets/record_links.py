"""Rows of the record screen's "Links & people" tab: followable links and contributors."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from rich.text import Text

from bridge.domain import Link, Record
from bridge.errors import BridgeError

if TYPE_CHECKING:
    from bridge.workspace.records import Contributor

OUTGOING_LABELS = {"supersedes": "supersedes", "superseded_by": "superseded by", "amends": "amends",
                   "relates": "relates to"}
"""Label of a link from the shown record, by link kind."""
INCOMING_LABELS = {"supersedes": "superseded by", "superseded_by": "supersedes", "amends": "amended by",
                   "relates": "related from"}
"""Label of a link to the shown record, by link kind."""
FIELD_LABELS = (
    ("supersedes", "supersedes"),
    ("superseded_by", "superseded by"),
    ("amends", "amends"),
    ("related", "relates to"),
)
"""Front-matter link fields with their label, used for keys the link table does not hold."""


_KEY_IN_LINK = re.compile(r"(?i)\b([a-z]{2,5})-?(\d{1,6})\b")
_NUMBERED_FILE = re.compile(r"(?:^|/)(\d{3,6})-[^/]*\.(?:md|rst|txt)(?:#.*)?$")


def resolve_record_link(href: str, known_keys: Sequence[str]) -> str | None:
    """Return the known record key a link names (``ADR-0007``, ``pep-0008``, ``0007-title.md``), or None."""
    by_upper = {key.upper(): key for key in known_keys}
    for prefix, number in _KEY_IN_LINK.findall(href):
        for width in (len(number), 4):
            candidate = f"{prefix.upper()}-{number.zfill(width)}"
            if candidate in by_upper:
                return by_upper[candidate]
    numbered = _NUMBERED_FILE.search(href)
    if numbered:
        wanted = numbered.group(1).lstrip("0")
        matches = [key for key in known_keys if key.rsplit("-", 1)[-1].lstrip("0") == wanted]
        if len(matches) == 1:
            return matches[0]
    return None


class RecordLookup(Protocol):
    """What link_entries needs from a workspace: fetch a record by key."""

    def get_record(self, key: str) -> Record: ...


@dataclass(frozen=True)
class LinkEntry:
    """One followable link of a record."""

    relation: str
    """How the shown record relates to the target (``superseded by``)."""
    key: str
    title: str = ""
    status: str = ""
    found: bool = True
    """False when the target key is not in the knowledge base."""


def link_entries(record: Record, links: Sequence[Link], workspace: RecordLookup) -> list[LinkEntry]:
    """Return record's links in both directions plus unresolved front-matter keys, each with its target's title.

    Called from a worker thread: it reads each target record.
    """
    pairs: list[tuple[str, str]] = []
    for link in links:
        if link.source_key.lower() == record.key.lower():
            pairs.append((OUTGOING_LABELS.get(link.kind, link.kind), link.target_key))
        elif link.target_key.lower() == record.key.lower():
            pairs.append((INCOMING_LABELS.get(link.kind, link.kind), link.source_key))
    for field_name, label in FIELD_LABELS:
        for key in getattr(record, field_name):
            pairs.append((label, key))
    entries: list[LinkEntry] = []
    seen: set[tuple[str, str]] = set()
    for relation, key in pairs:
        if (relation, key.lower()) in seen:
            continue
        seen.add((relation, key.lower()))
        entries.append(_resolve(relation, key, workspace.get_record))
    return entries


def _resolve(relation: str, key: str, get_record: Callable[[str], Record]) -> LinkEntry:
    """Return a link entry with the target's title and status, or marked not found."""
    try:
        target = get_record(key)
    except BridgeError:
        return LinkEntry(relation, key, found=False)
    return LinkEntry(relation, target.key, target.title, target.status)


def render_link(entry: LinkEntry) -> Text:
    """Return one link as list text."""
    text = Text()
    text.append(f"{entry.relation:<14}", style="dim")
    text.append(entry.key, style="bold cyan" if entry.found else "red")
    if entry.found:
        text.append(f"  {entry.title}")
        if entry.status:
            text.append(f"  ({entry.status})", style="dim")
    else:
        text.append("  not in this knowledge base", style="dim red")
    return text


def render_contributor_rows(contributors: Sequence[Contributor]) -> list[tuple[str, str, str, str]]:
    """Return (person, roles, edits, last) table rows."""
    rows = []
    for contributor in contributors:
        person = contributor.person
        name = person.name or person.handle
        if not person.active:
            name += " (left)"
        rows.append((name, ", ".join(contributor.roles), str(contributor.edits), contributor.last_at[:10]))
    return rows

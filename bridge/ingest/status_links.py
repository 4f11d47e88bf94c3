"""Links between records written as adr-tools writes them: ``Supersedes [1. Title](0001-title.md)`` in ``## Status``.

adr-tools (``adr new -s``, ``adr link``) states links as their own paragraphs in the Status section, each the verb,
the linked file's first heading as the link text and the file name as the target, inserted before the next
section; a superseded record's status paragraph becomes ``Superseded by [10. Use X](0010-use-x.md)``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bridge.domain import Record
from bridge.ingest.status import LINK_PATTERN

LINK_VERBS: dict[str, str] = {"supersedes": "Supersedes", "superseded_by": "Superseded by", "amends": "Amends"}
"""Link field → the words adr-tools writes before the link (``Amended by`` is read as a plain relation)."""
_STATUS_HEADING = re.compile(r"^##\s+status\s*:?\s*#*\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class LinkTarget:
    """A linked record's file as seen from the file being written: the link target and the link text."""

    path: str
    """The target file's path relative to the folder of the file being written (``0008-use-iso.md``)."""
    text: str
    """The target file's first heading, as adr-tools' ``_adr_title`` takes it (``8. Use ISO 8601 Format``)."""


def heading_text(text: str, fallback: str) -> str:
    """Return the first ``# `` heading of a file's text (its adr-tools title), or fallback when it has none."""
    for line in text.replace("\r\n", "\n").removeprefix("\ufeff").split("\n"):
        if line.startswith("# "):
            return line[2:].strip() or fallback
    return fallback


def link_line(field: str, target: LinkTarget) -> str:
    """Return the paragraph adr-tools writes for one link (``Supersedes [1. Title](0001-title.md)``)."""
    return f"{LINK_VERBS[field]} [{target.text}]({target.path})"


def status_section(lines: list[str]) -> tuple[int, int] | None:
    """Return (heading line, line of the next section heading or the end) of a ``## Status`` section, or None."""
    start = next((number for number, line in enumerate(lines) if _STATUS_HEADING.match(line.strip())), None)
    if start is None:
        return None
    stop = next((number for number in range(start + 1, len(lines)) if lines[number].startswith("#")), len(lines))
    return start, stop


def add_status_link(body: str, line: str) -> str | None:
    """Return body with line as a paragraph at the end of its Status section (None without one).

    As adr-tools' ``_adr_add_link``: the line and a blank line go just before the next section heading.
    """
    lines = body.split("\n")
    found = status_section(lines)
    if found is None:
        return None
    _, stop = found
    if stop < len(lines):
        lines[stop:stop] = [line, ""]
        return "\n".join(lines)
    end = stop
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    lines[end:end] = ["", line]
    return "\n".join(lines)


def remove_status_link(body: str, target_path: str) -> str | None:
    """Return body without the Status-section paragraph that is only a link to target_path (None if none is)."""
    lines = body.split("\n")
    found = status_section(lines)
    if found is None:
        return None
    start, stop = found
    for number in range(start + 1, stop):
        links = LINK_PATTERN.findall(lines[number])
        if len(links) == 1 and same_path(links[0][1], target_path) and (
            number + 1 >= stop or not lines[number + 1].strip()
        ) and not lines[number - 1].strip():
            del lines[number:number + 2 if number + 1 < stop else number + 1]
            return "\n".join(lines)
    return None


def same_path(ref: str, path: str) -> bool:
    """Return whether a link target names path (both relative to the same folder)."""
    clean = ref.strip().split("#", 1)[0].strip()
    return posixpath.normpath(clean).lower() == posixpath.normpath(path).lower()


def resolve_link_refs(record: Record, links: Mapping[str, LinkTarget]) -> None:
    """Replace link references in record that name a target's file with the target's key (in place)."""
    for name in ("supersedes", "superseded_by", "amends", "related"):
        resolved: list[str] = []
        for ref in getattr(record, name):
            key = next((key for key, target in links.items() if same_path(ref, target.path)), ref)
            if key not in resolved:
                resolved.append(key)
        setattr(record, name, resolved)


def state_links(body: str, record: Record, links: Mapping[str, LinkTarget]) -> str:
    """Return body with a link paragraph for each linked record it does not state yet (for a new adr-tools file)."""
    for name in LINK_VERBS:
        for key in getattr(record, name):
            target = links.get(key)
            if target is None or any(same_path(ref, target.path) for _, ref in LINK_PATTERN.findall(body)):
                continue
            added = add_status_link(body, link_line(name, target))
            if added is None:
                return body
            body = added
    return body

"""Choose the part of a record body the search preview renders: the matching section, bounded in size.

Rendering a 100 KB PEP as Markdown on every cursor move would stall the UI, so long bodies are cut to the
matching section and what follows it, up to a limit; the record screen always shows the whole body.
Pure and Textual-free.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREVIEW_CHAR_LIMIT = 5_000
"""Bodies longer than this are previewed from the matching section on."""

SECTION_SEPARATOR = " › "
"""How a hit's heading path is joined (see ``bridge.domain.Chunk.section``)."""

_FENCE = re.compile(r"^ {0,3}(?P<marker>`{3,}|~{3,})(?P<info>.*)$")
_HEADING = re.compile(r"^(#{1,6})\s+(?P<title>.+?)\s*#*\s*$")


@dataclass(frozen=True)
class Preview:
    """The Markdown to render and the heading to scroll to."""

    markdown: str
    heading: str | None
    """The matching section's heading text, when it was found in the body."""
    truncated: bool
    """Whether text before or after the shown part was left out."""


def display_markdown(body: str, body_format: str) -> str:
    """Return the body as Markdown for the Markdown widget (reST converted, bare code fences marked as text).

    A fence without a language makes the widget guess one with pygments, which costs tens of milliseconds per
    block on the UI thread; naming it ``text`` skips the guess.
    """
    if body_format == "rst":
        from bridge.tui.rst_view import rst_as_markdown

        body = rst_as_markdown(body)
    return label_bare_fences(body)


def label_bare_fences(markdown: str) -> str:
    """Return markdown with every opening code fence that names no language marked ``text``."""
    lines = markdown.split("\n")
    fence: str | None = None
    for index, line in enumerate(lines):
        match = _FENCE.match(line)
        if not match:
            continue
        marker = match.group("marker")
        if fence is None:
            fence = marker
            if not match.group("info").strip():
                lines[index] = line.rstrip() + "text"
        elif marker[0] == fence[0] and len(marker) >= len(fence) and not match.group("info").strip():
            fence = None
    return "\n".join(lines)


def section_heading(section: str) -> str | None:
    """Return the innermost heading of a hit's section path (``Diagnosis › Logs`` → ``Logs``)."""
    parts = [part.strip() for part in section.split(SECTION_SEPARATOR) if part.strip()]
    return parts[-1] if parts else None


def find_heading_line(body: str, heading: str) -> int | None:
    """Return the index of the first Markdown heading line whose text is heading (case-insensitive)."""
    wanted = _normalise(heading)
    in_fence = False
    for index, line in enumerate(body.splitlines()):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        match = None if in_fence else _HEADING.match(line)
        if match and _normalise(match.group("title")) == wanted:
            return index
    return None


def build_preview(body: str, section: str = "", limit: int = PREVIEW_CHAR_LIMIT) -> Preview:
    """Return the body (or, when long, the matching section onward) to render in the preview pane."""
    heading = section_heading(section)
    line_index = find_heading_line(body, heading) if heading else None
    if len(body) <= limit:
        return Preview(markdown=body, heading=heading if line_index is not None else None, truncated=False)
    lines = body.splitlines()
    start = line_index or 0
    shown = "\n".join(lines[start:])
    truncated = start > 0 or len(shown) > limit
    if len(shown) > limit:
        cut = shown.rfind("\n", 0, limit)
        shown = shown[: cut if cut > 0 else limit]
    if truncated:
        shown += "\n\n---\n\n*Preview shortened — press Enter to open the whole record.*\n"
    return Preview(markdown=shown, heading=heading if line_index is not None else None, truncated=truncated)


def _normalise(text: str) -> str:
    """Return heading text lower-cased with Markdown emphasis and code marks and extra spaces removed."""
    return " ".join(re.sub(r"[*_`]", "", text).lower().split())

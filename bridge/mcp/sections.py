"""Find a record's sections in its original text, so get_record can return one section exactly as written.

Search chunks are squashed and overlap, so they cannot give a section back verbatim; this scanner reads the body's
headings (Markdown ATX and setext outside code fences, reStructuredText underlines) and slices the text between
them. Section names follow the search hits' ``section`` field, so a hit's section can be passed straight back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bridge.errors import BridgeError

SECTION_SEPARATOR = " › "
"""How heading paths are joined for display, as in search hits."""

_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_RST_ADORNMENT = re.compile(r"^([=\-`:'\"~^_*+#<>.])\1{2,}\s*$")
_MARKUP = re.compile(r"[`*_\[\]]|\{#[^}]*\}")
_PATH_SPLIT = re.compile(r"\s*(?:›|>)\s*")


class SectionNotFound(BridgeError):
    """The asked-for section is not a heading of the record."""


@dataclass
class Section:
    """A heading of a record body and the span of lines it covers, subsections included."""

    heading_path: list[str]
    level: int
    start_line: int
    end_line: int
    """One past the section's last line."""

    @property
    def name(self) -> str:
        """Return the heading path joined for display (``Diagnosis › Logs``)."""
        return SECTION_SEPARATOR.join(self.heading_path)


def _clean_heading(text: str) -> str:
    """Return heading text without inline markup or surplus whitespace."""
    return " ".join(_MARKUP.sub("", text).split())


def _squash(text: str) -> str:
    """Return text lower-cased with only letters and digits, so ``# KubeJobFailed`` matches "Kube Job Failed"."""
    return re.sub(r"[\W_]+", "", text).casefold()


def _markdown_headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """Return (line index, level, text) of every Markdown heading outside fenced code."""
    headings: list[tuple[int, int, str]] = []
    fence: str | None = None
    for index, line in enumerate(lines):
        fence_match = _FENCE.match(line)
        if fence_match:
            marker = fence_match.group(1)
            if fence is None:
                fence = marker[0] * 3
            elif marker.startswith(fence):
                fence = None
            continue
        if fence is not None:
            continue
        atx = _ATX_HEADING.match(line)
        if atx and atx.group(2):
            headings.append((index, len(atx.group(1)), atx.group(2)))
            continue
        setext = _SETEXT_UNDERLINE.match(line)
        previous = lines[index - 1] if index > 0 else ""
        if setext and previous.strip() and not _ATX_HEADING.match(previous) and not previous.lstrip().startswith(
            ("-", "*", "+", ">", "|")
        ):
            level = 1 if setext.group(1).startswith("=") else 2
            headings.append((index - 1, level, previous.strip()))
    return headings


def _rst_headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """Return (line index, level, text) of every reStructuredText section title; levels follow first use."""
    styles: list[tuple[str, bool]] = []
    headings: list[tuple[int, int, str]] = []
    for index in range(1, len(lines)):
        underline = _RST_ADORNMENT.match(lines[index])
        title = lines[index - 1].rstrip()
        if not underline or not title.strip() or _RST_ADORNMENT.match(title):
            continue
        if len(lines[index].rstrip()) < len(title.strip()):
            continue
        overline = index >= 2 and lines[index - 2].rstrip() == lines[index].rstrip()
        style = (underline.group(1), overline)
        if style not in styles:
            styles.append(style)
        start = index - 2 if overline else index - 1
        headings.append((start, styles.index(style) + 1, title.strip()))
    return headings


def find_sections(body: str, body_format: str, title: str = "") -> list[Section]:
    """Return the body's sections in document order, with the title heading left out of their paths."""
    lines = body.splitlines()
    raw = _rst_headings(lines) if body_format == "rst" else _markdown_headings(lines)
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    for position, (line_index, level, text) in enumerate(raw):
        heading = _clean_heading(text)
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, heading))
        end = len(lines)
        for later_index, later_level, _ in raw[position + 1 :]:
            if later_level <= level:
                end = later_index
                break
        path = [name for _, name in stack]
        if path and title and _squash(path[0]) == _squash(title):
            path = path[1:]
        if path:
            sections.append(Section(heading_path=path, level=level, start_line=line_index, end_line=end))
    return sections


def _normalise(part: str) -> str:
    """Return a heading or path part folded for comparison."""
    return _clean_heading(part).casefold()


def select_section(body: str, body_format: str, title: str, wanted: str) -> tuple[Section, str]:
    """Return the first section whose heading path ends with wanted, and its text (subsections included)."""
    wanted_parts = [_normalise(part) for part in _PATH_SPLIT.split(wanted.strip()) if part.strip()]
    if len(wanted_parts) > 1 and _squash(wanted_parts[0]) == _squash(title):
        wanted_parts = wanted_parts[1:]
    sections = find_sections(body, body_format, title)
    lines = body.splitlines()
    if wanted_parts:
        for section in sections:
            path = [_normalise(part) for part in section.heading_path]
            if len(wanted_parts) <= len(path) and path[-len(wanted_parts) :] == wanted_parts:
                return section, "\n".join(lines[section.start_line : section.end_line]).strip("\n")
    names = [section.name for section in sections]
    shown = ", ".join(f"'{name}'" for name in names[:30]) or "none (the record has no headings)"
    more = f" and {len(names) - 30} more" if len(names) > 30 else ""
    raise SectionNotFound(f"no section '{wanted}' in this record; its sections are: {shown}{more}")

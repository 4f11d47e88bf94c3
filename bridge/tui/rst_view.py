"""Show a reStructuredText body (PEPs) in Textual's Markdown widget: section titles and literal blocks converted.

Only for display: titles become ``#`` headings (levels in order of first appearance, as reST defines them),
``::`` and ``code-block`` literal blocks become fenced code; everything else is left as written. Pure.
"""

from __future__ import annotations

import re
import textwrap

_ADORNMENT = re.compile(r"^([=\-~^\"'`#*+:.<>_])\1{2,}\s*$")
_CODE_DIRECTIVE = re.compile(r"^\.\.\s+(?:code-block|code|sourcecode)::\s*(?P<language>\S*)\s*$")


def rst_as_markdown(body: str) -> str:
    """Return body with reST section titles as Markdown headings and literal blocks fenced."""
    lines = body.splitlines()
    output: list[str] = []
    styles: list[tuple[str, bool]] = []
    index = 0
    while index < len(lines):
        title, style, consumed = _title_at(lines, index)
        if title is not None and style is not None:
            if style not in styles:
                styles.append(style)
            output.extend(["#" * min(styles.index(style) + 1, 6) + " " + title, ""])
            index += consumed
            continue
        line = lines[index]
        directive = _CODE_DIRECTIVE.match(line.strip())
        if directive or line.rstrip().endswith("::"):
            language = directive.group("language") if directive else ""
            block, consumed = _indented_block(lines, index + 1)
            if block:
                if not directive:
                    text = line.rstrip()[:-1]
                    output.append(text if text.strip() != ":" else "")
                output.extend(["", f"```{language}", *block, "```"])
                index += 1 + consumed
                continue
        output.append(line)
        index += 1
    return "\n".join(output) + ("\n" if body.endswith("\n") else "")


def _title_at(lines: list[str], index: int) -> tuple[str | None, tuple[str, bool] | None, int]:
    """Return (title, (adornment char, has overline), lines consumed) when a section title starts at index."""
    line = lines[index]
    if _ADORNMENT.match(line) and index + 2 < len(lines):
        title, underline = lines[index + 1], lines[index + 2]
        if title.strip() and _ADORNMENT.match(underline) and underline.strip()[0] == line.strip()[0]:
            return title.strip(), (line.strip()[0], True), 3
    if (
        line.strip()
        and not _ADORNMENT.match(line)
        and not line.startswith((" ", "\t"))
        and index + 1 < len(lines)
        and _ADORNMENT.match(lines[index + 1])
        and len(lines[index + 1].strip()) >= len(line.strip())
        and (index == 0 or not lines[index - 1].strip())
    ):
        return line.strip(), (lines[index + 1].strip()[0], False), 2
    return None, None, 0


def _indented_block(lines: list[str], start: int) -> tuple[list[str], int]:
    """Return the dedented indented block starting at start (after blank lines) and how many lines it spans."""
    index = start
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index >= len(lines) or not lines[index].startswith((" ", "\t")):
        return [], 0
    block_start = index
    while index < len(lines) and (not lines[index].strip() or lines[index].startswith((" ", "\t"))):
        index += 1
    while index > block_start and not lines[index - 1].strip():
        index -= 1
    block = textwrap.dedent("\n".join(lines[block_start:index])).splitlines()
    return block, index - start

"""Line diffs between two revisions of a record, as typed lines the history view colours.

Pure and Textual-free: built on difflib so it is tested without an app.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

DiffLineKind = Literal["header", "hunk", "added", "removed", "context"]
"""What a diff line is, which decides its colour."""


@dataclass(frozen=True)
class DiffLine:
    """One line of a unified diff."""

    kind: DiffLineKind
    text: str
    """The line without its trailing newline, including the leading ``+``/``-``/`` `` marker."""


@dataclass(frozen=True)
class RevisionDiff:
    """A unified diff between two texts with its line counts."""

    old_label: str
    new_label: str
    lines: list[DiffLine]
    added: int
    """Lines only in the new text."""
    removed: int
    """Lines only in the old text."""

    @property
    def identical(self) -> bool:
        """Return whether the two texts have no line differences."""
        return self.added == 0 and self.removed == 0


def diff_texts(old_text: str, new_text: str, *, old_label: str, new_label: str, context: int = 3) -> RevisionDiff:
    """Return the unified diff from old_text to new_text, labelled for display."""
    raw_lines = difflib.unified_diff(
        old_text.splitlines(), new_text.splitlines(), fromfile=old_label, tofile=new_label, lineterm="", n=context
    )
    lines: list[DiffLine] = []
    added = removed = 0
    for raw in raw_lines:
        if raw.startswith(("---", "+++")) and len(lines) < 2:
            lines.append(DiffLine("header", raw))
        elif raw.startswith("@@"):
            lines.append(DiffLine("hunk", raw))
        elif raw.startswith("+"):
            added += 1
            lines.append(DiffLine("added", raw))
        elif raw.startswith("-"):
            removed += 1
            lines.append(DiffLine("removed", raw))
        else:
            lines.append(DiffLine("context", raw))
    return RevisionDiff(old_label=old_label, new_label=new_label, lines=lines, added=added, removed=removed)

"""The dialog shown when a save is refused because someone saved the record first."""

from __future__ import annotations

from bridge.errors import ConflictError
from bridge.tui.screens.choice import Choice, ChoiceDialog

CONFLICT_CHOICES = [
    Choice("view", "View their change", "primary"),
    Choice("overwrite", "Save mine on top", "warning"),
    Choice("keep", "Keep editing", "default"),
]
"""What a person can do about a conflict; every choice keeps the draft."""


class ConflictDialog(ChoiceDialog):
    """Explain a refused stale save and offer to view the other change; the draft is always kept."""

    def __init__(self, error: ConflictError) -> None:
        body = (
            f"{error}.\n\nYour draft is kept (autosaved). View their change to compare, "
            f"or save yours as version {error.actual_version + 1} on top of theirs: both stay in history."
        )
        super().__init__(f"{error.key} changed while you were editing", body, CONFLICT_CHOICES, id="conflict-dialog")
        self.error = error
        """The refused save's conflict."""

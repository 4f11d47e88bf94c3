"""Every key binding of the app in one registry: the help screen renders it and config keymaps are checked against it."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True)
class BindingRow:
    """One binding as the help screen lists it."""

    area: str
    """Where the binding works (``everywhere``, ``search``, ``record``, ``editor``, dialog names)."""
    keys: str
    """The keys that trigger it, after the configured keymap is applied."""
    description: str
    tooltip: str
    binding_id: str
    """The id to use in ``keymap`` in bridge.toml."""


def binding_areas() -> list[tuple[str, list[BindingType]]]:
    """Return (area, BINDINGS) for the app and every screen, in help order."""
    from bridge.tui.app import BridgeApp
    from bridge.tui.screens.choice import ChoiceDialog
    from bridge.tui.screens.draft_recovery import DraftRecoveryDialog
    from bridge.tui.screens.editor import EditorScreen
    from bridge.tui.screens.gaps import GapsScreen
    from bridge.tui.screens.help import HelpScreen
    from bridge.tui.screens.kept_drafts import KeptDraftsScreen
    from bridge.tui.screens.knowledge import KnowledgeScreen
    from bridge.tui.screens.path_prompt import PathPrompt
    from bridge.tui.screens.record import RecordScreen
    from bridge.tui.screens.search import SearchScreen
    from bridge.tui.screens.sync_conflicts import SyncConflictsScreen
    from bridge.tui.screens.template_picker import TemplatePicker
    from bridge.tui.screens.text_view import TextViewScreen

    return [
        ("everywhere", BridgeApp.BINDINGS),
        ("search", SearchScreen.BINDINGS),
        ("record", RecordScreen.BINDINGS),
        ("editor", EditorScreen.BINDINGS),
        ("bus factor", KnowledgeScreen.BINDINGS),
        ("help", HelpScreen.BINDINGS),
        ("dialogs", [*ChoiceDialog.BINDINGS, *TemplatePicker.BINDINGS, *PathPrompt.BINDINGS, *GapsScreen.BINDINGS]),
        ("drafts", DraftRecoveryDialog.BINDINGS),
        ("kept drafts", KeptDraftsScreen.BINDINGS),
        ("text view", TextViewScreen.BINDINGS),
        ("conflicts", SyncConflictsScreen.BINDINGS),
    ]


def binding_rows(keymap: dict[str, str] | None = None) -> list[BindingRow]:
    """Return every binding with an id, its keys overridden by keymap where configured."""
    keymap = keymap or {}
    rows: list[BindingRow] = []
    for area, bindings in binding_areas():
        for binding in bindings:
            if not isinstance(binding, Binding) or not binding.id:
                continue
            keys = keymap.get(binding.id, binding.key)
            rows.append(BindingRow(area, keys, binding.description, binding.tooltip, binding.id))
    return rows


def unknown_binding_ids(keymap: dict[str, str]) -> list[str]:
    """Return keymap entries that name no binding (likely typos in bridge.toml)."""
    known = {row.binding_id for row in binding_rows()}
    return sorted(binding_id for binding_id in keymap if binding_id not in known)

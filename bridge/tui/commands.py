"""The command palette (ctrl+p): "area: verb" commands for records, the index, views and the app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from bridge.tui.screens.template_picker import TEMPLATE_LABELS
from bridge.tui.typed_app import BridgeAppAccess

if TYPE_CHECKING:
    from bridge.tui.app import BridgeApp

DEFAULT_TEMPLATES: dict[str, list[str]] = {"decision": ["nygard", "madr"], "runbook": ["runbook"]}
"""Templates offered before the workspace has listed its own."""


@dataclass(frozen=True)
class PaletteCommand:
    """One palette entry: its "area: verb" name, what it does, and what runs it."""

    name: str
    help: str
    run: Callable[[], object]
    discoverable: bool = True
    """Whether it is listed before anything is typed (record openers are only found by typing)."""


def new_record_name(kind: str, template: str) -> str:
    """Return the palette name of a "new record" command, e.g. ``record: new decision (MADR)``."""
    if template in ("", kind, "default"):
        return f"record: new {kind}"
    short = TEMPLATE_LABELS.get(template, template).split(" (")[0]
    return f"record: new {kind} ({short if short != template else template.upper()})"


def palette_commands(app: BridgeApp) -> list[PaletteCommand]:
    """Return every palette command for the app's current state."""
    templates = app.templates or DEFAULT_TEMPLATES
    commands = [
        PaletteCommand(
            new_record_name(kind, template), f"Start a new {kind} from the {template} template.",
            partial(app.action_new_record, kind, template),
        )
        for kind in ("decision", "runbook")
        for template in templates.get(kind, [])
    ]
    commands += [
        PaletteCommand("record: new from template…", "Pick a kind and template for a new record.",
                       app.action_new_record),
        PaletteCommand("record: kept drafts", "Texts kept from saves that lost a conflict, and editor drafts: "
                       "recover or discard each (bridge drafts).", app.action_kept_drafts),
        PaletteCommand("index: reindex", "Re-chunk every record and embed what changed, in the background.",
                       app.action_reindex),
        PaletteCommand("index: import folder", "Import record files from a folder (with git history).",
                       app.action_import_folder),
        PaletteCommand("git: sync", "Read changed files in from git and write bridge edits to their files, on a "
                       "branch (bridge sync).", app.action_sync),
        PaletteCommand("git: sync conflicts", "Show records changed both in git and in bridge, with a diff of both "
                       "sides, and take either side.", app.action_sync_conflicts),
        PaletteCommand("view: search", "Go back to the search screen.", app.action_go_home),
        PaletteCommand("view: help", "List every key binding.", app.action_help),
        PaletteCommand("view: toggle theme", "Switch between the dark and the light theme.", app.action_toggle_theme),
        PaletteCommand("app: quit", "Quit (asks first when an edit is unsaved).", app.action_quit),
    ]
    if app.knowledge_available:
        commands.insert(
            -3,
            PaletteCommand("knowledge: bus factor", "Show topics by knowledge risk and simulate departures.",
                           app.action_bus_factor),
        )
        commands.insert(
            -3,
            PaletteCommand("knowledge: unanswered questions", "Searches that found nothing, grouped; pick one to "
                           "start a runbook with it as the title.", app.action_unanswered_questions),
        )
    commands += [
        PaletteCommand(f"record: open {key} {title}", f"Open the {kind} {key}.", partial(app.open_record, key),
                       discoverable=False)
        for key, kind, title in app.catalog
    ]
    return commands


class BridgeCommands(BridgeAppAccess, Provider):
    """Palette provider listing bridge's commands; typing fuzzy-matches their names."""

    async def discover(self) -> Hits:
        """List the everyday commands before anything is typed."""
        for command in palette_commands(self.bridge_app):
            if command.discoverable:
                yield DiscoveryHit(command.name, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        """Yield the commands whose names match query, best first."""
        matcher = self.matcher(query)
        for command in palette_commands(self.bridge_app):
            score = matcher.match(command.name)
            if score > 0:
                yield Hit(score, matcher.highlight(command.name), command.run, help=command.help)

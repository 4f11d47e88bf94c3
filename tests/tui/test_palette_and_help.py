"""Command palette commands, the help screen's binding list, keymap overrides and the theme."""

from __future__ import annotations

from pathlib import Path

from textual.binding import Binding
from textual.widgets import DataTable

from bridge.config import Settings
from bridge.tui.keymap import binding_areas, binding_rows, unknown_binding_ids
from bridge.tui.screens.editor import EditorScreen
from bridge.tui.screens.help import HelpScreen
from bridge.tui.screens.path_prompt import PathPrompt
from bridge.tui.screens.template_picker import TemplatePicker
from tests.tui.conftest import git
from tests.tui.pilot_helpers import make_app, screen_of, settle, started, type_text

EXTRA_RUNBOOK = """---
id: RB-0100
kind: runbook
title: Payment webhook retries pile up
status: active
topics: [payments]
---
# Payment webhook retries pile up

## Mitigation

Drain the retry queue with `payctl webhooks drain`.
"""


async def run_palette_command(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+p")
    await settle(pilot)
    await type_text(pilot, text)
    await pilot.pause(0.2)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


def test_every_binding_has_an_id_and_a_tooltip() -> None:
    for area, bindings in binding_areas():
        for binding in bindings:
            assert isinstance(binding, Binding), area
            if binding.system:
                continue
            assert binding.id, f"{area}: {binding.key} has no id"
            assert binding.tooltip, f"{area}: {binding.id} has no tooltip"
    ids = [row.binding_id for row in binding_rows()]
    assert len(ids) == len(set(ids)), "binding ids must be unique"


def test_unknown_keymap_ids_are_reported() -> None:
    assert unknown_binding_ids({"search-new": "ctrl+o", "serch-new": "x"}) == ["serch-new"]


async def test_palette_new_runbook_opens_the_editor(kb_settings: Settings) -> None:
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        await run_palette_command(pilot, "record: new runbook")
        editor = screen_of(app, EditorScreen)
        assert editor.record.kind == "runbook" and editor.is_new


async def test_palette_toggles_the_theme(kb_settings: Settings) -> None:
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        assert app.theme == "textual-dark"
        await run_palette_command(pilot, "view: toggle theme")
        assert app.theme == "textual-light"


async def test_palette_imports_a_folder(kb_settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "payments-kb"
    folder.mkdir()
    (folder / "0100-webhook-retries.md").write_text(EXTRA_RUNBOOK, encoding="utf-8")
    git(folder, "init", "-q", "-b", "main")
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "Add webhook runbook")
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        await run_palette_command(pilot, "index: import folder")
        prompt = screen_of(app, PathPrompt)
        prompt.query_one("#path-input").value = str(folder)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        assert "RB-0100" in [key for key, _kind, _title in app.catalog], [n.message for n in app._notifications]
        await run_palette_command(pilot, "open RB-0100")
        assert app.screen.key == "RB-0100"  # type: ignore[attr-defined]


async def test_help_lists_every_binding_with_configured_keys(kb_settings: Settings) -> None:
    kb_settings.keymap = {"search-new": "ctrl+o"}
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        await pilot.press("f1")
        await settle(pilot)
        help_screen = screen_of(app, HelpScreen)
        table = help_screen.query_one("#help-bindings", DataTable)
        rows = [table.get_row_at(index) for index in range(table.row_count)]
        assert len(rows) == len(binding_rows())
        assert ["search", "ctrl+o", "New"] == list(rows[[row[3] for row in rows].index("search-new")][:3])
        commands = help_screen.query_one("#help-commands", DataTable)
        names = [commands.get_row_at(index)[0] for index in range(commands.row_count)]
        assert "index: reindex" in names and "record: new decision (MADR)" in names


async def test_keymap_from_settings_rebinds_a_key(kb_settings: Settings) -> None:
    kb_settings.keymap = {"search-new": "ctrl+o"}
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        await pilot.press("down", "n")
        await settle(pilot)
        assert not isinstance(app.screen, TemplatePicker)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, TemplatePicker)


async def test_unknown_theme_is_reported_and_the_default_kept(kb_settings: Settings) -> None:
    kb_settings.theme = "no-such-theme"
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        assert app.theme == "textual-dark"
        messages = [notification.message for notification in app._notifications]
        assert any("no-such-theme" in message for message in messages)

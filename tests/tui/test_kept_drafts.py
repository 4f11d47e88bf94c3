"""The kept drafts screen: conflicting edits kept by `bridge edit` are listed, diffed, recovered or discarded."""

from __future__ import annotations

from textual.widgets import OptionList, Static, TextArea

from bridge.config import Settings
from bridge.tui.app import BridgeApp
from bridge.tui.drafts import list_conflict_texts, new_draft, save_conflict_text, save_draft
from bridge.tui.screens.editor import EditorScreen
from bridge.tui.screens.kept_drafts import KeptDraftsScreen
from bridge.workspace import Workspace
from tests.tui.pilot_helpers import make_app, settle, started, type_text


def keep_conflicting_edit(settings: Settings, key: str, line: str) -> str:
    """Keep an edit of key made on its current version, as `bridge edit` does when its save loses; return its name."""
    with Workspace.open(settings) as workspace:
        record = workspace.get_record(key)
        text = workspace.record_text(key).replace("\n## ", f"\n{line}\n\n## ", 1)
    return save_conflict_text(key, text, record.version).name


async def open_kept_drafts(pilot) -> tuple[BridgeApp, KeptDraftsScreen]:  # type: ignore[no-untyped-def]
    """Open the screen from the palette and wait until it has listed (and diffed) what is kept."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await settle(pilot)
    await type_text(pilot, "record: kept drafts")
    await pilot.pause(0.2)
    await pilot.press("enter")
    for _ in range(50):
        await settle(pilot)
        if isinstance(app.screen, KeptDraftsScreen) and (app.screen.diffs or app.screen.drafts):
            break
        await pilot.pause(0.1)
    assert isinstance(app.screen, KeptDraftsScreen)
    return app, app.screen


async def test_a_kept_conflicting_edit_is_listed_diffed_and_recovered_on_top(kb_settings: Settings) -> None:
    keep_conflicting_edit(kb_settings, "RB-0002", "Page the storage on-call first.")
    with Workspace.open(kb_settings) as workspace:
        version = workspace.get_record("RB-0002").version
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        await started(pilot)
        app, screen = await open_kept_drafts(pilot)
        options = screen.query_one("#kept-list", OptionList)
        assert options.option_count == 1
        assert "RB-0002" in str(options.get_option_at_index(0).prompt)
        assert f"version {version}" in str(options.get_option_at_index(0).prompt)
        preview = str(screen.query_one("#kept-preview", Static).render())
        assert "+Page the storage on-call first." in preview
        await pilot.press("r")
        for _ in range(50):
            await settle(pilot)
            if not screen.conflicts:
                break
            await pilot.pause(0.1)
        assert screen.conflicts == []
    assert list_conflict_texts() == []
    with Workspace.open(kb_settings) as workspace:
        record = workspace.get_record("RB-0002")
        assert record.version == version + 1
        assert "Page the storage on-call first." in record.body
        assert "recovered a conflicting edit" in workspace.history("RB-0002")[-1].message


async def test_discarding_a_kept_edit_deletes_only_that_one(kb_settings: Settings) -> None:
    first = keep_conflicting_edit(kb_settings, "RB-0002", "First kept line.")
    second = keep_conflicting_edit(kb_settings, "RB-0003", "Second kept line.")
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        await started(pilot)
        app, screen = await open_kept_drafts(pilot)
        assert [item.path.name for item in screen.conflicts] == [first, second]
        await pilot.press("d")
        for _ in range(50):
            await settle(pilot)
            if len(screen.conflicts) == 1:
                break
            await pilot.pause(0.1)
    assert [item.path.name for item in list_conflict_texts()] == [second]
    with Workspace.open(kb_settings) as workspace:
        assert "First kept line." not in workspace.get_record("RB-0002").body


async def test_an_editor_draft_is_listed_and_opens_in_the_editor(kb_settings: Settings) -> None:
    with Workspace.open(kb_settings) as workspace:
        record = workspace.get_record("RB-0003")
    record.body += "\nTyped before the crash.\n"
    save_draft(new_draft(record, record.version))
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        await started(pilot)
        await pilot.press("escape")
        await settle(pilot)
        app, screen = await open_kept_drafts(pilot)
        assert [draft.record.key for draft in screen.drafts] == ["RB-0003"]
        assert "Typed before the crash." in str(screen.query_one("#kept-preview", Static).render())
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EditorScreen)
        assert "Typed before the crash." in app.screen.query_one("#body", TextArea).text


async def test_with_nothing_kept_the_screen_says_so(kb_settings: Settings) -> None:
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        await started(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await type_text(pilot, "record: kept drafts")
        await pilot.pause(0.2)
        await pilot.press("enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, KeptDraftsScreen)
        assert "every text you wrote is saved" in str(screen.query_one("#kept-title").render())

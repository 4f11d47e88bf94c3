"""Record screen flows: front-matter header, history diff between any two revisions, restore, mark reviewed."""

from __future__ import annotations

from textual.widgets import ContentSwitcher, DataTable, Static, TabbedContent

from bridge.config import Settings
from bridge.tui.screens.choice import ChoiceDialog
from bridge.tui.screens.record import RecordScreen
from bridge.workspace import Workspace
from tests.tui.conftest import SECOND_COMMIT_ADDITION
from tests.tui.pilot_helpers import colleague_saves, make_app, screen_of, settle, started


async def open_record(pilot, key: str) -> RecordScreen:  # type: ignore[no-untyped-def]
    pilot.app.open_record(key)
    await settle(pilot)
    return screen_of(pilot.app, RecordScreen)


async def test_header_shows_front_matter(kb_settings: Settings) -> None:
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        await started(pilot)
        screen = await open_record(pilot, "RB-0001")
        header = str(screen.query_one("#record-header", Static).content)
        for expected in ("RB-0001", "Ledger replica replication lag is high", "active", "ledger-oncall",
                         "ledger, postgres", "2030-01-01"):
            assert expected in header


async def test_history_diffs_any_two_revisions_and_restores_one(kb_settings: Settings) -> None:
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        await started(pilot)
        screen = await open_record(pilot, "RB-0001")
        assert [revision.author for revision in screen.revisions] == ["alice-smith", "bob-jones"]
        await pilot.press("2")
        await settle(pilot)
        table = screen.query_one("#revisions", DataTable)
        assert table.row_count == 2 and table.cursor_row == 0
        diff = screen.last_diff
        assert diff is not None and (diff.old_label, diff.new_label) == ("revision 1", "revision 2")
        assert diff.added == 2 and diff.removed == 0
        assert any("ledgerctl batch pause" in line.text for line in diff.lines if line.kind == "added")
        await pilot.press("down")
        await settle(pilot)
        assert screen.last_diff is not None and screen.last_diff.old_label == "(nothing)"
        await pilot.press("b", "up")
        await settle(pilot)
        assert screen.base_revision == 1
        assert screen.last_diff is not None and screen.last_diff.old_label == "revision 1"
        await pilot.press("down", "r")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ChoiceDialog) and dialog.id == "restore-dialog"
        await pilot.click("#choice-restore")
        await settle(pilot)
        assert screen.record is not None and screen.record.version == 2
        assert len(screen.revisions) == 3
    with Workspace.open(kb_settings) as workspace:
        restored = workspace.get_record("RB-0001")
        assert "ledgerctl batch pause" not in restored.body
        history = workspace.history("RB-0001")
        assert history[-1].message == "restore revision 1"
        assert SECOND_COMMIT_ADDITION.strip() in workspace.revision_text("RB-0001", 2)


async def test_mark_reviewed_records_the_user_as_reviewer(kb_settings: Settings) -> None:
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        await started(pilot)
        screen = await open_record(pilot, "RB-0003")
        await pilot.press("m")
        await settle(pilot)
        contributors = screen.query_one("#contributors", DataTable)
        rows = [contributors.get_row_at(index) for index in range(contributors.row_count)]
        assert any(row[0] == "Test User" and "reviewer" in row[1] for row in rows)
    with Workspace.open(kb_settings) as workspace:
        roles = {(c.person.handle, role) for c in workspace.contributors("RB-0003") for role in c.roles}
        assert ("test-user", "reviewer") in roles


async def test_number_keys_switch_tabs_from_any_tab_in_any_order(kb_settings: Settings) -> None:
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        await started(pilot)
        screen = await open_record(pilot, "RB-0001")
        tabs = screen.query_one("#record-tabs", TabbedContent)
        switcher = tabs.get_child_by_type(ContentSwitcher)
        expected = {"1": "tab-read", "2": "tab-history", "3": "tab-links"}
        for key in "2131232113":
            await pilot.press(key)
            await settle(pilot)
            assert (key, tabs.active, switcher.current) == (key, expected[key], expected[key])
            focused = pilot.app.focused
            assert focused is not None and screen.query_one(f"#{expected[key]}") in focused.ancestors_with_self


async def test_a_refused_restore_shows_the_newer_version(kb_settings: Settings) -> None:
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        await started(pilot)
        screen = await open_record(pilot, "RB-0002")
        colleague_saves(kb_settings, "RB-0002")
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.click("#choice-restore")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert screen.record is not None and screen.record.version == 2 and len(screen.revisions) == 2
    with Workspace.open(kb_settings) as workspace:
        assert workspace.get_record("RB-0002").version == 2

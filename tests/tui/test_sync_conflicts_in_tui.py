"""A sync conflict opens a screen with a diff of the file's text against bridge's, and either side can be taken."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from textual.widgets import OptionList, Static

from bridge.config import Settings
from bridge.tui.app import BridgeApp
from bridge.tui.screens.sync_conflicts import SyncConflictsScreen
from bridge.tui.widgets.status_line import StatusLine
from bridge.workspace import Workspace
from tests.tui.conftest import git
from tests.tui.pilot_helpers import make_app, settle, started, type_text

RUNBOOK = "runbooks/0002-ingest-disk-full.md"


def make_conflict(settings: Settings, repo: Path) -> None:
    """Change RB-0002's threshold in git (committed) and, differently, in bridge."""
    path = repo / RUNBOOK
    path.write_text(path.read_text().replace("ninety percent", "eighty percent"))
    git(repo, "commit", "-q", "-am", "Lower the disk threshold", author="Bob Jones <bob@example.com>",
        when="2026-03-01T10:00:00")
    with Workspace.open(settings) as workspace:
        record = workspace.get_record("RB-0002")
        record.body = record.body.replace("ninety percent", "ninety-five percent")
        workspace.save_record(record, expected_version=record.version, author="Dana Editor <dana@example.com>")


async def open_conflicts_from_palette(pilot, command: str) -> BridgeApp:  # type: ignore[no-untyped-def]
    """Start the app, run a palette command and wait for the conflicts screen to show its diffs."""
    app = await started(pilot)
    await pilot.press("ctrl+p")
    await settle(pilot)
    await type_text(pilot, command)
    await pilot.pause(0.2)
    await pilot.press("enter")
    for _ in range(50):
        await settle(pilot)
        if isinstance(app.screen, SyncConflictsScreen) and app.screen.diffs:
            break
        await pilot.pause(0.1)
    return app


async def sync_from_palette(pilot) -> BridgeApp:  # type: ignore[no-untyped-def]
    """Start the app, run "git: sync" from the palette and wait for the conflicts screen."""
    return await open_conflicts_from_palette(pilot, "git: sync")


def diff_text(app: BridgeApp) -> str:
    """Return the plain text of the diff on the conflicts screen."""
    return str(app.screen.query_one("#sync-conflict-diff", Static).render())


async def wait_for_conflict_count(pilot, app: BridgeApp, expected: str) -> str:  # type: ignore[no-untyped-def]
    """Wait until the status lines' sync part ends as expected and return it."""
    text = ""
    for _ in range(30):
        await settle(pilot)
        text = app.sync_summary
        if text.endswith(expected) if expected else "conflict" not in text:
            return text
        await pilot.pause(0.1)
    raise AssertionError(f"status line: {text!r}")


@pytest.mark.parametrize("side", ["bridge", "file"])
async def test_sync_conflict_shows_both_sides_and_takes_one(kb_settings: Settings, tmp_path: Path, side: str) -> None:
    repo = tmp_path / "team-kb"
    make_conflict(kb_settings, repo)
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await sync_from_palette(pilot)
        assert isinstance(app.screen, SyncConflictsScreen), type(app.screen)
        listed = str(app.screen.query_one(OptionList).get_option_at_index(0).prompt)
        assert "RB-0002" in listed and RUNBOOK in listed and "changed both in the file and in bridge" in listed
        shown = diff_text(app)
        assert "-An ingest node's spool volume is above eighty percent." in shown, shown
        assert "+An ingest node's spool volume is above ninety-five percent." in shown, shown
        await wait_for_conflict_count(pilot, app, " · 1 conflict")
        await pilot.press("B" if side == "bridge" else "f")
        for _ in range(30):
            await settle(pilot)
            if not isinstance(app.screen, SyncConflictsScreen):
                break
            await pilot.pause(0.1)
        assert not isinstance(app.screen, SyncConflictsScreen)
        await wait_for_conflict_count(pilot, app, "")
        assert "conflict" not in app.screen.query_one(StatusLine).index_text
    with Workspace.open(kb_settings) as workspace:
        body = workspace.get_record("RB-0002").body
        assert not [base for base in workspace.unsynced() if base.conflict]
        if side == "bridge":
            assert "ninety-five percent" in body
            report = workspace.sync()
            assert report.ok and not report.conflicts
            branch = report.committed.get("branch") if report.committed else None
            branches = subprocess.run(["git", "branch", "--format=%(refname:short)"], cwd=repo,
                                      capture_output=True, text=True, check=True).stdout.split()
            sync_branch = branch or next(name for name in branches if name.startswith("bridge/"))
            shown = subprocess.run(["git", "show", f"{sync_branch}:{RUNBOOK}"], cwd=repo, capture_output=True,
                                   text=True, check=True).stdout
            assert "above ninety-five percent" in shown and "eighty percent" not in shown
        else:
            assert "eighty percent" in body and "ninety" not in body
            file_body = (repo / RUNBOOK).read_text()
            assert body.strip() in file_body


async def test_palette_reopens_the_conflicts_left_by_an_earlier_sync(kb_settings: Settings, tmp_path: Path) -> None:
    repo = tmp_path / "team-kb"
    make_conflict(kb_settings, repo)
    with Workspace.open(kb_settings) as workspace:
        assert [conflict.key for conflict in workspace.sync().conflicts] == ["RB-0002"]
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await open_conflicts_from_palette(pilot, "git: sync conflicts")
        assert isinstance(app.screen, SyncConflictsScreen), type(app.screen)
        assert "+An ingest node's spool volume is above ninety-five percent." in diff_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, SyncConflictsScreen)
    with Workspace.open(kb_settings) as workspace:
        assert [base.key for base in workspace.unsynced() if base.conflict] == ["RB-0002"]


async def test_opening_a_record_in_conflict_warns_and_marks_it(kb_settings: Settings, tmp_path: Path) -> None:
    from bridge.tui.screens.record import RecordScreen
    from tests.tui.pilot_helpers import screen_of

    repo = tmp_path / "team-kb"
    make_conflict(kb_settings, repo)
    with Workspace.open(kb_settings) as workspace:
        assert [conflict.key for conflict in workspace.sync().conflicts] == ["RB-0002"]
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        app.open_record("RB-0001")
        await settle(pilot)
        calm = screen_of(app, RecordScreen)
        assert not calm.query_one("#record-conflict", Static).has_class("in-conflict")
        assert not [n for n in app._notifications if n.title == "Sync conflict"]
        await pilot.press("escape")
        await settle(pilot)

        app.open_record("RB-0002")
        await settle(pilot)
        screen = screen_of(app, RecordScreen)
        banner = screen.query_one("#record-conflict", Static)
        assert banner.has_class("in-conflict") and banner.display
        shown = str(banner.render())
        assert "changed both in the file and in bridge" in shown and RUNBOOK in shown
        assert "bridge sync --take file RB-0002" in shown and "bridge sync --take bridge RB-0002" in shown
        warnings = [n for n in app._notifications if n.title == "Sync conflict"]
        assert len(warnings) == 1 and warnings[0].severity == "warning"
        assert "bridge sync --take file RB-0002" in warnings[0].message
        screen.reload()
        await settle(pilot)
        assert len([n for n in app._notifications if n.title == "Sync conflict"]) == 1, "warned once, not per reload"

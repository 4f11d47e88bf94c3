"""The TUI counts unsynced edits in the status line and syncs with git from the palette."""

from __future__ import annotations

import subprocess
from pathlib import Path

from bridge.config import Settings
from bridge.tui.widgets.status_line import StatusLine
from bridge.workspace import Workspace
from tests.tui.pilot_helpers import make_app, settle, started, type_text


async def test_status_line_counts_unsynced_edits_and_the_palette_syncs(kb_settings: Settings, tmp_path: Path) -> None:
    with Workspace.open(kb_settings) as workspace:
        record = workspace.get_record("RB-0002")
        record.body = record.body.replace("ninety percent", "ninety-five percent")
        workspace.save_record(record, expected_version=record.version, author="Dana Editor <dana@example.com>")
    repo = tmp_path / "team-kb"
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        await settle(pilot)
        await pilot.pause(0.3)
        assert app.screen.query_one(StatusLine).index_text.endswith(" · 1 unsynced")
        await pilot.press("ctrl+p")
        await settle(pilot)
        await type_text(pilot, "git: sync")
        await pilot.pause(0.2)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        await pilot.pause(0.3)
        messages = [n.message for n in app._notifications]
        assert any("1 written, committed on bridge/test-user/rb-0002" in m for m in messages), messages
        assert not app.screen.query_one(StatusLine).index_text.endswith("unsynced")
    assert "ninety-five percent" in (repo / "runbooks/0002-ingest-disk-full.md").read_text()
    log = subprocess.run(["git", "log", "-1", "--format=%an", "bridge/test-user/rb-0002"], cwd=repo,
                         capture_output=True, text=True, check=True)
    assert log.stdout.strip() == "Dana Editor"

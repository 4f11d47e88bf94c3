"""SVG snapshots of the main screens' layout (update with ``pytest tests/tui/test_snapshots.py --snapshot-update``).

Timings in the status line vary from run to run, so they are replaced by a fixed figure before the screenshot;
everything else on screen comes from the fixture knowledge base.
"""

from __future__ import annotations

import re

from textual.pilot import Pilot
from textual.widgets import Label

from bridge.config import Settings
from bridge.tui.app import BridgeApp
from tests.tui.pilot_helpers import make_app, settle, started, type_text

SIZE = (110, 32)


async def freeze_timings(pilot: Pilot) -> None:
    """Replace the search time in the status line with a fixed value."""
    for label in pilot.app.screen.query("#status-results").results(Label):
        label.update(re.sub(r"\d+ ms", "9 ms", str(label.content)))
    await pilot.pause()


class TestSearchScreen:
    """The home screen: query box, hit list, preview with its header, status line and footer.

    The query is a filter alone, so the hits are a listing that does not depend on search ranking or snippets.
    """

    def test_search_results(self, snap_compare, kb_settings: Settings) -> None:  # type: ignore[no-untyped-def]
        async def run_before(pilot: Pilot) -> None:
            await started(pilot)
            await type_text(pilot, "kind:runbook")
            await freeze_timings(pilot)

        assert snap_compare(make_app(kb_settings), terminal_size=SIZE, run_before=run_before)


class TestRecordScreen:
    """The record screen's read and history tabs."""

    def test_record_read(self, snap_compare, kb_settings: Settings) -> None:  # type: ignore[no-untyped-def]
        async def run_before(pilot: Pilot) -> None:
            app = await started(pilot)
            assert isinstance(app, BridgeApp)
            app.open_record("ADR-0002")
            await settle(pilot)

        assert snap_compare(make_app(kb_settings), terminal_size=SIZE, run_before=run_before)

    def test_record_history_diff(self, snap_compare, kb_settings: Settings) -> None:  # type: ignore[no-untyped-def]
        async def run_before(pilot: Pilot) -> None:
            app = await started(pilot)
            assert isinstance(app, BridgeApp)
            app.open_record("RB-0001")
            await settle(pilot)
            await pilot.press("2")
            await settle(pilot)

        assert snap_compare(make_app(kb_settings), terminal_size=SIZE, run_before=run_before)


class TestEditorScreen:
    """The editor with a validation error next to its field."""

    def test_editor_validation(self, snap_compare, kb_settings: Settings) -> None:  # type: ignore[no-untyped-def]
        async def run_before(pilot: Pilot) -> None:
            app = await started(pilot)
            assert isinstance(app, BridgeApp)
            app.action_edit_record("RB-0002")
            await settle(pilot)
            app.screen.query_one("#field-title").value = ""  # type: ignore[attr-defined]
            await pilot.press("ctrl+s")
            await settle(pilot)
            app.clear_notifications()
            await pilot.pause()

        assert snap_compare(make_app(kb_settings), terminal_size=SIZE, run_before=run_before)


class TestHelpScreen:
    """The help screen listing bindings."""

    def test_help(self, snap_compare, kb_settings: Settings) -> None:  # type: ignore[no-untyped-def]
        async def run_before(pilot: Pilot) -> None:
            await started(pilot)
            await pilot.press("f1")
            await settle(pilot)

        assert snap_compare(make_app(kb_settings), terminal_size=SIZE, run_before=run_before)

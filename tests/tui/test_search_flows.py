"""Search screen flows: type to search, filter, preview, open a record and follow its links."""

from __future__ import annotations

from textual.widgets import Input, Markdown, OptionList

from bridge.config import Settings
from bridge.tui.screens.record import RecordScreen
from bridge.tui.screens.search import SearchScreen
from bridge.tui.widgets.hit_list import HitList
from bridge.tui.widgets.status_line import StatusLine
from tests.tui.pilot_helpers import make_app, screen_of, settle, started, type_text


def shown_keys(screen: SearchScreen) -> list[str]:
    return [hit.key for hit in screen.query_one(HitList).hits]


async def test_empty_query_lists_every_record_and_shows_the_user(kb_settings: Settings) -> None:
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        screen = screen_of(app, SearchScreen)
        assert shown_keys(screen) == ["ADR-0001", "ADR-0002", "RB-0001", "RB-0002", "RB-0003"]
        assert app.sub_title.startswith("Test User")
        status = screen.query_one(StatusLine)
        assert status.results_text.startswith("5 records")
        assert status.index_text == "keyword search · 14 sections · semantic index not loaded"


async def test_typing_searches_and_enter_opens_the_record_at_its_section(kb_settings: Settings) -> None:
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        screen = screen_of(app, SearchScreen)
        await type_text(pilot, "replica replay delay", key_by_key=True)
        assert shown_keys(screen)[0] == "RB-0001"
        first = screen.query_one(HitList).hits[0]
        assert first.section.endswith("Diagnosis")
        assert "keyword" in screen.query_one(StatusLine).results_text
        assert screen.preview_key == "RB-0001"
        await pilot.press("enter")
        await settle(pilot)
        record_screen = screen_of(app, RecordScreen)
        assert record_screen.record is not None and record_screen.record.key == "RB-0001"
        assert record_screen.section.endswith("Diagnosis")
        body = record_screen.query_one("#record-body", Markdown)
        assert any(label == "Diagnosis" for _level, label, _id in body.table_of_contents)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)


async def test_filters_in_the_query_narrow_the_results(kb_settings: Settings) -> None:
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        screen = screen_of(app, SearchScreen)
        await type_text(pilot, "kind:runbook")
        assert shown_keys(screen) == ["RB-0001", "RB-0002", "RB-0003"]
        assert "kind:runbook" in screen.query_one(StatusLine).results_text
        screen.query_one("#query", Input).value = ""
        await type_text(pilot, "ledger kind:adr status:accepted")
        assert shown_keys(screen) == ["ADR-0002"]
        screen.query_one("#query", Input).value = ""
        await type_text(pilot, "topic:ingest")
        assert shown_keys(screen) == ["RB-0002"]
        screen.query_one("#query", Input).value = ""
        await type_text(pilot, "owner:edge-oncall certificate")
        assert shown_keys(screen) == ["RB-0003"]


async def test_superseded_decision_points_to_its_successor_and_links_are_followable(kb_settings: Settings) -> None:
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        screen = screen_of(app, SearchScreen)
        await type_text(pilot, "ledger events partitioned")
        hits = screen.query_one(HitList).hits
        old = next(hit for hit in hits if hit.key == "ADR-0001")
        assert old.superseded_by == ["ADR-0002"]
        app.open_record("ADR-0001")
        await settle(pilot)
        record_screen = screen_of(app, RecordScreen)
        assert [(entry.relation, entry.key) for entry in record_screen.links] == [("superseded by", "ADR-0002")]
        await pilot.press("3")
        await settle(pilot)
        assert app.focused is record_screen.query_one("#links", OptionList)
        await pilot.press("enter")
        await settle(pilot)
        successor = screen_of(app, RecordScreen)
        assert successor.key == "ADR-0002"
        assert ("supersedes", "ADR-0001") in [(entry.relation, entry.key) for entry in successor.links]


async def test_arrow_keys_move_the_preview(kb_settings: Settings) -> None:
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        screen = screen_of(app, SearchScreen)
        assert screen.preview_key == "ADR-0001"
        await pilot.press("down")
        assert app.focused is screen.query_one(HitList)
        await pilot.press("down", "down")
        await settle(pilot)
        assert screen.preview_key == "RB-0001"

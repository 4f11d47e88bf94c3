"""The bus-factor screen: topics by risk, and departures toggled from the people list."""

from __future__ import annotations

from textual.widgets import DataTable, Label, Static

from bridge.config import Settings
from bridge.tui.screens.knowledge import KnowledgeScreen
from tests.tui.pilot_helpers import make_app, screen_of, settle, started


async def test_bus_factor_screen_simulates_a_departure(kb_settings: Settings) -> None:
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        assert app.knowledge_available
        app.action_bus_factor()
        await settle(pilot)
        screen = screen_of(app, KnowledgeScreen)
        assert screen.model is not None
        topics = screen.query_one("#topics", DataTable)
        topic_names = {topics.get_row_at(index)[0] for index in range(topics.row_count)}
        assert {"ledger", "ingest", "edge"} <= topic_names
        people = screen.query_one("#people", DataTable)
        assert people.row_count >= 1
        riskiest_topic = topics.get_row_at(0)[0]
        assert str(screen.query_one("#topic-detail", Static).content).startswith(f"[bold]{riskiest_topic}[/]")
        people.focus()
        await pilot.press("space")
        await settle(pilot)
        assert people.get_row_at(0)[2] == "leaves"
        summary = str(screen.query_one("#knowledge-summary", Label).content)
        assert "if" in summary and "leave" in summary, summary
        assert screen.model.departed
        await pilot.press("x")
        await settle(pilot)
        assert not screen.model.departed and people.get_row_at(0)[2] == ""


async def test_bus_factor_screen_opens_the_highlighted_persons_handoff_plan(kb_settings: Settings) -> None:
    from bridge.tui.screens.record import RecordScreen

    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        app.action_bus_factor()
        await settle(pilot)
        screen = screen_of(app, KnowledgeScreen)
        people = screen.query_one("#people", DataTable)
        people.focus()
        leaving = people.get_row_at(0)[0]
        await pilot.press("h")
        await settle(pilot)
        record_screen = screen_of(app, RecordScreen)
        assert record_screen.record is not None
        assert record_screen.record.kind == "handoff" and record_screen.record.title == f"Handoff plan: {leaving}"
        assert "## Checklist" in record_screen.record.body


async def test_unanswered_question_becomes_a_runbook_draft_titled_with_it(kb_settings: Settings) -> None:
    from textual.widgets import OptionList

    from bridge.tui.screens.editor import EditorScreen
    from bridge.tui.screens.gaps import GapsScreen
    from bridge.workspace import Workspace

    with Workspace.open(kb_settings) as workspace:
        workspace.search("how do I rotate the office wifi password", mode="keyword")
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        app.action_unanswered_questions()
        await settle(pilot)
        gaps = screen_of(app, GapsScreen)
        options = gaps.query_one("#gaps", OptionList)
        assert options.option_count >= 1
        assert gaps.clusters[0].question == "how do I rotate the office wifi password"
        await pilot.press("enter")
        await settle(pilot)
        editor = screen_of(app, EditorScreen)
        assert editor.record.kind == "runbook"
        assert editor.record.title == "how do I rotate the office wifi password"

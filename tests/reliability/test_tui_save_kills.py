"""A seeded sample of kill -9 during the real TUI's save: the edit is saved or kept as a draft, nothing else moves."""

from __future__ import annotations

import pytest

from tests.reliability.tui_save import campaign, table_row


@pytest.mark.slow
def test_kill_9_during_the_tui_save_keeps_the_text_and_loses_nothing() -> None:
    outcomes = campaign(kills=6, seed=2026)
    assert len(outcomes) == 6
    problems = [outcome for outcome in outcomes if not outcome.ok]
    assert not problems, f"{problems}\n{table_row(outcomes)}"
    assert any(outcome.when == "mid-save" for outcome in outcomes), "no kill landed during a save"

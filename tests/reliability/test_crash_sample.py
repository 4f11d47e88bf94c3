"""A short seeded sample of the crash campaign (the full one is `make reliability`, see docs/reliability.md)."""

from __future__ import annotations

import pytest

from tests.reliability.crash_harness import KillOutcome, run_campaign, table


def problems(outcome: KillOutcome) -> list[str]:
    """Return what went wrong after one kill (empty when nothing did)."""
    found = []
    if not outcome.integrity_ok:
        found.append("integrity check failed")
    if outcome.lost:
        found.append(f"records lost: {outcome.lost}")
    if outcome.doctor == "dirty":
        found.append("doctor --repair did not make it clean")
    if not outcome.searchable:
        found.append("records not searchable")
    if not outcome.rerun_same:
        found.append("rerun differs from an uninterrupted run")
    if outcome.tracebacks:
        found.append(f"{outcome.tracebacks} tracebacks")
    return found


@pytest.mark.slow
def test_kill_9_during_import_new_and_edit_loses_nothing() -> None:
    outcomes = run_campaign(kills=1, seed=2026, only=["import", "new", "edit"])
    assert {outcome.operation for outcome in outcomes} == {"import", "new", "edit"}
    report = {f"{o.operation} ({o.when})": problems(o) for o in outcomes}
    assert all(not found for found in report.values()), f"{report}\n{table(outcomes)}"

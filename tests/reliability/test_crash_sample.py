"""A short seeded sample of the crash campaign (the full one is `make reliability`, see docs/reliability.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.crash_harness import MODELS, KillOutcome, copy_home, run_campaign, table


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


def test_a_copied_data_directory_links_the_model_cache_and_a_cold_copy_has_no_encoder_choice(tmp_path: Path) -> None:
    base = tmp_path / "base"
    (base / MODELS / "onnx-model").mkdir(parents=True)
    (base / "bridge.db").write_bytes(b"database")
    (base / MODELS / "onnx-model" / "model.onnx").write_bytes(b"weights")
    (base / MODELS / "backend-model.json").write_text("{}", encoding="utf-8")
    warm, cold = tmp_path / "warm", tmp_path / "cold"
    copy_home(base, warm)
    copy_home(base, cold, cold=True)
    assert (warm / MODELS / "backend-model.json").exists()
    assert not (cold / MODELS / "backend-model.json").exists()
    assert (cold / MODELS / "onnx-model" / "model.onnx").samefile(base / MODELS / "onnx-model" / "model.onnx")
    assert not (warm / "bridge.db").samefile(base / "bridge.db"), "the database must be a copy, never a link"
    (warm / "bridge.db").write_bytes(b"changed")
    assert (base / "bridge.db").read_bytes() == b"database"

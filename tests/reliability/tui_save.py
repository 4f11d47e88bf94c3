"""Kill -9 the real TUI while it saves an edit, and check the text is saved or kept as a draft.

The driver (``python -m tests.reliability.tui_save drive KEY TEXT_FILE``) runs bridge's Textual app headless in
its own process on ``BRIDGE_HOME``: it opens KEY in the editor, replaces the body with the file's text and presses
ctrl+s at once (before any autosave), prints ``SAVING`` when the save has begun (its first step, writing the
draft file, is done), and exits when the save is done. That the draft is written before the store is touched is
tests/tui/test_editor_flows.py's job; text typed within the last autosave interval (two seconds) and not yet acted
on is, by design, only as safe as the previous autosave. The campaign kills
that process a seeded 0–80 ms after ``SAVING`` (or at a seeded time since start) and checks: ``PRAGMA
integrity_check`` ok; no record or revision saved before is gone; the edit is either the record's current text
with current chunks, or the text of its draft file, which the TUI offers back; doctor is clean (or ``--repair``
makes it clean); a rerun of the save ends in the uninterrupted run's state.
``python -m tests.reliability.tui_save campaign --kills N`` prints a table row.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.reliability.helpers import bridge_env, integrity, run_bridge, write_records

KEY = "ADR-0002"
MARKER = "quokkamarker"


def _edited_text() -> str:
    """Return the body the driver saves."""
    return f"# Context\n\nRewritten in the TUI under fire: {MARKER} and the rest of the text.\n"


async def drive(key: str, text: str) -> None:
    """Open key in the real app's editor, replace the body with text, save at once and wait for the save."""
    from textual.widgets import TextArea

    from bridge.config import load_settings
    from bridge.tui.app import BridgeApp
    from bridge.tui.drafts import Draft, DraftKeeper
    from bridge.tui.screens.editor import EditorScreen
    from bridge.tui.screens.record import RecordScreen
    from tests.tui.pilot_helpers import screen_of, settle, started

    handle_save, write_draft = EditorScreen.action_save, DraftKeeper.write
    pressed: list[bool] = []

    def save_pressed(editor: EditorScreen) -> None:
        pressed.append(True)
        handle_save(editor)

    def announced_write(keeper: DraftKeeper, draft: Draft) -> bool:
        written = write_draft(keeper, draft)
        if pressed and len(pressed) == 1:
            pressed.append(True)
            print("SAVING", flush=True)  # the save has begun: from here the text must survive any kill
        return written

    EditorScreen.action_save = save_pressed  # type: ignore[method-assign]
    DraftKeeper.write = announced_write  # type: ignore[method-assign]
    app = BridgeApp(load_settings(), load_demo=False, warm_up=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await started(pilot)
        app.action_edit_record(key)
        await settle(pilot)
        app.screen.query_one("#body", TextArea).text = text
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen_of(app, RecordScreen)
    print("SAVED", flush=True)


def drive_command(home: Path, text_file: Path) -> subprocess.Popen[str]:
    """Start the driver against home in a new session; its stdout is a pipe."""
    return subprocess.Popen([sys.executable, "-m", "tests.reliability.tui_save", "drive", KEY, str(text_file)],
                            env=bridge_env(home), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)


def run_driver(home: Path, text_file: Path) -> bool:
    """Run the driver to its end; return whether it reported the save done."""
    process = drive_command(home, text_file)
    output, _ = process.communicate(timeout=300)
    return "SAVED" in output


@dataclass
class TuiKill:
    """What one kill of the TUI's save did and what the checks found."""

    when: str
    """"mid-save" (0–50 ms after SAVING), "early" (at a random time since start) or "finished"."""
    integrity_ok: bool = True
    lost: list[str] = field(default_factory=list)
    kept: str = ""
    """Where the edit is: "saved", "draft", or "" (neither: lost)."""
    doctor: str = "clean"
    rerun_same: bool = True
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every check passed."""
        return self.integrity_ok and not self.lost and self.kept != "" and self.doctor != "dirty" and self.rerun_same


def kill_save(home: Path, text_file: Path, rng: random.Random) -> str:
    """Run the driver and SIGKILL it at a seeded point; return when ("mid-save", "early" or "finished")."""
    process = drive_command(home, text_file)
    assert process.stdout is not None
    early = rng.random() < 0.2
    if early:
        time.sleep(rng.uniform(0.2, 2.5))
    else:
        for line in process.stdout:
            if line.startswith("SAVING"):
                time.sleep(rng.uniform(0, 0.05))
                break
    if process.poll() is not None:
        return "finished"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return "early" if early else "mid-save"


def _state(database: Path) -> dict[str, object]:
    """Return each live record's (version, title, body) and its chunks' hashes and versions."""
    import sqlite3

    connection = sqlite3.connect(database)
    try:
        records = {key: (version, title, body) for key, version, title, body in connection.execute(
            "SELECT key, version, title, body FROM record WHERE NOT deleted")}
        revisions = dict(connection.execute(
            "SELECT r.key, COUNT(v.id) FROM record r JOIN revision v ON v.record_id = r.id GROUP BY r.key"))
        stale = connection.execute(
            "SELECT COUNT(*) FROM record r WHERE NOT r.deleted AND (r.chunked_version IS NULL OR "
            "r.chunked_version != r.version)").fetchone()[0]
        return {"records": records, "revisions": revisions, "stale": stale}
    finally:
        connection.close()


def check(home: Path, before: dict[str, object], reference: dict[str, object], text_file: Path,
          when: str) -> TuiKill:
    """Run every check on a data directory whose TUI save was just killed."""
    outcome = TuiKill(when)
    database = home / "bridge.db"
    outcome.integrity_ok = integrity(database) == "ok"
    after = _state(database)
    old_revisions: dict[str, int] = before["revisions"]  # type: ignore[assignment]
    new_revisions: dict[str, int] = after["revisions"]  # type: ignore[assignment]
    outcome.lost = [key for key, count in old_revisions.items() if new_revisions.get(key, 0) < count]
    records: dict[str, tuple[int, str, str]] = after["records"]  # type: ignore[assignment]
    draft = home / "drafts" / f"{KEY}.json"
    if MARKER in records[KEY][2]:
        outcome.kept = "saved"
    elif draft.exists() and MARKER in draft.read_text(encoding="utf-8"):
        outcome.kept = "draft"
    elif when == "early":
        outcome.kept = "not typed yet"  # killed before the text reached the editor: nothing to keep
    doctor = run_bridge(home, "doctor", "--json")
    if doctor.returncode != 0:
        run_bridge(home, "doctor", "--repair", "--json")
        outcome.doctor = "repaired" if run_bridge(home, "doctor", "--json").returncode == 0 else "dirty"
    found = run_bridge(home, "search", "--mode", "keyword", MARKER)
    if outcome.kept == "saved" and KEY not in found.stdout:
        outcome.notes.append("saved text not found by keyword search")
        outcome.kept = ""
    if draft.exists():
        draft.unlink()  # the rerun is a fresh edit, as when a user discards the offered draft
    run_driver(home, text_file)
    final = _state(database)
    final_records: dict[str, tuple[int, str, str]] = final["records"]  # type: ignore[assignment]
    reference_records: dict[str, tuple[int, str, str]] = reference["records"]  # type: ignore[assignment]
    outcome.rerun_same = final["stale"] == 0 and {key: value[1:] for key, value in final_records.items()} == {
        key: value[1:] for key, value in reference_records.items()}
    if not outcome.rerun_same:
        outcome.notes.append("state after rerun differs from the uninterrupted run")
    return outcome


def campaign(kills: int, seed: int) -> list[TuiKill]:
    """Prepare a store, run an uninterrupted save as the reference, then kill kills seeded saves."""
    rng = random.Random(seed)
    outcomes: list[TuiKill] = []
    with tempfile.TemporaryDirectory(prefix="bridge-tui-kill-") as scratch:
        work = Path(scratch)
        text_file = work / "edit.md"
        text_file.write_text(_edited_text(), encoding="utf-8")
        base = work / "base"
        base.mkdir()
        run_bridge(base, "import", str(write_records(work / "records", 6, words=80)))
        before = _state(base / "bridge.db")
        reference_home = work / "reference"
        shutil.copytree(base, reference_home)
        assert run_driver(reference_home, text_file), "the uninterrupted TUI save did not finish"
        reference = _state(reference_home / "bridge.db")
        for number in range(kills):
            home = work / f"kill-{number}"
            shutil.copytree(base, home)
            when = kill_save(home, text_file, rng)
            outcomes.append(check(home, before, reference, text_file, when))
            shutil.rmtree(home, ignore_errors=True)
    return outcomes


def table_row(outcomes: list[TuiKill]) -> str:
    """Return the campaign's Markdown table row for the TUI save."""
    count = {when: sum(1 for o in outcomes if o.when == when) for when in ("mid-save", "early", "finished")}
    kept = {where: sum(1 for o in outcomes if o.kept == where) for where in ("saved", "draft", "not typed yet")}
    return (f"| TUI save | {len(outcomes)} | {count['mid-save']} / {count['early']} / {count['finished']} | "
            f"{sum(o.integrity_ok for o in outcomes)}/{len(outcomes)} | {sum(len(o.lost) for o in outcomes)} | "
            f"saved {kept['saved']}, draft {kept['draft']}, not typed yet {kept['not typed yet']}, lost "
            f"{sum(1 for o in outcomes if o.kept == '')} | {sum(o.doctor != 'dirty' for o in outcomes)}/{len(outcomes)} "
            f"| {sum(o.rerun_same for o in outcomes)}/{len(outcomes)} |")


def main() -> None:
    """Drive one TUI save, or run the campaign and print its table row."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    driver = commands.add_parser("drive")
    driver.add_argument("key")
    driver.add_argument("text_file", type=Path)
    runner = commands.add_parser("campaign")
    runner.add_argument("--kills", type=int, default=50)
    runner.add_argument("--seed", type=int, default=13)
    options = parser.parse_args()
    if options.command == "drive":
        asyncio.run(drive(options.key, options.text_file.read_text(encoding="utf-8")))
        return
    started = time.monotonic()
    outcomes = campaign(options.kills, options.seed)
    print("| operation | kills | mid-save / early / finished first | integrity ok | records lost | the edit "
          "| doctor clean or repaired | rerun = uninterrupted run |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    print(table_row(outcomes))
    for outcome in outcomes:
        if not outcome.ok:
            print(f"PROBLEM {outcome}")
    print(f"\n{len(outcomes)} kills in {time.monotonic() - started:.0f} s, seed {options.seed}")


if __name__ == "__main__":
    main()

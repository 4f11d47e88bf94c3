"""Crash campaign: kill -9 real `bridge` processes at seeded random points and check that nothing is lost.

Each kill starts from a copy of a prepared data directory, launches one command, watches the SQLite WAL and kills
the process a seeded random time after the database starts changing (within a fixed window, or within the time the
database kept changing in the fastest uninterrupted run seen) or, for some kills, at a random time since start.
Data directories for ``reindex`` carry the calibrated encoder choice, except a seeded tenth that start without it
and are killed 1-12 s after start, while the encoder calibrates. After every kill: ``PRAGMA integrity_check`` is
ok; every record and revision saved before is still there; ``bridge doctor`` is clean (or ``--repair`` makes it
clean); every live record's chunks hold its current version and a keyword search finds the command's target;
running the command again ends in the same state as an uninterrupted run. ``make reliability`` runs ``python -m
tests.reliability.crash_harness --kills 50`` and prints the table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tests.reliability.helpers import bridge_command, bridge_env, integrity, run_bridge, write_records

CORPORA = Path(__file__).resolve().parents[2].parent / "shared" / "corpora"
COLD_KILL_SECONDS = (1.0, 12.0)
"""When a cold kill lands, in seconds since start: the encoder calibrates before reindex writes anything."""
MODELS = "models"
"""The data directory's model cache (exported ONNX models and the calibrated encoder choice, bridge.paths)."""


@dataclass
class Operation:
    """One command to interrupt: how to prepare its starting state and what it runs."""

    name: str
    args: Callable[[Path], list[str]]
    """argv after `bridge`, given the work folder (record files, edit texts)."""
    window: float | None
    """Seconds after the database starts changing within which the kill lands (None: as long as the database
    kept changing in the uninterrupted run, narrowed to the fastest run that finished before its kill: a busy
    machine only slows runs)."""
    target: str = ""
    """A word the command's record holds, searched for after the kill (empty: no search check)."""
    semantic: bool = False
    """Whether the command embeds (compare stored vectors, not only chunks)."""
    cold: float = 0.0
    """Share of kills that start without the cached encoder choice, so they land while the encoder calibrates."""


@dataclass
class KillOutcome:
    """What one kill did and what the checks found."""

    operation: str
    when: str
    """"mid-write" (killed after the database changed), "early" (before) or "finished" (not killed)."""
    integrity_ok: bool = True
    lost: list[str] = field(default_factory=list)
    doctor: str = "clean"
    """"clean", "repaired" or "dirty"."""
    searchable: bool = True
    rerun_same: bool = True
    tracebacks: int = 0
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    """Wall time of the kill and all its checks (including the rerun)."""
    cold: bool = False
    """Whether the data directory had no cached encoder choice (the killed run and the rerun calibrate)."""
    window: float = 0.0
    """The kill window used (seconds after the database started changing)."""


def digest(database: Path, semantic: bool = False) -> dict[str, object]:
    """Return what must match between runs: each live record's title, body and chunk hashes (and vector count)."""
    connection = sqlite3.connect(database)
    try:
        records = {
            key: (title, body)
            for key, title, body in connection.execute("SELECT key, title, body FROM record WHERE NOT deleted")
        }
        chunks: dict[str, list[str]] = {}
        for key, hash_value in connection.execute(
            "SELECT r.key, c.content_hash FROM chunk c JOIN record r ON r.id = c.record_id ORDER BY r.key, c.ordinal"
        ):
            chunks.setdefault(key, []).append(hash_value)
        result: dict[str, object] = {"records": records, "chunks": chunks}
        if semantic:
            result["embedded"] = connection.execute("SELECT COUNT(*) FROM chunk WHERE embedding IS NOT NULL").fetchone()[0]
        return result
    finally:
        connection.close()


def saved_history(database: Path) -> dict[str, tuple[str, int]]:
    """Return key → (body, revision count) of every live record, the things a finished command reported saved."""
    connection = sqlite3.connect(database)
    try:
        return {
            key: (body, count) for key, body, count in connection.execute(
                "SELECT r.key, r.body, (SELECT COUNT(*) FROM revision v WHERE v.record_id = r.id) FROM record r "
                "WHERE NOT r.deleted"
            )
        }
    finally:
        connection.close()


def saved_history_texts(database: Path) -> list[tuple[str, str]]:
    """Return (title, body) of every live record."""
    connection = sqlite3.connect(database)
    try:
        return list(connection.execute("SELECT title, body FROM record WHERE NOT deleted"))
    finally:
        connection.close()


def _wal_state(home: Path) -> tuple[int, int]:
    """Return (size, mtime) of the database's WAL file, (0, 0) when there is none."""
    try:
        stat = (home / "bridge.db-wal").stat()
    except FileNotFoundError:
        return (0, 0)
    return (stat.st_size, stat.st_mtime_ns)


def _database_changed(home: Path, before: tuple[int, int]) -> bool:
    """Return whether the WAL holds new frames since before (opening the database creates an empty WAL first)."""
    now = _wal_state(home)
    return now != before and now[0] > 0


def run_watched(home: Path, argv: list[str]) -> float:
    """Run bridge argv against home to the end; return the seconds from the first WAL change to its exit."""
    before = _wal_state(home)
    process = subprocess.Popen(bridge_command(*argv), env=bridge_env(home), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    changed: float | None = None
    while process.poll() is None:
        if changed is None and _database_changed(home, before):
            changed = time.monotonic()
        time.sleep(0.002)
    return time.monotonic() - changed if changed is not None else 0.0


def copy_home(base: Path, home: Path, cold: bool = False) -> None:
    """Copy a prepared data directory; the model cache is hard-linked (bridge only ever renames files into it).

    With cold, the cached encoder choice is left out, so the next command that embeds calibrates first.
    """
    shutil.copytree(base, home, ignore=shutil.ignore_patterns(MODELS) if (base / MODELS).is_dir() else None)
    if (base / MODELS).is_dir():
        shutil.copytree(base / MODELS, home / MODELS, copy_function=os.link,
                        ignore=shutil.ignore_patterns("backend-*.json") if cold else None)


def kill_during(home: Path, argv: list[str], rng: random.Random, window: float,
                since_start: tuple[float, float] | None = None) -> tuple[str, float, float | None]:
    """Run bridge argv against home and SIGKILL it at a seeded point (within since_start seconds of its start, if given).

    Returns (when, seconds after start, and for a run that finished first the seconds from its first WAL change
    to its exit, which narrows a measured window).
    """
    before = _wal_state(home)
    started = time.monotonic()
    process = subprocess.Popen(bridge_command(*argv), env=bridge_env(home), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    early = rng.random() < 0.15 or since_start is not None
    kill_at: float | None = started + rng.uniform(*(since_start or (0.3, 2.5))) if early else None
    delay = rng.uniform(0, window)
    changed: float | None = None
    while process.poll() is None:
        now = time.monotonic()
        if changed is None and _database_changed(home, before):
            changed = now
            kill_at = kill_at if early else now + delay
        if kill_at is not None and now >= kill_at or now - started > 600:
            break
        time.sleep(0.002)
    if process.poll() is not None:
        ended = time.monotonic()
        return "finished", ended - started, ended - changed if changed is not None else None
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return ("early" if early else "mid-write"), time.monotonic() - started, None


def check_after_kill(home: Path, operation: Operation, work: Path, base_saved: dict[str, tuple[str, int]],
                     reference: dict[str, object], when: str) -> KillOutcome:
    """Run every check of the campaign on a data directory whose command was just killed."""
    outcome = KillOutcome(operation.name, when)
    database = home / "bridge.db"
    outcome.integrity_ok = integrity(database) == "ok"
    after = saved_history(database)
    for key, (_body, revisions) in base_saved.items():
        if key not in after or after[key][1] < revisions:
            outcome.lost.append(key)
    doctor = run_bridge(home, "doctor", "--json")
    outcome.tracebacks += "Traceback" in doctor.stderr
    if doctor.returncode != 0:
        repaired = run_bridge(home, "doctor", "--repair", "--json")
        again = run_bridge(home, "doctor", "--json")
        outcome.tracebacks += ("Traceback" in repaired.stderr) + ("Traceback" in again.stderr)
        outcome.doctor = "repaired" if again.returncode == 0 else "dirty"
        if again.returncode != 0:
            outcome.notes.append(again.stdout[-300:])
    connection = sqlite3.connect(database)
    try:
        stale = connection.execute(
            "SELECT COUNT(*) FROM record r WHERE NOT r.deleted AND (r.chunked_version IS NULL OR "
            "r.chunked_version != r.version OR NOT EXISTS (SELECT 1 FROM chunk c WHERE c.record_id = r.id))"
        ).fetchone()[0]
    finally:
        connection.close()
    outcome.searchable = stale == 0
    if operation.target:
        found = run_bridge(home, "search", "--mode", "keyword", "--json", operation.target)
        outcome.tracebacks += "Traceback" in found.stderr
        pattern = re.compile(rf"\b{re.escape(operation.target)}\b")
        present = any(pattern.search(f"{title} {body}") for title, body in saved_history_texts(database))
        hits = json.loads(found.stdout or "{}").get("hits", []) if found.returncode == 0 else []
        if present and not hits:
            outcome.searchable = False
            outcome.notes.append(f"'{operation.target}' stored but not found by keyword search in {home} "
                                 f"({found.stderr.strip()[-200:]})")
    rerun = run_bridge(home, *operation.args(work), timeout=1200)
    outcome.tracebacks += "Traceback" in rerun.stderr
    state = digest(database, operation.semantic)
    if operation.name == "new":
        records = dict(state["records"])  # type: ignore[call-overload]
        expected = dict(reference["records"])  # type: ignore[call-overload]
        extra = {key: value for key, value in records.items() if key not in expected}
        same = all(records.get(key) == value for key, value in expected.items()) and all(
            value == expected[max(expected)] for value in extra.values()
        )
        if extra:
            outcome.notes.append("first run had committed: the rerun made a second record (as `new` does)")
        outcome.rerun_same = same
    else:
        outcome.rerun_same = state == reference
    if not outcome.rerun_same:
        outcome.notes.append("state after rerun differs from the uninterrupted run")
    return outcome


def _prepare_corpus(work: Path) -> Path:
    """Clone the prometheus runbooks corpus into work (or write synthetic records when it is not available)."""
    bundle = CORPORA / "prometheus-runbooks.bundle"
    target = work / "runbooks"
    if bundle.exists():
        subprocess.run(["git", "clone", "-q", str(bundle), str(target)], check=True)
    else:
        write_records(target, 100, words=300)
    return target


def operations(work: Path) -> list[tuple[Operation, Callable[[Path], None]]]:
    """Return every operation of the campaign with the function that prepares its starting data directory."""
    corpus = _prepare_corpus(work)
    edit_text = work / "edit.md"
    edit_text.write_text("---\ntitle: Edited under fire\nstatus: accepted\n---\n# Context\n\nkumquatmarker text "
                         "written by the interrupted edit.\n", encoding="utf-8")
    new_body = work / "new-body.md"
    new_body.write_text("# Context\n\npersimmonmarker body of the interrupted new.\n", encoding="utf-8")
    small = write_records(work / "small", 12, words=120)
    larger = write_records(work / "larger", 30, words=120)
    models = work / "warm-models"

    def imported(home: Path) -> None:
        run_bridge(home, "import", str(small), timeout=600)

    def imported_and_warm(home: Path) -> None:
        """30 records (about 150 chunks, more than one vector save of 128) and the encoder already calibrated."""
        run_bridge(home, "import", str(larger), timeout=600)
        if not models.is_dir():
            scratch = work / "warm-up"
            shutil.copytree(home, scratch)
            run_bridge(scratch, "reindex", timeout=1200)
            shutil.copytree(scratch / MODELS, models)
            shutil.rmtree(scratch)
        shutil.copytree(models, home / MODELS)

    def edited_twice(home: Path) -> None:
        imported(home)
        second = work / "second.md"
        second.write_text("---\ntitle: Record 1 second\nstatus: accepted\n---\n# Context\n\nsecond text\n",
                          encoding="utf-8")
        run_bridge(home, "edit", "ADR-0001", "--file", str(second))

    def empty(home: Path) -> None:
        run_bridge(home, "init")

    return [
        (Operation("import", lambda _w: ["import", str(corpus)], window=None, target="Looping"), empty),
        (Operation("new", lambda _w: ["new", "--kind", "decision", "--title", "Created under fire", "--body-file",
                                      str(new_body)], window=0.08, target="persimmonmarker"), imported),
        (Operation("edit", lambda _w: ["edit", "ADR-0002", "--file", str(edit_text)], window=0.08,
                   target="kumquatmarker"), imported),
        (Operation("restore", lambda _w: ["restore", "ADR-0001", "1"], window=0.08, target="marker1"), edited_twice),
        (Operation("review", lambda _w: ["review", "ADR-0003"], window=0.05, target="marker3"), imported),
        (Operation("reindex", lambda _w: ["reindex"], window=None, target="marker5", semantic=True, cold=0.1),
         imported_and_warm),
    ]


def run_campaign(kills: int, seed: int, only: list[str] | None = None,
                 progress: Callable[[KillOutcome], None] | None = None,
                 deadline: float | None = None) -> list[KillOutcome]:
    """Run kills kills per operation (seeded, round-robin over operations) and return every outcome.

    With a deadline (a ``time.monotonic()`` value), no new round starts after it, so every operation has the same
    number of kills (or one fewer) when time runs out.
    """
    rng = random.Random(seed)
    outcomes: list[KillOutcome] = []
    with tempfile.TemporaryDirectory(prefix="bridge-crash-") as scratch:
        work = Path(scratch)
        prepared: list[tuple[Operation, Path, dict[str, tuple[str, int]], dict[str, object]]] = []
        windows: dict[str, float] = {}
        for operation, prepare in operations(work):
            if only and operation.name not in only:
                continue
            base = work / f"base-{operation.name}"
            base.mkdir()
            prepare(base)
            base_saved = saved_history(base / "bridge.db")
            reference_home = work / f"reference-{operation.name}"
            copy_home(base, reference_home)
            span = run_watched(reference_home, operation.args(work))
            reference = digest(reference_home / "bridge.db", operation.semantic)
            shutil.rmtree(reference_home)
            windows[operation.name] = operation.window if operation.window is not None else max(span, 0.05)
            prepared.append((operation, base, base_saved, reference))
        for number in range(kills):
            if deadline is not None and time.monotonic() >= deadline:
                break
            for operation, base, base_saved, reference in prepared:
                home = work / f"kill-{operation.name}-{number}"
                cold = operation.cold > 0 and rng.random() < operation.cold
                copy_home(base, home, cold=cold)
                started = time.monotonic()
                window = windows[operation.name]
                when, _seconds, span = kill_during(home, operation.args(work), rng, window,
                                                   since_start=COLD_KILL_SECONDS if cold else None)
                if operation.window is None and span is not None and not cold:
                    windows[operation.name] = max(min(window, span), 0.05)
                outcome = check_after_kill(home, operation, work, base_saved, reference, when)
                outcome.seconds = time.monotonic() - started
                outcome.cold, outcome.window = cold, window
                outcomes.append(outcome)
                if progress is not None:
                    progress(outcome)
                if not outcome.notes or outcome.rerun_same and outcome.searchable and not outcome.lost:
                    shutil.rmtree(home, ignore_errors=True)
    return outcomes


def table(outcomes: list[KillOutcome]) -> str:
    """Return the campaign's Markdown table: one row per operation."""
    lines = ["| operation | kills | mid-write / early / finished first | integrity ok | records lost | doctor clean "
             "(as is / after --repair) | all searchable | rerun = uninterrupted run | tracebacks | s per kill |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name in dict.fromkeys(outcome.operation for outcome in outcomes):
        rows = [outcome for outcome in outcomes if outcome.operation == name]
        count = {when: sum(1 for row in rows if row.when == when) for when in ("mid-write", "early", "finished")}
        lines.append(
            f"| {name} | {len(rows)} | {count['mid-write']} / {count['early']} / {count['finished']} | "
            f"{sum(row.integrity_ok for row in rows)}/{len(rows)} | {sum(len(row.lost) for row in rows)} | "
            f"{sum(row.doctor == 'clean' for row in rows)} / {sum(row.doctor == 'repaired' for row in rows)} "
            f"(dirty {sum(row.doctor == 'dirty' for row in rows)}) | {sum(row.searchable for row in rows)}/{len(rows)} "
            f"| {sum(row.rerun_same for row in rows)}/{len(rows)} | {sum(row.tracebacks for row in rows)} | "
            f"{sum(row.seconds for row in rows) / len(rows):.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    """Run the campaign from the command line and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50, help="kills per operation")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--only", nargs="*", help="operation names (default: all)")
    parser.add_argument("--minutes", type=float, help="start no new round of kills after this many minutes")
    parser.add_argument("--log", type=Path, help="append each kill's outcome to this file as a JSON line")
    parser.add_argument("--table-from", type=Path, help="print the table of a --log file and stop")
    options = parser.parse_args()
    if options.table_from:
        logged = [KillOutcome(**json.loads(line)) for line in options.table_from.read_text().splitlines() if line]
        print(table(logged))
        print(f"\n{len(logged)} kills, {sum(o.seconds for o in logged):.0f} s of kills and checks")
        return
    started = time.monotonic()
    deadline = started + options.minutes * 60 if options.minutes else None

    def show(outcome: KillOutcome) -> None:
        flags = "" if (outcome.integrity_ok and not outcome.lost and outcome.doctor != "dirty" and outcome.searchable
                       and outcome.rerun_same and not outcome.tracebacks) else "  <-- PROBLEM " + "; ".join(outcome.notes)
        print(f"{outcome.operation:8} {outcome.when:9} {'cold' if outcome.cold else '    '} doctor {outcome.doctor:8} "
              f"{outcome.seconds:5.0f} s{flags}",
              flush=True)
        if options.log:
            with options.log.open("a", encoding="utf-8") as log:
                log.write(json.dumps(asdict(outcome)) + "\n")

    outcomes = run_campaign(options.kills, options.seed, options.only, progress=show, deadline=deadline)
    print()
    print(table(outcomes))
    print(f"\n{len(outcomes)} kills in {time.monotonic() - started:.0f} s, seed {options.seed}")


if __name__ == "__main__":
    main()

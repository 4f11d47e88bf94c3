"""Benchmark: N processes saving through the workspace API at once, on the same record and on different records.

Each process opens the workspace and makes ``--saves`` edits, each with a unique token in the body. A save that
loses the compare-and-set keeps its text as a conflict file (the same path ``bridge edit`` uses). Afterwards every
token must be in a revision or in a kept conflict text: "lost" counts those in neither (must be 0). Prints saves/s,
conflicts and lost texts per N, and the CPU. Usage: ``python benchmarks/bench_concurrency.py [--saves 20]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import sqlite3
import tempfile
import time
from pathlib import Path


def cpu_model() -> str:
    """Return the CPU model name and core count."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()} ({os.cpu_count()} cores)"
    except OSError:
        pass
    return f"{platform.processor() or platform.machine()} ({os.cpu_count()} cores)"


def writer(home: str, worker: int, saves: int, keys: list[str], start: float) -> tuple[int, int, int]:
    """Make saves edits (round-robin over keys); return (saved, conflicts, other errors)."""
    os.environ["BRIDGE_HOME"] = home
    from bridge.errors import BridgeError, ConflictError
    from bridge.tui.drafts import save_conflict_text
    from bridge.workspace import Workspace

    saved = conflicts = errors = 0
    with Workspace.open() as workspace:
        while time.time() < start:
            time.sleep(0.001)
        for number in range(saves):
            key = keys[number % len(keys)]
            record = workspace.get_record(key)
            token = f"tok{worker}x{number}"
            record.body = f"# Context\n\nedit {token} by worker {worker}\n"
            try:
                workspace.save_record(record, expected_version=record.version, message=token)
                saved += 1
            except ConflictError:
                save_conflict_text(key, record.body, record.version)
                conflicts += 1
            except BridgeError:
                errors += 1
    return saved, conflicts, errors


def run(processes: int, saves: int, same_record: bool) -> dict[str, float]:
    """Run one configuration in a fresh data directory and return its figures."""
    from bridge.workspace import Workspace

    with tempfile.TemporaryDirectory(prefix="bridge-conc-") as home:
        os.environ["BRIDGE_HOME"] = home
        with Workspace.open() as workspace:
            for number in range(1, processes + 1):
                workspace.new_record("decision", f"Record {number}", body="# Context\n\nstart\n")
        keys = [f"ADR-{number:04d}" for number in range(1, processes + 1)]
        start = time.time() + 3.0
        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            jobs = [pool.apply_async(writer, (home, worker, saves, [keys[0]] if same_record else [keys[worker]],
                                              start)) for worker in range(processes)]
            results = [job.get(timeout=1800) for job in jobs]
        elapsed = time.time() - start
        saved = sum(result[0] for result in results)
        conflicts = sum(result[1] for result in results)
        errors = sum(result[2] for result in results)
        connection = sqlite3.connect(Path(home) / "bridge.db")
        bodies = " ".join(row[0] for row in connection.execute("SELECT body FROM revision"))
        connection.close()
        kept = " ".join(path.read_text() for path in (Path(home) / "drafts" / "conflicts").glob("*.md"))
        tokens = [f"tok{worker}x{number}" for worker in range(processes) for number in range(saves)]
        lost = sum(1 for token in tokens if f"{token} " not in bodies and f"{token} " not in kept)
    return {"saved": saved, "conflicts": conflicts, "errors": errors, "lost": lost, "seconds": elapsed,
            "saves_per_s": saved / elapsed if elapsed else 0.0}


def main() -> int:
    """Run every configuration and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=20, help="saves per process")
    parser.add_argument("--processes", type=int, nargs="*", default=[2, 4, 8])
    args = parser.parse_args()
    print(f"CPU: {cpu_model()}; SQLite (WAL); {args.saves} saves per process")
    print("| N | records | attempted | saved | conflicts (text kept) | other errors | lost | saves/s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for processes in args.processes:
        for same in (True, False):
            figures = run(processes, args.saves, same)
            print(f"| {processes} | {'same' if same else 'different'} | {processes * args.saves} | "
                  f"{figures['saved']} | {figures['conflicts']} | {figures['errors']} | {figures['lost']} | "
                  f"{figures['saves_per_s']:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

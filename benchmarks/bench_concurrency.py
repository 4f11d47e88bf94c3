"""Benchmark: N writers at once on the same record and on different records, on SQLite and PostgreSQL.

Writers are processes using the workspace API (each save carries a unique token; a save that loses the
compare-and-set keeps its text as a conflict file, as ``bridge edit`` does) or MCP peers (``bridge mcp
--allow-write`` subprocesses driven by the SDK's stdio client, changing a record's status from the version they
read). Afterwards every save must be a revision or a conflict whose text was kept: "lost" counts the rest (must be
0). Prints saves/s, conflicts and lost saves per N, and the CPU. The machinery is tests/reliability/concurrency.py.
Usage: ``python benchmarks/bench_concurrency.py [--saves 8] [--via api mcp] [--backend sqlite postgres]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.postgres_server import throwaway_postgres  # noqa: E402
from tests.reliability.concurrency import (  # noqa: E402 - needs the checkout on the path first
    ConcurrencyResult,
    fresh_database,
    percentile,
    postgres_available,
    readers_during_write,
    run_api,
    run_mcp,
)


def cpu_model() -> str:
    """Return the CPU model name, core count and the flags that matter to encoding speed."""
    from bridge.index.calibration import cpu_flags

    flags = f", flags {' '.join(cpu_flags()) or 'none of AMX/AVX-512 VNNI/AVX2'}"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()} ({os.cpu_count()} cores{flags})"
    except OSError:
        pass
    return f"{platform.processor() or platform.machine()} ({os.cpu_count()} cores{flags})"


def row(result: ConcurrencyResult) -> str:
    """Return one Markdown table row for a result."""
    return (f"| {result.backend} | {result.via} | {result.processes} | {'same' if result.same_record else 'different'} "
            f"| {result.attempted} | {result.saved} | {result.conflicts} | {len(result.errors)} | {len(result.lost)} "
            f"| {result.saves_per_s:.1f} |")


def main() -> int:
    """Run every configuration and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=8, help="saves per writer")
    parser.add_argument("--processes", type=int, nargs="*", default=[2, 4, 8])
    parser.add_argument("--via", nargs="*", default=["api", "mcp"], choices=["api", "mcp"])
    parser.add_argument("--backend", nargs="*", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--readers", choices=["import", "reindex"],
                        help="instead: time readers quiet and during this long write (PEP import or reindex)")
    parser.add_argument("--samples", type=int, default=6, help="reader rounds per phase (with --readers)")
    args = parser.parse_args()
    if args.readers:
        return readers(args)
    print(f"CPU: {cpu_model()}; {args.saves} saves per writer")
    print("| store | via | N | records | attempted | saved | conflicts (text kept) | other errors | lost | saves/s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    runners = {"api": run_api, "mcp": run_mcp}
    problems = []
    for backend in args.backend:
        if backend == "postgres" and not postgres_available():
            print("| PostgreSQL | – | – | – | – | – | – | – | – | server binaries or psycopg not installed |")
            continue
        with throwaway_postgres("max_connections=200") if backend == "postgres" else nullcontext() as server:
            for via in args.via:
                for processes in args.processes:
                    for same in (True, False):
                        url = fresh_database(server, f"conc_{via}_{processes}_{int(same)}") if server else None
                        result = runners[via](processes, args.saves, same, url)
                        print(row(result), flush=True)
                        problems += result.errors + result.lost
    for problem in problems:
        print(f"problem: {problem}")
    return 1 if problems else 0


def readers(args: argparse.Namespace) -> int:
    """Print reader latencies quiet and during a long write, per store."""
    print(f"CPU: {cpu_model()}; readers during `bridge {'import' if args.readers == 'import' else 'reindex'}` "
          f"({'the PEP corpus into' if args.readers == 'import' else 'of'} the imported Prometheus runbooks); "
          f"{args.samples} rounds per phase, MCP 5 calls per round")
    print("| store | reader | quiet p50 | quiet p95 | during write p50 | during write p95 | answers during write "
          "| of them keyword only (note) | failures |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    problems = 0
    for backend in args.backend:
        if backend == "postgres" and not postgres_available():
            continue
        with throwaway_postgres("max_connections=200") if backend == "postgres" else nullcontext() as server:
            url = fresh_database(server, "readers") if server else None
            figures, seconds, ended = readers_during_write(args.readers, args.samples, url)
        for reader in figures:
            print(f"| {'PostgreSQL' if url else 'SQLite'} | {reader.name} | {percentile(reader.quiet, 0.5):.2f} s "
                  f"| {percentile(reader.quiet, 0.95):.2f} s | {percentile(reader.busy, 0.5):.2f} s "
                  f"| {percentile(reader.busy, 0.95):.2f} s | {len(reader.busy)} | "
                  f"{reader.keyword_only if 'hybrid' in reader.name else '–'} | {len(reader.failures)} |",
                  flush=True)
            problems += len(reader.failures)
            for failure in reader.failures[:3]:
                print(f"problem: {failure}")
        print(f"write ran {seconds:.0f} s with readers: {ended}", flush=True)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())

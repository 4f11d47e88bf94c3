"""Search latency with and without usage logging, in the same run on the same workspace.

Run: ``.venv/bin/python benchmarks/bench_usage.py [--rounds 200] [--corpus prometheus-runbooks]``.
Imports a corpus from ../shared/corpora into a temporary data directory, warms the model, then times
``Workspace.search`` per mode in alternating blocks with logging on and off (so machine load affects both
alike), and the cost of queuing one event and of storing events in batches. Prints figures; does not pass or fail.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPORA = REPO_ROOT.parent / "shared" / "corpora"
QUERIES = [
    "alertmanager failed to send notifications to slack", "etcd cluster has no leader", "pods crash looping",
    "kube state metrics list errors", "node file system almost full", "prometheus rule evaluation failures",
    "certificate about to expire", "high memory usage on the node", "job failed to complete",
    "target down for more than ten minutes",
]
CPU_FLAGS_SHOWN = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16", "amx_tile")


def cpu_description() -> str:
    """Return the CPU model, core count and the vector-instruction flags that matter for the model."""
    model, flags = "unknown CPU", set()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name") and model == "unknown CPU":
                model = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    shown = " ".join(flag for flag in CPU_FLAGS_SHOWN if flag in flags) or "none of the tracked ones"
    return f"{model}, {os.cpu_count()} logical CPUs; flags: {shown}"


def percentile(values: list[float], share: float) -> float:
    """Return the share-th percentile of values (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def time_searches(workspace: object, mode: str, rounds: int, logging_on: bool) -> list[float]:
    """Return per-search seconds for rounds searches with logging on or off."""
    workspace.settings.usage.enabled = logging_on  # type: ignore[attr-defined]
    timings = []
    for number in range(rounds):
        query = QUERIES[number % len(QUERIES)]
        started = time.perf_counter()
        workspace.search(query, k=10, mode=mode)  # type: ignore[attr-defined]
        timings.append(time.perf_counter() - started)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="Searches per mode and setting.")
    parser.add_argument("--corpus", default="prometheus-runbooks", help="Bundle name in ../shared/corpora.")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO_ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["BRIDGE_HOME"] = str(Path(tmp) / "home")
        os.environ["HF_HUB_OFFLINE"] = "1"
        repo = Path(tmp) / args.corpus
        subprocess.run(["git", "clone", "-q", str(CORPORA / f"{args.corpus}.bundle"), str(repo)], check=True)
        from bridge.config import load_settings
        from bridge.store.usage import append_events, count_events
        from bridge.usage_types import UsageEvent
        from bridge.workspace import Workspace

        print(f"CPU: {cpu_description()}")
        with Workspace.open(load_settings()) as workspace:
            report = workspace.import_paths([repo])
            workspace.warm_up()
            print(f"corpus: {args.corpus}, {report.imported} records, {workspace.index_status().chunks} chunks; "
                  f"{args.rounds} searches per mode and setting, in alternating blocks of 25")
            for mode in ("keyword", "hybrid"):
                on: list[float] = []
                off: list[float] = []
                for _ in range(max(1, args.rounds // 25)):
                    off += time_searches(workspace, mode, 25, logging_on=False)
                    on += time_searches(workspace, mode, 25, logging_on=True)
                workspace.flush_usage()
                p50_on, p50_off = statistics.median(on) * 1000, statistics.median(off) * 1000
                print(f"{mode:8s} p50 off {p50_off:7.2f} ms  on {p50_on:7.2f} ms  ratio {p50_on / p50_off:5.3f}   "
                      f"p95 off {percentile(off, 0.95) * 1000:7.2f} ms  on {percentile(on, 0.95) * 1000:7.2f} ms")
            workspace.settings.usage.enabled = True
            hits = workspace.search(QUERIES[0], k=10, mode="keyword")
            started = time.perf_counter()
            for _ in range(2000):
                workspace.on_search(QUERIES[0], "keyword", hits)
            queued = (time.perf_counter() - started) / 2000
            workspace.flush_usage()
            events = [UsageEvent(kind="open", front_end="cli", at=datetime.now(UTC), record_key="RB-0001")] * 256
            started = time.perf_counter()
            for _ in range(20):
                append_events(workspace.engine, events)
            stored = (time.perf_counter() - started) / (20 * 256)
            print(f"queuing one search event: {queued * 1e6:.1f} µs on the search thread; storing in batches of 256: "
                  f"{stored * 1e6:.1f} µs per event on the writer thread; {count_events(workspace.engine)} events stored")


if __name__ == "__main__":
    main()

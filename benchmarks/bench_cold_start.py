"""Cold start: one command in a fresh process, as most CLI use is, against ``import sentence_transformers``.

Run: ``.venv/bin/python benchmarks/bench_cold_start.py [--runs 5] [--corpus prometheus-runbooks]``.
Sets up a BRIDGE_HOME with the corpus imported and embedded (the backend measured and cached, as after a first
``bridge reindex``), then times, in alternating order, fresh processes of: ``python -c "import
sentence_transformers"``; ``bridge search --mode keyword``; ``bridge search`` (hybrid); ``bridge ask``
(extractive); and ``bridge mcp`` from spawning to ``initialize`` answered and from there to the first
``search_records`` answer in hybrid mode. Prints min/median per command with the CPU. Does not pass or fail.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPORA = REPO_ROOT.parent / "shared" / "corpora"
BRIDGE = [sys.executable, "-m", "bridge"]
QUERY = "the job failed to complete"


def run(command: list[str], env: dict[str, str]) -> float:
    """Return the wall seconds of one fresh process (it must succeed)."""
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def mcp_first_answer(env: dict[str, str]) -> tuple[float, float]:
    """Return (seconds to the initialize answer, seconds from it to the first hybrid search_records answer)."""
    started = time.perf_counter()
    server = subprocess.Popen([*BRIDGE, "mcp"], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True, bufsize=1)
    assert server.stdin is not None and server.stdout is not None

    def call(message_id: int, method: str, params: dict[str, object]) -> dict[str, object]:
        server.stdin.write(json.dumps({"jsonrpc": "2.0", "id": message_id, "method": method, "params": params}) + "\n")  # type: ignore[union-attr]
        server.stdin.flush()  # type: ignore[union-attr]
        while True:
            line = server.stdout.readline()  # type: ignore[union-attr]
            if not line:
                raise RuntimeError("bridge mcp exited")
            answer = json.loads(line)
            if answer.get("id") == message_id:
                return dict(answer)

    try:
        call(1, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                               "clientInfo": {"name": "bench", "version": "0"}})
        initialized = time.perf_counter()
        server.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n")
        server.stdin.flush()
        for attempt in range(2, 200):
            answer = call(attempt, "tools/call", {"name": "search_records", "arguments": {"query": QUERY, "k": 3}})
            content = answer["result"]["content"][0]["text"]  # type: ignore[index]
            if json.loads(content).get("mode") == "hybrid":
                return initialized - started, time.perf_counter() - initialized
            time.sleep(0.05)
        raise RuntimeError("no hybrid answer")
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus", default="prometheus-runbooks")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO_ROOT))
    from bridge.index.calibration import cpu_flags, cpu_model

    home = Path(tempfile.mkdtemp(prefix="bridge-bench-cold-"))
    env = {**os.environ, "BRIDGE_HOME": str(home), "HF_HUB_OFFLINE": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop("BRIDGE_MODEL_CACHE", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed bridge has its bytecode cached; don't compile every run
    clone = home / args.corpus
    subprocess.run(["git", "clone", "-q", str(CORPORA / f"{args.corpus}.bundle"), str(clone)], check=True)
    setup = time.perf_counter()
    subprocess.run([*BRIDGE, "import", str(clone)], env=env, check=True, capture_output=True)
    reindex = subprocess.run([*BRIDGE, "reindex", "--json"], env=env, check=True, capture_output=True, text=True)
    report = json.loads(reindex.stdout)
    print(f"CPU: {cpu_model()}; flags: {' '.join(cpu_flags())}; cores usable: {len(os.sched_getaffinity(0))}")
    print(f"setup: {args.corpus}, {report['chunks']} chunks embedded by {report['backend']} at "
          f"{report['chunks_per_second']} chunks/s ({time.perf_counter() - setup:.0f} s with the first calibration)")
    commands = {
        "import sentence_transformers": [sys.executable, "-c", "import sentence_transformers"],
        "bridge --help": [*BRIDGE, "--help"],
        "search --mode keyword": [*BRIDGE, "search", "--mode", "keyword", QUERY],
        "search (hybrid)": [*BRIDGE, "search", QUERY],
        "ask (extractive)": [*BRIDGE, "ask", "what do I do when a job failed to complete?"],
    }
    timings: dict[str, list[float]] = {name: [] for name in [*commands, "mcp initialize", "mcp first hybrid answer"]}
    for command in commands.values():
        run(command, env)  # untimed: writes the bytecode caches a first run of an installed package finds
    for _run in range(args.runs):
        for name, command in commands.items():
            timings[name].append(run(command, env))
        to_initialize, to_answer = mcp_first_answer(env)
        timings["mcp initialize"].append(to_initialize)
        timings["mcp first hybrid answer"].append(to_answer)
    targets = {"search --mode keyword": 0.5, "search (hybrid)": 1.5, "ask (extractive)": 2.0,
               "mcp first hybrid answer": 2.0}
    print(f"fresh processes, {args.runs} alternating runs each after one untimed run (bytecode cached; seconds):")
    for name, values in timings.items():
        target = f"   target ≤ {targets[name]} s" if name in targets else ""
        print(f"  {name:28s} min {min(values):6.2f}   median {statistics.median(values):6.2f}{target}")


if __name__ == "__main__":
    main()

"""First search after an import: answering at once with keyword results against embedding the backlog first.

Run: ``.venv/bin/python benchmarks/bench_first_search.py [--corpus openshift-runbooks] [--folder alerts]``.
Imports the corpus into a fresh BRIDGE_HOME (no vectors), then times fresh processes of ``bridge search QUERY``
(the default: keyword results and a note), ``bridge search --mode keyword`` for reference, and once, as the
baseline, ``bridge search --wait`` (embeds every chunk first, the behaviour before ADR-0516). Prints seconds,
the ratio and the CPU. Does not pass or fail.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
QUERY = "Job openshift-monitoring/job-name-1 failed to complete."


def timed(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Return the wall time of one fresh `bridge` process and its stderr."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "bridge", *args], env=env, capture_output=True, text=True,
                            check=True)
    return time.perf_counter() - started, result.stderr


def main() -> None:
    """Import, time the three kinds of first search, print figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default="openshift-runbooks")
    parser.add_argument("--folder", default="alerts")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    sys.path.insert(0, str(REPO_ROOT))
    from bridge.index.calibration import cpu_flags, cpu_model

    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        bundle = REPO_ROOT.parent / "shared" / "corpora" / f"{options.corpus}.bundle"
        subprocess.run(["git", "clone", "-q", str(bundle), str(root / "corpus")], check=True)
        env = {**os.environ, "BRIDGE_HOME": str(root / "home"), "HF_HUB_OFFLINE": "1",
               "PYTHONPATH": str(REPO_ROOT)}
        subprocess.run([sys.executable, "-m", "bridge", "import", str(root / "corpus" / options.folder)], env=env,
                       capture_output=True, check=False)
        at_once = [timed(["search", QUERY], env) for _ in range(options.runs)]
        keyword = [timed(["search", QUERY, "--mode", "keyword"], env)[0] for _ in range(options.runs)]
        waited, _ = timed(["search", QUERY, "--wait"], env)
    median_at_once = statistics.median(seconds for seconds, _stderr in at_once)
    print(f"CPU: {cpu_model()}; flags: {' '.join(cpu_flags())}; cores usable: {len(os.sched_getaffinity(0))}")
    print(f"corpus {options.corpus}/{options.folder}, query {QUERY!r}")
    print(f"bridge search (default, backlog pending):  median {median_at_once:.2f} s of {options.runs}; "
          f"note shown: {all('still being prepared' in stderr for _s, stderr in at_once)}")
    print(f"bridge search --mode keyword:               median {statistics.median(keyword):.2f} s")
    print(f"bridge search --wait (before ADR-0516):     {waited:.1f} s  "
          f"(x{waited / median_at_once:.0f} the default)")


if __name__ == "__main__":
    main()

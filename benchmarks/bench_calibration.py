"""Calibration time: how long choosing the encoder backend takes on a new machine, after a CPU change, and when cached.

Run: ``.venv/bin/python benchmarks/bench_calibration.py [--runs 2]``.
Each case runs in a fresh process (as a user's first ``bridge reindex`` does) against its own model cache:
``first use`` (nothing cached: torch and transformers imported, the model exported to ONNX and quantised to int8,
every candidate timed), ``after a CPU change`` (the exported files kept, the decision measured again) and
``cached`` (the decision read). Beside them, in the same run, the imports the torch candidates need against
``import sentence_transformers`` (which the first version of the calibration paid). Prints figures with the CPU
model and flags; does not pass or fail.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DECIDE = """
import json, sys, time
started = time.perf_counter()
from bridge.config import DEFAULT_MODEL
from bridge.index.embedder import make_embedder
embedder = make_embedder(DEFAULT_MODEL, cache_root=__import__("pathlib").Path(sys.argv[1]))
embedder.choose_backend()
decision = embedder.decision
print(json.dumps({"seconds": time.perf_counter() - started, "measured": decision.measured, "bulk": decision.bulk,
                  "load": {r.backend: round(r.load_seconds, 2) for r in decision.results}}))
"""


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Return the wall seconds of one fresh process and its standard output (it must succeed)."""
    started = time.perf_counter()
    result = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return time.perf_counter() - started, result.stdout


def main() -> None:
    """Run every case --runs times and print min/median."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO_ROOT))
    from bridge.index.calibration import cpu_flags, cpu_model
    from bridge.index.onnx_encoder import usable_cores

    print(f"CPU: {cpu_model()}; flags: {' '.join(cpu_flags())}; cores usable: {usable_cores()}")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "HF_HUB_OFFLINE": "1"}
    figures: dict[str, list[float]] = {}
    notes: dict[str, str] = {}
    for _run in range(args.runs):
        cache = Path(tempfile.mkdtemp(prefix="bridge-calibration-"))
        try:
            for case in ("first use", "after a CPU change", "cached"):
                if case == "after a CPU change":
                    decision_file = next(cache.glob("backend-*.json"))
                    data = json.loads(decision_file.read_text(encoding="utf-8"))
                    data["key"]["cpu"] = "another CPU"
                    decision_file.write_text(json.dumps(data), encoding="utf-8")
                seconds, out = timed([sys.executable, "-c", DECIDE, str(cache)], env)
                figures.setdefault(case, []).append(seconds)
                notes[case] = out.strip()
            for label, code in (("import torch + transformers' AutoModel", "import torch; from transformers import AutoModel"),
                                ("import sentence_transformers", "import sentence_transformers")):
                figures.setdefault(label, []).append(timed([sys.executable, "-c", code], env)[0])
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    print(f"fresh processes, {args.runs} runs each (seconds):")
    for label, values in figures.items():
        print(f"  {label:40s} min {min(values):6.1f}   median {statistics.median(values):6.1f}")
    for case, out in notes.items():
        print(f"  {case}: {out}")


if __name__ == "__main__":
    main()

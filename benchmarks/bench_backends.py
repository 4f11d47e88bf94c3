"""Encoder backends side by side: speed on the calibration batch and retrieval quality on the dev sets.

Run: ``.venv/bin/python benchmarks/bench_backends.py [--sets runbooks-dev,openshift-dev] [--rounds 3]``.
Speed: every installed backend encodes the same PEP sections (128-piece window, batch 64) in alternating rounds
in one process; chunks/s per wall second and the ratio to torch float32 are printed with the CPU model and flags.
Quality: each dev set's corpus is imported once, embedded with every backend (float32 vectors under the model id,
int8 vectors under ``<model>@int8``), and evaluated (hybrid and semantic MRR@10, R@1). These are the figures
recorded in ``calibration.RECORDED_INT8_RETRIEVAL`` and docs/search.md. Prints figures; does not pass or fail.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPORA = REPO_ROOT.parent / "shared" / "corpora"
DEV_SETS = {"runbooks-dev": "prometheus-runbooks", "openshift-dev": "openshift-runbooks", "peps-dev": "python-peps"}
DEV_ROOTS = {"openshift-dev": "alerts"}
SETTINGS = {"torch-float32": ("torch", "float32"), "torch-bfloat16": ("torch", "bfloat16"),
            "onnx-float32": ("onnx", "float32"), "onnx-int8": ("onnx", "int8")}


def print_cpu() -> None:
    """Print the CPU model, the flags that matter and the cores this process may use."""
    from bridge.index.calibration import cpu_flags, cpu_model
    from bridge.index.onnx_encoder import usable_cores

    print(f"CPU: {cpu_model()}; flags: {' '.join(cpu_flags()) or 'none of amx/avx512_bf16/avx512_vnni/avx2'}; "
          f"AMX: {'yes' if any(flag.startswith('amx') for flag in cpu_flags()) else 'no'}; cores usable: "
          f"{usable_cores()}")


def speed(home: Path, rounds: int, count: int) -> None:
    """Time every backend on the same PEP sections, alternating, and print chunks/s and ratios."""
    from bridge.config import DEFAULT_MODEL
    from bridge.index.backends import BACKENDS, build_encoder, missing_libraries
    from bridge.index.embedder import model_window, resolve_model_path

    clone = home / "peps"
    subprocess.run(["git", "clone", "-q", str(CORPORA / "python-peps.bundle"), str(clone)], check=True)
    pieces = []
    for path in sorted(clone.glob("pep-*.rst")):
        body = path.read_text(encoding="utf-8", errors="replace")
        pieces.extend(body[start : start + 700] for start in range(0, len(body), 700))
    texts = sorted(random.Random(5).sample(pieces, count), key=len, reverse=True)
    model_path = resolve_model_path(DEFAULT_MODEL)
    encoders = {}
    for name in BACKENDS:
        if missing_libraries(name):
            print(f"  {name}: skipped ({', '.join(missing_libraries(name))} not installed)")
            continue
        encoders[name] = build_encoder(name, model_id=DEFAULT_MODEL, model_path=model_path,
                                       window=model_window(DEFAULT_MODEL, model_path), batch_size=64,
                                       cache_root=home / "models")
        encoders[name].encode(texts[:8])
    rates: dict[str, list[float]] = {name: [] for name in encoders}
    cpu: dict[str, list[float]] = {name: [] for name in encoders}
    for _round in range(rounds):
        for name, encoder in encoders.items():
            wall, process = time.perf_counter(), time.process_time()
            encoder.encode(texts)
            rates[name].append(len(texts) / (time.perf_counter() - wall))
            cpu[name].append(len(texts) / (time.process_time() - process))
    base = max(rates.get("torch-float32", [1.0]))
    print(f"speed: {len(texts)} PEP sections of ≤700 chars, {rounds} alternating rounds (best; per CPU-second)")
    for name in encoders:
        print(f"  {name:15s} {max(rates[name]):6.1f} chunks/s  ({max(cpu[name]):5.1f} per CPU-s)  "
              f"× {max(rates[name]) / base:.2f} of torch-float32   rounds: "
              + " ".join(f"{rate:.1f}" for rate in rates[name]))


def quality(home: Path, dev_set: str, backends: list[str]) -> None:
    """Import the dev set's corpus once, embed it with each backend and print hybrid and semantic figures."""
    from bridge.config import SearchSettings, Settings
    from bridge.workspace import Workspace

    corpus = DEV_SETS[dev_set]
    clone = home / corpus
    subprocess.run(["git", "clone", "-q", str(CORPORA / f"{corpus}.bundle"), str(clone)], check=True)
    database = f"sqlite:///{home / (dev_set + '.db')}"
    Workspace.open(Settings(database_url=database, search=SearchSettings(model="hashing-8"))).import_paths(
        [clone / DEV_ROOTS[dev_set] if dev_set in DEV_ROOTS else clone])
    queries = CORPORA / "queries" / f"{dev_set}.jsonl"
    for name in backends:
        backend, precision = SETTINGS[name]
        workspace = Workspace.open(Settings(database_url=database,
                                            search=SearchSettings(backend=backend, precision=precision)))  # type: ignore[arg-type]
        report = workspace.reindex()
        figures = {mode: workspace.evaluate(queries, mode=mode) for mode in ("hybrid", "semantic")}  # type: ignore[misc]
        hybrid, semantic = figures["hybrid"], figures["semantic"]
        print(f"  {dev_set} {name:15s} hybrid MRR@10 {hybrid.mrr_at_10:.3f} R@1 {hybrid.recall_at_1:.3f}   "
              f"semantic MRR@10 {semantic.mrr_at_10:.3f} R@1 {semantic.recall_at_1:.3f}   "
              f"({report.embedded} chunks at {report.chunks_per_second:.1f}/s, model id {report.model_id})")
        workspace.close()


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="runbooks-dev,openshift-dev", help="dev sets to evaluate ('' to skip)")
    parser.add_argument("--backends", default="onnx-float32,onnx-int8", help="backends to evaluate on the dev sets")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--count", type=int, default=128, help="PEP sections in the speed batch")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bridge-bench-backends-"))
    os.environ["BRIDGE_HOME"] = str(home)
    os.environ["HF_HUB_OFFLINE"] = "1"
    sys.path.insert(0, str(REPO_ROOT))
    print_cpu()
    if not args.skip_speed:
        speed(home, args.rounds, args.count)
    for dev_set in filter(None, args.sets.split(",")):
        quality(home, dev_set, args.backends.split(","))


if __name__ == "__main__":
    main()

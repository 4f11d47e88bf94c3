"""Benchmark: import a real corpus with its whole git history, then re-import it (nothing changes).

Prints wall-clock seconds of the first import, the idempotent second import, and, as a baseline in the same run, the
single `git log --name-status -M` pass that reads the history. Usage:
    python benchmarks/bench_import.py [BUNDLE_NAME ...]   (default: python-peps prometheus-runbooks openshift-runbooks)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"


def timed(label: str, action) -> float:
    """Run action, print and return its wall-clock seconds."""
    start = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - start
    print(f"  {label:<38} {seconds:8.2f} s   {result if result is not None else ''}")
    return seconds


def bench(bundle: str) -> None:
    """Clone bundle into a tmp dir and time git log, first import and re-import."""
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch) / bundle
        subprocess.run(["git", "clone", "-q", str(SHARED / f"{bundle}.bundle"), str(repo)], check=True)
        os.environ["BRIDGE_HOME"] = str(Path(scratch) / "home")
        commits = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=repo, capture_output=True, text=True)
        files = subprocess.run(["git", "ls-files"], cwd=repo, capture_output=True, text=True).stdout.count("\n")
        print(f"{bundle}: {files} files, {commits.stdout.strip()} commits")

        def git_log() -> str:
            out = subprocess.run(["git", "log", "--name-status", "-M", "--format=%H%x09%aN%x09%aE%x09%aI"],
                                 cwd=repo, capture_output=True, text=True, check=True).stdout
            return f"{len(out) // 1024} KiB of log"

        from bridge.workspace import Workspace

        def first() -> str:
            with Workspace.open() as ws:
                report = ws.import_paths([repo])
            reasons = ", ".join(f"{count} {reason}" for reason, count in report.skipped_by_reason().items())
            return f"imported={report.imported} failed={len(report.failed)} skipped={len(report.skipped)} ({reasons})"

        def second() -> str:
            with Workspace.open() as ws:
                report = ws.import_paths([repo])
            return f"unchanged={report.unchanged} imported={report.imported} updated={report.updated}"

        baseline = timed("git log --name-status -M (baseline)", git_log)
        first_s = timed("bridge import (first, with history)", first)
        second_s = timed("bridge import (second, idempotent)", second)
        print(f"  ratio first import / git log pass     {first_s / baseline:8.1f} x")
        print(f"  ratio re-import / first import        {second_s / first_s:8.2f} x")


def cpu() -> str:
    """Return the CPU model, core count and the SIMD flags that matter for the numbers printed."""
    model, flags = "unknown CPU", ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and model == "unknown CPU":
                model = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and not flags:
                present = set(line.split(":", 1)[1].split())
                flags = " ".join(flag for flag in ("avx2", "avx512f", "fma") if flag in present)
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, flags: {flags or 'none of avx2/avx512f/fma'}"


if __name__ == "__main__":
    print(cpu())
    for name in sys.argv[1:] or ["python-peps", "prometheus-runbooks", "openshift-runbooks"]:
        bench(name)

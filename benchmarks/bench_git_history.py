"""Benchmark: the PEP corpus's whole git history in one pass vs ``git log --follow`` per file.

Clones ../shared/corpora/python-peps.bundle into a temporary folder, times ``read_history`` (one
``git log -M --raw --numstat`` over 10,975 commits and 736 files), then times ``git log --follow --numstat`` on an
evenly spaced sample of files and extrapolates to all of them. Prints the figures and the ratio.
Usage: ``python benchmarks/bench_git_history.py [--sample N]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bridge.ingest.git_history import read_history

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def follow_one(repo: Path, path: str) -> int:
    """Run the per-file way of reading history and return how many commits it found."""
    output = subprocess.run(
        ["git", "-C", str(repo), "log", "--follow", "-M", "--numstat", "--format=%x1e%H%x1f%aN%x1f%aE%x1f%aI", "--", path],
        capture_output=True, text=True, check=True,
    ).stdout
    return output.count("\x1e")


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=40, help="files timed with git log --follow")
    args = parser.parse_args()
    bundle = SHARED / "corpora" / "python-peps.bundle"
    if not bundle.exists():
        print(f"skipped: {bundle} not found")
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch) / "peps"
        subprocess.run(["git", "clone", "-q", str(bundle), str(repo)], check=True)
        commits = int(subprocess.run(["git", "-C", str(repo), "rev-list", "--count", "HEAD"],
                                     capture_output=True, text=True, check=True).stdout)
        started = time.perf_counter()
        history = read_history(repo, bot_patterns=())
        one_pass = time.perf_counter() - started
        changes = sum(len(file_changes) for file_changes in history.values())
        files = sorted(history)
        step = max(1, len(files) // args.sample)
        sample = files[::step][: args.sample]
        started = time.perf_counter()
        followed = sum(follow_one(repo, path) for path in sample)
        per_file = (time.perf_counter() - started) / len(sample)
        sampled_one_pass = sum(len(history[path]) for path in sample)
    estimated_all = per_file * len(files)
    print(f"python-peps: {commits:,} commits, {len(files)} files, {changes:,} file changes")
    print(f"one pass (read_history):          {one_pass:8.2f} s for all {len(files)} files")
    print(f"git log --follow per file:        {per_file:8.3f} s per file on {len(sample)} files "
          f"-> {estimated_all:6.1f} s estimated for all")
    print(f"speed-up:                         {estimated_all / one_pass:8.1f}x")
    print(f"commits found on the sample: one pass {sampled_one_pass}, --follow {followed} "
          f"(--follow also follows copies: a PEP started as a copy of another inherits that PEP's commits)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

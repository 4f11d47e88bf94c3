"""Benchmark: ``bridge sync`` on the PEP corpus — read in after a one-file commit, and write out 10 edited records.

Prints wall-clock seconds and, as baselines in the same run, the idempotent full re-import of the folder (what
sync replaces: a rescan of every file) and the bare ``git diff --name-status`` that finds the change, plus the CPU
model and flags. Usage:
    python benchmarks/bench_sync.py [BUNDLE_NAME]   (default: python-peps)
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
EDITOR = {"GIT_AUTHOR_NAME": "Carol Git", "GIT_AUTHOR_EMAIL": "carol@example.org",
          "GIT_COMMITTER_NAME": "Carol Git", "GIT_COMMITTER_EMAIL": "carol@example.org"}


def cpu() -> str:
    """Return the CPU model, core count and the SIMD flags that matter here."""
    model, flags = platform.processor() or "unknown", set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and model in ("unknown", "", "x86_64"):
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    wanted = [f for f in ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_vnni", "amx_tile") if f in flags]
    return f"{model}, {os.cpu_count()} cores, flags: {' '.join(wanted) or 'n/a'}"


def timed(label: str, action: Callable[[], object], repeat: int = 1) -> float:
    """Run action repeat times, print and return the best wall-clock seconds."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    print(f"  {label:<46} {best:8.3f} s   {result if result is not None else ''}")
    return best


def git(repo: Path, *args: str) -> str:
    """Run git in repo as the benchmark's git author."""
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True,
                          env={**os.environ, **EDITOR}).stdout


def main(bundle: str) -> None:
    """Clone, import, then time sync in and sync out against their baselines."""
    print(f"CPU: {cpu()}")
    print(f"python {sys.version.split()[0]}, git {git(Path.cwd(), 'version').split()[-1]}")
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch) / bundle
        subprocess.run(["git", "clone", "-q", str(SHARED / f"{bundle}.bundle"), str(repo)], check=True)
        os.environ["BRIDGE_HOME"] = str(Path(scratch) / "home")
        os.environ.setdefault("BRIDGE_USER_NAME", "Bench User")
        os.environ.setdefault("BRIDGE_USER_EMAIL", "bench@example.org")
        from bridge.workspace import Workspace

        with Workspace.open() as ws:
            timed("first import (with history, not compared)", lambda: ws.import_paths([repo]).imported)
            files = sorted(p for p in repo.glob("pep-*.rst"))
            print(f"{bundle}: {len(files)} record files")
            rescan = timed("baseline: full re-import (rescan)", lambda: f"unchanged={ws.import_paths([repo]).unchanged}")

            target = files[len(files) // 2]
            target.write_text(target.read_text() + "\nAn added closing line.\n")
            git(repo, "commit", "-q", "-am", f"edit {target.name}")
            base = ws.sync([repo], commit=False)  # nothing to write; reads the one file in
            assert base.ok and base.synced_in, base.to_dict()
            target.write_text(target.read_text() + "Another line.\n")
            git(repo, "commit", "-q", "-am", f"edit {target.name} again")
            diff = timed("baseline: git diff --name-status BASE", lambda: len(git(repo, "diff", "--name-status",
                                                                                    "HEAD~1").splitlines()))
            sync_in = timed("sync in after a one-file commit", lambda: ws.sync([repo], commit=False).synced_in)
            idle = timed("sync with nothing changed", lambda: ws.sync([repo], commit=False).ok, repeat=3)

            records = [r for r in ws.list_records() if r.source_path in {f.name for f in files[:40]}][:10]
            for record in records:
                lines = record.body.split("\n")
                index = next(i for i, line in enumerate(lines) if i > 3 and len(line) > 30)
                lines[index] += " (edited in bridge)"
                record.body = "\n".join(lines)
                ws.save_record(record, expected_version=record.version, author="Ada Editor <ada@example.org>")
            reports = []

            def sync_out() -> int:
                reports.append(ws.sync([repo]))
                return len(reports[-1].commits)

            out = timed("sync out of 10 edited records (10 commits)", sync_out)
            assert reports[-1].committed is not None
            branch = reports[-1].committed["branch"]
            revisions_before = sum(len(ws.history(r.key)) for r in records)
            git(repo, "stash", "-q")  # the work tree holds the same 10 edits as the branch
            git(repo, "merge", "-q", "--squash", branch)
            git(repo, "commit", "-q", "-m", "Squash-merge the 10 bridge edits")
            git(repo, "stash", "drop", "-q")
            squash = timed("sync in after a squash-merge of the 10 edits", lambda: ws.sync([repo], commit=False).ok)
            added = sum(len(ws.history(r.key)) for r in records) - revisions_before
            print(f"  revisions added by the squash-merge            {added:8d}   (0: recognised as the bridge edits)")
        print(f"  ratio sync in / full re-import                {sync_in / rescan:8.3f} x")
        print(f"  ratio sync in / git diff alone                {sync_in / diff:8.1f} x")
        print(f"  ratio idle sync / full re-import              {idle / rescan:8.3f} x")
        print(f"  sync out per record                           {out / 10:8.3f} s")
        print(f"  ratio squash sync in / one-file sync in       {squash / sync_in:8.2f} x")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "python-peps")

"""Benchmark: the knowledge analysis on a real corpus — load, analyse, one departure toggle, every report format.

Imports the corpus into a tmp knowledge base first (not timed here; see bench_import.py), then prints wall-clock
seconds of each step, the best of three runs, so the TUI's departure toggle and a CI report can be judged. Usage:
    python benchmarks/bench_knowledge.py [BUNDLE_NAME ...]   (default: python-peps prometheus-runbooks)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
RUNS = 3


def best_of(label: str, action) -> object:
    """Run action RUNS times, print the best wall-clock seconds and return the last result."""
    timings = []
    result = None
    for _ in range(RUNS):
        start = time.perf_counter()
        result = action()
        timings.append(time.perf_counter() - start)
    print(f"  {label:<44} {min(timings):8.3f} s")
    return result


def bench(bundle: str) -> None:
    """Clone and import bundle, then time the knowledge steps."""
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch) / bundle
        subprocess.run(["git", "clone", "-q", str(SHARED / f"{bundle}.bundle"), str(repo)], check=True)
        os.environ["BRIDGE_HOME"] = str(Path(scratch) / "home")
        from bridge.knowledge.analysis import analyse
        from bridge.knowledge.report import build_report
        from bridge.reports import REPORT_FORMATS, render_report
        from bridge.workspace import Workspace

        with Workspace.open() as workspace:
            workspace.import_paths([repo])
            settings = workspace.settings.knowledge
            inputs = best_of("load inputs from the database", workspace.knowledge_inputs)
            print(f"{bundle}: {len(inputs.records)} records, {len(inputs.revisions)} revisions, "
                  f"{len(inputs.people)} people")
            today = date.today()
            analysis = best_of("analyse (map, flags, suggestions)", lambda: analyse(inputs, settings, as_of=today))
            top = analysis.map.overall.knowers[0].handle
            best_of("analyse without the top knower (TUI toggle)",
                    lambda: analyse(inputs, settings, as_of=today, without={top}))
            report = build_report(inputs, settings, as_of=today, generated_at=datetime.now(), analysis=analysis)
            for report_format in REPORT_FORMATS:
                best_of(f"render {report_format}", lambda f=report_format: render_report(report, f))
            print(f"  whole-KB bus factor {analysis.map.overall.bus_factor}; "
                  + ", ".join(f"{topic.topic} {topic.bus_factor}" for topic in analysis.map.topics))


if __name__ == "__main__":
    for name in sys.argv[1:] or ["python-peps", "prometheus-runbooks"]:
        bench(name)

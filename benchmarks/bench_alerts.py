"""Benchmark: alert → runbook linking on the openshift corpora — suggestion precision per margin, and timings.

Imports openshift-runbooks into a tmp knowledge base, reads the cluster-monitoring-operator rule files, and for
every rule whose runbook_url resolves pretends it had none: the suggestion (search-score margin alone, and with
the file-named-after-the-alert step first) is compared with the runbook the URL names. Prints precision and
recall per margin for keyword and hybrid search, then the time of importing the rules and of `bridge alert` on a
webhook payload of every linked rule, against the time of one plain keyword search as a baseline. Usage:
    python benchmarks/bench_alerts.py [--keyword-only]
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
MARGINS = (1.2, 1.5, 2.0, 3.0, 4.0)


def cpu_model() -> str:
    """Return the CPU model name and its flags count (from /proc/cpuinfo where available)."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown CPU"
    name = next((line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name")), "?")
    flags = next((line.split(":", 1)[1].split() for line in info.splitlines() if line.startswith("flags")), [])
    wanted = [flag for flag in ("avx2", "avx512f", "fma", "sse4_2") if flag in flags]
    return f"{name}; {os.cpu_count()} cores; flags {' '.join(wanted)}"


def main() -> None:
    """Clone both bundles, import the runbooks, measure suggestions and timings."""
    keyword_only = "--keyword-only" in sys.argv
    print(f"CPU: {cpu_model()}")
    with tempfile.TemporaryDirectory() as scratch:
        runbooks, rules = Path(scratch) / "runbooks", Path(scratch) / "cmo"
        for name, target in (("openshift-runbooks", runbooks), ("openshift-cmo-rules", rules)):
            subprocess.run(["git", "clone", "-q", str(SHARED / f"{name}.bundle"), str(target)], check=True)
        os.environ["BRIDGE_HOME"] = str(Path(scratch) / "home")
        from bridge.alerts.linking import measure_suggestions
        from bridge.alerts.links import RunbookResolver
        from bridge.alerts.rules import read_rule_files
        from bridge.store.alerts import runbook_refs
        from bridge.workspace import Workspace

        yaml_files = [path.relative_to(rules).as_posix() for path in rules.rglob("*.yaml")]
        parsed = read_rule_files(rules, yaml_files)
        with Workspace.open() as workspace:
            workspace.import_paths([runbooks])
            resolver = RunbookResolver(runbook_refs(workspace.engine))
            modes = ("keyword",) if keyword_only else ("keyword", "hybrid")
            if not keyword_only:
                workspace.warm_up()
            for mode in modes:
                def search(query: str, mode: str = mode) -> list[tuple[str, float]]:
                    return [(hit.key, hit.score) for hit in workspace.search(query, k=5, kind="runbook", mode=mode)]  # type: ignore[arg-type]

                for margin in MARGINS:
                    alone = measure_suggestions(parsed.rules, resolver, search, margin=margin, by_name=False)
                    named = measure_suggestions(parsed.rules, resolver, search, margin=margin, by_name=True)
                    print(f"  {mode:<8} margin {margin:>3}: search alone suggested {alone.suggested}/{alone.rules}, "
                          f"precision {alone.precision:.3f}, recall {alone.recall:.3f}; with name step precision "
                          f"{named.precision:.3f}, recall {named.recall:.3f}; runbook absent: wrong suggestion for "
                          f"{alone.suggested_when_absent}/{alone.rules} ({alone.false_suggestion_rate:.3f})")
            start = time.perf_counter()
            report = workspace.import_paths([rules])
            import_seconds = time.perf_counter() - start
            start = time.perf_counter()
            workspace.search("Prometheus rule evaluation failures", k=10, mode="keyword")
            search_seconds = time.perf_counter() - start
            linked = workspace.alerts(state="linked")
            payload = {"version": "4", "status": "firing", "alerts": [
                {"status": "firing", "labels": {"alertname": alert.rule.name, **alert.rule.labels},
                 "annotations": alert.rule.annotations} for alert in linked]}
            start = time.perf_counter()
            answers = workspace.runbooks_for_alert(json.dumps(payload))
            alert_seconds = time.perf_counter() - start
        print(f"  import of {report.alert_rules} alerting rules (parse, store, link): {import_seconds:.3f} s")
        print(f"  one keyword search (baseline): {search_seconds * 1000:.1f} ms")
        print(f"  runbooks for a payload of {len(answers)} alerts: {alert_seconds:.3f} s "
              f"({alert_seconds / max(search_seconds, 1e-9):.1f}× one search)")


if __name__ == "__main__":
    main()

"""What `bridge alerts` and `bridge alert` print on a terminal: whole alert names, and hostile payload text made inert."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.integration.test_alerts_workspace import ops_repo  # noqa: F401  (the fixture)


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the bridge CLI in a subprocess with an 80-column terminal width."""
    env = {**os.environ, "COLUMNS": "80"}
    return subprocess.run([sys.executable, "-m", "bridge", *args], capture_output=True, text=True, input=stdin,
                          env=env, timeout=120)


def test_alert_names_are_never_cut_in_the_table(ops_repo: Path) -> None:  # noqa: F811
    run("import", str(ops_repo))
    listed = run("alerts")
    assert listed.returncode == 0, listed.stderr
    for name in ("VolumeFillingUp", "CertificateExpiring", "DnsLatencyHigh", "GatewayGone", "LinkFlapping"):
        assert name in listed.stdout


def test_a_hostile_alert_name_is_printed_literally(ops_repo: Path) -> None:  # noqa: F811
    run("import", str(ops_repo))
    payload = {"version": "4", "status": "firing", "alerts": [{
        "status": "firing", "labels": {"alertname": "Evil[bold red]X\x1b[31mY", "severity": "warning"},
        "annotations": {"description": "Quasar ledger volume is full."}}]}
    shown = run("alert", "-", stdin=json.dumps(payload))
    assert shown.returncode == 0, shown.stderr
    assert "\x1b" not in shown.stdout
    assert "Evil[bold red]X" in shown.stdout

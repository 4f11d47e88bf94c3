"""The search box answers a pasted Alertmanager payload or an alert name with the alerts' runbooks."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Input

from bridge.config import load_settings
from bridge.tui.screens.search import SearchScreen
from bridge.tui.widgets.hit_list import HitList
from bridge.tui.widgets.status_line import StatusLine
from bridge.workspace import Workspace
from tests.conftest import write_file
from tests.tui.pilot_helpers import make_app, screen_of, started, type_text

RUNBOOK = "# {name}\n\n## Meaning\n\n{meaning}\n\n## Diagnosis\n\nLook at it.\n\n## Mitigation\n\nFix it.\n"
RULES = """\
groups:
- name: storage
  rules:
  - alert: VolumeFillingUp
    expr: used > 0.9
    labels: {severity: critical}
    annotations:
      runbook_url: runbooks/VolumeFillingUp.md
"""


async def test_pasted_payload_and_alert_name_show_the_linked_runbook(tmp_path: Path, bridge_home: Path) -> None:
    write_file(tmp_path, "kb/runbooks/VolumeFillingUp.md", RUNBOOK.format(name="VolumeFillingUp", meaning="Disk."))
    write_file(tmp_path, "kb/runbooks/VolumeReplay.md", RUNBOOK.format(name="VolumeReplay", meaning="Volume filling."))
    write_file(tmp_path, "kb/rules/storage.yaml", RULES)
    settings = load_settings()
    with Workspace.open(settings) as workspace:
        workspace.import_paths([tmp_path / "kb"])
        linked = workspace.alerts()[0].link.runbook
    payload = json.dumps({"version": "4", "alerts": [
        {"status": "firing", "labels": {"alertname": "VolumeFillingUp", "severity": "critical"}, "annotations": {}}]})
    async with make_app(settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        screen = screen_of(app, SearchScreen)
        await type_text(pilot, payload)
        hits = screen.query_one(HitList).hits
        assert [hit.key for hit in hits] == [linked] and hits[0].section == "Diagnosis"
        assert "alert → runbook" in screen.query_one(StatusLine).results_text
        screen.query_one("#query", Input).value = ""
        await type_text(pilot, "volumefillingup")
        assert [hit.key for hit in screen.query_one(HitList).hits] == [linked]
        screen.query_one("#query", Input).value = ""
        await type_text(pilot, "volume filling")
        assert "alert → runbook" not in screen.query_one(StatusLine).results_text

"""A runbook that alerting rules point at counts as more important, through the real import of rules and runbooks."""

from __future__ import annotations

from pathlib import Path

from bridge.workspace import Workspace
from tests.integration.test_alerts_workspace import ops_repo  # noqa: F401  (the fixture)


def test_linked_alerts_raise_a_runbooks_importance(ops_repo: Path) -> None:  # noqa: F811
    with Workspace.open() as workspace:
        workspace.import_paths([ops_repo])
        keys = {record.source_path: record.key.upper() for record in workspace.list_records()}
        volume, flapping = keys["runbooks/storage/VolumeFillingUp.md"], keys["runbooks/network/LinkFlapping.md"]
        unlinked = keys["runbooks/certs/RotateCertificates.md"]  # only suggested, not linked
        counts = workspace.alert_counts()
        assert counts == {volume: 2, flapping: 1}
        importance = workspace.importance_map()
        terms = {term.name: term.value for term in importance[volume].terms}
        assert terms["alerts"] == 2
        assert importance[volume].score > importance[unlinked].score
        assert importance[flapping].score > importance[unlinked].score

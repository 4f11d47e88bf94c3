"""Departure handoff on the prometheus-runbooks corpus with its real git history.

The records the plan says would be orphaned are checked against the Truck-Factor oracle of
test_knowledge_truck_factor (degree of authorship computed from ``git log --follow`` independently of bridge).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bridge.cli import _register_commands, app
from bridge.config import load_settings
from bridge.workspace import Workspace
from tests.integration.test_knowledge_truck_factor import file_commits_oldest_first, truck_factor

pytestmark = pytest.mark.slow


def test_handoff_plan_orders_by_importance_and_measures_progress(corpus, bridge_home: Path) -> None:
    repo = corpus("prometheus-runbooks")
    (bridge_home / "bridge.toml").write_text("[knowledge]\nowners_count = false\n", encoding="utf-8")
    with Workspace.open(load_settings()) as workspace:
        workspace.import_paths([repo])
        records = workspace.list_records()
        top = workspace.knowledge_map().overall.knowers[0]
        _, _, authors_of = truck_factor(repo, sorted(r.source_path for r in records),
                                        tie_key=lambda emails: workspace.find_person(min(emails)).handle)
        leaver = workspace.find_person(top.handle)
        top_emails = {alias.lower() for alias in leaver.aliases + leaver.emails}
        same_history = {
            record.key for record in records
            if [rev.commit for rev in workspace.history(record.key) if rev.source == "git"]
            == [commit for commit, _, _ in file_commits_oldest_first(repo, record.source_path)]
        }
        oracle_orphaned = {
            record.key for record in records
            if record.key in same_history and authors_of[record.source_path]
            and authors_of[record.source_path] <= top_emails
        }
        # People read some runbooks more than others: the plan must put those first.
        kube_state = sorted(key for key in oracle_orphaned
                            if workspace.get_record(key).topics == ["kube-state-metrics"])
        assert len(kube_state) >= 3
        most_read, second_read = kube_state[-1], kube_state[-2]
        for _ in range(7):
            workspace.record_open(most_read)
        for _ in range(3):
            workspace.record_open(second_read)
        workspace.record_citations([second_read])

        plan = workspace.handoff(top.person, by=date(2027, 1, 31))

        orphan_items = {item.key for item in plan.items if item.action == "co-edit"}
        assert orphan_items & same_history == oracle_orphaned
        importances = [item.importance for item in plan.items]
        assert importances == sorted(importances, reverse=True)
        assert [item.key for item in plan.items[:2]] == [most_read, second_read]
        assert plan.items[0].importance == 4.0  # 1 + log2(1 + 7 opens)
        assert plan.done == 0 and plan.record_key.startswith("HO-")
        stored = workspace.get_record(plan.record_key)
        assert stored.kind == "handoff" and stored.body.count("* [ ] ") == len(plan.items)
        assert workspace.search("Handoff plan", mode="keyword")[0].key == plan.record_key

        topic = workspace.get_record(most_read).topics[0]
        topic_before = workspace.knowledge_map(topic=topic).topics[0].bus_factor
        topic_items = [item for item in plan.items if topic in item.topics]
        assert all(item.successors for item in topic_items)
        for item in topic_items:
            workspace.mark_reviewed(item.key, measured_name(workspace, item.successors[0]))

        measured = workspace.handoff(top.person)
        done = {item.key for item in measured.items if item.done}
        assert done == {item.key for item in topic_items}
        assert measured.done == len(topic_items) < len(measured.items)
        topic_after = workspace.knowledge_map(topic=topic).topics[0].bus_factor
        assert (topic_before, topic_after) == (1, 2)
        stored = workspace.get_record(plan.record_key)
        assert stored.version == 2 and stored.body.count("* [x] ") == len(topic_items)
        # The plan record stays out of the bus-factor analysis.
        assert workspace.knowledge_map().overall.records == len(records)

    _register_commands()
    result = CliRunner().invoke(app, ["handoff", top.person, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["person"] == top.person and data["progress"] == {"done": len(topic_items), "total": len(plan.items)}
    first = data["items"][0]
    assert set(first) == {"key", "title", "importance", "successors", "action", "done"}
    assert first["key"] == most_read and first["done"] is True
    assert first["successors"] == [workspace_name(plan.items[0].successors[0])]


def workspace_name(handle: str) -> str:
    """Return a person's display name by handle."""
    with Workspace.open(load_settings()) as workspace:
        return workspace.find_person(handle).name


def measured_name(workspace: Workspace, handle: str) -> str:
    """Return the display name a reviewer types for a handle (as in ``bridge review KEY --as NAME``)."""
    return workspace.find_person(handle).name

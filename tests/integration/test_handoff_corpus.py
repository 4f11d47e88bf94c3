"""Departure handoff on the prometheus-runbooks corpus with its real git history.

The records the plan says would be orphaned are checked against the Truck-Factor oracle of
test_knowledge_truck_factor (degree of authorship computed from ``git log --follow`` independently of bridge).
"""

from __future__ import annotations

import json
import math
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


def test_report_gains_risk_gaps_and_handoff_sections_in_every_format(corpus, bridge_home: Path) -> None:
    import csv
    import io

    repo = corpus("prometheus-runbooks")
    with Workspace.open(load_settings()) as workspace:
        workspace.import_paths([repo])
        top = workspace.knowledge_map().overall.knowers[0]
        for _ in range(5):
            workspace.record_open("RB-0019")
        workspace.search("where is the expense policy", mode="keyword")
        workspace.record_open("RB-0002")
        plan = workspace.handoff(top.person)
        first = plan.items[0]
        workspace.mark_reviewed(first.key, workspace.find_person(first.successors[0]).name)
        report = workspace.add_usage_sections(workspace.report())
        rendered = {fmt: workspace.render_report(report, fmt) for fmt in ("md", "html", "json", "csv")}

    assert report.risks[0].key == "RB-0019" and report.risks[0].importance.score == round(1 + math.log2(6), 4)
    assert [gap.question for gap in report.gaps][:1] == ["where is the expense policy"]
    assert [(p.person, p.done, len(p.items)) for p in report.handoffs] == [(top.person, 1, len(plan.items))]
    markdown = rendered["md"]
    for heading in ("## Most important records with concentrated knowledge", "## Unanswered questions",
                    "## Handoff progress"):
        assert heading in markdown
    assert f"### {top.person} — 1 of {len(plan.items)} handed over" in markdown
    assert "| where is the expense policy | 1 |" in markdown
    html = rendered["html"]
    assert 'id="risk-ranking"' in html and 'id="gaps"' in html and "Handoff progress" in html
    assert f'<progress max="{len(plan.items)}" value="1">' in html
    data = json.loads(rendered["json"])
    assert data["risks"][0]["key"] == "RB-0019" and "explanation" in data["risks"][0]
    assert data["gaps"][0] == {"question": "where is the expense policy", "count": 1, "queries":
                               ["where is the expense policy"], "best_score": data["gaps"][0]["best_score"]}
    assert data["handoffs"][0]["progress"] == {"done": 1, "total": len(plan.items)}
    rows = list(csv.reader(io.StringIO(rendered["csv"])))
    headers = [row[0] for row in rows if row and row[0] in ("topic", "risk_key", "gap_question", "handoff_person")]
    assert headers == ["topic", "risk_key", "gap_question", "handoff_person"]
    handoff_rows = rows[[row[:1] for row in rows].index(["handoff_person"]) + 1:]
    assert sum(1 for row in handoff_rows if row[-1] == "yes") == 1 and len(handoff_rows) == len(plan.items)

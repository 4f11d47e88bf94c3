"""CLI knowledge commands through Typer's runner: knowledge, --without, report gates and --since, onboard, people."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bridge.cli import _register_commands, app
from bridge.cli.knowledge_cmds import FAIL_UNDER_EXIT_CODE
from bridge.workspace import Workspace

_register_commands()
runner = CliRunner()

ALICE = "Alice Smith <alice@example.com>"
BOB = "Bob Jones <bob@example.com>"


def invoke(*args: str):
    """Run bridge with args and return the result."""
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def kb() -> None:
    """Fill the test's knowledge base: etcd written by Alice alone, api by Bob with Alice's review, one decision chain."""
    with Workspace.open() as workspace:
        for title in ("etcd down", "etcd slow", "etcd quota"):
            workspace.new_record("runbook", title, topics=["etcd"], author=ALICE, body=f"# {title}\n", status="active")
        first = workspace.new_record("runbook", "api 500s", topics=["api"], author=BOB, body="# api\n", status="active")
        workspace.new_record("runbook", "api slow", topics=["api"], author=BOB, body="# api slow\n", status="active")
        workspace.mark_reviewed(first.key, ALICE)
        old = workspace.new_record("decision", "Use etcd v2", topics=["etcd"], author=ALICE, body="# v2\n",
                                   status="accepted")
        workspace.new_record("decision", "Use etcd v3", topics=["etcd"], author=ALICE, body="# v3\n",
                             status="accepted", supersedes=[old.key])


def test_knowledge_json_has_the_documented_shape(kb: None) -> None:
    result = invoke("knowledge", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # Alice leaving orphans the 5 etcd records of 7: whole-KB bus factor 1.
    assert data["overall"] == {"bus_factor": 1, "records": 7, "knowers": [
        {"person": "Alice Smith", "records": 6}, {"person": "Bob Jones", "records": 2}]}
    topics = {topic["topic"]: topic for topic in data["topics"]}
    etcd = topics["etcd"]
    assert {"topic", "bus_factor", "records", "knowers", "single_knower_records", "orphaned_records",
            "flags"} <= set(etcd)
    assert (etcd["bus_factor"], etcd["records"]) == (1, 5)
    assert etcd["knowers"] == [{"person": "Alice Smith", "records": 5, "share": 1.0}]
    assert [flag["kind"] for flag in etcd["flags"]] == ["single-person"]
    assert etcd["suggestion"]["person"] == "Bob Jones"
    # Bob wrote both api runbooks, Alice reviewed one: removing Bob orphans 1 of 2, so api survives him.
    assert topics["api"]["bus_factor"] == 2
    assert topics["api"]["single_knower_records"] == ["RB-0005"]  # the runbook Alice did not review
    table = invoke("knowledge", "--topic", "etcd")
    assert "etcd" in table.stdout and "api" not in table.stdout.split("Whole knowledge base")[0]


def test_without_shows_before_and_after_and_orphaned_records(kb: None) -> None:
    result = invoke("knowledge", "--without", "alice@example.com")
    assert result.exit_code == 0, result.output
    assert "If Alice Smith leaves" in result.stdout
    assert "bus factor 1 → 0" in result.stdout and "5 records lose their last active knower" in result.stdout
    data = json.loads(invoke("knowledge", "--without", "Alice Smith", "--json").stdout)
    etcd = next(change for change in data["changes"] if change["topic"] == "etcd")
    assert (etcd["before"], etcd["after"], etcd["trend"]) == (1, 0, "worse")
    assert len(etcd["newly_orphaned"]) == 5 and data["departed"] == ["Alice Smith"]
    unknown = runner.invoke(app, ["knowledge", "--without", "Nobody Here"])
    assert unknown.exit_code == 1 and "Nobody Here" in unknown.stderr


def test_report_fail_under_exit_code_and_since(kb: None, tmp_path: Path) -> None:
    gate = runner.invoke(app, ["report", "--format", "json", "--fail-under", "2"])
    assert gate.exit_code == FAIL_UNDER_EXIT_CODE
    assert "bus factor below 2: etcd (1)" in gate.stderr
    assert json.loads(gate.stdout)["failing_topics"] == ["etcd"]
    assert invoke("report", "--format", "json", "--fail-under", "1").exit_code == 0
    html_path = tmp_path / "reports" / "now.html"
    written = invoke("report", "--format", "html", "--out", str(html_path))
    assert written.exit_code == 0 and html_path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    previous = tmp_path / "before.json"
    before = json.loads(invoke("report", "--format", "json").stdout)
    before["topics"] = [dict(topic, bus_factor=3) if topic["topic"] == "etcd" else topic for topic in before["topics"]]
    previous.write_text(json.dumps(before), encoding="utf-8")
    markdown = invoke("report", "--since", str(previous)).stdout
    assert "| etcd | 3 | 1 | worse |" in markdown and "| api | 2 | 2 | same |" in markdown
    from_html = invoke("report", "--format", "json", "--since", str(html_path))
    assert {t["topic"]: t["trend"] for t in json.loads(from_html.stdout)["trends"]}["etcd"] == "same"
    bad = runner.invoke(app, ["report", "--format", "pdf"])
    assert bad.exit_code == 1 and "--format 'pdf'" in bad.stderr


def test_onboard_gives_reading_path_and_who_to_ask(kb: None) -> None:
    data = json.loads(invoke("onboard", "etcd", "--json").stdout)
    assert [item["title"] for item in data["decisions"]] == ["Use etcd v3"], "a superseded decision is not current"
    assert [item["title"] for item in data["runbooks"]] == ["etcd down", "etcd slow", "etcd quota"]
    assert data["superseded"][0]["old_title"] == "Use etcd v2" and data["superseded"][0]["new_title"] == "Use etcd v3"
    assert data["ask"][0]["person"] == "Alice Smith"
    text = invoke("onboard", "etcd").stdout
    assert "Who to ask" in text and "Alice Smith" in text
    missing = runner.invoke(app, ["onboard", "nope"])
    assert missing.exit_code == 1 and "no records have topic 'nope'" in missing.stderr


def test_people_leave_and_return(kb: None) -> None:
    listed = {p["person"]: p for p in json.loads(invoke("people", "--json").stdout)}
    assert listed["Alice Smith"]["records_known"] == 6 and listed["Alice Smith"]["only_knower_topics"] == ["etcd"]
    assert listed["Bob Jones"]["status"] == "active"
    left = invoke("people", "leave", "Alice Smith", "--on", "2020-01-01")
    assert left.exit_code == 0 and "left on 2020-01-01" in left.stdout
    listed = {p["person"]: p for p in json.loads(invoke("people", "--json").stdout)}
    assert listed["Alice Smith"]["status"] == "left" and listed["Alice Smith"]["left_on"] == "2020-01-01"
    after = json.loads(invoke("knowledge", "--json").stdout)
    etcd = next(topic for topic in after["topics"] if topic["topic"] == "etcd")
    assert etcd["bus_factor"] == 0 and [flag["kind"] for flag in etcd["flags"]][:2] == ["orphaned", "knowers-left"]
    assert invoke("people", "return", "alice@example.com").exit_code == 0
    assert json.loads(invoke("knowledge", "--json").stdout)["overall"]["bus_factor"] == 1
    bad_day = runner.invoke(app, ["people", "leave", "Bob Jones", "--on", "yesterday"])
    assert bad_day.exit_code == 1 and "--on 'yesterday' is not a date" in bad_day.stderr


def test_a_report_embeds_the_backlog_with_a_message_before_scoring_searches(
        kb: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bridge.cli import search_cmds

    monkeypatch.setattr(search_cmds, "INLINE_EMBED_LIMIT", 0)  # this small backlog stands for a large one
    assert invoke("search", "--mode", "keyword", "etcd quota").exit_code == 0  # a logged search for the gaps section

    result = runner.invoke(app, ["report", "-f", "json", "-o", str(tmp_path / "report.json")])

    assert result.exit_code == 0, result.output
    assert "embedding" in result.stderr and "chunks for semantic search" in result.stderr
    with Workspace.open() as workspace:
        assert workspace.index_status().pending == 0

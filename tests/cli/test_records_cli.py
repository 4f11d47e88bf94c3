"""CLI record commands through Typer's runner: new, list, show, doctor, errors."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from bridge.cli import _register_commands, app

_register_commands()
runner = CliRunner()


def invoke(*args: str):
    """Run bridge with args and return the result."""
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_new_list_show_round_trip(tmp_path) -> None:
    body = tmp_path / "body.md"
    body.write_text("# Use SQLite\n\n## Context\n\nOne file, zero setup.\n", encoding="utf-8")
    created = invoke("new", "--kind", "decision", "--title", "Use SQLite", "--topic", "storage",
                     "--owner", "storage-maintainers", "--body-file", str(body), "--json")
    assert created.exit_code == 0, created.output
    key = json.loads(created.stdout)["key"]
    listed = json.loads(invoke("list", "--json", "--topic", "storage").stdout)
    assert [r["key"] for r in listed] == [key]
    for field in ("key", "kind", "title", "status", "topics", "owners", "source_path", "updated_at"):
        assert field in listed[0]
    shown = json.loads(invoke("show", key.lower(), "--json").stdout)
    assert shown["body"] == body.read_text(encoding="utf-8")
    assert shown["contributors"][0]["person"] == "Test User"
    assert "links" in shown


def test_new_from_runbook_template_has_the_runbook_sections() -> None:
    result = invoke("new", "--kind", "runbook", "--title", "Disk full", "--json")
    assert result.exit_code == 0, result.output
    key = json.loads(result.stdout)["key"]
    body = json.loads(invoke("show", key, "--json").stdout)["body"]
    for heading in ("Meaning", "Impact", "Diagnosis", "Mitigation", "Escalation"):
        assert heading in body


def test_unknown_key_is_one_clear_line_and_exit_1() -> None:
    result = runner.invoke(app, ["show", "ADR-9999"])
    assert result.exit_code == 1
    assert "no record with key 'ADR-9999'" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_bad_kind_is_refused() -> None:
    result = runner.invoke(app, ["new", "--kind", "memo", "--title", "x"])
    assert result.exit_code == 1
    assert "unknown kind 'memo'" in result.stderr


def test_doctor_reports_a_healthy_new_database() -> None:
    result = invoke("doctor", "--json")
    assert result.exit_code == 0
    checks = {c["name"]: c["ok"] for c in json.loads(result.stdout)}
    assert checks["sqlite integrity"] and checks["schema version"]


def test_bad_config_file_is_reported_with_its_path(bridge_home) -> None:
    (bridge_home / "bridge.toml").write_text("search = [unclosed", encoding="utf-8")
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 1
    assert "bridge.toml" in result.stderr and "not valid TOML" in result.stderr


def test_bare_bridge_without_a_terminal_imports_the_demo_and_lists_it() -> None:
    result = runner.invoke(app, [])
    assert result.exit_code == 0, result.output
    assert "imported bridge's own knowledge base" in result.stderr
    listed = json.loads(invoke("list", "--json").stdout)
    assert len(listed) >= 25
    assert {"ADR-0003", "RB-0001"} <= {r["key"] for r in listed}
    assert runner.invoke(app, []).stderr == "", "the demo is imported only once"


def test_edit_from_a_file_saves_a_revision_and_a_stale_edit_keeps_the_text(tmp_path, monkeypatch, bridge_home) -> None:
    key = json.loads(invoke("new", "--kind", "decision", "--title", "Use SQLite", "--json").stdout)["key"]
    from bridge.workspace import Workspace

    with Workspace.open() as ws:
        text = ws.record_text(key)
    edited = tmp_path / "edited.md"
    edited.write_text(text.replace("status: proposed", "status: accepted") + "\nWe decided.\n", encoding="utf-8")
    result = invoke("edit", key, "--file", str(edited), "--message", "accept")
    assert result.exit_code == 0, result.output
    shown = json.loads(invoke("show", key, "--json", "--history").stdout)
    assert shown["status"] == "accepted" and shown["body"].rstrip().endswith("We decided.")
    assert [h["message"] for h in shown["history"]] == ["create", "accept"]
    assert json.loads(invoke("show", key, "--json").stdout)["version"] == 2

    import bridge.workspace.records as records_module

    original_get = records_module.RecordsMixin.get_record

    def stale_get(self, wanted):
        record = original_get(self, wanted)
        record.version = 1
        return record

    monkeypatch.setattr(records_module.RecordsMixin, "get_record", stale_get)
    edited.write_text(text + "\nMine.\n", encoding="utf-8")
    conflict = runner.invoke(app, ["edit", key, "--file", str(edited)])
    assert conflict.exit_code == 1 and "changed by someone else" in conflict.stderr
    monkeypatch.undo()
    drafts = list((bridge_home / "drafts" / "conflicts").glob(f"{key}-v1-*.md"))
    assert len(drafts) == 1 and drafts[0].read_text(encoding="utf-8").endswith("Mine.\n")
    assert drafts[0].name in conflict.stderr.replace("\n", "")


def test_editing_with_a_body_only_file_keeps_the_records_fields(tmp_path) -> None:
    created = invoke("new", "--kind", "runbook", "--title", "Disk full", "--topic", "storage", "--owner", "dba-team",
                     "--json")
    key = json.loads(created.stdout)["key"]
    body = json.loads(invoke("show", key, "--json").stdout)["body"]
    edited = tmp_path / "body.md"
    edited.write_text(body + "\nGrow the volume by a fifth.\n", encoding="utf-8")

    result = runner.invoke(app, ["edit", key, "--file", str(edited)])

    assert result.exit_code == 0, result.output
    assert "no front matter" in " ".join(result.stderr.split())
    shown = json.loads(invoke("show", key, "--json").stdout)
    assert (shown["title"], shown["topics"], shown["owners"]) == ("Disk full", ["storage"], ["dba-team"])
    assert shown["body"].rstrip().endswith("Grow the volume by a fifth.") and shown["version"] == 2


def test_restore_and_review_from_the_command_line() -> None:
    key = json.loads(invoke("new", "--kind", "runbook", "--title", "Disk full", "--json").stdout)["key"]
    from bridge.workspace import Workspace

    with Workspace.open() as ws:
        record = ws.get_record(key)
        record.body = "replaced"
        ws.save_record(record, expected_version=1)
    assert invoke("restore", key, "1").exit_code == 0
    shown = json.loads(invoke("show", key, "--json").stdout)
    assert "Meaning" in shown["body"] and shown["version"] == 3
    assert invoke("review", key, "--as", "Reviewer <r@example.com>").exit_code == 0
    roles = {c["person"]: c["roles"] for c in json.loads(invoke("show", key, "--json").stdout)["contributors"]}
    assert "reviewer" in roles["Reviewer"]


def test_doctor_prints_a_multi_line_detail_as_lines(monkeypatch) -> None:
    from bridge.domain import HealthCheck
    from bridge.workspace import Workspace

    detail = "onnx-int8 chosen\n    torch-float32: 8.4 chunks/s\n    onnx-int8: 45.8 chunks/s \x1b[31m"
    monkeypatch.setattr(Workspace, "doctor", lambda self, repair=False: [HealthCheck("encoder backend", True, detail)])
    result = invoke("doctor")
    assert result.exit_code == 0, result.output
    assert "\\x0a" not in result.output and "\x1b" not in result.output
    assert "    torch-float32: 8.4 chunks/s" in result.output.splitlines()


def test_an_unknown_kind_or_status_filter_is_an_error_naming_the_choices() -> None:
    banana = runner.invoke(app, ["list", "--kind", "banana"])
    assert banana.exit_code == 2 and "unknown kind 'banana'" in banana.stderr and "runbook" in banana.stderr
    nope = runner.invoke(app, ["search", "disk", "--kind", "runbook", "--status", "accepted"])
    assert nope.exit_code == 2 and "unknown status 'accepted' for a runbook" in " ".join(nope.stderr.split())
    assert runner.invoke(app, ["list", "--status", "accepted"]).exit_code == 0

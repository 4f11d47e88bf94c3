"""Alerting rules through the workspace and the CLI: real git repos, the openshift corpora, real SQLite search."""

from __future__ import annotations

import json
import os
import posixpath
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bridge.workspace import Workspace
from tests.conftest import clone_corpus, write_file


def git(repo: Path, *args: str, author: str = "Ann Author <ann@example.com>", date: str = "2024-01-01T10:00:00") -> None:
    """Run git in repo as author at date."""
    name, email = author[:-1].split(" <")
    env = {**os.environ, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name,
           "GIT_COMMITTER_EMAIL": email, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)


RUNBOOK = "# {name}\n\n## Meaning\n\n{meaning}\n\n## Impact\n\nUsers notice.\n\n## Diagnosis\n\nCheck {name}.\n\n## Mitigation\n\nFix it.\n"

RULES = """\
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: storage
spec:
  groups:
  - name: storage.rules
    rules:
    - record: volume:used:ratio
      expr: sum(used) / sum(size)
    - alert: VolumeFillingUp
      expr: volume:used:ratio > 0.9
      for: 5m
      labels:
        severity: critical
      annotations:
        summary: Volume {{ $labels.volume }} is filling up.
        description: Quasar ledger volume is {{ $value | humanizePercentage }} full.
        runbook_url: https://github.com/acme/ops/blob/main/runbooks/storage/VolumeFillingUp.md
    - alert: VolumeFillingUp
      expr: volume:used:ratio > 0.8
      labels:
        severity: warning
      annotations:
        runbook_url: https://docs.acme.dev/runbooks/storage/volumefillingup/
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: network
spec:
  groups:
  - name: network.rules
    rules:
    - alert: LinkFlapping
      expr: changes(up[10m]) > 4
      labels:
        severity: warning
      annotations:
        runbook_url: ../runbooks/network/LinkFlapping.md
    - alert: GatewayGone
      expr: absent(up{job="gateway"})
      labels:
        severity: critical
      annotations:
        runbook_url: https://github.com/acme/ops/blob/main/runbooks/network/GatewayGone.md
    - alert: CertificateExpiring
      expr: cert_expiry_seconds < 86400
      labels:
        severity: warning
      annotations:
        summary: A TLS certificate expires within a day.
"""

PLAIN = """\
groups:
- name: dns
  rules:
  - alert: DnsLatencyHigh
    expr: histogram_quantile(0.99, rate(dns_seconds_bucket[5m])) > 1
    labels:
      severity: info
    annotations:
      description: "DNS answers take {{ $value }}s on {{ $labels.instance }}."
"""


@pytest.fixture
def ops_repo(tmp_path: Path) -> Path:
    """Return a git repo with runbooks and rule files: manifests, plain groups, a broken file and other YAML."""
    repo = tmp_path / "ops"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write_file(repo, "runbooks/storage/VolumeFillingUp.md", RUNBOOK.format(name="VolumeFillingUp", meaning="Disk fills."))
    write_file(repo, "runbooks/network/LinkFlapping.md", RUNBOOK.format(name="LinkFlapping", meaning="Links flap."))
    write_file(repo, "runbooks/network/DnsLatencyHigh.md", RUNBOOK.format(name="DnsLatencyHigh", meaning="DNS is slow."))
    write_file(repo, "runbooks/certs/RotateCertificates.md", RUNBOOK.format(
        name="RotateCertificates", meaning="TLS certificate expires; rotate the certificate before it expires."))
    write_file(repo, "rules/platform.yaml", RULES)
    write_file(repo, "rules/dns.yml", PLAIN)
    write_file(repo, "rules/values.yaml", "replicas: 3\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "runbooks and rules")
    write_file(repo, "rules/broken.yaml", "groups:\n- name: x\n  rules:\n  - alert: Broken\n    expr: up\n   labels: [\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "a broken rule file", author="Bo Builder <bo@example.com>", date="2024-02-01T10:00:00")
    return repo


def test_import_stores_rules_links_them_and_reports_bad_files(ops_repo: Path) -> None:
    with Workspace.open() as workspace:
        report = workspace.import_paths([ops_repo])
        assert report.alert_rules == 6
        assert [(failure.path, failure.line) for failure in report.failed] == [("rules/broken.yaml", 6)]
        assert "rules/values.yaml" in report.skipped and "rules/platform.yaml" not in report.skipped
        by_name = {(alert.rule.name, alert.rule.severity): alert for alert in workspace.alerts()}
        states = {key: (alert.link.state, alert.runbook_path or None) for key, alert in by_name.items()}
        assert states == {
            ("VolumeFillingUp", "critical"): ("linked", "runbooks/storage/VolumeFillingUp.md"),
            ("VolumeFillingUp", "warning"): ("linked", "runbooks/storage/VolumeFillingUp.md"),
            ("LinkFlapping", "warning"): ("linked", "runbooks/network/LinkFlapping.md"),
            ("GatewayGone", "critical"): ("dead", None),
            ("DnsLatencyHigh", "info"): ("suggested", "runbooks/network/DnsLatencyHigh.md"),
            ("CertificateExpiring", "warning"): ("suggested", "runbooks/certs/RotateCertificates.md"),
        }
        volume = by_name[("VolumeFillingUp", "critical")]
        assert volume.rule.summary == "Volume {{ $labels.volume }} is filling up."
        assert volume.commits == 1 and volume.last_author == "Ann Author" and volume.rule.duration == "5m"
        coverage = workspace.alert_coverage()
        assert coverage.totals.linked == 3 and coverage.totals.dead == 1
        assert [ref.source_path for ref in coverage.runbooks_without_alerts] == [
            "runbooks/certs/RotateCertificates.md", "runbooks/network/DnsLatencyHigh.md"]
        hits = workspace.search("quasar ledger", k=3, mode="keyword")
        assert hits and hits[0].source_path == "runbooks/storage/VolumeFillingUp.md" and hits[0].section == "Alerts"
        again = workspace.import_paths([ops_repo])
        assert again.alert_rules == 6 and len(workspace.alerts()) == 6


def test_a_fixed_runbook_turns_a_dead_link_into_a_linked_one(ops_repo: Path) -> None:
    with Workspace.open() as workspace:
        workspace.import_paths([ops_repo])
        write_file(ops_repo, "runbooks/network/GatewayGone.md", RUNBOOK.format(name="GatewayGone", meaning="No gateway."))
        workspace.import_paths([ops_repo])
        gone = [alert for alert in workspace.alerts() if alert.rule.name == "GatewayGone"]
        assert [(alert.link.state, alert.runbook_path) for alert in gone] == [("linked", "runbooks/network/GatewayGone.md")]


def test_a_broken_rule_file_keeps_its_earlier_rules(ops_repo: Path) -> None:
    with Workspace.open() as workspace:
        workspace.import_paths([ops_repo])
        (ops_repo / "rules/dns.yml").write_text("groups:\n- name: dns\n  rules:\n  - alert: [\n", encoding="utf-8")
        report = workspace.import_paths([ops_repo])
        assert "rules/dns.yml" in [failure.path for failure in report.failed]
        assert "DnsLatencyHigh" in [alert.rule.name for alert in workspace.alerts()]


def bridge_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the bridge CLI in a subprocess with this test's environment."""
    return subprocess.run([sys.executable, "-m", "bridge", *args], input=stdin, capture_output=True, text=True,
                          env={**os.environ}, timeout=300)


def test_cli_alerts_json_and_fail_under(ops_repo: Path) -> None:
    assert bridge_cli("import", str(ops_repo), "--json").returncode == 1
    again = bridge_cli("import", str(ops_repo))
    assert "alerting rules 6" in again.stdout and "Nothing" not in again.stdout
    listed = bridge_cli("alerts", "--json")
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    assert set(data["summary"]) == {"alerts", "with_runbook_url", "linked", "dead", "missing", "suggested", "by_severity"}
    assert set(data["alerts"][0]) == {"name", "group", "severity", "source_path", "runbook_url", "runbook", "state"}
    assert data["summary"]["linked"] == 3 and data["summary"]["by_severity"]["critical"]["dead"] == 1
    dead = bridge_cli("alerts", "--state", "dead", "--json")
    assert [entry["name"] for entry in json.loads(dead.stdout)["alerts"]] == ["GatewayGone"]
    assert bridge_cli("alerts", "--fail-under", "50").returncode == 0
    assert bridge_cli("alerts", "--fail-under", "60").returncode == 3
    assert bridge_cli("alerts", "--fail-under", "50", "--severity", "critical").returncode == 0
    critical = bridge_cli("alerts", "--fail-under", "70", "--severity", "critical")
    assert critical.returncode == 3 and "50.0%" in critical.stderr
    assert bridge_cli("alerts", "--state", "bogus").returncode == 1


@pytest.fixture(scope="module")
def openshift(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Return clones of openshift-runbooks and openshift-cmo-rules."""
    base = tmp_path_factory.mktemp("openshift")
    return clone_corpus("openshift-runbooks", base / "runbooks"), clone_corpus("openshift-cmo-rules", base / "cmo")


def independent_count(runbooks: Path, rules: Path) -> dict[str, int]:
    """Count alerting rules, URLs and their linked/dead split straight from the YAML and the runbook files."""
    runbook_paths = {path.relative_to(runbooks).as_posix() for path in runbooks.rglob("*.md")}
    counts = {"alerts": 0, "with_runbook_url": 0, "linked": 0, "dead": 0}
    for path in sorted(rules.rglob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if not isinstance(document, dict) or document.get("kind") != "PrometheusRule":
                continue
            for group in document["spec"]["groups"]:
                for rule in group["rules"]:
                    if "alert" not in rule:
                        continue
                    counts["alerts"] += 1
                    url = (rule.get("annotations") or {}).get("runbook_url")
                    if not url:
                        continue
                    counts["with_runbook_url"] += 1
                    path_in_repo = url.split("/blob/", 1)[1].split("/", 1)[1]
                    counts["linked" if posixpath.normpath(path_in_repo) in runbook_paths else "dead"] += 1
    counts["missing_or_suggested"] = counts["alerts"] - counts["with_runbook_url"]
    return counts


def test_openshift_rules_coverage_matches_an_independent_count(openshift: tuple[Path, Path]) -> None:
    runbooks, rules = openshift
    expected = independent_count(runbooks, rules)
    assert expected["alerts"] > 100 and expected["linked"] > 0
    with Workspace.open() as workspace:
        workspace.import_paths([runbooks])
        report = workspace.import_paths([rules])
        assert report.alert_rules == expected["alerts"] and not report.failed
        summary = workspace.alert_coverage().summary()
        assert {key: summary[key] for key in ("alerts", "with_runbook_url", "linked", "dead")} == {
            key: expected[key] for key in ("alerts", "with_runbook_url", "linked", "dead")}
        assert summary["missing"] + summary["suggested"] == expected["missing_or_suggested"]
        for alert in workspace.alerts(state="linked"):
            assert alert.runbook_path.endswith(alert.rule.runbook_url.rsplit("/", 1)[1])


def test_cli_alert_on_a_webhook_payload_of_real_rules(openshift: tuple[Path, Path], tmp_path: Path) -> None:
    runbooks, rules = openshift
    assert bridge_cli("import", str(runbooks)).returncode == 0
    assert bridge_cli("import", str(rules)).returncode == 0
    linked = [entry for entry in json.loads(bridge_cli("alerts", "--json").stdout)["alerts"] if entry["state"] == "linked"]
    chosen = linked[:3]
    payload = {"receiver": "bridge", "status": "firing", "version": "4", "groupKey": "{}:{}", "alerts": [
        {"status": "firing", "labels": {"alertname": entry["name"], "severity": entry["severity"],
                                        "namespace": "openshift-monitoring"},
         "annotations": {"summary": "from a real rule"}, "startsAt": "2026-01-01T00:00:00Z"} for entry in chosen]}
    payload["alerts"].append({"status": "resolved", "labels": {"alertname": "Watchdog"}, "annotations": {}})
    payload_file = tmp_path / "payload.json"
    payload_file.write_text(json.dumps(payload), encoding="utf-8")
    by_file = bridge_cli("alert", str(payload_file), "--json")
    assert by_file.returncode == 0, by_file.stderr
    answers = json.loads(by_file.stdout)
    assert [answer["alert"] for answer in answers] == [entry["name"] for entry in chosen]
    assert [answer["runbook"] for answer in answers] == [entry["runbook"] for entry in chosen]
    assert all(not answer["guess"] and answer["source_path"].endswith(f"{answer['alert']}.md") for answer in answers)
    assert all(set(answer) == {"alert", "runbook", "source_path", "section", "guess", "knowers"} for answer in answers)
    assert any(answer["knowers"] for answer in answers)
    assert all(answer["section"] for answer in answers)
    by_stdin = bridge_cli("alert", "-", "--json", stdin=json.dumps(payload))
    assert json.loads(by_stdin.stdout) == answers
    by_name = json.loads(bridge_cli("alert", chosen[0]["name"], "--json").stdout)
    assert by_name[0]["runbook"] == chosen[0]["runbook"]
    human = bridge_cli("alert", str(payload_file))
    assert chosen[0]["runbook"] in human.stdout and "who knows it" in human.stdout
    bad = bridge_cli("alert", '{"alerts": [{"labels": {}}]}')
    assert bad.returncode == 1 and "alertname" in bad.stderr


def test_mcp_runbook_for_alert_by_name_labels_and_text(ops_repo: Path) -> None:
    import anyio

    from bridge.mcp.server import BridgeMCPServer

    with Workspace.open() as workspace:
        workspace.import_paths([ops_repo])
        server = BridgeMCPServer(workspace, preload_model=False)
        payload = json.dumps({"version": "4", "alerts": [
            {"status": "firing", "labels": {"alertname": "LinkFlapping", "severity": "warning"}, "annotations": {}}]})

        async def scenario() -> None:
            by_name = await server.call("runbook_for_alert", {"name": "VolumeFillingUp"})
            [entry] = by_name.structured_content["alerts"]
            assert entry["source_path"] == "runbooks/storage/VolumeFillingUp.md" and entry["guess"] is False
            assert entry["section"] == "Diagnosis" and entry["knowers"] == ["Ann Author"]
            by_labels = await server.call("runbook_for_alert", {
                "labels": {"alertname": "GatewayGone", "severity": "critical"},
                "annotations": {"summary": "gateway link flapping"}})
            [guess] = by_labels.structured_content["alerts"]
            assert guess["guess"] is True and guess["runbook"] is not None
            by_text = await server.call("runbook_for_alert", {"text": payload})
            assert [item["source_path"] for item in by_text.structured_content["alerts"]] == [
                "runbooks/network/LinkFlapping.md"]
            both = await server.call("runbook_for_alert", {"name": "A", "text": "B"})
            assert both.is_error and "exactly one" in both.content[0].text  # type: ignore[union-attr]

        anyio.run(scenario)


def test_knowledge_report_has_an_alert_coverage_section(ops_repo: Path) -> None:
    with Workspace.open() as workspace:
        before = workspace.report()
        assert before.alert_coverage is None and "alert_coverage" not in before.to_dict()
        workspace.import_paths([ops_repo])
        report = workspace.report()
        data = report.to_dict()["alert_coverage"]
        assert data["summary"]["linked"] == 3 and data["summary"]["by_severity"]["critical"]["dead"] == 1
        volume_key = next(a.link.runbook for a in workspace.alerts() if a.rule.name == "VolumeFillingUp")
        assert data["critical_runbooks"] == [
            {"key": volume_key, "title": data["critical_runbooks"][0]["title"], "alerts": ["VolumeFillingUp"],
             "knowers": ["Ann Author"]}]
        markdown = workspace.render_report(report, "md")
        assert "## Alert coverage" in markdown and "3 linked (50.0%)" in markdown
        html = workspace.render_report(report, "html")
        assert 'id="alert-coverage"' in html and 'id="critical-runbooks"' in html


def test_doctor_counts_the_alert_chunks_of_linked_runbooks_as_current(ops_repo: Path) -> None:
    with Workspace.open() as workspace:
        workspace.import_paths([ops_repo])
        assert any(alert.link.state == "linked" for alert in workspace.alerts())

        checks = {check.name: check for check in workspace.doctor()}

        assert checks["search chunks"].ok, checks["search chunks"].detail
        repaired = {check.name: check for check in workspace.doctor(repair=True)}
        assert "re-chunked" not in repaired["search chunks"].detail

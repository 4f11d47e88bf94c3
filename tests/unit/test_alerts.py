"""The alerts part: rule files, runbook URL shapes, link states, coverage and alert inputs (no store, no model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bridge.alert_types import AlertLink, AlertRule, RunbookRef, StoredAlert
from bridge.alerts.coverage import build_coverage
from bridge.alerts.linking import link_rule, measure_suggestions, suggestion_query
from bridge.alerts.links import RunbookResolver, url_segments
from bridge.alerts.payload import looks_like_alert_input, read_alert_input
from bridge.alerts.rules import parse_rule_text, read_rule_files
from bridge.errors import BridgeError, ParseError
from tests.conftest import write_file

MANIFESTS = """\
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: first
spec:
  groups:
  - name: disk
    rules:
    - record: node:disk:ratio
      expr: sum(x) by (node)
    - alert: DiskFull
      expr: node:disk:ratio > 0.9
      for: 10m
      labels:
        severity: critical
      annotations:
        summary: Disk is full on {{ $labels.node }}.
        description: "{{ $labels.instance }} has {{ $value | humanizePercentage }} used."
        runbook_url: https://github.com/acme/runbooks/blob/main/alerts/storage/DiskFull.md
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: not-rules
data:
  groups: nothing
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
spec:
  groups:
  - name: network
    rules:
    - alert: LinkDown
      expr: up == 0
      labels:
        severity: warning
"""


def test_manifests_with_several_documents_keep_alerting_rules_only() -> None:
    rules, recording = parse_rule_text(MANIFESTS, "rules/all.yaml")  # type: ignore[misc]
    assert [(rule.name, rule.group, rule.document, rule.severity) for rule in rules] == [
        ("DiskFull", "disk", 0, "critical"), ("LinkDown", "network", 2, "warning")]
    assert recording == 1
    disk = rules[0]
    assert disk.summary == "Disk is full on {{ $labels.node }}."
    assert disk.description == "{{ $labels.instance }} has {{ $value | humanizePercentage }} used."
    assert disk.duration == "10m" and disk.expr == "node:disk:ratio > 0.9"
    assert disk.runbook_url.endswith("/DiskFull.md")


def test_plain_rule_groups_are_read() -> None:
    text = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: vector(1)\n  - record: r\n    expr: vector(2)\n"
    rules, recording = parse_rule_text(text, "a.yml")  # type: ignore[misc]
    assert [rule.name for rule in rules] == ["A"] and recording == 1


@pytest.mark.parametrize("text", ["a: 1\nb: [1, 2]\n", "- just\n- a list\n", "groups: 3\n", ""])
def test_other_yaml_is_no_rule_file(text: str) -> None:
    assert parse_rule_text(text, "x.yaml") is None


def test_broken_rule_yaml_names_the_line() -> None:
    text = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n   labels: [\n"
    with pytest.raises(ParseError) as caught:
        parse_rule_text(text, "bad.yaml")
    assert caught.value.line is not None and caught.value.line >= 5
    assert "malformed YAML" in caught.value.reason


def test_broken_yaml_that_is_not_rules_is_ignored() -> None:
    assert parse_rule_text("key: [unclosed\n", "values.yaml") is None


def test_unquoted_template_annotation_is_reported_with_its_line() -> None:
    text = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    annotations:\n      summary: {{ $labels.x }}\n"
    with pytest.raises(ParseError) as caught:
        parse_rule_text(text, "t.yaml")
    assert caught.value.line == 7 and "malformed YAML" in caught.value.reason


def test_annotation_that_is_not_text_is_reported() -> None:
    text = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    annotations:\n      summary: {x: 1}\n"
    with pytest.raises(ParseError) as caught:
        parse_rule_text(text, "t.yaml")
    assert "annotation 'summary' is not text" in caught.value.reason and "(A)" in caught.value.reason


def test_read_rule_files_collects_rules_and_failures(tmp_path: Path) -> None:
    write_file(tmp_path, "good.yaml", MANIFESTS)
    write_file(tmp_path, "bad.yml", "groups:\n- name: g\n  rules:\n  - alert: [\n")
    write_file(tmp_path, "values.yaml", "replicas: 3\n")
    scan = read_rule_files(tmp_path, ["good.yaml", "bad.yml", "values.yaml"])
    assert scan.rule_files == ["bad.yml", "good.yaml"]
    assert [path for path, _reason, _line in scan.failures] == ["bad.yml"]
    assert len(scan.rules) == 2 and scan.recording_rules == 1


RUNBOOKS = [
    RunbookRef("RB-0001", "Disk full", "alerts/storage/DiskFull.md"),
    RunbookRef("RB-0002", "Kube pod crash looping", "kubernetes/KubePodCrashLooping.md"),
    RunbookRef("RB-0003", "Link down (net)", "net/LinkDown.md"),
    RunbookRef("RB-0004", "Link down (edge)", "edge/LinkDown.md"),
]


@pytest.mark.parametrize(("url", "key"), [
    ("https://github.com/acme/runbooks/blob/main/alerts/storage/DiskFull.md", "RB-0001"),
    ("https://raw.githubusercontent.com/acme/runbooks/main/alerts/storage/DiskFull.md", "RB-0001"),
    ("https://runbooks.example.dev/runbooks/kubernetes/kubepodcrashlooping/", "RB-0002"),
    ("https://runbooks.example.dev/runbooks/kubernetes/kubepodcrashlooping#diagnosis", "RB-0002"),
    ("../runbooks/net/LinkDown.md", "RB-0003"),
    ("edge/LinkDown.md", "RB-0004"),
    ("https://example.com/LinkDown", None),
    ("https://github.com/acme/runbooks/blob/main/alerts/storage/Gone.md", None),
])
def test_runbook_url_shapes_resolve_by_path(url: str, key: str | None) -> None:
    ref = RunbookResolver(RUNBOOKS).resolve(url)
    assert (ref.key if ref else None) == key


def test_github_blob_url_drops_owner_repo_and_branch() -> None:
    assert url_segments("https://github.com/o/r/blob/release-4.1/a/B.md") == ["a", "b"]


def rule(name: str, url: str = "", severity: str = "warning", summary: str = "") -> AlertRule:
    annotations = {"runbook_url": url} if url else {}
    if summary:
        annotations["summary"] = summary
    return AlertRule(name, "g", "up", "rules.yaml", labels={"severity": severity}, annotations=annotations)


def test_link_states() -> None:
    resolver = RunbookResolver(RUNBOOKS)

    def search(query: str) -> list[tuple[str, float]]:
        return [("RB-0003", 9.0), ("RB-0004", 2.0)] if "network" in query else [("RB-0003", 3.0), ("RB-0004", 2.9)]

    assert link_rule(rule("DiskFull", RUNBOOKS[0].source_path), resolver, search) == AlertLink("linked", "RB-0001", "runbook_url")
    assert link_rule(rule("Gone", "alerts/Gone.md"), resolver, search).state == "dead"
    named = link_rule(rule("KubePodCrashLooping"), resolver, search)
    assert (named.state, named.runbook) == ("suggested", "RB-0002")
    clear = link_rule(rule("Flaps", summary="network interface flapping"), resolver, search)
    assert (clear.state, clear.runbook) == ("suggested", "RB-0003") and "4.5×" in clear.reason
    assert link_rule(rule("Flaps", summary="interface flapping"), resolver, search).state == "missing"
    assert link_rule(rule("Flaps"), resolver, None).state == "missing"


def test_suggestion_query_splits_the_name_and_drops_templates() -> None:
    query = suggestion_query(rule("KubePodCrashLooping", summary="Pod {{ $labels.pod }} is restarting"))
    assert "Kube Pod Crash Looping" in query and "{{" not in query and "restarting" in query


def test_measure_suggestions_compares_with_the_real_link() -> None:
    resolver = RunbookResolver(RUNBOOKS)
    rules = [rule("DiskFull", "alerts/storage/DiskFull.md"), rule("X", "net/LinkDown.md"), rule("Y")]

    def search(query: str) -> list[tuple[str, float]]:
        return [("RB-0001", 5.0), ("RB-0003", 1.0)] if "Disk" in query else [("RB-0001", 2.0), ("RB-0003", 1.9)]

    measured = measure_suggestions(rules, resolver, search, by_name=False)
    assert (measured.rules, measured.suggested, measured.correct) == (2, 1, 1)
    assert measured.precision == 1.0 and measured.recall == 0.5


def stored(name: str, severity: str, state: str, runbook: str | None) -> StoredAlert:
    return StoredAlert(rule(name, "u" if state in ("linked", "dead") else "", severity), "/r",
                       AlertLink(state, runbook))  # type: ignore[arg-type]


def test_coverage_counts_states_per_severity_and_lists_unused_runbooks() -> None:
    alerts = [stored("A", "critical", "linked", "RB-0001"), stored("B", "critical", "dead", None),
              stored("C", "warning", "missing", None), stored("D", "warning", "suggested", "RB-0002"),
              stored("E", "critical", "linked", "RB-0003")]
    coverage = build_coverage(alerts, RUNBOOKS, {"RB-0001": ["Ann", "Bob"], "RB-0003": ["Cy"]})
    summary = coverage.summary()
    assert {k: summary[k] for k in ("alerts", "with_runbook_url", "linked", "dead", "missing", "suggested")} == {
        "alerts": 5, "with_runbook_url": 3, "linked": 2, "dead": 1, "missing": 1, "suggested": 1}
    assert summary["by_severity"]["critical"]["linked"] == 2 and summary["by_severity"]["warning"]["alerts"] == 2
    assert [ref.key for ref in coverage.runbooks_without_alerts] == ["RB-0002", "RB-0004"]
    assert [item.key for item in coverage.critical_runbooks] == ["RB-0003", "RB-0001"]
    assert round(coverage.totals.linked_share, 1) == 40.0


def test_alert_inputs() -> None:
    payload = {"version": "4", "alerts": [
        {"status": "firing", "labels": {"alertname": "DiskFull", "severity": "critical"}, "annotations": {}},
        {"status": "resolved", "labels": {"alertname": "LinkDown"}}]}
    assert [alert.name for alert in read_alert_input(json.dumps(payload))] == ["DiskFull"]
    assert read_alert_input("KubePodCrashLooping")[0].name == "KubePodCrashLooping"
    pasted = read_alert_input("[FIRING:1] DiskFull on node-3 (critical)", {"DiskFull"})
    assert [(alert.name, bool(alert.text)) for alert in pasted] == [("DiskFull", True)]
    assert read_alert_input("the disk is full", {"DiskFull"})[0].name == ""
    with pytest.raises(BridgeError, match="alertname"):
        read_alert_input('{"alerts": [{"labels": {}}]}')
    with pytest.raises(BridgeError, match="not valid"):
        read_alert_input('{"alerts": [')
    assert looks_like_alert_input(json.dumps(payload), set()) and looks_like_alert_input("diskfull", {"DiskFull"})
    assert not looks_like_alert_input("disk full", {"DiskFull"})

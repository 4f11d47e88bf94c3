"""Alerting rules: read Prometheus rule files, link each rule to its runbook, and measure coverage."""

from bridge.alerts.coverage import build_coverage, select_alerts
from bridge.alerts.linking import link_rule, measure_suggestions
from bridge.alerts.links import RunbookResolver
from bridge.alerts.rules import parse_rule_text, read_rule_files

__all__ = ["RunbookResolver", "build_coverage", "link_rule", "measure_suggestions", "parse_rule_text",
           "read_rule_files", "select_alerts"]

"""Alerting rules, their links to runbooks and coverage figures, shared by the alerts part and every front end.

They live in layer 1 so the store, the report renderers and the front ends can exchange them without importing
the alerts part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

LinkState = Literal["linked", "dead", "missing", "suggested"]
"""How an alerting rule reaches a runbook (see docs/on-call.md)."""

LINK_STATES: tuple[LinkState, ...] = ("linked", "dead", "missing", "suggested")

RUNBOOK_ANNOTATIONS: tuple[str, ...] = ("runbook_url", "runbook", "runbookURL", "runbook_link")
"""Annotation names that carry a rule's runbook link, the first present wins."""


@dataclass
class AlertRule:
    """One Prometheus alerting rule as written in a rule file (templated annotations kept as text)."""

    name: str
    group: str
    expr: str
    source_path: str
    """The rule file's path relative to its import root."""
    duration: str = ""
    """The rule's ``for`` duration as written (``10m``), empty when it fires at once."""
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    document: int = 0
    """Index of the YAML document in the file (0 for single-document files)."""
    position: int = 0
    """Index of the rule among the file's alerting rules."""

    @property
    def severity(self) -> str:
        """Return the ``severity`` label, empty when the rule has none."""
        return self.labels.get("severity", "")

    @property
    def runbook_url(self) -> str:
        """Return the runbook link annotation, empty when the rule has none."""
        for name in RUNBOOK_ANNOTATIONS:
            value = self.annotations.get(name, "").strip()
            if value:
                return value
        return ""

    @property
    def summary(self) -> str:
        """Return the ``summary`` (or ``message``) annotation."""
        return self.annotations.get("summary") or self.annotations.get("message", "")

    @property
    def description(self) -> str:
        """Return the ``description`` annotation."""
        return self.annotations.get("description", "")


@dataclass
class RuleFileScan:
    """What reading candidate rule files found: the alerting rules, the rule files, and the bad ones."""

    rules: list[AlertRule] = field(default_factory=list)
    rule_files: list[str] = field(default_factory=list)
    """Paths (relative to the import root) recognised as rule files, bad ones included."""
    failures: list[tuple[str, str, int | None]] = field(default_factory=list)
    """(path, reason, line) of rule files that could not be read."""
    recording_rules: int = 0
    """Recording rules seen and skipped."""


@dataclass
class RunbookRef:
    """What link resolution needs to know about one imported runbook."""

    key: str
    title: str
    source_path: str
    """Path relative to the runbook's import root."""


@dataclass
class AlertLink:
    """A rule's link to a runbook: its state, the runbook's key and, for suggestions, why it is clearly best."""

    state: LinkState
    runbook: str | None = None
    """Key of the linked or suggested runbook."""
    reason: str = ""
    """How the link was decided (``runbook_url``, ``name match``, ``search margin 2.4×``…)."""


@dataclass
class StoredAlert:
    """An alerting rule as stored: the rule, where it came from, its git history and its link."""

    rule: AlertRule
    source_root: str
    link: AlertLink
    runbook_path: str = ""
    """Source path of the linked or suggested runbook."""
    commits: int = 0
    """Commits that touched the rule file."""
    last_author: str = ""
    last_changed: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the ``bridge alerts --json`` entry."""
        return {
            "name": self.rule.name, "group": self.rule.group, "severity": self.rule.severity,
            "source_path": self.rule.source_path, "runbook_url": self.rule.runbook_url or None,
            "runbook": self.link.runbook, "state": self.link.state,
        }


@dataclass
class StateCounts:
    """Alerting rules per link state, for all rules or one severity."""

    alerts: int = 0
    with_runbook_url: int = 0
    linked: int = 0
    dead: int = 0
    missing: int = 0
    suggested: int = 0

    def add(self, alert: StoredAlert) -> None:
        """Count one rule."""
        self.alerts += 1
        self.with_runbook_url += bool(alert.rule.runbook_url)
        setattr(self, alert.link.state, getattr(self, alert.link.state) + 1)

    @property
    def linked_share(self) -> float:
        """Return the linked rules as a percentage of all (100 when there are none)."""
        return 100.0 * self.linked / self.alerts if self.alerts else 100.0

    def to_dict(self) -> dict[str, int]:
        """Return the counts as a JSON object."""
        return {"alerts": self.alerts, "with_runbook_url": self.with_runbook_url, "linked": self.linked,
                "dead": self.dead, "missing": self.missing, "suggested": self.suggested}


@dataclass
class CriticalRunbook:
    """A runbook that critical alerts point at, with who knows it: the report lists these first."""

    key: str
    title: str
    alerts: list[str]
    """Names of the critical alerts linked to it."""
    knowers: list[str]


@dataclass
class AlertCoverage:
    """How well alerting rules reach runbooks: counts overall and per severity, and the runbooks no rule uses."""

    totals: StateCounts
    by_severity: dict[str, StateCounts]
    alerts: list[StoredAlert]
    runbooks_without_alerts: list[RunbookRef] = field(default_factory=list)
    critical_runbooks: list[CriticalRunbook] = field(default_factory=list)
    """Runbooks behind critical alerts, fewest knowers first (the report's bus-factor weighting)."""

    def summary(self) -> dict[str, Any]:
        """Return the ``summary`` object of ``bridge alerts --json``."""
        data: dict[str, Any] = self.totals.to_dict()
        data["by_severity"] = {severity: counts.to_dict() for severity, counts in sorted(self.by_severity.items())}
        return data

    def to_dict(self) -> dict[str, Any]:
        """Return the ``bridge alerts --json`` document."""
        return {
            "summary": self.summary(),
            "alerts": [alert.to_dict() for alert in self.alerts],
            "runbooks_without_alerts": [
                {"key": ref.key, "title": ref.title, "source_path": ref.source_path}
                for ref in self.runbooks_without_alerts
            ],
        }

    def report_dict(self) -> dict[str, Any]:
        """Return the knowledge report's ``alert_coverage`` object (summary and critical runbooks)."""
        return {
            "summary": self.summary(),
            "critical_runbooks": [
                {"key": item.key, "title": item.title, "alerts": list(item.alerts), "knowers": list(item.knowers)}
                for item in self.critical_runbooks
            ],
            "runbooks_without_alerts": [ref.key for ref in self.runbooks_without_alerts],
        }


@dataclass
class AlertRunbook:
    """``bridge alert``'s answer for one firing alert: the runbook, where to start, who knows it."""

    alert: str
    runbook: str | None
    source_path: str | None = None
    section: str | None = None
    """The heading to start with (Diagnosis, Mitigation…), when the runbook has one."""
    guess: bool = False
    """True when the runbook is the best search hit rather than a link."""
    knowers: list[str] = field(default_factory=list)
    title: str = ""
    state: str = ""
    """The rule's link state when the alert matched a stored rule, else empty."""

    def to_dict(self) -> dict[str, Any]:
        """Return the ``bridge alert --json`` entry."""
        return {"alert": self.alert, "runbook": self.runbook, "source_path": self.source_path,
                "section": self.section, "guess": self.guess, "knowers": list(self.knowers)}

"""Coverage of alerting rules by runbooks: counts per link state and severity, unused runbooks, critical runbooks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bridge.alert_types import AlertCoverage, CriticalRunbook, LinkState, RunbookRef, StateCounts, StoredAlert

CRITICAL_SEVERITIES: frozenset[str] = frozenset({"critical", "page", "p1", "sev1"})
"""Severity labels treated as critical when weighting runbooks in the knowledge report."""


def select_alerts(alerts: Sequence[StoredAlert], *, severity: str | None = None,
                  state: LinkState | None = None) -> list[StoredAlert]:
    """Return the alerts with the given severity label and link state (None: any)."""
    return [alert for alert in alerts
            if (severity is None or alert.rule.severity.lower() == severity.lower())
            and (state is None or alert.link.state == state)]


def build_coverage(alerts: Sequence[StoredAlert], runbooks: Sequence[RunbookRef],
                   knowers: Mapping[str, Sequence[str]] | None = None) -> AlertCoverage:
    """Return coverage figures of the alerts, the runbooks no rule links to, and runbooks behind critical alerts.

    knowers maps runbook keys to their active knowers; critical runbooks are ordered fewest knowers first, so a
    runbook a critical alert depends on and one person knows heads the list.
    """
    totals = StateCounts()
    by_severity: dict[str, StateCounts] = {}
    for alert in alerts:
        totals.add(alert)
        by_severity.setdefault(alert.rule.severity or "none", StateCounts()).add(alert)
    linked_keys = {alert.link.runbook for alert in alerts if alert.link.state == "linked"}
    unused = [ref for ref in runbooks if ref.key not in linked_keys]
    critical: dict[str, list[str]] = {}
    for alert in alerts:
        if alert.link.state == "linked" and alert.link.runbook and alert.rule.severity.lower() in CRITICAL_SEVERITIES:
            names = critical.setdefault(alert.link.runbook, [])
            if alert.rule.name not in names:
                names.append(alert.rule.name)
    titles = {ref.key: ref.title for ref in runbooks}
    known = knowers or {}
    critical_runbooks = sorted(
        (CriticalRunbook(key, titles.get(key, key), sorted(names), list(known.get(key, [])))
         for key, names in critical.items()),
        key=lambda item: (len(item.knowers), -len(item.alerts), item.key),
    )
    ordered = sorted(alerts, key=lambda alert: (alert.rule.source_path, alert.rule.position))
    return AlertCoverage(totals, by_severity, ordered, unused, critical_runbooks)

"""Alert side of the workspace: link alerting rules to runbooks, coverage, and alert → runbook in one step.

Workspace lists this mixin first, so its ``import_paths`` wraps the records one: after every import the rules'
links are recomputed (runbooks may have arrived, moved or gone) and runbooks whose linked alerts changed are
re-chunked, which makes the alerts' names and annotations searchable as part of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bridge.alert_types import AlertCoverage, AlertLink, AlertRunbook, LinkState, StoredAlert
from bridge.domain import ImportReport, Record, RecordKind, SearchHit
from bridge.errors import BridgeError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from bridge.alerts.payload import FiringAlert
    from bridge.config import Settings
    from bridge.knowledge_types import KnowledgeMap, KnowledgeReport
    from bridge.search_types import SearchMode
    from bridge.workspace.records import ProgressCallback

START_SECTIONS: tuple[str, ...] = ("diagnos", "mitigat", "troubleshoot", "investigat", "remediat", "resolution")
"""Heading words of the section an engineer on call starts with, in order of preference."""
SUGGESTION_HITS = 5


class AlertsMixin:
    """Alert methods of Workspace (see docs/on-call.md)."""

    settings: Settings
    engine: Engine

    if TYPE_CHECKING:
        def on_records_changed(self, record_ids: list[int]) -> None: ...
        def search(self, query: str, *, k: int = 10, kind: str | None = None, status: str | None = None,
                   topic: str | None = None, owner: str | None = None, author: str | None = None,
                   mode: SearchMode = "hybrid") -> list[SearchHit]: ...
        def knowledge_map(self, topic: str | None = None, without: Sequence[str] = (),
                          as_of: date | None = None) -> KnowledgeMap: ...
        def get_record(self, key: str) -> Record: ...

    def import_paths(
        self, paths: Sequence[Path], *, kind: RecordKind | None = None, progress: ProgressCallback | None = None
    ) -> ImportReport:
        """Import records and rule files, then relink every alerting rule to the runbooks now imported."""
        report: ImportReport = super().import_paths(paths, kind=kind, progress=progress)  # type: ignore[misc]
        self.relink_alerts()
        return report

    def report(self, *, as_of: date | None = None, since: Path | None = None,
               fail_under: int | None = None) -> KnowledgeReport:
        """Return the periodic knowledge report, with its alert-coverage section when rules are imported."""
        report: KnowledgeReport = super().report(as_of=as_of, since=since, fail_under=fail_under)  # type: ignore[misc]
        coverage = self.alert_coverage()
        if coverage.totals.alerts:
            knowers = {detail.key: list(detail.knowers) for detail in report.map.record_details}
            from bridge.alerts.coverage import build_coverage
            from bridge.store.alerts import runbook_refs

            report.alert_coverage = build_coverage(coverage.alerts, runbook_refs(self.engine), knowers)
        return report

    def relink_alerts(self) -> int:
        """Recompute every rule's link state, re-chunk runbooks whose linked alerts changed; return rules linked."""
        from bridge.alerts.linking import link_rule
        from bridge.alerts.links import RunbookResolver
        from bridge.store import alerts as alert_store

        stored = alert_store.list_alerts(self.engine)
        if not stored:
            return 0
        resolver = RunbookResolver(alert_store.runbook_refs(self.engine, kind=None))
        suggestions = RunbookResolver(alert_store.runbook_refs(self.engine))
        changed: dict[int, AlertLink] = {}
        touched: set[str] = set()
        for row_id, alert in stored:
            link = link_rule(alert.rule, resolver if alert.rule.runbook_url else suggestions, self._runbook_search)
            if (link.state, link.runbook, link.reason) != (alert.link.state, alert.link.runbook, alert.link.reason):
                changed[row_id] = link
                if alert.link.state == "linked" or link.state == "linked":
                    touched.update(key for key in (alert.link.runbook, link.runbook) if key)
        if changed:
            alert_store.store_links(self.engine, changed)
        record_ids = alert_store.record_ids_for_keys(self.engine, touched)
        if record_ids:
            self.on_records_changed(record_ids)
        return sum(1 for row_id, alert in stored if changed.get(row_id, alert.link).state == "linked")

    def _runbook_search(self, query: str) -> list[tuple[str, float]]:
        """Return (key, score) of the best keyword hits among runbooks (no model needed)."""
        return [(hit.key, hit.score) for hit in self.search(query, k=SUGGESTION_HITS, kind="runbook", mode="keyword")]

    def alerts(self, *, severity: str | None = None, state: LinkState | None = None) -> list[StoredAlert]:
        """Return stored alerting rules with their links, filtered by severity label and link state."""
        from bridge.alerts.coverage import select_alerts
        from bridge.store.alerts import list_alerts

        return select_alerts([alert for _id, alert in list_alerts(self.engine)], severity=severity, state=state)

    def alert_coverage(self, *, severity: str | None = None, state: LinkState | None = None,
                       with_knowers: bool = False) -> AlertCoverage:
        """Return coverage of the rules of a severity (all: None), listing those in state, and unused runbooks."""
        from bridge.alerts.coverage import build_coverage
        from bridge.store.alerts import runbook_refs

        alerts = self.alerts(severity=severity)
        knowers: dict[str, list[str]] = {}
        if with_knowers and alerts:
            knowers = {detail.key: list(detail.knowers) for detail in self.knowledge_map().record_details}
        coverage = build_coverage(alerts, runbook_refs(self.engine), knowers)
        if state is not None:
            coverage.alerts = [alert for alert in coverage.alerts if alert.link.state == state]
        return coverage

    def runbooks_for_alert(self, text: str, *, mode: SearchMode = "keyword") -> list[AlertRunbook]:
        """Return, per firing alert in a webhook payload, alert name or pasted text, its runbook and who knows it."""
        from bridge.alerts.payload import read_alert_input
        from bridge.store.alerts import list_alerts

        stored = [alert for _id, alert in list_alerts(self.engine)]
        firing = read_alert_input(text, {alert.rule.name for alert in stored})
        return self.runbooks_for_alerts(firing, stored, mode=mode)

    def alert_search_hits(self, text: str) -> list[SearchHit] | None:
        """Return runbook hits when text is an alert payload or a stored alert's name, else None (search as usual)."""
        from bridge.alerts.payload import looks_like_alert_input
        from bridge.store.alerts import alert_names

        stripped = text.strip()
        if not stripped:
            return None
        names = alert_names(self.engine) if stripped[0] not in "{[" else set()
        if not looks_like_alert_input(stripped, names):
            return None
        hits: list[SearchHit] = []
        for answer in self.runbooks_for_alert(stripped):
            if answer.runbook is None or any(hit.key == answer.runbook for hit in hits):
                continue
            knowers = ", ".join(answer.knowers) or "nobody recorded"
            guess = " (a guess)" if answer.guess else ""
            record = self.get_record(answer.runbook)
            hits.append(SearchHit(
                key=record.key, title=record.title, kind=record.kind, status=record.status,
                score=1.0, section=answer.section or "", source_path=answer.source_path or "",
                snippet=f"{answer.alert}{guess} → start at {answer.section or 'the top'}; who knows it: {knowers}",
            ))
        return hits

    def runbooks_for_labels(self, labels: dict[str, str], annotations: dict[str, str] | None = None,
                            *, mode: SearchMode = "keyword") -> list[AlertRunbook]:
        """Return the runbook for one alert given by its labels (``alertname`` required) and annotations."""
        from bridge.alerts.payload import FiringAlert
        from bridge.store.alerts import list_alerts

        name = labels.get("alertname", "").strip()
        if not name:
            raise BridgeError("labels must include 'alertname'")
        stored = [alert for _id, alert in list_alerts(self.engine)]
        firing = [FiringAlert(name=name, labels=dict(labels), annotations=dict(annotations or {}))]
        return self.runbooks_for_alerts(firing, stored, mode=mode)

    def runbooks_for_alerts(self, firing: Sequence[FiringAlert], stored: Sequence[StoredAlert], *,
                            mode: SearchMode = "keyword") -> list[AlertRunbook]:
        """Return each firing alert's runbook: its rule's link, else its runbook_url, else the best search hit."""
        answers = [self._answer_for(alert, stored, mode) for alert in firing]
        keys = {answer.runbook for answer in answers if answer.runbook}
        if keys:
            details = {detail.key: detail for detail in self.knowledge_map().record_details if detail.key in keys}
            for answer in answers:
                detail = details.get(answer.runbook or "")
                if detail is not None:
                    answer.knowers = list(detail.knowers)
                    answer.title = detail.title
                if answer.runbook:
                    answer.section = self._start_section(answer.runbook)
        return answers

    def _answer_for(self, firing: FiringAlert, stored: Sequence[StoredAlert], mode: SearchMode) -> AlertRunbook:
        """Return the runbook of one firing alert (section and knowers are filled in later)."""
        from bridge.alert_types import AlertRule
        from bridge.alerts.linking import suggestion_query
        from bridge.alerts.links import RunbookResolver
        from bridge.store.alerts import runbook_refs

        rules = [alert for alert in stored if firing.name and alert.rule.name.lower() == firing.name.lower()]
        if firing.severity:
            same = [alert for alert in rules if alert.rule.severity.lower() == firing.severity.lower()]
            rules = same or rules
        for alert in sorted(rules, key=lambda item: item.link.state != "linked"):
            if alert.link.state in ("linked", "suggested") and alert.link.runbook:
                return AlertRunbook(firing.name, alert.link.runbook, alert.runbook_path,
                                    guess=alert.link.state == "suggested", state=alert.link.state)
        url = next((firing.annotations[name] for name in ("runbook_url", "runbook") if firing.annotations.get(name)), "")
        if url:
            ref = RunbookResolver(runbook_refs(self.engine, kind=None)).resolve(url)
            if ref is not None:
                return AlertRunbook(firing.name, ref.key, ref.source_path, state="linked")
        state = rules[0].link.state if rules else ""
        annotations = {**(rules[0].rule.annotations if rules else {}), **firing.annotations}
        probe = AlertRule(firing.name, "", "", "", annotations=annotations)
        query = " ".join(part for part in (suggestion_query(probe) if firing.name else "", firing.text) if part)
        hits = self.search(query, k=1, kind="runbook", mode=mode) if query.strip() else []
        if not hits:
            return AlertRunbook(firing.name or firing.text[:80], None, state=state)
        return AlertRunbook(firing.name or firing.text[:80], hits[0].key, hits[0].source_path, guess=True,
                            state=state)

    def _start_section(self, key: str) -> str | None:
        """Return the heading an engineer on call should start with (Diagnosis, then Mitigation…), if any."""
        from bridge.store.chunks import record_chunks

        headings: list[str] = []
        for chunk in record_chunks(self.engine, key):
            if chunk.heading_path and chunk.section not in headings:
                headings.append(chunk.section)
        for word in START_SECTIONS:
            for heading in headings:
                if word in heading.lower():
                    return heading
        return None

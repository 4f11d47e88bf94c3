"""Knowledge side of the workspace: who knows what, bus factor, departures, reports, onboarding, people.

The analysis itself is pure (bridge.knowledge); this mixin loads its inputs once per call, resolves people's names
to handles, reads previous reports from disk, and holds the view model of the TUI bus-factor screen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bridge.errors import BridgeError
from bridge.knowledge_types import (
    BusFactorRow,
    DepartureImpact,
    KnowledgeMap,
    KnowledgeReport,
    OnboardingPath,
    PersonSummary,
    PersonToggle,
    RecordKnowledge,
    TopicKnowledge,
)

if TYPE_CHECKING:
    from bridge.config import Settings
    from bridge.domain import KnowledgeInputs, Person
    from bridge.knowledge.analysis import Analysis


EMBEDDED_REPORT = re.compile(
    r'<script type="application/json" id="bridge-report-data">(?P<data>.*?)</script>', re.DOTALL
)


def load_previous_report(path: Path) -> dict[str, Any]:
    """Return the data of a previous JSON or HTML report written by ``bridge report``; BridgeError if unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BridgeError(f"{path}: cannot read previous report: {exc}") from exc
    if path.suffix.lower() in (".html", ".htm") or text.lstrip().startswith("<"):
        match = EMBEDDED_REPORT.search(text)
        if match is None:
            raise BridgeError(f"{path}: HTML file without bridge report data (was it written by bridge report?)")
        text = match.group("data")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BridgeError(f"{path}: not valid JSON at line {exc.lineno}: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise BridgeError(f"{path}: not a bridge knowledge report (expected a JSON object)")
    return data


class BusFactorScreenModel:
    """View model of the TUI bus-factor screen: topics by risk, their knowers and records, departure toggles.

    It loads the inputs once; toggling a person recomputes in memory (no database access), so a TUI worker can
    call it freely. Rows compare each topic's bus factor with the toggled departures against the baseline.
    """

    def __init__(self, inputs: KnowledgeInputs, settings: Settings, as_of: date) -> None:
        from bridge.knowledge.analysis import analyse

        self._inputs = inputs
        self._settings = settings
        self.as_of = as_of
        """The analysis day."""
        self.departed: set[str] = set()
        """Handles toggled as departed."""
        self.baseline: Analysis = analyse(inputs, settings.knowledge, as_of=as_of)
        """The analysis with nobody toggled."""
        self.current: Analysis = self.baseline
        """The analysis with the toggled departures applied."""

    def toggle(self, handle: str) -> None:
        """Toggle a person (by handle) as departed and recompute."""
        self.departed ^= {handle}
        self._recompute()

    def reset(self) -> None:
        """Clear every toggle."""
        self.departed.clear()
        self._recompute()

    def _recompute(self) -> None:
        from bridge.knowledge.analysis import analyse

        self.current = (
            analyse(self._inputs, self._settings.knowledge, as_of=self.as_of, without=self.departed)
            if self.departed else self.baseline
        )

    def rows(self) -> list[BusFactorRow]:
        """Return one row per topic, riskiest first (lowest bus factor, then highest concentration)."""
        baseline = {topic.topic: topic.bus_factor for topic in self.baseline.map.topics}
        return [
            BusFactorRow(
                topic=topic.topic, bus_factor=topic.bus_factor, baseline=baseline.get(topic.topic, 0),
                records=topic.records, knowers=len(topic.knowers), concentration=topic.concentration,
                flags=[flag.kind for flag in topic.flags],
                top_knower=topic.knowers[0].person if topic.knowers else "",
            )
            for topic in self.current.map.topics
        ]

    def overall(self) -> tuple[int, int]:
        """Return the whole knowledge base's bus factor (baseline, with departures)."""
        return self.baseline.map.overall.bus_factor, self.current.map.overall.bus_factor

    def people(self) -> list[PersonToggle]:
        """Return everyone who knows a record (at baseline), most records first, with their toggle state."""
        return [
            PersonToggle(person=knower.person, handle=knower.handle, records_known=knower.records,
                         departed=knower.handle in self.departed)
            for knower in self.baseline.map.overall.knowers
        ]

    def topic(self, name: str) -> TopicKnowledge | None:
        """Return the topic's knowers, flags and suggestion with the departures applied."""
        return self.current.map.topic(name)

    def topic_records(self, name: str) -> list[RecordKnowledge]:
        """Return the topic's records with their knowers, orphaned ones first."""
        keys = {entry.record.key for entry in self.current.records_by_topic.get(name, [])}
        details = [detail for detail in self.current.map.record_details if detail.key in keys]
        return sorted(details, key=lambda detail: (len(detail.knowers), detail.key))


class KnowledgeMixin:
    """Knowledge methods of Workspace (see docs/bus-factor.md)."""

    settings: Settings

    if TYPE_CHECKING:
        def knowledge_inputs(self) -> KnowledgeInputs: ...
        def find_person(self, name: str) -> Person: ...

    def resolve_handles(self, names: Iterable[str]) -> list[str]:
        """Return the handles of people given by name, alias, email or handle; BridgeError for unknown ones."""
        return [self.find_person(name).handle for name in names]

    def _analysis(
        self, *, as_of: date | None = None, without: Sequence[str] = (), topic: str | None = None
    ) -> Analysis:
        from bridge.knowledge.analysis import analyse

        return analyse(
            self.knowledge_inputs(), self.settings.knowledge, as_of=as_of or date.today(),
            without=self.resolve_handles(without), topic=topic,
        )

    def knowledge_map(
        self, topic: str | None = None, without: Sequence[str] = (), as_of: date | None = None
    ) -> KnowledgeMap:
        """Return who knows what, per topic and overall, with the named people treated as departed."""
        return self._analysis(as_of=as_of, without=without, topic=topic).map

    def departure_impact(
        self, without: Sequence[str], topic: str | None = None, as_of: date | None = None
    ) -> DepartureImpact:
        """Return the knowledge map before and after the named people leave."""
        from bridge.knowledge.departures import simulate_departures

        if not without:
            raise BridgeError("name at least one person to simulate a departure")
        return simulate_departures(
            self.knowledge_inputs(), self.settings.knowledge, self.resolve_handles(without),
            as_of=as_of or date.today(), topic=topic,
        )

    def report(
        self, *, as_of: date | None = None, since: Path | None = None, fail_under: int | None = None
    ) -> KnowledgeReport:
        """Return the periodic report, compared with a previous JSON or HTML report when ``since`` is given."""
        from bridge.knowledge.report import build_report

        previous = load_previous_report(since) if since is not None else None
        return build_report(
            self.knowledge_inputs(), self.settings.knowledge, as_of=as_of or date.today(),
            generated_at=datetime.now().astimezone(), previous=previous, previous_name=str(since or ""),
            fail_under=fail_under,
        )

    def render_report(self, report: KnowledgeReport, report_format: str) -> str:
        """Return the report as md, html, json or csv text."""
        from bridge.reports import render_report

        return render_report(report, report_format)

    def onboarding(self, topic: str, as_of: date | None = None) -> OnboardingPath:
        """Return a new hire's reading path through a topic and who to ask."""
        from bridge.knowledge.analysis import analyse
        from bridge.knowledge.onboarding import onboarding_path, supersession_pairs

        inputs = self.knowledge_inputs()
        analysis = analyse(inputs, self.settings.knowledge, as_of=as_of or date.today(), topic=topic)
        return onboarding_path(analysis, topic, inputs.records, supersession_pairs(inputs.records, inputs.links))

    def people_summary(self, as_of: date | None = None) -> list[PersonSummary]:
        """Return every person's records known, sole-knower topics and status."""
        from bridge.knowledge.people import people_summaries

        return people_summaries(self._analysis(as_of=as_of))

    def bus_factor_screen(self, as_of: date | None = None) -> BusFactorScreenModel:
        """Return the view model of the TUI bus-factor screen (loads the inputs once)."""
        return BusFactorScreenModel(self.knowledge_inputs(), self.settings, as_of or date.today())

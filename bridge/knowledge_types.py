"""Result types of the knowledge analysis, so reports and front ends can render them without importing it.

Every ``to_dict`` returns the JSON shape documented in docs/bus-factor.md; people are named by display name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from bridge.alert_types import AlertCoverage
from bridge.usage_types import GapCluster, HandoffPlan, RiskEntry

FlagKind = Literal[
    "orphaned", "single-person", "knowers-left", "team-only", "past-review-by", "not-reviewed", "proposed-stale"
]
"""What a flag warns about; see docs/bus-factor.md for each."""

FLAG_LABELS: dict[str, str] = {
    "orphaned": "bus factor 0: most records have no active knower",
    "single-person": "bus factor 1: one departure orphans most records",
    "knowers-left": "records whose only knowers left",
    "team-only": "records owned only by a team with no known members",
    "past-review-by": "runbooks past their review_by date",
    "not-reviewed": "runbooks not reviewed or edited recently",
    "proposed-stale": "decisions still proposed after the allowed time",
}
"""A short human description of each flag kind."""

OVERALL_TOPIC = "(whole knowledge base)"
"""The pseudo-topic under which the whole knowledge base's figures are listed in trends and CSV."""

Trend = Literal["better", "worse", "same", "new", "gone"]
"""How a topic's bus factor moved since the previous report."""


@dataclass
class KnowerShare:
    """One person's knowledge of a set of records: how many they know and which share of the set."""

    person: str
    """Display name."""
    handle: str
    records: int
    share: float
    """records / size of the set, 0..1."""

    def to_dict(self, with_share: bool = True) -> dict[str, Any]:
        """Return ``{"person", "records", "share"}`` (share left out for the overall list)."""
        data: dict[str, Any] = {"person": self.person, "records": self.records}
        if with_share:
            data["share"] = round(self.share, 4)
        return data


@dataclass
class Flag:
    """A risk found in a topic, with the records it concerns."""

    kind: FlagKind
    message: str
    records: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"kind", "message", "records"}``."""
        return {"kind": self.kind, "message": self.message, "records": list(self.records)}


@dataclass
class Suggestion:
    """The best candidate second holder for a flagged topic and the records they should review first."""

    topic: str
    person: str
    handle: str
    reason: str
    review_first: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {"person": self.person, "reason": self.reason, "review_first": list(self.review_first)}


@dataclass
class RecordKnowledge:
    """Who knows one record, who knew it and left, and how fresh its last review is."""

    key: str
    title: str
    kind: str
    status: str
    topics: list[str]
    knowers: list[str]
    """Display names of active knowers, strongest first."""
    left_knowers: list[str] = field(default_factory=list)
    """Display names of knowers who left (or are simulated as departed)."""
    last_reviewed: date | None = None
    """The latest review or edit on or before the analysis date."""
    review_by: date | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "key": self.key, "title": self.title, "kind": self.kind, "status": self.status,
            "topics": list(self.topics), "knowers": list(self.knowers), "left_knowers": list(self.left_knowers),
            "last_reviewed": self.last_reviewed.isoformat() if self.last_reviewed else None,
            "review_by": self.review_by.isoformat() if self.review_by else None,
        }


@dataclass
class TopicKnowledge:
    """Bus factor and knowledge spread of one topic's records."""

    topic: str
    bus_factor: int
    record_keys: list[str]
    knowers: list[KnowerShare]
    single_knower_records: list[str]
    orphaned_records: list[str]
    flags: list[Flag] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    """Display names in the order the greedy bus factor removed them."""
    suggestion: Suggestion | None = None

    @property
    def concentration(self) -> float:
        """Return the top knower's share of the topic's records (0 when nobody knows any)."""
        return self.knowers[0].share if self.knowers else 0.0

    @property
    def records(self) -> int:
        """Return how many records the topic holds."""
        return len(self.record_keys)

    def to_dict(self) -> dict[str, Any]:
        """Return the topic's JSON form (the shape of ``bridge knowledge --json``)."""
        return {
            "topic": self.topic, "bus_factor": self.bus_factor, "records": self.records,
            "knowers": [knower.to_dict() for knower in self.knowers],
            "single_knower_records": list(self.single_knower_records),
            "orphaned_records": list(self.orphaned_records),
            "flags": [flag.to_dict() for flag in self.flags],
            "concentration": round(self.concentration, 4),
            "suggestion": self.suggestion.to_dict() if self.suggestion else None,
        }


@dataclass
class OverallKnowledge:
    """Bus factor of the whole knowledge base."""

    bus_factor: int
    records: int
    knowers: list[KnowerShare]
    removed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"bus_factor", "records", "knowers": [{"person", "records"}]}``."""
        return {
            "bus_factor": self.bus_factor, "records": self.records,
            "knowers": [knower.to_dict(with_share=False) for knower in self.knowers],
        }


@dataclass
class KnowledgeMap:
    """Who knows what as of a day: the whole knowledge base, each topic and each record."""

    as_of: date
    overall: OverallKnowledge
    topics: list[TopicKnowledge]
    record_details: list[RecordKnowledge] = field(default_factory=list)
    without: list[str] = field(default_factory=list)
    """Display names of people simulated as departed."""

    def topic(self, name: str) -> TopicKnowledge | None:
        """Return the topic called name, or None."""
        return next((topic for topic in self.topics if topic.topic == name), None)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form of ``bridge knowledge --json``."""
        return {
            "overall": self.overall.to_dict(),
            "topics": [topic.to_dict() for topic in self.topics],
            "as_of": self.as_of.isoformat(),
            "without": list(self.without),
        }


@dataclass
class TopicChange:
    """How one topic's bus factor and records change between two analyses."""

    topic: str
    before: int | None
    """Bus factor before (None when the topic did not exist)."""
    after: int | None
    newly_orphaned: list[str] = field(default_factory=list)
    """Records that had an active knower before and have none after."""
    newly_single: list[str] = field(default_factory=list)
    """Records that had two or more knowers before and have exactly one after."""

    @property
    def trend(self) -> Trend:
        """Return whether the bus factor went up (better), down (worse), stayed, appeared or vanished."""
        if self.before is None:
            return "new"
        if self.after is None:
            return "gone"
        if self.after > self.before:
            return "better"
        if self.after < self.before:
            return "worse"
        return "same"

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "topic": self.topic, "before": self.before, "after": self.after, "trend": self.trend,
            "newly_orphaned": list(self.newly_orphaned), "newly_single": list(self.newly_single),
        }


@dataclass
class DepartureImpact:
    """What a set of departures does: the maps before and after, and per-topic changes."""

    departed: list[str]
    before: KnowledgeMap
    after: KnowledgeMap
    changes: list[TopicChange]
    orphaned_records: list[str]
    """Every record that loses its last active knower."""

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form: the after-map plus before → after per topic."""
        data = self.after.to_dict()
        data["before"] = {"overall": self.before.overall.to_dict()}
        data["departed"] = list(self.departed)
        data["changes"] = [change.to_dict() for change in self.changes]
        data["orphaned_by_departure"] = list(self.orphaned_records)
        return data


@dataclass
class FreshnessBucket:
    """Runbooks grouped by how long ago they were last reviewed or edited."""

    label: str
    records: list[str]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {"label": self.label, "count": len(self.records), "records": list(self.records)}


@dataclass
class PersonSummary:
    """One person's place in the knowledge map."""

    person: str
    handle: str
    status: Literal["active", "left", "team"]
    records_known: int
    topics: list[str]
    """Topics in which they know at least one record."""
    only_knower_topics: list[str]
    """Topics where they are the only active knower."""
    left_on: date | None = None
    aliases: list[str] = field(default_factory=list)
    team: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form of ``bridge people --json``."""
        return {
            "person": self.person, "handle": self.handle, "status": self.status,
            "left_on": self.left_on.isoformat() if self.left_on else None,
            "records_known": self.records_known, "topics": list(self.topics),
            "only_knower_topics": list(self.only_knower_topics), "aliases": list(self.aliases), "team": self.team,
        }


@dataclass
class KnowledgeReport:
    """The periodic report: the map, review freshness, people and the trend since a previous report."""

    generated_at: datetime
    map: KnowledgeMap
    freshness: list[FreshnessBucket]
    people: list[PersonSummary]
    trends: list[TopicChange] = field(default_factory=list)
    """Empty unless a previous report was given."""
    since: str = ""
    """The previous report's date, when one was given."""
    fail_under: int | None = None
    risks: list[RiskEntry] = field(default_factory=list)
    """Records riskiest first (importance × concentration); filled by the workspace."""
    gaps: list[GapCluster] = field(default_factory=list)
    """Unanswered questions, most asked first."""
    handoffs: list[HandoffPlan] = field(default_factory=list)
    """Open departure handoff plans with measured progress."""
    notes: list[str] = field(default_factory=list)
    """Why a section is missing or partial."""
    alert_coverage: AlertCoverage | None = None
    """How alerting rules reach runbooks, when rule files are imported (docs/on-call.md)."""

    def failing_topics(self) -> list[TopicKnowledge]:
        """Return topics whose bus factor is below ``fail_under`` (none when it is unset)."""
        if self.fail_under is None:
            return []
        return [topic for topic in self.map.topics if topic.bus_factor < self.fail_under]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON report: the ``knowledge --json`` shape plus freshness, people and trends."""
        data = self.map.to_dict()
        data["generated_at"] = self.generated_at.isoformat(timespec="seconds")
        data["records"] = [record.to_dict() for record in self.map.record_details]
        data["review_freshness"] = [bucket.to_dict() for bucket in self.freshness]
        data["people"] = [person.to_dict() for person in self.people]
        data["since"] = self.since or None
        data["trends"] = [trend.to_dict() for trend in self.trends]
        data["fail_under"] = self.fail_under
        data["failing_topics"] = [topic.topic for topic in self.failing_topics()]
        data["risks"] = [risk.to_dict() for risk in self.risks]
        data["gaps"] = [gap.to_dict() for gap in self.gaps]
        data["handoffs"] = [plan.to_dict() for plan in self.handoffs]
        data["notes"] = list(self.notes)
        if self.alert_coverage is not None:
            data["alert_coverage"] = self.alert_coverage.report_dict()
        return data


@dataclass
class ReadingItem:
    """One record on a new hire's reading path."""

    key: str
    title: str
    kind: str
    status: str
    day: date | None
    superseded_by: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "key": self.key, "title": self.title, "kind": self.kind, "status": self.status,
            "date": self.day.isoformat() if self.day else None, "superseded_by": list(self.superseded_by),
        }


@dataclass
class Supersession:
    """An old record and the record that replaced it."""

    old_key: str
    old_title: str
    new_key: str
    new_title: str

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {"old": self.old_key, "old_title": self.old_title, "new": self.new_key, "new_title": self.new_title}


@dataclass
class OnboardingPath:
    """A reading path through one topic: decisions in order, runbooks, supersessions, and who to ask."""

    topic: str
    decisions: list[ReadingItem]
    runbooks: list[ReadingItem]
    proposed: list[ReadingItem]
    superseded: list[Supersession]
    ask: list[KnowerShare]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form of ``bridge onboard --json``."""
        return {
            "topic": self.topic,
            "decisions": [item.to_dict() for item in self.decisions],
            "runbooks": [item.to_dict() for item in self.runbooks],
            "proposed": [item.to_dict() for item in self.proposed],
            "superseded": [item.to_dict() for item in self.superseded],
            "ask": [knower.to_dict() for knower in self.ask],
        }


@dataclass
class BusFactorRow:
    """One line of the TUI bus-factor screen: a topic with its figure now and under the simulated departures."""

    topic: str
    bus_factor: int
    """Bus factor with the toggled departures applied."""
    baseline: int
    """Bus factor with nobody toggled."""
    records: int
    knowers: int
    concentration: float
    flags: list[str]
    """Flag kinds."""
    top_knower: str = ""


@dataclass
class PersonToggle:
    """A person the TUI lists for departure simulation, and whether they are toggled as departed."""

    person: str
    handle: str
    records_known: int
    departed: bool

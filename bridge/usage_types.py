"""Usage events, unanswered-question clusters, importance, risk and handoff plans, shared by every layer.

They live in layer 1 so the store, the usage and knowledge parts, the report renderers and the front ends can
exchange them without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

EventKind = Literal["search", "open", "cite"]
"""What happened: a search, a record opened (TUI, ``show``, MCP get_record), a record cited by answer_context."""

FrontEnd = Literal["cli", "tui", "mcp"]
"""Where it happened."""

HandoffAction = Literal["review", "co-edit", "write the missing runbook"]
"""What a successor should do with a handoff item."""


@dataclass
class UsageEvent:
    """One thing a person or agent did with the knowledge base, as stored (query text absent when hashed)."""

    kind: EventKind
    front_end: FrontEnd
    at: datetime
    """When it happened, timezone-aware UTC."""
    session: str = ""
    """An opaque id of the process that recorded it, so rewordings are grouped per session."""
    record_key: str = ""
    """The record opened or cited (empty for searches)."""
    query: str | None = None
    """The search text; None when only its hash is kept."""
    query_hash: str = ""
    mode: str = ""
    result_count: int = 0
    top_score: float | None = None
    """The first hit's score as the search reported it (its meaning depends on the mode)."""
    hit_keys: list[str] = field(default_factory=list)
    """The keys of the first hits, best first, so a later open can be matched to the search."""


@dataclass
class CountedItem:
    """A name (record key, topic, query) with how often it occurred."""

    name: str
    count: int
    title: str = ""


@dataclass
class UsageSummary:
    """What ``bridge usage`` prints: most read records, most searched topics and queries, per front end."""

    since: datetime | None
    events: int
    searches: int
    opens: int
    citations: int
    by_front_end: dict[str, dict[str, int]]
    """Front end → event kind → count."""
    most_read: list[CountedItem] = field(default_factory=list)
    top_topics: list[CountedItem] = field(default_factory=list)
    """Topics of the records searches found first, most often first."""
    top_queries: list[CountedItem] = field(default_factory=list)
    hashed_queries: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form of ``bridge usage --json``."""
        return {
            "since": self.since.isoformat() if self.since else None, "events": self.events,
            "searches": self.searches, "opens": self.opens, "citations": self.citations,
            "by_front_end": self.by_front_end,
            "most_read": [{"key": item.name, "title": item.title, "count": item.count} for item in self.most_read],
            "top_topics": [{"topic": item.name, "count": item.count} for item in self.top_topics],
            "top_queries": [{"query": item.name, "count": item.count} for item in self.top_queries],
            "hashed_queries": self.hashed_queries,
        }


@dataclass
class GapCluster:
    """Searches that found nothing useful, grouped by meaning, with a representative question."""

    question: str
    count: int
    queries: list[str]
    """The distinct wordings, most asked first."""
    best_score: float | None
    """The best similarity any section reached for any of the queries (cosine, 0–1), None when unknown."""
    reasons: dict[str, int] = field(default_factory=dict)
    """Why searches counted as unanswered: low-score, nothing-opened, reworded → how many."""

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form of one ``bridge gaps --json`` entry."""
        return {
            "question": self.question, "count": self.count, "queries": list(self.queries),
            "best_score": None if self.best_score is None else round(self.best_score, 4),
        }


@dataclass
class ImportanceTerm:
    """One input of a record's importance: its name, the raw figure and what it adds."""

    name: str
    value: float
    points: float


@dataclass
class Importance:
    """How much a record matters, with the terms it is made of (see docs/bus-factor.md)."""

    key: str
    score: float
    terms: list[ImportanceTerm] = field(default_factory=list)

    def explain(self) -> str:
        """Return the sum written out, e.g. ``1 + 2.32 (reads: 4) + 1 (links in: 2) = 4.32``."""
        parts = ["1 (base)"] + [f"{term.points:g} ({term.name}: {term.value:g})" for term in self.terms if term.points]
        return " + ".join(parts) + f" = {self.score:g}"


@dataclass
class RiskEntry:
    """A record's risk: importance times how concentrated its knowledge is."""

    key: str
    title: str
    kind: str
    importance: Importance
    knowers: list[str]
    concentration: float
    """1 / number of active knowers, 1.0 when nobody knows it."""
    risk: float

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form used by reports and ``show --why-risk --json``."""
        return {
            "key": self.key, "title": self.title, "kind": self.kind, "risk": round(self.risk, 4),
            "importance": round(self.importance.score, 4), "concentration": round(self.concentration, 4),
            "knowers": list(self.knowers),
            "terms": [{"name": term.name, "value": term.value, "points": round(term.points, 4)}
                      for term in self.importance.terms],
            "explanation": f"risk = importance {self.importance.score:g} × concentration {self.concentration:g} "
                           f"= {self.risk:g}; importance = {self.importance.explain()}",
        }


@dataclass
class HandoffItem:
    """One thing a leaving person's knowledge must be handed over for."""

    key: str
    """A record key, or ``topic:NAME`` for a runbook the topic lacks."""
    title: str
    importance: float
    successors: list[str]
    """Handles of the suggested successors."""
    action: HandoffAction
    topics: list[str] = field(default_factory=list)
    reason: str = ""
    """Why it is on the plan: orphaned, or down to one knower."""
    done: bool = False


@dataclass
class HandoffPlan:
    """What a departure would orphan, who should take it over, and how far that has got."""

    person: str
    """The leaving person's display name."""
    handle: str
    items: list[HandoffItem]
    made_at: datetime
    by: date | None = None
    record_key: str = ""
    """The handoff record that holds the plan (empty before it is saved)."""
    names: dict[str, str] = field(default_factory=dict)
    """Handle → display name of everyone the plan names."""

    def successor_names(self, item: HandoffItem) -> list[str]:
        """Return the display names of an item's successors."""
        return [self.names.get(handle, handle) for handle in item.successors]

    @property
    def done(self) -> int:
        """Return how many items are done."""
        return sum(1 for item in self.items if item.done)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form of ``bridge handoff --json``."""
        return {
            "person": self.person, "record": self.record_key,
            "made_at": self.made_at.isoformat(), "by": self.by.isoformat() if self.by else None,
            "items": [
                {"key": item.key, "title": item.title, "importance": round(item.importance, 4),
                 "successors": self.successor_names(item),
                 "action": item.action, "done": item.done}
                for item in self.items
            ],
            "progress": {"done": self.done, "total": len(self.items)},
        }

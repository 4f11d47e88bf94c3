"""A new hire's reading path through one topic: current decisions in order, runbooks, supersessions, who to ask."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bridge.domain import Link, Record
from bridge.knowledge.analysis import Analysis
from bridge.knowledge.knowers import day_of
from bridge.knowledge_types import OnboardingPath, ReadingItem, Supersession

CURRENT_DECISION_STATUSES = frozenset({"accepted"})
ACTIVE_RUNBOOK_STATUSES = frozenset({"active", "needs-review"})


def record_day(record: Record) -> date | None:
    """Return the day a record gives itself, else the day it was created."""
    if record.date:
        return record.date
    return day_of(record.created_at) if record.created_at else None


def _item(record: Record, successors: dict[str, list[str]]) -> ReadingItem:
    """Return a reading-path entry for a record."""
    return ReadingItem(
        key=record.key, title=record.title, kind=record.kind, status=record.status, day=record_day(record),
        superseded_by=sorted(set(record.superseded_by) | set(successors.get(record.key, []))),
    )


def _in_order(records: list[Record]) -> list[Record]:
    """Return records oldest first (undated last), then by key."""
    return sorted(records, key=lambda record: (record_day(record) or date.max, record.key))


def onboarding_path(
    analysis: Analysis, topic: str, all_records: Sequence[Record], supersedes: Sequence[tuple[str, str]]
) -> OnboardingPath:
    """Return the reading path of a topic; ``supersedes`` holds (new key, old key) pairs from links and records.

    Raises BridgeError (through the analysis) when the topic has no records.
    """
    knowledge = analysis.map.topic(topic)
    entries = analysis.records_by_topic.get(topic, [])
    records = [entry.record for entry in entries]
    by_key = {record.key: record for record in all_records}
    successors: dict[str, list[str]] = {}
    for new_key, old_key in supersedes:
        successors.setdefault(old_key, []).append(new_key)
    topic_keys = {record.key for record in records}
    decisions = _in_order([r for r in records if r.kind == "decision" and r.status in CURRENT_DECISION_STATUSES])
    proposed = _in_order([r for r in records if r.kind == "decision" and r.status == "proposed"])
    runbooks = sorted(
        (r for r in records if r.kind == "runbook" and r.status in ACTIVE_RUNBOOK_STATUSES), key=lambda r: r.key
    )
    superseded = []
    for new_key, old_key in sorted(set(supersedes)):
        if (new_key in topic_keys or old_key in topic_keys) and new_key in by_key and old_key in by_key:
            superseded.append(Supersession(
                old_key=old_key, old_title=by_key[old_key].title, new_key=new_key, new_title=by_key[new_key].title
            ))
    return OnboardingPath(
        topic=topic,
        decisions=[_item(r, successors) for r in decisions],
        runbooks=[_item(r, successors) for r in runbooks],
        proposed=[_item(r, successors) for r in proposed],
        superseded=superseded,
        ask=list(knowledge.knowers) if knowledge else [],
    )


def supersession_pairs(records: Sequence[Record], links: Sequence[Link]) -> list[tuple[str, str]]:
    """Return (new key, old key) pairs from supersedes links and records' supersedes / superseded_by fields."""
    pairs: set[tuple[str, str]] = set()
    for link in links:
        if link.kind == "supersedes":
            pairs.add((link.source_key, link.target_key))
    for record in records:
        for old in record.supersedes:
            pairs.add((record.key, old))
        for new in record.superseded_by:
            pairs.add((new, record.key))
    return sorted(pairs)

"""Departure handoff plans: what a leaving person's departure would orphan, who takes it over, and progress.

The items come from the departure simulation (records newly orphaned or newly down to one knower, and affected
topics that have no runbook at all); successors come from the second-holder suggestion of each topic. Progress is
measured, not ticked: an item is done when a successor edited or reviewed the record after the plan was made and
now counts as one of its knowers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from bridge.domain import Contribution, Link, Record, Revision
from bridge.knowledge.analysis import NO_TOPIC, Analysis
from bridge.knowledge.departures import compare_analyses
from bridge.knowledge.knowers import RecordKnowers
from bridge.knowledge.suggestions import suggest_second_holder
from bridge.usage_types import HandoffAction, HandoffItem, HandoffPlan

TOPIC_PREFIX = "topic:"
"""Key prefix of items that ask for a runbook a topic lacks."""
EXTRA_FIELD = "handoff"
"""The front-matter field of a handoff record that holds the plan's data."""


def plan_items(
    before: Analysis,
    after: Analysis,
    handle: str,
    links: Sequence[Link],
    importance: Mapping[str, float],
) -> list[HandoffItem]:
    """Return the handoff items for handle leaving, most important first (importance keyed by upper-case key)."""
    changes = compare_analyses(before, after)
    orphaned = {key for change in changes for key in change.newly_orphaned}
    single = {key for change in changes for key in change.newly_single} - orphaned
    at_risk_by_topic: dict[str, list[str]] = {}
    for key in sorted(orphaned | single):
        for topic in _topics(after.entries[key]):
            at_risk_by_topic.setdefault(topic, []).append(key)
    successors_by_topic = {
        topic: _successors(topic, keys, handle, after, links) for topic, keys in at_risk_by_topic.items()
    }
    items: list[HandoffItem] = []
    for key in sorted(orphaned | single):
        entry = after.entries[key]
        topics = _topics(entry)
        successors = _unique(
            successor for topic in topics for successor in successors_by_topic.get(topic, [])
            if successor not in entry.knowers
        )
        action: HandoffAction = "co-edit" if key in orphaned else "review"
        reason = "orphaned: nobody else knows it" if key in orphaned else (
            f"one knower left: {', '.join(after.people.display(h) for h in entry.knowers)}")
        items.append(HandoffItem(
            key=entry.record.key, title=entry.record.title, importance=importance.get(key.upper(), 1.0),
            successors=successors, action=action, topics=topics, reason=reason,
        ))
    items.extend(_missing_runbooks(before, at_risk_by_topic, successors_by_topic, importance))
    rank = {"co-edit": 0, "write the missing runbook": 1, "review": 2}
    items.sort(key=lambda item: (-item.importance, rank[item.action], item.key))
    return items


def _topics(entry: RecordKnowers) -> list[str]:
    """Return the record's topics, or the no-topic group."""
    return list(dict.fromkeys(entry.record.topics)) or [NO_TOPIC]


def _unique(handles: Any) -> list[str]:
    """Return handles without repeats, first occurrence first."""
    return list(dict.fromkeys(handles))


def _successors(topic: str, at_risk: Sequence[str], handle: str, after: Analysis, links: Sequence[Link]) -> list[str]:
    """Return the suggested second holder of a topic once handle has left (empty when nobody is connected)."""
    current = after.map.topic(topic)
    top_knower = current.knowers[0].handle if current is not None and current.knowers else None
    suggestion = suggest_second_holder(topic, at_risk, top_knower, after.records_by_topic, links, after.people)
    if suggestion is None or suggestion.handle == handle:
        return []
    return [suggestion.handle]


def _missing_runbooks(
    before: Analysis,
    at_risk_by_topic: Mapping[str, list[str]],
    successors_by_topic: Mapping[str, list[str]],
    importance: Mapping[str, float],
) -> list[HandoffItem]:
    """Return an item per affected topic that has no runbook at all: what the leaver knows is written nowhere."""
    items = []
    for topic, keys in sorted(at_risk_by_topic.items()):
        entries = before.records_by_topic.get(topic, [])
        if topic == NO_TOPIC or any(entry.record.kind == "runbook" for entry in entries):
            continue
        items.append(HandoffItem(
            key=f"{TOPIC_PREFIX}{topic}", title=f"A runbook for {topic}",
            importance=max(importance.get(key.upper(), 1.0) for key in keys),
            successors=list(successors_by_topic.get(topic, [])), action="write the missing runbook",
            topics=[topic], reason=f"{topic} has decisions but no runbook",
        ))
    return items


def measure_progress(
    items: Sequence[HandoffItem],
    made_at: datetime,
    current: Analysis,
    revisions: Sequence[Revision],
    contributions: Sequence[Contribution],
) -> list[HandoffItem]:
    """Return the items with ``done`` measured: a successor edited or reviewed after made_at and now knows it."""
    since = made_at.astimezone(UTC) if made_at.tzinfo else made_at.replace(tzinfo=UTC)
    acted: set[tuple[str, str]] = set()
    for revision in revisions:
        if _after(revision.at, since):
            acted.add((revision.author, revision.record_key.upper()))
    for contribution in contributions:
        if contribution.at is not None and _after(contribution.at, since) and contribution.role != "owner":
            acted.add((contribution.person, contribution.record_key.upper()))
    measured = []
    for item in items:
        if item.key.startswith(TOPIC_PREFIX):
            topic = item.key[len(TOPIC_PREFIX):]
            candidates = [entry for entry in current.records_by_topic.get(topic, []) if entry.record.kind == "runbook"]
        else:
            entry = current.entries.get(item.key)
            candidates = [entry] if entry is not None else []
        done = any(
            successor in entry.knowers and (successor, entry.record.key.upper()) in acted
            for entry in candidates for successor in item.successors
        )
        measured.append(HandoffItem(
            key=item.key, title=item.title, importance=item.importance, successors=list(item.successors),
            action=item.action, topics=list(item.topics), reason=item.reason, done=done,
        ))
    return measured


def _after(moment: datetime, since: datetime) -> bool:
    """Return whether moment (naive values are UTC) is later than since."""
    aware = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware > since


def plan_body(plan: HandoffPlan) -> str:
    """Return the Markdown body of a handoff record: why, then a checklist, most important first."""
    by = f" by {plan.by.isoformat()}" if plan.by else ""
    lines = [
        f"# Handoff plan: {plan.person}", "", "## Why", "",
        f"{plan.person} is leaving{by}. Made on {plan.made_at:%Y-%m-%d}: these records and topics would be "
        "orphaned or left with one knower. An item is checked when a successor has reviewed or edited the record "
        "since the plan was made and now counts as knowing it (`bridge handoff` measures it).", "",
        f"## Checklist ({plan.done} of {len(plan.items)} done)", "",
    ]
    for item in plan.items:
        names = ", ".join(plan.names.get(handle, handle) for handle in item.successors) or "nobody suggested"
        mark = "x" if item.done else " "
        lines.append(f"* [{mark}] {item.key} — {item.title} — {item.action} — successor: {names} — "
                     f"importance {item.importance:g}; {item.reason}")
    if not plan.items:
        lines.append(f"Nothing to hand over: nobody depends on {plan.person} alone for any record.")
    return "\n".join(lines) + "\n"


def plan_extra(plan: HandoffPlan) -> dict[str, Any]:
    """Return the plan's data as stored in the handoff record's front matter."""
    return {
        "person": plan.handle, "made_at": plan.made_at.isoformat(), "by": plan.by.isoformat() if plan.by else None,
        "items": [
            {"key": item.key, "title": item.title, "importance": item.importance, "successors": item.successors,
             "action": item.action, "topics": item.topics, "reason": item.reason}
            for item in plan.items
        ],
    }


def plan_from_record(record: Record, person: str, names: Mapping[str, str]) -> HandoffPlan:
    """Return the plan stored in a handoff record (items not yet measured); ValueError when it holds none."""
    data = record.extra.get(EXTRA_FIELD)
    if not isinstance(data, dict) or "items" not in data or "made_at" not in data:
        raise ValueError(f"{record.key} has no '{EXTRA_FIELD}' data in its front matter")
    items = [
        HandoffItem(key=str(item["key"]), title=str(item.get("title", "")),
                    importance=float(item.get("importance", 1.0)), successors=[str(h) for h in item["successors"]],
                    action=item.get("action", "review"), topics=[str(t) for t in item.get("topics", [])],
                    reason=str(item.get("reason", "")))
        for item in data["items"]
    ]
    by = data.get("by")
    return HandoffPlan(
        person=person, handle=str(data.get("person", "")), items=items,
        made_at=datetime.fromisoformat(str(data["made_at"])), by=date.fromisoformat(by) if by else None,
        record_key=record.key, names=dict(names),
    )

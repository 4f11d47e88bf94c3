"""The best candidate second holder for a flagged topic, and the records they should review first.

A candidate scores 3 per at-risk record they already edited or reviewed, 2 per record of the topic they know,
1 per other record of the topic they touched, and 0.5 per record they know in a neighbouring topic (one that
shares a record with the topic or is linked to it). The topic's top knower is not a candidate; ties go by handle.
When nobody scores, the active person who knows the most records elsewhere is suggested, saying so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bridge.domain import Link
from bridge.knowledge.knowers import People, RecordKnowers
from bridge.knowledge_types import Suggestion

AT_RISK_WEIGHT = 3.0
KNOWN_IN_TOPIC_WEIGHT = 2.0
TOUCHED_IN_TOPIC_WEIGHT = 1.0
NEIGHBOUR_WEIGHT = 0.5
REVIEW_FIRST_LIMIT = 5
"""How many records a suggestion names."""


@dataclass
class _Score:
    """How one candidate relates to a topic."""

    at_risk_touched: int = 0
    known: int = 0
    touched: int = 0
    neighbour_known: int = 0

    @property
    def total(self) -> float:
        return (
            AT_RISK_WEIGHT * self.at_risk_touched + KNOWN_IN_TOPIC_WEIGHT * self.known
            + TOUCHED_IN_TOPIC_WEIGHT * self.touched + NEIGHBOUR_WEIGHT * self.neighbour_known
        )


def neighbour_topics(
    topic: str, records_by_topic: Mapping[str, Sequence[RecordKnowers]], links: Sequence[Link]
) -> set[str]:
    """Return topics sharing a record with topic or linked to one of its records."""
    topic_keys = {entry.record.key for entry in records_by_topic.get(topic, [])}
    topics_of: dict[str, set[str]] = defaultdict(set)
    for name, entries in records_by_topic.items():
        for entry in entries:
            topics_of[entry.record.key].add(name)
    neighbours: set[str] = set()
    for key in topic_keys:
        neighbours |= topics_of[key]
    for link in links:
        if link.source_key in topic_keys:
            neighbours |= topics_of.get(link.target_key, set())
        if link.target_key in topic_keys:
            neighbours |= topics_of.get(link.source_key, set())
    neighbours.discard(topic)
    return neighbours


def suggest_second_holder(
    topic: str,
    at_risk: Sequence[str],
    top_knower: str | None,
    records_by_topic: Mapping[str, Sequence[RecordKnowers]],
    links: Sequence[Link],
    people: People,
) -> Suggestion | None:
    """Return who should become the topic's second holder, or None when nobody active has any connection to it."""
    if not at_risk:
        return None
    at_risk_keys = set(at_risk)
    scores: dict[str, _Score] = defaultdict(_Score)
    entries = records_by_topic.get(topic, [])
    for entry in entries:
        for handle in entry.knowers:
            scores[handle].known += 1
        for handle in entry.touched - set(entry.knowers):
            if entry.record.key in at_risk_keys:
                scores[handle].at_risk_touched += 1
            else:
                scores[handle].touched += 1
    neighbours = neighbour_topics(topic, records_by_topic, links)
    topic_keys = {entry.record.key for entry in entries}
    seen: set[str] = set()
    for name in sorted(neighbours):
        for entry in records_by_topic[name]:
            if entry.record.key in topic_keys or entry.record.key in seen:
                continue
            seen.add(entry.record.key)
            for handle in entry.knowers:
                scores[handle].neighbour_known += 1
    candidates = [
        (handle, score) for handle, score in scores.items()
        if handle != top_knower and score.total > 0 and not people.is_team(handle)
    ]
    if candidates:
        handle, score = min(candidates, key=lambda item: (-item[1].total, item[0]))
        reason = _reason(score, neighbours)
    else:
        fallback = _most_knowledgeable(records_by_topic, people, exclude=top_knower)
        if fallback is None:
            return None
        handle, known = fallback
        reason = f"nobody else has touched this topic or its neighbours; knows the most records elsewhere ({known})"
    return Suggestion(
        topic=topic,
        person=people.display(handle),
        handle=handle,
        reason=reason,
        review_first=_review_first(handle, at_risk, entries, top_knower),
    )


def _most_knowledgeable(
    records_by_topic: Mapping[str, Sequence[RecordKnowers]], people: People, exclude: str | None
) -> tuple[str, int] | None:
    """Return the active person (not a team, not excluded) who knows the most records overall, with the count."""
    known: dict[str, set[str]] = defaultdict(set)
    for entries in records_by_topic.values():
        for entry in entries:
            for handle in entry.knowers:
                known[handle].add(entry.record.key)
    ranked = sorted(
        ((handle, len(keys)) for handle, keys in known.items() if handle != exclude and not people.is_team(handle)),
        key=lambda item: (-item[1], item[0]),
    )
    return ranked[0] if ranked else None


def _reason(score: _Score, neighbours: set[str]) -> str:
    """Return a short sentence saying why the candidate was chosen."""
    parts = []
    if score.at_risk_touched:
        parts.append(f"already edited or reviewed {score.at_risk_touched} of the at-risk records")
    if score.known:
        parts.append(f"knows {score.known} records of the topic")
    if score.touched:
        parts.append(f"edited or reviewed {score.touched} more records of the topic")
    if score.neighbour_known:
        names = ", ".join(sorted(neighbours)[:3])
        parts.append(f"knows {score.neighbour_known} records in neighbouring topics ({names})")
    return "; ".join(parts)


def _review_first(
    handle: str, at_risk: Sequence[str], entries: Sequence[RecordKnowers], top_knower: str | None
) -> list[str]:
    """Return at-risk records the candidate does not know: those the top knower can still explain first."""
    by_key = {entry.record.key: entry for entry in entries}

    def priority(key: str) -> tuple[int, int, str]:
        entry = by_key[key]
        askable = 0 if top_knower and top_knower in entry.knowers else 1
        familiar = 0 if handle in entry.touched else 1
        return askable, familiar, key

    unknown = [key for key in at_risk if key in by_key and handle not in by_key[key].knowers]
    return sorted(unknown, key=priority)[:REVIEW_FIRST_LIMIT]

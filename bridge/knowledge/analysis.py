"""The knowledge map: bus factor, knowers, flags and suggestions for the whole knowledge base and each topic."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bridge.config import KnowledgeSettings
from bridge.errors import BridgeError
from bridge.knowledge.bus_factor import (
    greedy_bus_factor,
    known_counts,
    orphaned_records,
    single_knower_records,
)
from bridge.knowledge.flags import at_risk_records, topic_flags
from bridge.knowledge.knowers import KnowledgeSource, People, RecordKnowers, knowers_by_record
from bridge.knowledge.suggestions import suggest_second_holder
from bridge.knowledge_types import (
    KnowerShare,
    KnowledgeMap,
    OverallKnowledge,
    RecordKnowledge,
    TopicKnowledge,
)

NO_TOPIC = "(no topic)"
"""The topic that records without topics are grouped under."""

SUGGESTION_FLAGS = frozenset({"orphaned", "single-person", "knowers-left"})
"""Flag kinds for which a second holder is suggested."""


@dataclass
class Analysis:
    """Everything one run computed, kept so departures, people and the TUI can reuse it."""

    map: KnowledgeMap
    entries: dict[str, RecordKnowers]
    """Record key → its knowers."""
    records_by_topic: dict[str, list[RecordKnowers]]
    people: People


def group_by_topic(entries: Mapping[str, RecordKnowers]) -> dict[str, list[RecordKnowers]]:
    """Return each topic's records (records without topics under NO_TOPIC), keys sorted."""
    groups: dict[str, list[RecordKnowers]] = defaultdict(list)
    for key in sorted(entries):
        entry = entries[key]
        for topic in dict.fromkeys(entry.record.topics or [NO_TOPIC]):
            groups[topic].append(entry)
    return dict(groups)


def knower_shares(entries: Sequence[RecordKnowers], people: People) -> list[KnowerShare]:
    """Return each active knower with how many of the records they know, most first (ties by handle)."""
    counts = known_counts({entry.record.key: entry.knowers for entry in entries})
    total = len(entries)
    ordered = sorted(counts, key=lambda handle: (-counts[handle], handle))
    return [
        KnowerShare(person=people.display(handle), handle=handle, records=counts[handle], share=counts[handle] / total)
        for handle in ordered
    ]


def analyse(
    source: KnowledgeSource,
    settings: KnowledgeSettings,
    *,
    as_of: date,
    without: Collection[str] = (),
    topic: str | None = None,
) -> Analysis:
    """Return the knowledge map as of a day, with the people in ``without`` (handles) treated as departed."""
    entries = knowers_by_record(source, settings, as_of, without)
    people = People(source.people, settings)
    records_by_topic = group_by_topic(entries)
    if topic is not None and topic not in records_by_topic:
        known = ", ".join(sorted(records_by_topic)) or "none"
        raise BridgeError(f"no records have topic '{topic}' (topics: {known})")
    all_knowers = {key: entry.knowers for key, entry in entries.items()}
    overall_result = greedy_bus_factor(all_knowers)
    overall = OverallKnowledge(
        bus_factor=overall_result.bus_factor,
        records=len(entries),
        knowers=knower_shares(list(entries.values()), people),
        removed=[people.display(handle) for handle in overall_result.removed],
    )
    names = [topic] if topic is not None else list(records_by_topic)
    topics = [
        _topic_knowledge(name, records_by_topic, source, settings, as_of, people) for name in names
    ]
    topics.sort(key=lambda item: (item.bus_factor, -item.concentration, item.topic))
    details = [_record_detail(entries[key], people) for key in sorted(entries)]
    knowledge_map = KnowledgeMap(
        as_of=as_of, overall=overall, topics=topics, record_details=details,
        without=[people.display(handle) for handle in sorted(without)],
    )
    return Analysis(map=knowledge_map, entries=entries, records_by_topic=records_by_topic, people=people)


def build_map(
    source: KnowledgeSource,
    settings: KnowledgeSettings,
    *,
    as_of: date,
    without: Collection[str] = (),
    topic: str | None = None,
) -> KnowledgeMap:
    """Return only the knowledge map of :func:`analyse`."""
    return analyse(source, settings, as_of=as_of, without=without, topic=topic).map


def _topic_knowledge(
    name: str,
    records_by_topic: Mapping[str, list[RecordKnowers]],
    source: KnowledgeSource,
    settings: KnowledgeSettings,
    as_of: date,
    people: People,
) -> TopicKnowledge:
    """Return one topic's bus factor, knowers, flags and suggestion."""
    entries = records_by_topic[name]
    knowers_of = {entry.record.key: entry.knowers for entry in entries}
    result = greedy_bus_factor(knowers_of)
    top_handle = result.removed[0] if result.removed else None
    flags = topic_flags(entries, result, settings, as_of, people.display(top_handle) if top_handle else "")
    suggestion = None
    if any(flag.kind in SUGGESTION_FLAGS for flag in flags):
        suggestion = suggest_second_holder(
            name, at_risk_records(entries, result), top_handle, records_by_topic, source.links, people
        )
    return TopicKnowledge(
        topic=name,
        bus_factor=result.bus_factor,
        record_keys=[entry.record.key for entry in entries],
        knowers=knower_shares(entries, people),
        single_knower_records=single_knower_records(knowers_of),
        orphaned_records=orphaned_records(knowers_of),
        flags=flags,
        removed=[people.display(handle) for handle in result.removed],
        suggestion=suggestion,
    )


def _record_detail(entry: RecordKnowers, people: People) -> RecordKnowledge:
    """Return the display form of one record's knowers."""
    record = entry.record
    return RecordKnowledge(
        key=record.key, title=record.title, kind=record.kind, status=record.status, topics=list(record.topics),
        knowers=[people.display(handle) for handle in entry.knowers],
        left_knowers=[people.display(handle) for handle in entry.left_knowers],
        last_reviewed=entry.last_reviewed, review_by=record.review_by,
    )

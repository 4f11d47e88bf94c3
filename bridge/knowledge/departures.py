"""Departure simulation: what a set of people leaving does to every topic's bus factor and records."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from bridge.config import KnowledgeSettings
from bridge.knowledge.analysis import Analysis, analyse
from bridge.knowledge.knowers import KnowledgeSource
from bridge.knowledge_types import DepartureImpact, TopicChange


def compare_analyses(before: Analysis, after: Analysis) -> list[TopicChange]:
    """Return per-topic bus factor and record changes from before to after, in the after map's topic order."""
    before_topics = {topic.topic: topic for topic in before.map.topics}
    after_topics = {topic.topic: topic for topic in after.map.topics}
    order = [topic.topic for topic in after.map.topics] + [
        name for name in before_topics if name not in after_topics
    ]
    changes = []
    for name in order:
        old, new = before_topics.get(name), after_topics.get(name)
        keys = set(new.record_keys if new else []) | set(old.record_keys if old else [])
        changes.append(TopicChange(
            topic=name,
            before=old.bus_factor if old else None,
            after=new.bus_factor if new else None,
            newly_orphaned=sorted(key for key in keys if _orphaned_by_change(before, after, key)),
            newly_single=sorted(key for key in keys if _single_by_change(before, after, key)),
        ))
    return changes


def _orphaned_by_change(before: Analysis, after: Analysis, key: str) -> bool:
    """Return whether the record had an active knower before and has none after."""
    old, new = before.entries.get(key), after.entries.get(key)
    return bool(old and new and old.knowers and not new.knowers)


def _single_by_change(before: Analysis, after: Analysis, key: str) -> bool:
    """Return whether the record had two or more active knowers before and exactly one after."""
    old, new = before.entries.get(key), after.entries.get(key)
    return bool(old and new and len(old.knowers) >= 2 and len(new.knowers) == 1)


def simulate_departures(
    source: KnowledgeSource,
    settings: KnowledgeSettings,
    without: Collection[str],
    *,
    as_of: date,
    topic: str | None = None,
) -> DepartureImpact:
    """Return the knowledge map before and after the people in ``without`` (handles) leave."""
    before = analyse(source, settings, as_of=as_of, topic=topic)
    after = analyse(source, settings, as_of=as_of, without=without, topic=topic)
    orphaned = sorted(key for key in after.entries if _orphaned_by_change(before, after, key))
    return DepartureImpact(
        departed=list(after.map.without),
        before=before.map,
        after=after.map,
        changes=compare_analyses(before, after),
        orphaned_records=orphaned,
    )

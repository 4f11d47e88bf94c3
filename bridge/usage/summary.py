"""``bridge usage``: most read records, most searched topics and queries, counts per front end."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime

from bridge.usage_types import CountedItem, UsageEvent, UsageSummary

TOP = 10
"""Entries per list."""


def summarise(
    events: Sequence[UsageEvent],
    *,
    since: datetime | None,
    titles: Mapping[str, str],
    topics_of: Mapping[str, Sequence[str]],
    limit: int = TOP,
) -> UsageSummary:
    """Return the usage summary of events; titles and topics_of describe the records by key."""
    by_front_end: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    reads: Counter[str] = Counter()
    topics: Counter[str] = Counter()
    queries: Counter[str] = Counter()
    hashed = False
    for event in events:
        by_front_end[event.front_end][event.kind] += 1
        if event.kind in ("open", "cite") and event.record_key:
            reads[event.record_key] += 1
        elif event.kind == "search":
            if event.query is None:
                hashed = True
                queries[f"(hashed) {event.query_hash[:12]}"] += 1
            else:
                queries[event.query.strip()] += 1
            if event.hit_keys:
                for topic in topics_of.get(event.hit_keys[0], ()):
                    topics[topic] += 1
    kinds = Counter(event.kind for event in events)
    return UsageSummary(
        since=since, events=len(events), searches=kinds["search"], opens=kinds["open"], citations=kinds["cite"],
        by_front_end={front_end: dict(counts) for front_end, counts in sorted(by_front_end.items())},
        most_read=[CountedItem(key, count, titles.get(key, "")) for key, count in _top(reads, limit)],
        top_topics=[CountedItem(topic, count) for topic, count in _top(topics, limit)],
        top_queries=[CountedItem(query, count) for query, count in _top(queries, limit)],
        hashed_queries=hashed,
    )


def read_counts(events: Sequence[UsageEvent]) -> dict[str, int]:
    """Return record key (upper-case) → how often it was opened or cited."""
    counts: Counter[str] = Counter()
    for event in events:
        if event.kind in ("open", "cite") and event.record_key:
            counts[event.record_key.upper()] += 1
    return dict(counts)


def _top(counter: Counter[str], limit: int) -> list[tuple[str, int]]:
    """Return the most common entries, ties by name."""
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:limit]

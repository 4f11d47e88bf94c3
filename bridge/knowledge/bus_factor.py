"""Greedy bus factor of a set of records (Avelino et al. 2016, Algorithm 1) and the spread figures around it.

Remove the person who knows the most records of the set, again and again, until more than half of the records
have no remaining knower; the number removed is the bus factor. Ties between people who know equally many
records are broken by handle (alphabetical), so the result never depends on input order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass


@dataclass
class BusFactorResult:
    """The bus factor of a set of records and the greedy removal order that produced it."""

    bus_factor: int
    removed: list[str]
    """Handles in removal order; their departure leaves more than half the records without a knower."""


def more_than_half_orphaned(orphaned: int, total: int) -> bool:
    """Return whether orphaned records are strictly more than half of total (an empty set counts as orphaned)."""
    return total == 0 or 2 * orphaned > total


def known_counts(knowers_of: Mapping[str, Collection[str]]) -> Counter[str]:
    """Return how many of the records each person knows."""
    counts: Counter[str] = Counter()
    for knowers in knowers_of.values():
        counts.update(set(knowers))
    return counts


def removal_order(knowers_of: Mapping[str, Collection[str]]) -> list[str]:
    """Return everyone who knows a record, most records first, ties by handle."""
    counts = known_counts(knowers_of)
    return sorted(counts, key=lambda handle: (-counts[handle], handle))


def greedy_bus_factor(knowers_of: Mapping[str, Collection[str]]) -> BusFactorResult:
    """Return the bus factor of the records in knowers_of (record key → handles of its active knowers)."""
    total = len(knowers_of)
    remaining = {key: set(knowers) for key, knowers in knowers_of.items()}
    orphaned = sum(1 for knowers in remaining.values() if not knowers)
    removed: list[str] = []
    for handle in removal_order(knowers_of):
        if more_than_half_orphaned(orphaned, total):
            break
        removed.append(handle)
        for knowers in remaining.values():
            if handle in knowers:
                knowers.discard(handle)
                if not knowers:
                    orphaned += 1
    return BusFactorResult(bus_factor=len(removed), removed=removed)


def single_knower_records(knowers_of: Mapping[str, Collection[str]]) -> list[str]:
    """Return the keys of records exactly one active person knows, sorted."""
    return sorted(key for key, knowers in knowers_of.items() if len(set(knowers)) == 1)


def orphaned_records(knowers_of: Mapping[str, Collection[str]]) -> list[str]:
    """Return the keys of records no active person knows, sorted."""
    return sorted(key for key, knowers in knowers_of.items() if not knowers)

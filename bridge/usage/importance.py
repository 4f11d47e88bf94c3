"""Importance and risk of records: how much a record matters, times how concentrated its knowledge is.

importance = 1 + log2(1 + reads) + 0.5 × links in + 0.5 × mentions + 1 × alerts, where reads are opens and
citations, links in are supersedes / amends / relates links from other records, mentions are other records whose
body names the record (``ADR-8``, ``ADR-0008`` or a link to its file, resolved as a reader of that body would:
``bridge.usage.key_mentions``), and alerts are alerting rules whose runbook link points at the record.
risk = importance × concentration, with concentration = 1 / active knowers (1 when nobody knows it).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence

from bridge.domain import Link, Record
from bridge.usage.key_mentions import count_mentions
from bridge.usage_types import Importance, ImportanceTerm, RiskEntry

LINK_WEIGHT = 0.5
"""Points per link from another record."""
MENTION_WEIGHT = 0.5
"""Points per other record whose body names this record."""
ALERT_WEIGHT = 1.0
"""Points per alerting rule that points at the record."""


def links_in(links: Sequence[Link]) -> dict[str, int]:
    """Return record key (upper-case) → how many distinct other records link to it."""
    sources: dict[str, set[str]] = defaultdict(set)
    for link in links:
        if link.source_key.upper() != link.target_key.upper():
            sources[link.target_key.upper()].add(link.source_key.upper())
    return {key: len(found) for key, found in sources.items()}


def mentions(records: Sequence[Record], roots: Mapping[str, str] | None = None) -> dict[str, int]:
    """Return record key (upper-case) → how many other records' bodies name it.

    A key in the text counts by prefix and number, without zero padding and case-insensitively (``ADR-8``
    names ADR-0008), and resolves as a reader of that body would: a Markdown link by where it goes, otherwise
    the record of the body's own import root first. roots maps upper-case keys to the import root each record
    came from ("" or missing for a record made in bridge, which may name any record by its key); see
    ``bridge.usage.key_mentions``.
    """
    return count_mentions(records, roots)


def importance(
    key: str,
    *,
    reads: Mapping[str, int],
    inbound: Mapping[str, int],
    mentioned: Mapping[str, int],
    alerts: Mapping[str, int],
) -> Importance:
    """Return a record's importance with its terms (all mappings keyed by upper-case record key)."""
    upper = key.upper()
    read_count = reads.get(upper, 0)
    link_count = inbound.get(upper, 0)
    mention_count = mentioned.get(upper, 0)
    alert_count = alerts.get(upper, 0)
    terms = [
        ImportanceTerm("reads", read_count, round(math.log2(1 + read_count), 4)),
        ImportanceTerm("links in", link_count, LINK_WEIGHT * link_count),
        ImportanceTerm("mentions", mention_count, MENTION_WEIGHT * mention_count),
        ImportanceTerm("alerts", alert_count, ALERT_WEIGHT * alert_count),
    ]
    return Importance(key=key, score=round(1.0 + sum(term.points for term in terms), 4), terms=terms)


def concentration(knower_count: int) -> float:
    """Return 1 / knowers, or 1.0 when nobody knows the record (the knowledge is already gone)."""
    return 1.0 / knower_count if knower_count > 0 else 1.0


def risk_entry(record: Record, record_importance: Importance, knowers: Sequence[str]) -> RiskEntry:
    """Return the record's risk: importance × concentration."""
    share = concentration(len(knowers))
    return RiskEntry(
        key=record.key, title=record.title, kind=record.kind, importance=record_importance,
        knowers=list(knowers), concentration=round(share, 4), risk=round(record_importance.score * share, 4),
    )


def rank_risks(entries: Sequence[RiskEntry]) -> list[RiskEntry]:
    """Return entries riskiest first: highest risk, then most important, then by key."""
    return sorted(entries, key=lambda entry: (-entry.risk, -entry.importance.score, entry.key))

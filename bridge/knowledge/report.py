"""The periodic report: the knowledge map, review freshness, people, and the trend since a previous report."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from bridge.config import KnowledgeSettings
from bridge.errors import BridgeError
from bridge.knowledge.analysis import Analysis, analyse
from bridge.knowledge.flags import review_freshness
from bridge.knowledge.knowers import KnowledgeSource
from bridge.knowledge.people import people_summaries
from bridge.knowledge_types import OVERALL_TOPIC, KnowledgeMap, KnowledgeReport, TopicChange


def previous_bus_factors(previous: Mapping[str, Any], where: str = "previous report") -> tuple[str, dict[str, int]]:
    """Return the previous report's day and its bus factor per topic (overall under OVERALL_TOPIC).

    Raises BridgeError naming ``where`` when the data is not a bridge knowledge report.
    """
    try:
        topics = {str(item["topic"]): int(item["bus_factor"]) for item in previous["topics"]}
        topics[OVERALL_TOPIC] = int(previous["overall"]["bus_factor"])
    except (KeyError, TypeError, ValueError) as exc:
        raise BridgeError(
            f"{where}: not a bridge knowledge report (expected 'overall.bus_factor' and 'topics[].bus_factor')"
        ) from exc
    day = str(previous.get("as_of") or previous.get("generated_at") or "")
    return day, topics


def compare_with_previous(current: KnowledgeMap, previous: Mapping[str, Any], where: str = "") -> list[TopicChange]:
    """Return each topic's bus factor before (previous report) and now, overall first, then worst trend first."""
    _, before = previous_bus_factors(previous, where or "previous report")
    now = {topic.topic: topic.bus_factor for topic in current.topics}
    now[OVERALL_TOPIC] = current.overall.bus_factor
    names = sorted(set(before) | set(now))
    changes = [TopicChange(topic=name, before=before.get(name), after=now.get(name)) for name in names]
    rank = {"worse": 0, "gone": 1, "new": 2, "better": 3, "same": 4}
    changes.sort(key=lambda change: (change.topic != OVERALL_TOPIC, rank[change.trend], change.topic))
    return changes


def build_report(
    source: KnowledgeSource,
    settings: KnowledgeSettings,
    *,
    as_of: date,
    generated_at: datetime,
    previous: Mapping[str, Any] | None = None,
    previous_name: str = "",
    fail_under: int | None = None,
    analysis: Analysis | None = None,
) -> KnowledgeReport:
    """Return the report as of a day; with ``previous`` (a parsed JSON report) also the trend per topic."""
    analysis = analysis or analyse(source, settings, as_of=as_of)
    trends: list[TopicChange] = []
    since = ""
    if previous is not None:
        since, _ = previous_bus_factors(previous, previous_name or "previous report")
        trends = compare_with_previous(analysis.map, previous, previous_name)
    return KnowledgeReport(
        generated_at=generated_at,
        map=analysis.map,
        freshness=review_freshness(list(analysis.entries.values()), as_of),
        people=people_summaries(analysis),
        trends=trends,
        since=since or ("unknown date" if previous is not None else ""),
        fail_under=fail_under,
    )

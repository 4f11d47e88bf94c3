"""Handlers of the knowledge tools: who knows a topic or record, the bus-factor table, onboarding paths."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from bridge.domain import KEY_PATTERN
from bridge.errors import RecordNotFound
from bridge.knowledge_types import FLAG_LABELS
from bridge.mcp.arguments import BusFactorArguments, OnboardingPathArguments, WhoKnowsArguments
from bridge.mcp.lookup import UnknownTopic, load_record, resolve_topic
from bridge.mcp.paging import paginate

if TYPE_CHECKING:
    from bridge.knowledge_types import KnowledgeMap, TopicKnowledge
    from bridge.mcp.context import ToolContext

LISTED_RECORD_KEYS = 20
"""Record keys listed per flag or record list before the rest are only counted."""


def _keys(keys: list[str]) -> dict[str, Any]:
    """Return a capped list of record keys with the count of the ones left out."""
    shown: dict[str, Any] = {"keys": keys[:LISTED_RECORD_KEYS]}
    if len(keys) > LISTED_RECORD_KEYS:
        shown["more"] = len(keys) - LISTED_RECORD_KEYS
    return shown


def _with_page(result: dict[str, Any], next_cursor: str | None, total: int | None) -> dict[str, Any]:
    """Add the paging fields to a result."""
    result["total"] = total
    if next_cursor:
        result["next_cursor"] = next_cursor
    return result


def _knowledge_map(context: ToolContext, topic: str | None = None) -> KnowledgeMap:
    """Return today's knowledge map of one topic, or of the whole knowledge base."""
    return context.workspace.knowledge_map(topic=topic)


def _topic(knowledge_map: KnowledgeMap, name: str) -> TopicKnowledge:
    """Return the topic's knowledge; raises UnknownTopic when the map has none (e.g. no live records)."""
    topic = knowledge_map.topic(name)
    if topic is None:
        raise UnknownTopic(f"topic '{name}' has no records to analyse")
    return topic


def who_knows(context: ToolContext, arguments: WhoKnowsArguments) -> dict[str, Any]:
    """Return the knowers of a record (when the argument is a record key) or of a topic."""
    wanted = arguments.topic_or_key
    page_arguments = {"topic_or_key": wanted, "limit": arguments.limit}
    topic_name: str | None = None
    try:
        topic_name = resolve_topic(context, wanted)
    except UnknownTopic as unknown_topic:
        if not KEY_PATTERN.match(wanted):
            raise
        try:
            record = load_record(context, wanted)
        except RecordNotFound:
            raise UnknownTopic(f"{unknown_topic} (and no record has key '{wanted}')") from None
    knowledge_map = _knowledge_map(context, topic_name)
    if topic_name is None:
        detail = next((item for item in knowledge_map.record_details if item.key == record.key), None)
        people: list[dict[str, Any]] = [
            {"person": name, "status": "active"} for name in (detail.knowers if detail else [])
        ]
        people += [{"person": name, "status": "left"} for name in (detail.left_knowers if detail else [])]
        page = paginate("who_knows", page_arguments, people, arguments.cursor, arguments.limit)
        result: dict[str, Any] = {"record": record.key, "title": record.title, "knowers": page.items}
        if detail and detail.last_reviewed:
            result["last_reviewed"] = detail.last_reviewed.isoformat()
        return _with_page(result, page.next_cursor, page.total)
    topic = _topic(knowledge_map, topic_name)
    topic_keys = set(topic.record_keys)
    left_counts: Counter[str] = Counter()
    for detail in knowledge_map.record_details:
        if detail.key in topic_keys:
            left_counts.update(detail.left_knowers)
    people = [dict(knower.to_dict(), status="active") for knower in topic.knowers]
    people += [
        {"person": name, "records": count, "share": round(count / max(1, topic.records), 4), "status": "left"}
        for name, count in sorted(left_counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    page = paginate("who_knows", page_arguments, people, arguments.cursor, arguments.limit)
    result = {"topic": topic.topic, "records": topic.records, "bus_factor": topic.bus_factor, "knowers": page.items}
    return _with_page(result, page.next_cursor, page.total)


def bus_factor(context: ToolContext, arguments: BusFactorArguments) -> dict[str, Any]:
    """Return the bus-factor table of all topics, or one topic's detail."""
    topic_name = resolve_topic(context, arguments.topic) if arguments.topic is not None else None
    knowledge_map = _knowledge_map(context, topic_name)
    if topic_name is None:
        rows: list[dict[str, Any]] = [
            {
                "topic": topic.topic, "bus_factor": topic.bus_factor, "records": topic.records,
                "knowers": len(topic.knowers), "top_knower": topic.knowers[0].person if topic.knowers else None,
                "concentration": round(topic.concentration, 4), "flags": [flag.kind for flag in topic.flags],
            }
            for topic in knowledge_map.topics
        ]
        page = paginate("bus_factor", {"topic": None, "limit": arguments.limit}, rows, arguments.cursor,
                        arguments.limit)
        shown_flags = sorted({kind for row in page.items for kind in row["flags"]})
        result: dict[str, Any] = {
            "as_of": knowledge_map.as_of.isoformat(),
            "overall": {"bus_factor": knowledge_map.overall.bus_factor, "records": knowledge_map.overall.records},
            "topics": page.items,
            "flag_meanings": {kind: FLAG_LABELS.get(kind, kind) for kind in shown_flags},
        }
        return _with_page(result, page.next_cursor, page.total)
    topic = _topic(knowledge_map, topic_name)
    page = paginate("bus_factor", {"topic": topic.topic, "limit": arguments.limit},
                    [knower.to_dict() for knower in topic.knowers], arguments.cursor, arguments.limit)
    result = {
        "as_of": knowledge_map.as_of.isoformat(), "topic": topic.topic, "bus_factor": topic.bus_factor,
        "records": topic.records, "concentration": round(topic.concentration, 4), "knowers": page.items,
        "single_knower_records": _keys(topic.single_knower_records),
        "orphaned_records": _keys(topic.orphaned_records),
        "flags": [
            {"kind": flag.kind, "message": flag.message, **_keys(list(flag.records))} for flag in topic.flags
        ],
        "suggestion": topic.suggestion.to_dict() if topic.suggestion else None,
    }
    return _with_page(result, page.next_cursor, page.total)


def onboarding_path(context: ToolContext, arguments: OnboardingPathArguments) -> dict[str, Any]:
    """Return one page of a topic's reading path, with supersessions and people to ask."""
    topic_name = resolve_topic(context, arguments.topic)
    path = context.workspace.onboarding(topic_name)
    steps: list[dict[str, Any]] = []
    for group, items in (("decision", path.decisions), ("runbook", path.runbooks), ("proposed", path.proposed)):
        for item in items:
            step = {"step": len(steps) + 1, "group": group, **item.to_dict()}
            step.pop("kind", None)
            if not step.get("superseded_by"):
                step.pop("superseded_by", None)
            steps.append(step)
    page = paginate("onboarding_path", {"topic": topic_name, "limit": arguments.limit}, steps, arguments.cursor,
                    arguments.limit)
    result: dict[str, Any] = {
        "topic": path.topic,
        "reading": page.items,
        "superseded": [item.to_dict() for item in path.superseded[:LISTED_RECORD_KEYS]],
        "ask": [knower.to_dict() for knower in path.ask[:5]],
    }
    return _with_page(result, page.next_cursor, page.total)

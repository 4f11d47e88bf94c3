"""Each person's place in the knowledge map: records known, topics, topics where they are the only knower."""

from __future__ import annotations

from collections import defaultdict
from typing import Literal

from bridge.knowledge.analysis import Analysis
from bridge.knowledge_types import PersonSummary


def people_summaries(analysis: Analysis) -> list[PersonSummary]:
    """Return one summary per known person (and per unknown handle that knows something), most records first.

    Someone who left is shown with the records they knew when they left, so the list says what went with them.
    """
    people = analysis.people
    known: dict[str, set[str]] = defaultdict(set)
    topics_of: dict[str, set[str]] = defaultdict(set)
    for entry in analysis.entries.values():
        for handle in [*entry.knowers, *entry.left_knowers]:
            known[handle].add(entry.record.key)
    for topic, entries in analysis.records_by_topic.items():
        for entry in entries:
            for handle in [*entry.knowers, *entry.left_knowers]:
                topics_of[handle].add(topic)
    only_knower: dict[str, list[str]] = defaultdict(list)
    for topic_knowledge in analysis.map.topics:
        if len(topic_knowledge.knowers) == 1:
            only_knower[topic_knowledge.knowers[0].handle].append(topic_knowledge.topic)
    handles = set(people.by_handle) | set(known)
    summaries = []
    for handle in handles:
        person = people.by_handle.get(handle)
        status: Literal["active", "left", "team"]
        if people.is_team(handle):
            status = "team"
        elif people.has_left(handle, analysis.map.as_of):
            status = "left"
        else:
            status = "active"
        summaries.append(PersonSummary(
            person=people.display(handle),
            handle=handle,
            status=status,
            records_known=len(known.get(handle, ())),
            topics=sorted(topics_of.get(handle, ())),
            only_knower_topics=sorted(only_knower.get(handle, [])),
            left_on=person.left_on if person else None,
            aliases=sorted({alias for alias in [*person.aliases, *person.emails]
                            if alias.lower() not in (person.name.lower(), person.handle)}) if person else [],
            team=person.team if person else "",
        ))
    summaries.sort(key=lambda item: (-item.records_known, item.person.lower(), item.handle))
    return summaries

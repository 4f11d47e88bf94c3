"""Find what a tool argument names — a record by key, a topic by name — with errors an agent can act on."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from bridge.errors import BridgeError, RecordNotFound

if TYPE_CHECKING:
    from bridge.domain import Record
    from bridge.mcp.context import ToolContext


class UnknownTopic(BridgeError):
    """No topic has the given name."""


def load_record(context: ToolContext, key: str) -> Record:
    """Return the record with key, or raise RecordNotFound with a hint an agent can act on."""
    try:
        return context.workspace.get_record(key)
    except RecordNotFound:
        raise RecordNotFound(f"no record with key '{key}': use search_records to find record keys") from None


def successors(context: ToolContext, record: Record) -> list[str]:
    """Return the keys of records that supersede record, from its own field and from other records' links."""
    return successors_of_key(context, record.key, record.superseded_by)


def successors_of_key(context: ToolContext, key: str, known: list[str]) -> list[str]:
    """Return known successor keys of the record with key plus those only other records' links name."""
    keys = list(known)
    for link in context.workspace.links(key):
        if link.kind == "supersedes" and link.target_key == key and link.source_key not in keys:
            keys.append(link.source_key)
    return keys


def resolve_topic(context: ToolContext, name: str) -> str:
    """Return the stored spelling of topic name (exact, else case-insensitive); raises UnknownTopic with near names."""
    names = [topic for topic, _count in context.workspace.topics()]
    if name in names:
        return name
    folded = {topic.casefold(): topic for topic in names}
    if name.casefold() in folded:
        return folded[name.casefold()]
    near = difflib.get_close_matches(name.casefold(), list(folded), n=5, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(folded[item]) for item in near)}?" if near else "; call list_topics"
    raise UnknownTopic(f"no topic named '{name}'{hint}")

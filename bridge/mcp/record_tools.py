"""Handlers of the record tools: search, read, answer context, topics, and the three write tools."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bridge.mcp.arguments import (
    AnswerContextArguments,
    CreateRecordArguments,
    GetRecordArguments,
    ListTopicsArguments,
    MarkReviewedArguments,
    SearchRecordsArguments,
    UpdateStatusArguments,
)
from bridge.mcp.lookup import load_record, resolve_topic, successors, successors_of_key
from bridge.mcp.paging import CursorError, decode_cursor, encode_cursor, paginate
from bridge.mcp.sections import SectionNotFound, find_sections, select_section
from bridge.mcp.views import cut_text, front_matter, hit_view, record_uri
from bridge.search_types import INLINE_EMBED_LIMIT

if TYPE_CHECKING:
    from bridge.mcp.context import ToolContext
    from bridge.search_types import Passage, SearchMode

MAX_SEARCH_DEPTH = 100
"""How deep into a ranking search_records pages; past that, narrow the query instead."""
MAX_SECTION_NAMES = 60
"""Section names listed by get_record."""
CHARS_PER_TOKEN = 4
"""Rough characters per token, for the keyword-only answer context."""


def _semantic_mode(context: ToolContext) -> tuple[SearchMode, str | None]:
    """Return the search mode to use now and, when it is keyword only, a note saying why.

    Records written meanwhile (an import in another process) leave chunks without vectors: a few are embedded
    inside the search, a backlog is embedded in the background while searches answer with keyword results.
    """
    read_only = context.workspace.read_only_search_mode("hybrid")
    if read_only is not None:
        return read_only
    if context.warmer.wait_ready(context.semantic_wait_seconds):
        pending = context.workspace.index_status().pending
        if pending <= INLINE_EMBED_LIMIT:
            return "hybrid", None
        context.warmer.catch_up()
        return "keyword", (f"{pending} sections written since the server started wait for vectors; keyword results "
                           "only until they are embedded — repeat the call later for hybrid")
    if context.warmer.state == "failed":
        return "keyword", f"semantic search is unavailable ({context.warmer.error}); keyword results only"
    return "keyword", "the semantic model is still loading; keyword results only — repeat the call later for hybrid"


def search_records(context: ToolContext, arguments: SearchRecordsArguments) -> dict[str, Any]:
    """Return one page of hits for a query."""
    query_arguments = arguments.model_dump(exclude={"cursor"})
    offset = decode_cursor("search_records", query_arguments, arguments.cursor)
    if offset >= MAX_SEARCH_DEPTH:
        raise CursorError(f"search_records pages only through the top {MAX_SEARCH_DEPTH} hits; narrow the query")
    topic = resolve_topic(context, arguments.topic) if arguments.topic else None
    mode, note = _semantic_mode(context)
    wanted = offset + arguments.k
    hits = context.workspace.search(
        arguments.query, k=wanted + 1, kind=arguments.kind, status=arguments.status, topic=topic,
        mode=mode,
    )
    page = hits[offset:wanted]
    for hit in page:
        hit.superseded_by = successors_of_key(context, hit.key, hit.superseded_by)
    result: dict[str, Any] = {"query": arguments.query, "mode": mode, "hits": [hit_view(hit) for hit in page]}
    if len(hits) > wanted and wanted < MAX_SEARCH_DEPTH:
        result["next_cursor"] = encode_cursor("search_records", query_arguments, wanted)
    if note:
        result["note"] = note
    return result


def get_record(context: ToolContext, arguments: GetRecordArguments) -> dict[str, Any]:
    """Return a record's front matter and its text or one section's text, cut to max_chars."""
    record = load_record(context, arguments.key)
    section_name: str | None = None
    text = record.body
    if arguments.section:
        section, text = select_section(record.body, record.body_format, record.title, arguments.section)
        section_name = section.name
    page_arguments = {"key": record.key, "section": arguments.section, "max_chars": arguments.max_chars}
    offset = decode_cursor("get_record", page_arguments, arguments.cursor)
    page_text, next_offset = cut_text(text, offset, arguments.max_chars)
    if offset == 0:
        context.workspace.record_open(record.key)
    record.superseded_by = successors(context, record)
    result: dict[str, Any] = {"uri": record_uri(record.key), "front_matter": front_matter(record)}
    if record.superseded_by:
        result["warning"] = (
            f"{record.key} is superseded by {', '.join(record.superseded_by)} (status {record.status}): "
            "read that record for the current decision"
        )
    if section_name is not None:
        result["section"] = section_name
    else:
        names = [section.name for section in find_sections(record.body, record.body_format, record.title)]
        result["sections"] = names[:MAX_SECTION_NAMES]
        if len(names) > MAX_SECTION_NAMES:
            result["more_sections"] = len(names) - MAX_SECTION_NAMES
    result["format"] = record.body_format
    result["text"] = page_text
    result["offset"] = offset
    result["total_chars"] = len(text)
    if next_offset is not None:
        result["next_cursor"] = encode_cursor("get_record", page_arguments, next_offset)
    return result


def _passage_view(passage: Passage) -> dict[str, Any]:
    """Return the compact form of a passage: citation first, no score or path."""
    view: dict[str, Any] = {
        "citation": passage.citation, "key": passage.key, "title": passage.title, "section": passage.section,
        "status": passage.status, "text": passage.text,
    }
    if passage.superseded_by:
        view["superseded_by"] = list(passage.superseded_by)
    return view


def _keyword_passages(context: ToolContext, question: str, max_tokens: int) -> list[dict[str, Any]]:
    """Return passages from keyword hits' best sections, cut to the budget, while the model is not ready."""
    budget_chars = max_tokens * CHARS_PER_TOKEN
    passages: list[dict[str, Any]] = []
    for hit in context.workspace.search(question, k=8, mode="keyword"):
        if budget_chars < 200:
            break
        text = hit.snippet
        if hit.section:
            record = context.workspace.get_record(hit.key)
            try:
                _, text = select_section(record.body, record.body_format, record.title, hit.section)
            except SectionNotFound:
                text = hit.snippet
        text, _ = cut_text(text, 0, budget_chars)
        budget_chars -= len(text) + 60
        citation = f"[{hit.key} § {hit.section}]" if hit.section else f"[{hit.key}]"
        view: dict[str, Any] = {"citation": citation, "key": hit.key, "title": hit.title, "section": hit.section,
                "status": hit.status, "text": text}
        superseded_by = successors_of_key(context, hit.key, hit.superseded_by)
        if superseded_by:
            view["superseded_by"] = superseded_by
        passages.append(view)
    return passages


def answer_context(context: ToolContext, arguments: AnswerContextArguments) -> dict[str, Any]:
    """Return cited passages for a question within the token budget."""
    mode, note = _semantic_mode(context)
    if mode == "hybrid":
        found = context.workspace.answer_context(arguments.question, max_tokens=arguments.max_tokens)
        successors_by_key = {
            passage.key: successors_of_key(context, passage.key, passage.superseded_by) for passage in found
        }
        for passage in found:
            passage.superseded_by = successors_by_key[passage.key]
        passages = [_passage_view(passage) for passage in found]
    else:
        passages = _keyword_passages(context, arguments.question, arguments.max_tokens)
    context.workspace.record_citations([str(passage["key"]) for passage in passages])
    result: dict[str, Any] = {
        "question": arguments.question,
        "instructions": (
            "Answer only from these passages and cite each statement with the passage's citation tag. Prefer "
            "current records over superseded ones. Say so when the passages do not answer the question."
        ),
        "passages": passages,
    }
    if note:
        result["note"] = note
    return result


def list_topics(context: ToolContext, arguments: ListTopicsArguments) -> dict[str, Any]:
    """Return one page of topics with their record counts."""
    topics = context.workspace.topics()
    page = paginate("list_topics", {"limit": arguments.limit}, topics, arguments.cursor, arguments.limit)
    result: dict[str, Any] = {
        "topics": [{"topic": name, "records": count} for name, count in page.items], "total": page.total,
    }
    if page.next_cursor:
        result["next_cursor"] = page.next_cursor
    return result


# -- writing -------------------------------------------------------------------------------------------------


def create_record(context: ToolContext, arguments: CreateRecordArguments) -> dict[str, Any]:
    """Create a record as revision 1 attributed to the server's person."""
    record = context.workspace.new_record(
        arguments.kind, arguments.title, template=arguments.template, topics=arguments.topics,
        owners=arguments.owners, body=arguments.body, supersedes=arguments.supersedes, author=context.author,
        status=arguments.status,
    )
    return {
        "key": record.key, "uri": record_uri(record.key), "title": record.title, "kind": record.kind,
        "status": record.status, "version": record.version, "attributed_to": context.author,
    }


def mark_reviewed(context: ToolContext, arguments: MarkReviewedArguments) -> dict[str, Any]:
    """Record a review of a record by the server's person."""
    record = load_record(context, arguments.key)
    contribution = context.workspace.mark_reviewed(record.key, context.author)
    return {
        "key": record.key, "reviewed_by": contribution.person,
        "at": contribution.at.isoformat(timespec="seconds") if contribution.at else None,
    }


def update_status(context: ToolContext, arguments: UpdateStatusArguments) -> dict[str, Any]:
    """Save a record with a new status as a revision attributed to the server's person."""
    record = load_record(context, arguments.key)
    expected_version = arguments.expected_version if arguments.expected_version is not None else record.version
    previous_status = record.status
    result: dict[str, Any] = {"key": record.key, "previous_status": previous_status, "status": arguments.status}
    if previous_status == arguments.status and expected_version == record.version:
        result.update(version=record.version, changed=False)
        return result
    record.status = arguments.status
    record.status_text = arguments.status
    saved = context.workspace.save_record(
        record, expected_version=expected_version, author=context.author,
        message=f"status {previous_status} → {arguments.status} (via MCP)",
    )
    result.update(version=saved.version, changed=True, attributed_to=context.author)
    return result

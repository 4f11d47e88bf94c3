"""The MCP server's own parts without a subprocess: cursors, sections, text cutting, tool schemas and dispatch."""

from __future__ import annotations

import anyio
import mcp_types as types
import pytest

from bridge.errors import BridgeError, ModelError
from bridge.mcp.paging import CursorError, decode_cursor, encode_cursor, paginate
from bridge.mcp.sections import SectionNotFound, find_sections, select_section
from bridge.mcp.server import BridgeMCPServer
from bridge.mcp.views import cut_text
from bridge.workspace import Workspace

MARKDOWN = """# Disk full

Intro line.

## Diagnosis

Check usage.

```sh
# this is a shell comment, not a heading
df -h
```

### Logs

Look at `journalctl`.

Setext heading
--------------

Under setext.

## Mitigation

Delete old files.
"""

RST = """Abstract
========

Short.

Rationale
=========

Why.

Details
-------

More.
"""


def result_text(result: types.CallToolResult) -> str:
    """Return the text of a tool result's first content block."""
    block = result.content[0]
    assert isinstance(block, types.TextContent)
    return block.text


def test_cursor_round_trip_and_binding_to_arguments() -> None:
    cursor = encode_cursor("list_topics", {"limit": 5}, 10)
    assert decode_cursor("list_topics", {"limit": 5}, cursor) == 10
    assert decode_cursor("list_topics", {"limit": 5}, None) == 0
    with pytest.raises(CursorError, match="different list_topics call"):
        decode_cursor("list_topics", {"limit": 6}, cursor)
    with pytest.raises(CursorError, match="different who_knows call"):
        decode_cursor("who_knows", {"limit": 5}, cursor)
    with pytest.raises(CursorError, match="not a cursor"):
        decode_cursor("list_topics", {"limit": 5}, "%%%garbage")
    assert issubclass(CursorError, BridgeError)


def test_paginate_walks_every_item_once() -> None:
    items = list(range(23))
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        page = paginate("t", {}, items, cursor, 10)
        seen.extend(page.items)
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == items and pages == 3


def test_markdown_sections_skip_fenced_code_and_drop_the_title() -> None:
    names = [section.name for section in find_sections(MARKDOWN, "markdown", "Disk full")]
    assert names == ["Diagnosis", "Diagnosis › Logs", "Setext heading", "Mitigation"]
    squashed = [section.name for section in find_sections(MARKDOWN.replace("# Disk full", "# DiskFull"),
                                                          "markdown", "Disk full")]
    assert squashed == names


def test_select_section_includes_subsections_and_matches_loosely() -> None:
    section, text = select_section(MARKDOWN, "markdown", "Disk full", "diagnosis")
    assert section.name == "Diagnosis"
    assert text.startswith("## Diagnosis") and "df -h" in text and "journalctl" in text
    assert "Under setext." not in text and "Delete old files" not in text
    _, setext = select_section(MARKDOWN, "markdown", "Disk full", "setext heading")
    assert setext == "Setext heading\n--------------\n\nUnder setext."
    _, logs = select_section(MARKDOWN, "markdown", "Disk full", "Diagnosis > Logs")
    assert logs == "### Logs\n\nLook at `journalctl`."
    _, by_full_path = select_section(MARKDOWN, "markdown", "Disk full", "Disk full › Mitigation")
    assert by_full_path == "## Mitigation\n\nDelete old files."
    with pytest.raises(SectionNotFound, match="'Diagnosis', 'Diagnosis › Logs'"):
        select_section(MARKDOWN, "markdown", "Disk full", "Rollback")


def test_rst_sections_follow_underline_levels() -> None:
    names = [section.name for section in find_sections(RST, "rst", "Some PEP")]
    assert names == ["Abstract", "Rationale", "Rationale › Details"]
    _, text = select_section(RST, "rst", "Some PEP", "Rationale")
    assert text.startswith("Rationale\n=========") and "More." in text


def test_cut_text_breaks_at_lines_and_loses_nothing() -> None:
    text = "\n".join(f"line {number} " + "x" * (number % 7) for number in range(200))
    pieces: list[str] = []
    offset: int | None = 0
    while offset is not None:
        piece, offset = cut_text(text, offset, 300)
        assert len(piece) <= 300
        pieces.append(piece)
    assert "".join(pieces) == text
    assert all(piece.endswith("\n") for piece in pieces[:-1])


def test_tool_calls_in_process_validate_and_never_raise(bridge_home) -> None:
    workspace = Workspace.open()
    try:
        record = workspace.new_record("runbook", "Rotate the TLS certificate", body="## Steps\n\nRotate it.\n")
        server = BridgeMCPServer(workspace, preload_model=False)

        async def scenario() -> None:
            ok = await server.call("get_record", {"key": record.key, "section": "steps"})
            assert not ok.is_error and ok.structured_content["text"] == "## Steps\n\nRotate it."
            missing = await server.call("get_record", {"key": "RB-4040"})
            assert missing.is_error and "no record with key 'RB-4040'" in result_text(missing)
            unknown = await server.call("update_status", {"key": record.key, "status": "retired"})
            assert unknown.is_error and "unknown tool" in result_text(unknown)

        anyio.run(scenario)
        writer = BridgeMCPServer(workspace, allow_write=True, author="release-bot", preload_model=False)

        async def write() -> None:
            result = await writer.call("update_status", {"key": record.key, "status": "active"})
            assert not result.is_error and result.structured_content["attributed_to"] == "release-bot"

        anyio.run(write)
        assert workspace.history(record.key)[-1].author == workspace.resolve_author("release-bot")
    finally:
        workspace.close()


def refuse_model(*_args: object) -> None:
    """Stand in for Workspace.warm_up on a machine where the model cannot load."""
    raise ModelError("the embedding model cannot be loaded offline")


def test_without_a_model_search_and_answer_context_fall_back_to_keywords(bridge_home, monkeypatch) -> None:
    workspace = Workspace.open()
    try:
        workspace.new_record("runbook", "Certificate expires soon",
                             body="## Mitigation\n\nRenew the certificate with the issuer and reload the proxy.\n")
        workspace.new_record("runbook", "Disk almost full", body="## Mitigation\n\nDelete old log files.\n")

        monkeypatch.setattr(workspace, "warm_up", refuse_model)
        server = BridgeMCPServer(workspace, semantic_wait_seconds=5)

        async def scenario() -> None:
            search = await server.call("search_records", {"query": "renew certificate"})
            assert not search.is_error
            data = search.structured_content
            assert data["mode"] == "keyword" and "cannot be loaded offline" in data["note"]
            assert data["hits"][0]["title"] == "Certificate expires soon"
            context = await server.call("answer_context", {"question": "how do I renew the certificate?",
                                                           "max_tokens": 100})
            passages = context.structured_content["passages"]
            assert passages[0]["citation"] == f"[{data['hits'][0]['key']} § Mitigation]"
            assert passages[0]["text"].startswith("## Mitigation\n\nRenew the certificate")

        anyio.run(scenario)
        assert server.context.warmer.state == "failed"
    finally:
        workspace.close()


def test_an_empty_knowledge_base_gives_empty_answers_not_errors(bridge_home, monkeypatch) -> None:
    workspace = Workspace.open()
    try:
        monkeypatch.setattr(workspace, "warm_up", refuse_model)
        server = BridgeMCPServer(workspace, preload_model=False)

        async def scenario() -> None:
            topics = await server.call("list_topics", {})
            assert not topics.is_error and topics.structured_content == {"topics": [], "total": 0}
            table = await server.call("bus_factor", {})
            assert not table.is_error and table.structured_content["topics"] == []
            search = await server.call("search_records", {"query": "anything"})
            assert not search.is_error and search.structured_content["hits"] == []

        anyio.run(scenario)
    finally:
        workspace.close()


def test_search_hits_and_records_name_successors_from_supersedes_links(bridge_home, monkeypatch) -> None:
    workspace = Workspace.open()
    try:
        old = workspace.new_record("decision", "Page on every alert", status="accepted",
                                   body="## Decision\n\nPage the on-call engineer for every alert.\n")
        new = workspace.new_record("decision", "Page only on symptoms", status="accepted", supersedes=[old.key],
                                   body="## Decision\n\nPage only for user-visible symptoms.\n")
        monkeypatch.setattr(workspace, "warm_up", refuse_model)
        server = BridgeMCPServer(workspace)

        async def scenario() -> None:
            search = await server.call("search_records", {"query": "page every alert"})
            hits = {hit["key"]: hit for hit in search.structured_content["hits"]}
            assert hits[old.key]["superseded_by"] == [new.key]
            assert hits[new.key]["superseded_by"] == []
            record = await server.call("get_record", {"key": old.key})
            assert new.key in record.structured_content["warning"]

        anyio.run(scenario)
    finally:
        workspace.close()

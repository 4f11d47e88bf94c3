"""`bridge mcp` as a subprocess, driven by the SDK's stdio client on the imported prometheus runbooks.

Two servers per module run (one read-only, one with --allow-write, each on its own copy of the knowledge base);
every tool is called through the real protocol and its answers are checked against the Workspace facade.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.shared.exceptions import MCPError
from mcp_types import PaginatedRequestParams, TextContent, TextResourceContents

from bridge.config import Settings
from bridge.workspace import Workspace
from tests.conftest import clone_corpus

pytestmark = pytest.mark.slow

BRIDGE = Path(sys.executable).with_name("bridge")
READ_TOOLS = {"search_records", "get_record", "answer_context", "list_topics", "who_knows", "bus_factor",
              "onboarding_path", "handoff_plan", "unanswered_questions",
              "runbook_for_alert"}
WRITE_TOOLS = {"create_record", "mark_reviewed", "update_status"}
ResultT = TypeVar("ResultT")


def bridge_env(home: Path) -> dict[str, str]:
    """Return an environment for a bridge subprocess using home, with no BRIDGE_* leaking in."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("BRIDGE_")}
    env.update(BRIDGE_HOME=str(home), BRIDGE_USER_NAME="Test User", BRIDGE_USER_EMAIL="test.user@example.com",
               HF_HUB_OFFLINE="1")
    return env


class McpPeer:
    """A stdio MCP client session to a `bridge mcp` subprocess, run on its own event loop thread."""

    def __init__(self, home: Path, args: list[str], log_path: Path) -> None:
        self.log_path = log_path
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._ready: concurrent.futures.Future[ClientSession] = concurrent.futures.Future()
        self._stop = asyncio.Event()
        params = StdioServerParameters(command=str(BRIDGE), args=["mcp", *args], env=bridge_env(home))
        self._main = asyncio.run_coroutine_threadsafe(self._serve(params), self._loop)
        self.session = self._ready.result(timeout=120)
        self.list_tools_seconds = 0.0

    async def _serve(self, params: StdioServerParameters) -> None:
        """Spawn the server, initialize, and keep the session open until closed."""
        try:
            with self.log_path.open("w") as errlog:
                started = time.perf_counter()
                async with stdio_client(params, errlog=errlog) as (read_stream, write_stream):
                    async with ClientSession(read_stream, write_stream) as session:
                        self.initialize_result = await session.initialize()
                        self.initialize_seconds = time.perf_counter() - started
                        listed = time.perf_counter()
                        self.tools = {tool.name: tool for tool in (await session.list_tools()).tools}
                        self.list_tools_seconds = time.perf_counter() - listed
                        self._ready.set_result(session)
                        await self._stop.wait()
        except BaseException as exc:
            if not self._ready.done():
                self._ready.set_exception(exc)
            raise

    def run(self, make: Callable[[ClientSession], Awaitable[ResultT]], timeout: float = 240) -> ResultT:
        """Run one client coroutine on the session and return its result."""
        async def call() -> ResultT:
            return await make(self.session)

        return asyncio.run_coroutine_threadsafe(call(), self._loop).result(timeout)

    def call(self, name: str, arguments: dict[str, Any] | None = None) -> tuple[bool, Any]:
        """Call a tool; return (is_error, structured result or the error text)."""
        result = self.run(lambda session: session.call_tool(name, arguments or {}))
        block = result.content[0]
        assert isinstance(block, TextContent)
        text = block.text
        if result.is_error:
            return True, text
        assert result.structured_content == json.loads(text)
        return False, result.structured_content

    def ok(self, name: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        """Call a tool that must succeed and return its structured result."""
        is_error, data = self.call(name, arguments)
        assert not is_error, data
        return data

    def close(self) -> None:
        """End the session (closing the server's stdin) and stop the loop."""
        self._loop.call_soon_threadsafe(self._stop.set)
        self._main.result(timeout=60)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)


@pytest.fixture(scope="module")
def imported_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a BRIDGE_HOME with the prometheus runbooks imported by `bridge import`."""
    base = tmp_path_factory.mktemp("mcp")
    corpus = clone_corpus("prometheus-runbooks", base / "prometheus-runbooks")
    home = base / "home"
    home.mkdir()
    subprocess.run([str(BRIDGE), "import", str(corpus)], env=bridge_env(home), check=True, capture_output=True)
    return home


@pytest.fixture(scope="module")
def facade(imported_home: Path) -> Iterator[Workspace]:
    """Return the Workspace over the read server's database, to compare the server's answers with."""
    workspace = Workspace.open(Settings(database_url=f"sqlite:///{imported_home / 'bridge.db'}"))
    yield workspace
    workspace.close()


@pytest.fixture(scope="module")
def reader(imported_home: Path) -> Iterator[McpPeer]:
    """Return a session to a read-only `bridge mcp` that preloads the model."""
    peer = McpPeer(imported_home, [], imported_home / "reader.log")
    yield peer
    peer.close()


@pytest.fixture(scope="module")
def writer_home(imported_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a copy of the imported knowledge base for the write server."""
    home = tmp_path_factory.mktemp("mcp-write") / "home"
    shutil.copytree(imported_home, home, ignore=shutil.ignore_patterns("*.log", "index"))
    return home


@pytest.fixture(scope="module")
def writer(writer_home: Path) -> Iterator[McpPeer]:
    """Return a session to `bridge mcp --allow-write --as ...` that loads no model."""
    peer = McpPeer(writer_home, ["--allow-write", "--as", "Agent Smith <agent.smith@example.com>", "--no-preload"],
                   writer_home / "writer.log")
    yield peer
    peer.close()


def wait_for_hybrid(peer: McpPeer, query: str, limit_seconds: float = 300) -> dict[str, Any]:
    """Repeat a search until the server answers in hybrid mode (the model has loaded)."""
    deadline = time.monotonic() + limit_seconds
    while True:
        data = peer.ok("search_records", {"query": query})
        if data["mode"] == "hybrid" or time.monotonic() > deadline:
            return data


# -- the handshake and listings ------------------------------------------------------------------------------


def test_initialize_and_tools_list_answer_without_waiting_for_the_model(reader: McpPeer) -> None:
    print(f"\ninitialize answered {reader.initialize_seconds:.2f} s after spawn; tools/list "
          f"{reader.list_tools_seconds * 1000:.0f} ms")
    assert reader.initialize_result.server_info.name == "bridge"
    assert reader.initialize_seconds < 10
    assert reader.list_tools_seconds < 2


def test_read_server_lists_the_read_tools_only_with_schemas_and_read_only_annotations(reader: McpPeer) -> None:
    assert set(reader.tools) == READ_TOOLS
    for tool in reader.tools.values():
        assert tool.description and len(tool.description) > 80
        assert tool.annotations is not None and tool.annotations.read_only_hint is True
        assert tool.annotations.destructive_hint is False
        assert tool.input_schema["type"] == "object"
        assert tool.input_schema["additionalProperties"] is False
    search_schema = reader.tools["search_records"].input_schema
    assert search_schema["required"] == ["query"]
    assert search_schema["properties"]["k"]["maximum"] == 20
    assert "runbook" in json.dumps(search_schema["properties"]["kind"])
    assert reader.tools["get_record"].input_schema["required"] == ["key"]


def test_write_tools_are_refused_on_the_read_server(reader: McpPeer) -> None:
    is_error, message = reader.call("create_record", {"kind": "runbook", "title": "Should not exist"})
    assert is_error and "unknown tool 'create_record'" in message


def test_resources_list_every_record_in_pages_and_read_as_markdown(reader: McpPeer, facade: Workspace) -> None:
    first = reader.run(lambda session: session.list_resources())
    assert first.next_cursor is not None and len(first.resources) == 100
    second = reader.run(lambda session: session.list_resources(params=PaginatedRequestParams(cursor=first.next_cursor)))
    uris = [str(resource.uri) for resource in first.resources + second.resources]
    assert uris == [f"record://{record.key}" for record in facade.list_records()]
    record = facade.list_records()[5]
    read = reader.run(lambda session: session.read_resource(f"record://{record.key}"))
    contents = read.contents[0]
    assert isinstance(contents, TextResourceContents)
    text = contents.text
    assert text.startswith("---\n") and f"key: {record.key}\n" in text
    assert record.body.strip()[:200] in text


def test_reading_an_unknown_resource_is_an_error_and_the_server_keeps_serving(reader: McpPeer) -> None:
    with pytest.raises(MCPError) as raised:
        reader.run(lambda session: session.read_resource("record://RB-9999"))
    assert "RB-9999" in str(raised.value)
    assert reader.ok("list_topics", {"limit": 1})["topics"]


# -- read tools ----------------------------------------------------------------------------------------------


def test_search_records_finds_the_runbook_for_an_alert(reader: McpPeer, facade: Workspace) -> None:
    data = wait_for_hybrid(reader, "Job default/db-backup-28761234 failed to complete.")
    assert data["mode"] == "hybrid", data.get("note")
    top = data["hits"][0]
    assert facade.get_record(top["key"]).source_path.endswith("KubeJobFailed.md")
    assert {"key", "title", "kind", "status", "section", "snippet", "superseded_by"} <= set(top)
    assert "source_path" not in top


def test_search_records_pages_with_a_cursor_bound_to_the_query(reader: McpPeer) -> None:
    arguments = {"query": "disk space running out on a node", "k": 3}
    first = reader.ok("search_records", arguments)
    second = reader.ok("search_records", dict(arguments, cursor=first["next_cursor"]))
    first_keys = [hit["key"] for hit in first["hits"]]
    second_keys = [hit["key"] for hit in second["hits"]]
    assert len(first_keys) == 3 and len(second_keys) == 3
    assert not set(first_keys) & set(second_keys)
    both = reader.ok("search_records", {"query": arguments["query"], "k": 6})
    if first["mode"] == second["mode"] == both["mode"]:
        assert [hit["key"] for hit in both["hits"]] == first_keys + second_keys
    is_error, message = reader.call("search_records", {"query": "another query", "k": 3,
                                                       "cursor": first["next_cursor"]})
    assert is_error and "different search_records call" in message


def test_search_records_filters_by_topic(reader: McpPeer, facade: Workspace) -> None:
    topic, _count = max(facade.topics(), key=lambda item: item[1])
    data = reader.ok("search_records", {"query": "alert firing", "topic": topic, "k": 10})
    assert data["hits"]
    assert all(topic in hit["topics"] for hit in data["hits"])


def test_get_record_returns_front_matter_sections_and_one_section(reader: McpPeer, facade: Workspace) -> None:
    hit = reader.ok("search_records", {"query": "KubePodCrashLooping pod is restarting"})["hits"][0]
    record = facade.get_record(hit["key"])
    whole = reader.ok("get_record", {"key": hit["key"].lower()})
    assert whole["front_matter"]["key"] == record.key
    assert whole["front_matter"]["title"] == record.title
    assert whole["front_matter"]["version"] == record.version
    assert whole["text"] == record.body and "next_cursor" not in whole
    assert whole["sections"]
    section = reader.ok("get_record", {"key": hit["key"], "section": whole["sections"][-1]})
    assert section["section"] == whole["sections"][-1]
    assert section["text"] in record.body
    assert len(section["text"]) < len(record.body)
    last_heading = whole["sections"][-1].split(" › ")[-1]
    assert last_heading in section["text"].splitlines()[0]


def test_get_record_pages_long_text_with_a_cursor(reader: McpPeer, facade: Workspace) -> None:
    record = max(facade.list_records(), key=lambda item: len(item.body))
    pieces: list[str] = []
    arguments: dict[str, Any] = {"key": record.key, "max_chars": 500}
    while True:
        page = reader.ok("get_record", arguments)
        assert len(page["text"]) <= 500
        pieces.append(page["text"])
        if "next_cursor" not in page:
            break
        arguments["cursor"] = page["next_cursor"]
    assert len(pieces) > 1
    assert "".join(pieces) == record.body


def test_get_record_errors_name_the_problem(reader: McpPeer) -> None:
    is_error, message = reader.call("get_record", {"key": "RB-9999"})
    assert is_error and "no record with key 'RB-9999'" in message
    key = reader.ok("search_records", {"query": "etcd"})["hits"][0]["key"]
    is_error, message = reader.call("get_record", {"key": key, "section": "No Such Heading"})
    assert is_error and "no section 'No Such Heading'" in message and "its sections are" in message


def test_answer_context_fits_cited_passages_in_the_budget(reader: McpPeer) -> None:
    wait_for_hybrid(reader, "warm up")
    data = reader.ok("answer_context", {"question": "How do I fix a node running out of disk space?",
                                        "max_tokens": 400})
    assert data["passages"]
    assert sum(len(passage["text"]) for passage in data["passages"]) <= 400 * 6
    for passage in data["passages"]:
        assert passage["citation"].startswith(f"[{passage['key']}")
    larger = reader.ok("answer_context", {"question": "How do I fix a node running out of disk space?",
                                          "max_tokens": 3000})
    assert len(larger["passages"]) >= len(data["passages"])


def test_list_topics_matches_the_knowledge_base_and_pages(reader: McpPeer, facade: Workspace) -> None:
    expected = [{"topic": topic, "records": count} for topic, count in facade.topics()]
    first = reader.ok("list_topics", {"limit": 3})
    assert first["topics"] == expected[:3] and first["total"] == len(expected)
    rest = reader.ok("list_topics", {"limit": 3, "cursor": first["next_cursor"]})
    assert rest["topics"] == expected[3:6]


def test_who_knows_a_topic_and_a_record(reader: McpPeer, facade: Workspace) -> None:
    topic, _count = max(facade.topics(), key=lambda item: item[1])
    expected = facade.knowledge_map(topic=topic).topic(topic)
    assert expected is not None
    data = reader.ok("who_knows", {"topic_or_key": topic.upper(), "limit": 50})
    assert data["topic"] == topic and data["bus_factor"] == expected.bus_factor
    active = [person for person in data["knowers"] if person["status"] == "active"]
    assert [person["person"] for person in active] == [knower.person for knower in expected.knowers]
    assert all(0 < person["share"] <= 1 for person in data["knowers"])
    detail = next(item for item in facade.knowledge_map().record_details if item.knowers)
    by_key = reader.ok("who_knows", {"topic_or_key": detail.key})
    assert [person["person"] for person in by_key["knowers"] if person["status"] == "active"] == detail.knowers
    is_error, message = reader.call("who_knows", {"topic_or_key": "no-such-system"})
    assert is_error and "no topic named 'no-such-system'" in message


def test_bus_factor_table_and_one_topic(reader: McpPeer, facade: Workspace) -> None:
    knowledge = facade.knowledge_map()
    table = reader.ok("bus_factor", {"limit": 50})
    assert table["overall"] == {"bus_factor": knowledge.overall.bus_factor, "records": knowledge.overall.records}
    assert [row["topic"] for row in table["topics"]] == [topic.topic for topic in knowledge.topics][:50]
    assert [row["bus_factor"] for row in table["topics"]] == [topic.bus_factor for topic in knowledge.topics][:50]
    for kind in {kind for row in table["topics"] for kind in row["flags"]}:
        assert table["flag_meanings"][kind]
    riskiest = knowledge.topics[0]
    detail = reader.ok("bus_factor", {"topic": riskiest.topic})
    assert detail["bus_factor"] == riskiest.bus_factor and detail["records"] == riskiest.records
    assert [flag["kind"] for flag in detail["flags"]] == [flag.kind for flag in riskiest.flags]


def test_onboarding_path_reads_the_topic_in_order(reader: McpPeer, facade: Workspace) -> None:
    topic, count = max(facade.topics(), key=lambda item: item[1])
    path = facade.onboarding(topic)
    data = reader.ok("onboarding_path", {"topic": topic, "limit": 5})
    expected = [item.key for item in path.decisions + path.runbooks + path.proposed]
    assert [step["key"] for step in data["reading"]] == expected[:5]
    assert [step["step"] for step in data["reading"]] == list(range(1, len(data["reading"]) + 1))
    assert data["total"] == len(expected)
    if len(expected) > 5:
        more = reader.ok("onboarding_path", {"topic": topic, "limit": 5, "cursor": data["next_cursor"]})
        assert [step["key"] for step in more["reading"]] == expected[5:10]


# -- bad input -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        ("search_records", {}, "query: Field required"),
        ("search_records", {"query": "x", "k": 0}, "k: Input should be greater than or equal to 1"),
        ("search_records", {"query": "x", "kind": "memo"}, "kind: Input should be"),
        ("search_records", {"query": "x", "cursor": "not-a-cursor"}, "is not a cursor this server issued"),
        ("get_record", {"key": "../../etc/passwd"}, "key: String should match pattern"),
        ("get_record", {"key": "RB-0001", "colour": "red"}, "colour: is not an argument of this tool"),
        ("answer_context", {"question": "x", "max_tokens": "lots"}, "max_tokens: Input should be a valid integer"),
        ("bus_factor", {"topic": "nonexistent-topic"}, "no topic named 'nonexistent-topic'"),
        ("onboarding_path", {"topic": ""}, "topic: String should have at least 1 character"),
        ("no_such_tool", {}, "unknown tool 'no_such_tool'"),
    ],
)
def test_bad_arguments_are_tool_errors_and_the_server_keeps_serving(
    reader: McpPeer, tool: str, arguments: dict[str, Any], expected: str
) -> None:
    is_error, message = reader.call(tool, arguments)
    assert is_error
    assert expected in message
    assert reader.ok("list_topics", {"limit": 1})["total"] > 0


def test_the_server_log_has_no_tracebacks(reader: McpPeer) -> None:
    reader.ok("list_topics")
    assert "Traceback" not in reader.log_path.read_text()


# -- write tools (a second server, started with --allow-write) ----------------------------------------------


@pytest.fixture(scope="module")
def writer_facade(writer_home: Path) -> Iterator[Workspace]:
    """Return the Workspace over the write server's database."""
    workspace = Workspace.open(Settings(database_url=f"sqlite:///{writer_home / 'bridge.db'}"))
    yield workspace
    workspace.close()


def agent_handle(workspace: Workspace) -> str:
    """Return the handle of the person the write server acts as."""
    return workspace.find_person("agent.smith@example.com").handle


def test_write_server_adds_write_tools_with_annotations(writer: McpPeer) -> None:
    assert set(writer.tools) == READ_TOOLS | WRITE_TOOLS
    annotations = {name: writer.tools[name].annotations for name in WRITE_TOOLS}
    assert all(item is not None and item.read_only_hint is False for item in annotations.values())
    assert annotations["update_status"].destructive_hint is True  # type: ignore[union-attr]
    assert annotations["create_record"].destructive_hint is False  # type: ignore[union-attr]
    assert writer.tools["create_record"].input_schema["required"] == ["kind", "title"]


def test_create_record_saves_revision_one_attributed_to_the_configured_person(
    writer: McpPeer, writer_facade: Workspace
) -> None:
    created = writer.ok("create_record", {
        "kind": "runbook", "title": "Drain a node before kernel upgrades", "topics": ["node"],
        "body": "## Steps\n\nCordon the node, drain it, upgrade, uncordon.\n",
    })
    handle = agent_handle(writer_facade)
    assert created["attributed_to"] == handle and created["version"] == 1 and created["status"] == "draft"
    history = writer_facade.history(created["key"])
    assert [revision.author for revision in history] == [handle]
    read = writer.ok("get_record", {"key": created["key"], "section": "Steps"})
    assert "Cordon the node" in read["text"]
    assert read["front_matter"]["topics"] == ["node"]


def test_a_superseded_decision_says_so_when_read(writer: McpPeer) -> None:
    old = writer.ok("create_record", {"kind": "decision", "title": "Page on every alert", "status": "accepted",
                                      "body": "## Decision\n\nPage for every alert.\n"})
    new = writer.ok("create_record", {"kind": "decision", "title": "Page only on symptoms", "status": "accepted",
                                      "supersedes": [old["key"]], "body": "## Decision\n\nPage on symptoms.\n"})
    read = writer.ok("get_record", {"key": old["key"]})
    assert read["front_matter"]["superseded_by"] == [new["key"]]
    assert new["key"] in read["warning"]


def test_mark_reviewed_records_a_review_by_the_configured_person(writer: McpPeer, writer_facade: Workspace) -> None:
    key = writer_facade.list_records(kind="runbook")[0].key
    data = writer.ok("mark_reviewed", {"key": key})
    handle = agent_handle(writer_facade)
    assert data["reviewed_by"] == handle
    contributor = next(item for item in writer_facade.contributors(key) if item.person.handle == handle)
    assert "reviewer" in contributor.roles


def test_update_status_is_a_revision_and_refuses_stale_versions(writer: McpPeer, writer_facade: Workspace) -> None:
    record = writer_facade.list_records(kind="runbook")[1]
    before = len(writer_facade.history(record.key))
    changed = writer.ok("update_status", {"key": record.key, "status": "needs-review",
                                          "expected_version": record.version})
    assert changed["changed"] is True and changed["version"] == record.version + 1
    assert writer_facade.get_record(record.key).status == "needs-review"
    history = writer_facade.history(record.key)
    assert len(history) == before + 1 and history[-1].author == agent_handle(writer_facade)
    is_error, message = writer.call("update_status", {"key": record.key, "status": "retired",
                                                      "expected_version": record.version})
    assert is_error and "changed by someone else" in message
    is_error, message = writer.call("update_status", {"key": record.key, "status": "retired",
                                                      "expected_version": 99})
    assert is_error and f"has no version 99 yet: it is at version {record.version + 1}" in message
    same = writer.ok("update_status", {"key": record.key, "status": "needs-review"})
    assert same["changed"] is False and len(writer_facade.history(record.key)) == before + 1
    is_error, message = writer.call("update_status", {"key": record.key, "status": "accepted"})
    assert is_error and "not a runbook status" in message
    assert writer_facade.get_record(record.key).status == "needs-review"


# -- streamable HTTP on loopback ----------------------------------------------------------------------------


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_http_transport_serves_the_same_tools_on_loopback(imported_home: Path, facade: Workspace) -> None:
    from mcp.client.streamable_http import streamable_http_client

    port = free_port()
    log_path = imported_home / "http.log"
    with log_path.open("w") as log:
        process = subprocess.Popen([str(BRIDGE), "mcp", "--http", "--port", str(port), "--no-preload"],
                                   env=bridge_env(imported_home), stdout=log, stderr=subprocess.STDOUT)
    try:
        import socket

        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "the HTTP server did not start listening"
                time.sleep(0.2)
        key = facade.list_records()[0].key

        async def session_calls() -> tuple[set[str], dict[str, Any]]:
            async with streamable_http_client(f"http://127.0.0.1:{port}/mcp") as (read_stream, write_stream):
                async with ClientSession(read_stream, write_stream) as session:
                    await session.initialize()
                    names = {tool.name for tool in (await session.list_tools()).tools}
                    result = await session.call_tool("get_record", {"key": key})
                    assert not result.is_error and result.structured_content is not None
                    return names, result.structured_content

        names, record = asyncio.run(session_calls())
        assert names == READ_TOOLS
        assert record["front_matter"]["key"] == key
        assert f"127.0.0.1:{port}/mcp" in log_path.read_text()
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_search_records_with_an_unknown_topic_names_the_near_ones(reader: McpPeer) -> None:
    is_error, message = reader.call("search_records", {"query": "alert", "topic": "alertmanagr"})
    assert is_error and "no topic named 'alertmanagr'; did you mean 'alertmanager'?" in message


def test_bridge_toml_can_allow_writes_and_stdin_closing_ends_the_server(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "bridge.toml").write_text("mcp_allow_write = true\n", encoding="utf-8")
    finished = subprocess.run([str(BRIDGE), "mcp"], input="", env=bridge_env(home), capture_output=True, text=True,
                              timeout=60)
    assert finished.returncode == 0, finished.stderr
    assert "on stdio (read and write as test-user" in finished.stderr
    assert finished.stdout == ""
    read_only = subprocess.run([str(BRIDGE), "mcp"], input="", env=bridge_env(tmp_path / "other"),
                               capture_output=True, text=True, timeout=60)
    assert "(read-only, 0 records)" in read_only.stderr


def test_usage_is_recorded_and_handoff_and_gaps_answer_without_writing(reader: McpPeer, facade: Workspace) -> None:
    wait_for_hybrid(reader, "etcd has no leader")
    reader.ok("get_record", {"key": "RB-0019"})
    cited = reader.ok("answer_context", {"question": "alertmanager cannot send notifications"})
    reader.ok("search_records", {"query": "how do I book a meeting room for the offsite"})
    top = facade.knowledge_map().overall.knowers[0]
    plan = reader.ok("handoff_plan", {"person": top.person})
    gaps = reader.ok("unanswered_questions", {"limit": 5})
    facade.flush_usage()
    deadline = time.monotonic() + 30
    while True:
        events = [event for event in facade.usage_events() if event.front_end == "mcp"]
        kinds = {(event.kind, event.record_key) for event in events}
        cited_keys = {passage["key"] for passage in cited["passages"]}
        if ("open", "RB-0019") in kinds and cited_keys <= {key for _, key in kinds} or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert ("open", "RB-0019") in kinds
    assert {passage["key"] for passage in cited["passages"]} <= {key for kind, key in kinds if kind == "cite"}
    assert plan["person"] == top.person and plan["progress"]["total"] == len(plan["items"]) > 0
    assert plan["record"] == "" and "preview" in plan["note"]
    assert facade.list_records(kind="handoff") == []
    assert gaps["total"] >= 1
    assert "how do I book a meeting room for the offsite" in [q for gap in gaps["questions"] for q in gap["queries"]]

"""Search commands through Typer's runner (hashing embedder): search, reindex, ask (extractive and generated), eval."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bridge.cli import _register_commands, app

_register_commands()
runner = CliRunner()

HIT_FIELDS = {"key", "title", "kind", "status", "score", "section", "snippet", "source_path", "superseded_by"}


def invoke(*args: str):
    """Run bridge with args and return the result."""
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(autouse=True)
def records(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Use the hashing embedder and create two runbooks through the CLI."""
    monkeypatch.setenv("BRIDGE_MODEL", "hashing-64")
    bodies = {
        "Disk full": "## Mitigation\n\nDelete old write-ahead log archives, then grow the volume.\n",
        "Certificate expiry": "## Mitigation\n\nRenew the TLS certificate with the ACME client.\n",
    }
    for title, body in bodies.items():
        body_file = tmp_path / f"{title}.md"
        body_file.write_text(body, encoding="utf-8")
        result = invoke("new", "--kind", "runbook", "--title", title, "--body-file", str(body_file), "--json")
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize("mode", ["hybrid", "keyword", "semantic"])
def test_search_json_lists_hits_best_first(mode: str) -> None:
    result = invoke("search", "renew the tls certificate", "--json", "--mode", mode)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["query"], data["mode"], data["note"]) == ("renew the tls certificate", mode, None)
    hits = data["hits"]
    assert hits[0]["key"] == "RB-0002"
    assert hits[0]["section"] == "Mitigation"
    assert HIT_FIELDS <= set(hits[0])
    assert [hit["score"] for hit in hits] == sorted((hit["score"] for hit in hits), reverse=True)


def test_search_text_shows_key_section_and_snippet() -> None:
    result = invoke("search", "write-ahead log", "-k", "1")
    assert result.exit_code == 0
    assert "RB-0001" in result.stdout and "Mitigation" in result.stdout and "archives" in result.stdout
    assert "RB-0002" not in result.stdout


def test_unknown_mode_is_a_usage_error() -> None:
    result = runner.invoke(app, ["search", "x", "--mode", "fuzzy"])
    assert result.exit_code == 2
    assert "unknown mode 'fuzzy'" in result.stderr


def test_reindex_json_reports_counts() -> None:
    first = json.loads(invoke("reindex", "--json").stdout)
    assert (first["records"], first["chunks"], first["embedded"]) == (2, 2, 2)
    assert first["backend"] == "hashing" and first["chunks_per_second"] > 0
    assert 0 < first["embed_seconds"] <= first["seconds"]
    assert 0 <= first["encode_seconds"] <= first["embed_seconds"] and first["calibration_seconds"] >= 0
    again = json.loads(invoke("reindex", "--json").stdout)
    assert again["embedded"] == 0 and again["backend"] == "" and again["chunks_per_second"] == 0
    assert json.loads(invoke("reindex", "--full", "--json").stdout)["embedded"] == 2


def test_ask_json_is_extractive_and_cited() -> None:
    answer = json.loads(invoke("ask", "how do I renew the certificate?", "--json").stdout)
    assert answer["generated"] is False
    assert answer["citations"][0]["key"] == "RB-0002"
    assert "[RB-0002 § Mitigation]" in answer["text"]


def test_eval_json_has_the_documented_fields(tmp_path: Path) -> None:
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps({"qid": "1", "query": "certificate", "relevant": ["nowhere.md"]}) + "\n")
    done = invoke("eval", str(queries), "--json", "--mode", "keyword")
    data = json.loads(done.stdout)
    assert {"queries", "recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10"} <= set(data)
    assert data["queries"] == 1 and data["mrr@10"] == 0.0
    assert data["unknown_paths"] == ["nowhere.md"] and data["labelled_paths"] == 1
    assert "1 of 1 labelled paths are not in this knowledge base (nowhere.md)" in " ".join(done.stderr.split())
    missing = runner.invoke(app, ["eval", str(tmp_path / "none.jsonl")])
    assert missing.exit_code == 1 and "does not exist" in missing.stderr


class _ChatHandler(BaseHTTPRequestHandler):
    """A minimal OpenAI-compatible chat endpoint that answers with a citation and records the request."""

    requests: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802  (http.server naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _ChatHandler.requests.append({"path": self.path, "body": body})
        if "fail" in body["messages"][-1]["content"]:
            self.send_response(500)
            self.end_headers()
            return
        reply = {"choices": [{"message": {"role": "assistant",
                                          "content": "Renew it with the ACME client [RB-0002 § Mitigation]."}}]}
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture
def llm_server(monkeypatch: pytest.MonkeyPatch):
    """Serve _ChatHandler on a free loopback port and point BRIDGE_LLM_URL at it."""
    server = HTTPServer(("127.0.0.1", 0), _ChatHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _ChatHandler.requests = []
    monkeypatch.setenv("BRIDGE_LLM_URL", f"http://127.0.0.1:{server.server_port}/v1")
    yield _ChatHandler.requests
    server.shutdown()
    server.server_close()


def test_ask_with_an_endpoint_returns_the_generated_answer_grounded_in_passages(llm_server: list[dict]) -> None:
    answer = json.loads(invoke("ask", "how do I renew the certificate?", "--json").stdout)
    assert answer["generated"] is True
    assert answer["text"] == "Renew it with the ACME client [RB-0002 § Mitigation]."
    assert [citation["key"] for citation in answer["citations"]] == ["RB-0002"]
    request = llm_server[0]
    assert request["path"] == "/v1/chat/completions"
    prompt = request["body"]["messages"][-1]["content"]
    assert "Renew the TLS certificate with the ACME client." in prompt
    assert "[RB-0002 § Mitigation]" in prompt


def test_a_failing_endpoint_falls_back_to_the_extractive_answer(llm_server: list[dict]) -> None:
    result = invoke("ask", "fail: renew the certificate?", "--json")
    answer = json.loads(result.stdout)
    assert answer["generated"] is False
    assert answer["warnings"] and "failed" in answer["warnings"][0]
    assert answer["citations"][0]["key"] == "RB-0002"


def _many_sections(tmp_path: Path, count: int) -> None:
    """Add a runbook of count sections (one chunk each), so that many chunks wait for vectors."""
    body = "".join(f"## Step {n}\n\nCheck replica {n} of the storage cluster and restart it.\n\n" for n in range(count))
    body_file = tmp_path / "steps.md"
    body_file.write_text(body, encoding="utf-8")
    result = invoke("new", "--kind", "runbook", "--title", "Storage steps", "--body-file", str(body_file), "--json")
    assert result.exit_code == 0, result.output


def _index_status():
    """Return the index status of the test's data directory."""
    from bridge.workspace import Workspace

    workspace = Workspace.open()
    try:
        return workspace.index_status()
    finally:
        workspace.close()


def test_a_large_backlog_answers_at_once_with_keyword_results_and_a_note(tmp_path: Path) -> None:
    from bridge.cli.search_cmds import INLINE_EMBED_LIMIT

    _many_sections(tmp_path, INLINE_EMBED_LIMIT + 10)
    result = invoke("search", "renew the tls certificate", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["mode"] == "keyword"
    assert "semantic results are still being prepared" in data["note"]
    assert "still being prepared" in result.stderr
    assert data["hits"][0]["key"] == "RB-0002"
    assert _index_status().embedded == 0, "the search embedded nothing"
    text = invoke("ask", "how do I renew the certificate?")
    assert "still being prepared" in text.stderr and "[RB-0002 § Mitigation]" in text.stdout


def test_wait_embeds_the_backlog_first_and_answers_hybrid(tmp_path: Path) -> None:
    from bridge.cli.search_cmds import INLINE_EMBED_LIMIT

    _many_sections(tmp_path, INLINE_EMBED_LIMIT + 10)
    data = json.loads(invoke("search", "renew the tls certificate", "--json", "--wait").stdout)
    assert (data["mode"], data["note"]) == ("hybrid", None)
    assert _index_status().pending == 0
    again = json.loads(invoke("search", "renew the tls certificate", "--json").stdout)
    assert (again["mode"], again["note"]) == ("hybrid", None)


def test_an_interrupted_wait_keeps_the_saved_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bridge.index.embedder import HashingEmbedder
    from bridge.workspace.vectors import STORE_BATCH

    _many_sections(tmp_path, STORE_BATCH * 2 + 5)
    calls = {"n": 0}
    original = HashingEmbedder.embed

    def interrupted_on_second_batch(self, texts, progress=None):  # noqa: ANN001, ANN202
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return original(self, texts, progress)

    monkeypatch.setattr(HashingEmbedder, "embed", interrupted_on_second_batch)
    result = invoke("search", "renew the tls certificate", "--json", "--wait")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["mode"] == "keyword" and data["note"].startswith(f"embedding interrupted: {STORE_BATCH} of")
    assert data["hits"][0]["key"] == "RB-0002"
    status = _index_status()
    assert status.embedded == STORE_BATCH and status.pending == status.chunks - STORE_BATCH
    monkeypatch.setattr(HashingEmbedder, "embed", original)
    report = json.loads(invoke("reindex", "--json").stdout)
    assert report["embedded"] == status.pending, "only the chunks not saved before the interruption are embedded"


def test_a_search_of_an_empty_knowledge_base_says_how_to_fill_it(monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    result = invoke("search", "nothing like this", "--mode", "keyword")
    assert "No matching records." in result.stdout and "knowledge base is empty" not in result.stderr
    monkeypatch.setenv("BRIDGE_HOME", str(tmp_path / "empty-home"))
    empty = invoke("search", "renew the tls certificate", "--mode", "keyword")
    assert empty.exit_code == 0
    assert "No matching records." in empty.stdout
    assert "knowledge base is empty" in empty.stderr and "bridge init --demo" in empty.stderr

"""An MCP server keeps answering while another process writes many records: keyword at once, hybrid when caught up.

Before, a warmed-up server embedded every chunk another process had written inside the next search call, so an
agent's search waited minutes behind a large `bridge import`.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_mcp_server import BRIDGE, McpPeer, bridge_env, wait_for_hybrid

pytestmark = pytest.mark.slow

RECORDS = Path(__file__).resolve().parents[2] / "records"


@pytest.fixture
def peer(tmp_path: Path) -> Iterator[McpPeer]:
    """Return a session to a preloading `bridge mcp` over bridge's own runbooks, already answering in hybrid."""
    home = tmp_path / "home"
    home.mkdir()
    subprocess.run([str(BRIDGE), "import", str(RECORDS / "runbooks")], env=bridge_env(home), check=True,
                   capture_output=True)
    server = McpPeer(home, [], tmp_path / "server.log")
    server.home = home  # type: ignore[attr-defined]
    assert wait_for_hybrid(server, "the store is damaged")["mode"] == "hybrid"
    yield server
    server.close()


def test_a_search_after_another_process_imports_many_records_answers_at_once(peer: McpPeer) -> None:
    home = peer.home  # type: ignore[attr-defined]
    subprocess.run([str(BRIDGE), "import", str(RECORDS / "decisions")], env=bridge_env(home), check=True,
                   capture_output=True)
    started = time.monotonic()
    data = peer.ok("search_records", {"query": "choose the encoder backend by measuring it"})
    elapsed = time.monotonic() - started
    assert data["mode"] == "keyword", "the backlog is embedded in the background, not inside the call"
    assert "wait for vectors" in data["note"]
    assert data["hits"], "the new records are found by keyword at once"
    assert elapsed < 30, f"took {elapsed:.1f} s"  # generous for a loaded machine; about 0.1 s here
    caught_up = wait_for_hybrid(peer, "choose the encoder backend by measuring it")
    assert caught_up["mode"] == "hybrid", caught_up.get("note")
    assert caught_up["hits"][0]["key"] == "ADR-0104"

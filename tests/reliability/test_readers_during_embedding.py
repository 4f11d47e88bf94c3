"""A search never waits for an embedding run in another thread (the MCP server embeds a backlog in the background)."""

from __future__ import annotations

import threading
import time

from bridge.config import SearchSettings, Settings
from bridge.workspace import Workspace


def test_index_status_and_keyword_search_answer_while_an_embedding_run_holds_the_lock() -> None:
    workspace = Workspace.open(Settings(search=SearchSettings(model="hashing-64")))
    try:
        workspace.new_record("runbook", "Disk full", body="## Mitigation\n\nDelete old archives on the volume.\n")
        workspace.warm_up()
        workspace.new_record("runbook", "Certificate expiry", body="## Mitigation\n\nRenew the TLS certificate.\n")
        held, release = threading.Event(), threading.Event()

        def embedding_a_backlog() -> None:
            with workspace.dense._lock:
                held.set()
                release.wait(10)

        worker = threading.Thread(target=embedding_a_backlog)
        worker.start()
        try:
            assert held.wait(5)
            started = time.perf_counter()
            status = workspace.index_status()
            hits = workspace.search("renew certificate", mode="keyword")
            assert time.perf_counter() - started < 2.0, "the search waited for the embedding run"
            assert status.pending > 0 and [hit.key for hit in hits] == ["RB-0002"]
        finally:
            release.set()
            worker.join()
    finally:
        workspace.close()

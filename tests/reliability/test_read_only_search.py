"""Search on a store this process may not write, in-process (the real read-only folder is test_read_only.py)."""

from __future__ import annotations

from bridge.config import SearchSettings, Settings
from bridge.workspace import Workspace


def open_workspace() -> Workspace:
    """Open a workspace with the hashing embedder (no model) in the test's BRIDGE_HOME."""
    return Workspace.open(Settings(search=SearchSettings(model="hashing-64")))


def test_read_only_search_answers_with_keyword_results_and_a_note_while_sections_have_no_vectors() -> None:
    workspace = open_workspace()
    try:
        workspace.new_record("runbook", "Disk full", body="## Mitigation\n\nDelete old archives on the volume.\n")
        workspace.warm_up()
        workspace.new_record("runbook", "Certificate expiry", body="## Mitigation\n\nRenew the TLS certificate.\n")
        pending = workspace.index_status().pending
        assert pending > 0 and workspace.read_only_search_mode("hybrid") is None, "a writable store embeds"
        workspace.close_index()
        workspace._read_only = True  # what store_read_only() finds for a SQLite file in a folder it cannot write
        mode, note = workspace.read_only_search_mode("hybrid") or ("", "")
        assert mode == "keyword" and "read-only" in note and f"{pending} of" in note and "keyword results" in note
        assert workspace.read_only_search_mode("semantic") is not None
        assert workspace.read_only_search_mode("keyword") is None
        workspace.warm_up()
        assert not workspace.semantic_ready() and not workspace.dense.model_loaded
        assert [hit.key for hit in workspace.search("renew certificate", mode=mode)][:1] == ["RB-0002"]
        workspace.search("renew certificate", mode="semantic")
        assert workspace.index_status().pending == pending, "a read-only store must not embed"
    finally:
        workspace.close()


def test_read_only_search_with_every_section_embedded_is_hybrid_as_usual() -> None:
    workspace = open_workspace()
    try:
        workspace.new_record("runbook", "Disk full", body="## Mitigation\n\nDelete old archives on the volume.\n")
        workspace.warm_up()
        workspace._read_only = True
        assert workspace.read_only_search_mode("hybrid") is None
        assert [hit.key for hit in workspace.search("archives")] == ["RB-0001"]
    finally:
        workspace.close()

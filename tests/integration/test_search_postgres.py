"""Search on a PostgreSQL store: chunks and vectors work, semantic and hybrid search answer, keyword mode
fails with a clear message (no FTS5 there yet)."""

from __future__ import annotations

import pytest

from bridge.config import SearchSettings, Settings
from bridge.errors import SearchIndexError
from bridge.workspace import Workspace
from tests.integration.test_postgres_store import postgres_url  # noqa: F401  (module-scoped server fixture)


def test_search_on_postgres(postgres_url: str) -> None:  # noqa: F811
    settings = Settings(database_url=postgres_url, search=SearchSettings(model="hashing-64"))
    with Workspace.open(settings) as ws:
        ws.new_record("runbook", "Disk full", body="## Mitigation\n\nDelete old write-ahead log archives.\n")
        ws.new_record("runbook", "Certificate expiry", body="## Mitigation\n\nRenew the TLS certificate.\n")
        assert [chunk.section for chunk in ws.record_sections("RB-0001")] == ["Mitigation"]
        assert ws.search("renew the tls certificate", mode="semantic")[0].key == "RB-0002"
        assert ws.search("delete write-ahead log archives")[0].key == "RB-0001"
        with pytest.raises(SearchIndexError, match="PostgreSQL"):
            ws.search("certificate", mode="keyword")
        record = ws.get_record("RB-0002")
        record.body = record.body.replace("TLS certificate", "TLS certificate and its chain")
        ws.save_record(record, expected_version=record.version)
        assert ws.index_status().pending == 1
        assert ws.reindex().embedded == 1

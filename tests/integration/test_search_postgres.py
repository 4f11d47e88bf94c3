"""Search on a PostgreSQL store: chunks, vectors, full-text keyword search, filters and hybrid search."""

from __future__ import annotations

from bridge.config import SearchSettings, Settings
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
        assert [hit.key for hit in ws.search("certificate", mode="keyword")] == ["RB-0002"]
        assert ws.search('renew AND "tls" NEAR( cert* -x', mode="keyword")[0].key == "RB-0002"
        assert ws.search("certificate", mode="keyword", kind="decision") == []
        record = ws.get_record("RB-0002")
        record.body = record.body.replace("TLS certificate", "TLS certificate and its chain")
        ws.save_record(record, expected_version=record.version)
        assert ws.index_status().pending == 1
        assert ws.reindex().embedded == 1


def test_a_keyword_index_emptied_by_a_table_copy_is_rebuilt_by_search_and_reindex(postgres_url: str) -> None:  # noqa: F811
    from sqlalchemy import text

    settings = Settings(database_url=postgres_url, search=SearchSettings(model="hashing-64"))
    with Workspace.open(settings) as ws:
        ws.new_record("runbook", "Replica lag", body="## Diagnosis\n\nCompare replication slots.\n")
        with ws.engine.begin() as conn:
            conn.execute(text("DELETE FROM chunk_fts"))
        assert ws.search("replication slots", mode="keyword")[0].title == "Replica lag"
        with ws.engine.begin() as conn:
            conn.execute(text("DELETE FROM chunk_fts"))
        ws.reindex()
        with ws.engine.connect() as conn:
            chunks = conn.execute(text("SELECT COUNT(*) FROM chunk")).scalar()
            assert chunks and conn.execute(text("SELECT COUNT(*) FROM chunk_fts")).scalar() == chunks
        assert ws.search("replication slots", mode="keyword")[0].title == "Replica lag"

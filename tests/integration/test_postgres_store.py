"""The record store on a real PostgreSQL server (a throwaway cluster started for the test session)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge.config import Settings
from bridge.errors import ConflictError
from bridge.workspace import Workspace
from tests.postgres_server import PG_BIN_DIRS, throwaway_postgres


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """Start a PostgreSQL cluster in a temp dir on a free loopback port and yield its URL."""
    pytest.importorskip("psycopg")
    if not PG_BIN_DIRS:
        pytest.skip("PostgreSQL server binaries are not installed")
    with throwaway_postgres("fsync=off") as url:
        yield url


def test_records_history_and_conflicts_on_postgres(postgres_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=postgres_url, user_name="Test User", user_email="test.user@example.com")
    with Workspace.open(settings) as ws:
        old = ws.new_record("decision", "Files only", body="# Files only\n", topics=["storage"])
        new = ws.new_record("decision", "Use PostgreSQL", body="# Use PostgreSQL\n", supersedes=[old.key],
                            topics=["storage"], owners=["storage-maintainers"])
        stale = ws.get_record(new.key)
        fresh = ws.get_record(new.key)
        fresh.body += "\nShared by the team.\n"
        ws.save_record(fresh, expected_version=1)
        with pytest.raises(ConflictError):
            ws.save_record(stale, expected_version=1)
        assert [r.key for r in ws.list_records(topic="storage")] == [old.key, new.key]
        assert (new.key, "supersedes", old.key) in {(link.source_key, link.kind, link.target_key) for link in ws.links(old.key)}
        assert ws.get_record(old.key).status == "superseded"
        assert [r.number for r in ws.history(new.key)] == [1, 2]
        ws.mark_reviewed(new.key, "Reviewer <r@example.com>")
        assert {c.person.name for c in ws.contributors(new.key)} >= {"Test User", "Reviewer", "storage-maintainers"}


def test_git_import_on_postgres_is_idempotent(postgres_url: str, tmp_path: Path) -> None:
    from tests.conftest import clone_corpus

    repo = clone_corpus("adr-nats", tmp_path / "nats")
    settings = Settings(database_url=postgres_url)
    with Workspace.open(settings) as ws:
        first = ws.import_paths([repo])
        assert first.failed == [] and first.imported >= 50
        again = ws.import_paths([repo])
        assert again.unchanged == first.imported
        nats_first = next(r for r in ws.list_records() if r.source_path == "adr/ADR-1.md")
        assert any(r.source == "git" for r in ws.history(nats_first.key))
        assert ws.revision_text(nats_first.key, 1).strip()
        hits = ws.search("JetStream consumer acknowledgement", mode="keyword", k=5)
        assert hits and all(hit.source_path.startswith("adr/") for hit in hits)
        assert hits[0].snippet

"""Concurrent writers on SQLite and PostgreSQL, through the workspace API and MCP: every save lands or is kept."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge.workspace import Workspace
from tests.postgres_server import throwaway_postgres
from tests.reliability.concurrency import (
    ConcurrencyResult,
    fresh_database,
    postgres_available,
    run_api,
    run_mcp,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def postgres_server() -> Iterator[str]:
    """Yield the URL of a throwaway PostgreSQL server's postgres database."""
    if not postgres_available():
        pytest.skip("PostgreSQL server binaries or the psycopg driver are not installed")
    with throwaway_postgres("max_connections=200") as url:
        yield url


def assert_nothing_lost(result: ConcurrencyResult) -> None:
    """Every attempted save is a revision or a conflict with its text kept, and nothing else happened."""
    assert result.errors == []
    assert result.lost == []
    assert result.saved + result.conflicts == result.attempted
    assert result.saved >= 1
    if not result.same_record:
        assert result.conflicts == 0


@pytest.mark.parametrize("same_record", [True, False], ids=["same-record", "different-records"])
def test_four_api_writers_on_postgres_lose_nothing(postgres_server: str, same_record: bool) -> None:
    url = fresh_database(postgres_server, f"api_{int(same_record)}")
    assert_nothing_lost(run_api(4, 5, same_record, url))


def test_four_api_writers_on_one_sqlite_record_lose_nothing() -> None:
    result = run_api(4, 5, True)
    assert_nothing_lost(result)
    assert result.conflicts >= 1


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_three_mcp_peers_changing_one_record_lose_nothing(backend: str, request: pytest.FixtureRequest) -> None:
    url = fresh_database(request.getfixturevalue("postgres_server"), "mcp_same") if backend == "postgres" else None
    assert_nothing_lost(run_mcp(3, 4, True, url))


def test_two_mcp_peers_on_their_own_records_never_conflict() -> None:
    assert_nothing_lost(run_mcp(2, 4, False))


def test_two_transactions_bumping_the_chunk_generation_on_postgres_both_count(postgres_server: str) -> None:
    """Regression: the bump was DELETE + INSERT, so a second writer died on a duplicate key (and could reuse a value)."""
    import threading

    from bridge.config import Settings
    from bridge.store import chunks
    from bridge.workspace import Workspace

    url = fresh_database(postgres_server, "generation")
    with Workspace.open(Settings(database_url=url)) as workspace:
        before = chunks.generation(workspace.engine)
        failures: list[BaseException] = []
        first = workspace.engine.connect()
        transaction = first.begin()
        chunks._bump_generation(first)

        def second_writer() -> None:
            try:
                with workspace.engine.begin() as conn:
                    chunks._bump_generation(conn)
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                failures.append(exc)

        thread = threading.Thread(target=second_writer)
        thread.start()
        thread.join(timeout=1.0)
        assert thread.is_alive(), "the second bump should wait for the first transaction's row lock"
        transaction.commit()
        first.close()
        thread.join(timeout=30)
        assert failures == []
        assert chunks.generation(workspace.engine) == before + 2


def test_two_processes_rechunking_one_record_on_postgres_never_collide(postgres_server: str) -> None:
    """Regression: a save's catch-up re-chunks other writers' records too, so two transactions could rewrite the
    same chunk's keyword row at once and the second died on a duplicate key."""
    import threading

    from bridge.config import Settings
    from bridge.domain import Chunk
    from bridge.store import chunks

    url = fresh_database(postgres_server, "rechunk")
    with Workspace.open(Settings(database_url=url)) as workspace:
        workspace.new_record("decision", "Shared", body="# Context\n\nstart\n")
        with workspace.engine.connect() as conn:
            record_id, version = conn.exec_driver_sql("SELECT id, version FROM record").one()
        failures: list[BaseException] = []

        def rechunk(worker: int) -> None:
            for number in range(15):
                text = f"text {worker} {number}"
                chunk = Chunk(record_key="ADR-0001", ordinal=0, heading_path=["Context"], text=text, embed_text=text)
                try:
                    chunks.sync_chunks(workspace.engine, {record_id: ("Shared", [chunk])}, {record_id: version})
                except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                    failures.append(exc)

        threads = [threading.Thread(target=rechunk, args=(worker,)) for worker in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert failures == []
        assert chunks.fts_in_step(workspace.engine)


def test_the_campaign_leaves_the_test_process_environment_as_it_found_it(tmp_path: Path) -> None:
    from tests.reliability.concurrency import _seed_records

    before = {name: value for name, value in os.environ.items() if name.startswith("BRIDGE_")}
    keys = _seed_records(str(tmp_path / "home"), "sqlite:///" + str(tmp_path / "other.db"), 2)
    assert len(keys) == 2
    assert {name: value for name, value in os.environ.items() if name.startswith("BRIDGE_")} == before

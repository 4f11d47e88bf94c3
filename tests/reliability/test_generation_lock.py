"""A write that bumps the chunk generation locks it before reading it, so "before → after" is its own change alone.

The workspace keeps its in-memory vector index in step by that pair: when the index was current at "before", it adds
its own vectors and takes "after" as its new state. If another writer committed between the read and the bump,
its change fell inside the pair and the index silently missed it. Here another writer tries to commit right after
the read, from a second connection, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from sqlalchemy.engine import Engine

from bridge.config import SearchSettings, Settings
from bridge.store import chunks as chunk_store
from bridge.workspace import Workspace
from tests.integration.test_postgres_store import postgres_url  # noqa: F401  (module-scoped server fixture)


def _settings(store: str, request: pytest.FixtureRequest) -> Settings:
    """Return settings for a fresh store of the given kind (PostgreSQL: a new database on the module's server)."""
    search = SearchSettings(model="hashing-64")
    if store == "sqlite":
        return Settings(search=search)
    url = request.getfixturevalue("postgres_url")
    return Settings(database_url=url, search=search)


def _clear_store(engine: Engine) -> None:
    """Empty the shared PostgreSQL database between parametrised cases."""
    from sqlalchemy import text

    with engine.begin() as conn:
        conn.execute(text("TRUNCATE record, bridge_meta RESTART IDENTITY CASCADE"))


WRITES: dict[str, Callable[[Engine, list[int]], tuple[int, int]]] = {
    "store_vectors": lambda engine, ids: chunk_store.store_vectors(
        engine, "hashing-64", ids, np.ones((len(ids), 64), dtype=np.float32) / 8),
    "copy_identical_vectors": lambda engine, _ids: _copied(chunk_store.copy_identical_vectors(engine, "another-model")),
}


def _copied(result: tuple[int, int, int]) -> tuple[int, int]:
    """Check that a vector was copied and return the generation pair."""
    copied, before, after = result
    assert copied, "the twin chunk should have received the stored vector"
    return before, after


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_another_writer_waits_until_the_generation_pair_is_reported(
        store: str, write: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    with Workspace.open(_settings(store, request)) as workspace:
        engine = workspace.engine
        if store == "postgresql":
            _clear_store(engine)
            workspace.close()
    with Workspace.open(_settings(store, request)) as workspace:
        engine = workspace.engine
        workspace.new_record("runbook", "Disk full", body="## Mitigation\n\nDelete old write-ahead log archives.\n")
        workspace.new_record("runbook", "Disk full", body="## Mitigation\n\nDelete old write-ahead log archives.\n")
        ids = sorted(chunk_store.chunk_records(engine, range(1, 100)))
        assert ids
        if write == "copy_identical_vectors":  # one chunk has a vector for the other model, its twin waits for it
            with engine.begin() as conn:
                from sqlalchemy import text

                conn.execute(text("UPDATE chunk SET model_id = 'another-model', embedding = :blob, dimension = 64 "
                                  "WHERE id = :id"), {"blob": np.ones(64, dtype="<f4").tobytes(), "id": ids[0]})
        other_done = threading.Event()
        failures: list[BaseException] = []

        def other_writer() -> None:
            try:
                with engine.begin() as conn:  # another connection: another process's save, in effect
                    chunk_store._bump_generation(conn)
            except BaseException as exc:  # reported by the test body
                failures.append(exc)
            other_done.set()

        real_generation = chunk_store._generation
        started: list[threading.Thread] = []

        def generation_then_another_writer(conn: Any) -> int:
            value = real_generation(conn)
            if not started and threading.current_thread() is threading.main_thread():
                thread = threading.Thread(target=other_writer)
                started.append(thread)
                thread.start()
                other_done.wait(1.5)  # before the fix the other writer committed here, inside our pair
            return value

        monkeypatch.setattr(chunk_store, "_generation", generation_then_another_writer)
        before, after = WRITES[write](engine, ids)
        started[0].join(30)
        monkeypatch.undo()
        assert not failures, failures
        assert after == before + 1, f"another writer's change fell between before={before} and after={after}"
        assert chunk_store.generation(engine) == after + 1, "the other writer committed after, with its own value"

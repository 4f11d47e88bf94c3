"""A long write marks itself for other processes, and a command opening meanwhile leaves its records to it.

During an import of the PEPs a `bridge show` opening between the import's transactions found 736 records written
but not yet chunked and re-chunked them itself: 3.4 s for a read on SQLite, 10 s on PostgreSQL. Import, reindex and
sync now hold a shared lock while they run (a file lock beside a SQLite database, an advisory lock on PostgreSQL);
the catch-up on open skips while one is held.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bridge.config import SearchSettings, Settings
from bridge.store import chunks as chunk_store
from bridge.store import records as record_ops
from bridge.store.engine import bulk_writer_active, bulk_writing
from bridge.workspace import Workspace
from tests.integration.test_postgres_store import postgres_url  # noqa: F401  (module-scoped server fixture)

STORES = ["sqlite", "postgresql"]


@pytest.fixture(params=STORES)
def store_url(request: pytest.FixtureRequest) -> str | None:
    """Return None for the test's own SQLite store, or a freshly emptied PostgreSQL database's URL."""
    if request.param == "sqlite":
        return None
    url = str(request.getfixturevalue("postgres_url"))
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:  # the module's server is shared by the parametrised cases
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def _settings(url: str | None = None) -> Settings:
    return Settings(database_url=url, search=SearchSettings(model="hashing-64"))


def _leave_a_record_unchunked(workspace: Workspace) -> int:
    """Save a new version of a record in the store only, as an import does before it chunks; return its id."""
    record = workspace.new_record("runbook", "Disk full", body="## Mitigation\n\nDelete old archives.\n")
    record.body += "\n## Escalation\n\nPage the storage team.\n"
    _saved, record_id = record_ops.save_record(workspace.engine, record, expected_version=record.version,
                                               author="importer")
    assert chunk_store.stale_chunk_record_ids(workspace.engine) == [record_id]
    return record_id


def test_a_command_opening_during_a_long_write_leaves_the_writers_records_alone(store_url: str | None) -> None:
    with Workspace.open(_settings(store_url)) as writer:
        record_id = _leave_a_record_unchunked(writer)
        assert not bulk_writer_active(writer.engine)
        with bulk_writing(writer.engine):
            assert bulk_writer_active(writer.engine)
            with Workspace.open(_settings(store_url)) as reader:  # what `bridge show` does on open
                assert chunk_store.stale_chunk_record_ids(reader.engine) == [record_id], "left to the writer"
        assert not bulk_writer_active(writer.engine)
        with Workspace.open(_settings(store_url)) as later:  # the writer gone without chunking: the next command
            assert chunk_store.stale_chunk_record_ids(later.engine) == []


def test_a_long_writer_killed_half_way_releases_its_mark(store_url: str | None) -> None:
    with Workspace.open(_settings(store_url)) as workspace:
        engine = workspace.engine
        environment = {**os.environ, **({"BRIDGE_DATABASE_URL": store_url} if store_url else {})}
        child = subprocess.Popen(
            [sys.executable, "-c",
             "import os, sys, time\n"
             "from bridge.config import SearchSettings, Settings\n"
             "from bridge.store.engine import bulk_writing\n"
             "from bridge.workspace import Workspace\n"
             "settings = Settings(database_url=os.environ.get('BRIDGE_DATABASE_URL'),\n"
             "                    search=SearchSettings(model='hashing-64'))\n"
             "with Workspace.open(settings) as ws, bulk_writing(ws.engine):\n"
             "    print('writing', flush=True)\n"
             "    time.sleep(60)\n"],
            stdout=subprocess.PIPE, text=True, env=environment)
        try:
            assert child.stdout is not None and child.stdout.readline().strip() == "writing"
            assert bulk_writer_active(engine)
            child.send_signal(signal.SIGKILL)
            child.wait(10)
            deadline = time.monotonic() + 5
            while bulk_writer_active(engine) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not bulk_writer_active(engine), "a killed writer's mark must go with it"
        finally:
            child.kill()
            child.wait()


def test_import_and_reindex_hold_the_mark_while_they_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, bool]] = []
    with Workspace.open(_settings()) as workspace:
        real_rechunk = workspace._rechunk

        def rechunk_and_look(record_ids: list[int] | None, engine: Engine | None = None) -> tuple[int, int]:
            seen.append(("rechunk", bulk_writer_active(workspace.engine)))
            return real_rechunk(record_ids, engine=engine)

        monkeypatch.setattr(workspace, "_rechunk", rechunk_and_look)
        folder = tmp_path / "runbooks"
        folder.mkdir()
        (folder / "disk-full.md").write_text("# Disk full\n\n## Mitigation\n\nDelete old archives.\n",
                                             encoding="utf-8")
        workspace.import_paths([folder], kind="runbook")
        workspace.reindex()
    assert seen and all(active for _step, active in seen), seen
    assert not bulk_writer_active(workspace.engine)

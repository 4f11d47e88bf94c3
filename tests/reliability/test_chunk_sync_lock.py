"""Re-chunking on SQLite reads the chunks only once it holds the write lock (a reader's catch-up raced an import)."""

from __future__ import annotations

import sqlite3

import pytest

from bridge.config import Settings
from bridge.paths import default_database_path
from bridge.store import chunks as chunk_store
from bridge.workspace import Workspace


def test_a_chunk_sync_holds_the_sqlite_write_lock_before_it_reads_the_chunks() -> None:
    workspace = Workspace.open(Settings())
    workspace.close()
    with workspace.engine.begin() as conn:
        chunk_store._lock_records(conn, [1])
        other = sqlite3.connect(default_database_path(), timeout=0)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()

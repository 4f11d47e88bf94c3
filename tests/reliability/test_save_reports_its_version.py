"""A save reports the version it made, even when another writer saves the record right after its commit.

Three MCP peers changing one record on PostgreSQL were told the same version twice: the store re-read the row after
its commit, and by then another peer's save was already there. Here the other save runs inside that window, on
SQLite and on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from bridge.config import SearchSettings, Settings
from bridge.store import records as record_ops
from bridge.workspace import Workspace
from tests.integration.test_postgres_store import postgres_url  # noqa: F401  (module-scoped server fixture)


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_a_save_reports_its_own_version_when_another_save_follows_at_once(
        store: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    search = SearchSettings(model="hashing-64")
    settings = Settings(search=search) if store == "sqlite" else Settings(
        database_url=request.getfixturevalue("postgres_url"), search=search)
    with Workspace.open(settings) as workspace:
        key = workspace.new_record("runbook", "Disk full", body="## Mitigation\n\nDelete old archives.\n").key
        engine = workspace.engine
        ours = record_ops.get_record(engine, key)
        version = ours.version
        ours.title = "Disk full: ours"
        real_commit = Session.commit
        followed: list[int] = []

        def commit_then_another_save(self: Any) -> None:
            real_commit(self)
            if not followed:  # the next writer's save lands between our commit and our return
                followed.append(1)
                theirs = record_ops.get_record(engine, key)
                theirs.title = "Disk full: theirs"
                record_ops.save_record(engine, theirs, expected_version=theirs.version, author="other-writer")

        monkeypatch.setattr(Session, "commit", commit_then_another_save)
        saved, _row_id = record_ops.save_record(engine, ours, expected_version=version, author="us")
        monkeypatch.undo()
        assert followed, "the other save ran"
        assert (saved.version, saved.title) == (version + 1, "Disk full: ours"), "told what we saved"
        current = record_ops.get_record(engine, key)
        assert (current.version, current.title) == (version + 2, "Disk full: theirs")
        history = {revision.number: revision.author for revision in workspace.history(key)}
        assert "us" in history[version + 1] and "other" in history[version + 2]

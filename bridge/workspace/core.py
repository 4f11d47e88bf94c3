"""Workspace: owns the engine and index lifecycle and joins the layers below for the front ends."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bridge.config import Settings, load_settings
from bridge.domain import HealthCheck
from bridge.workspace.alerts import AlertsMixin
from bridge.workspace.knowledge import KnowledgeMixin
from bridge.workspace.records import RecordsMixin
from bridge.workspace.search import SearchMixin
from bridge.workspace.sync import SyncMixin
from bridge.workspace.usage import UsageMixin

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.engine import Engine

    from bridge.store.backup import BackupReport


class Workspace(AlertsMixin, SyncMixin, UsageMixin, SearchMixin, RecordsMixin, KnowledgeMixin):
    """One knowledge base: its database, its search index and its settings."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        """The settings this workspace was opened with."""
        self.engine = engine
        """The database engine (SQLite file or PostgreSQL)."""
        SearchMixin.__init__(self)

    @classmethod
    def open(cls, settings: Settings | None = None) -> Workspace:
        """Open (creating and migrating if needed) the configured knowledge base."""
        from bridge.store.engine import make_engine
        from bridge.store.migrations import migrate

        settings = settings or load_settings()
        engine = make_engine(settings.resolved_database_url())
        migrate(engine)
        workspace = cls(settings, engine)
        workspace.catch_up_quietly()
        return workspace

    def close(self) -> None:
        """Release the database connections and the index."""
        self.flush_usage()
        SearchMixin.close_index(self)
        self.engine.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def damaged_store_checks(path: str) -> list[HealthCheck]:
    """Return doctor's report on a database file too damaged to open (see RB-0017)."""
    from bridge.store.health import damaged_file_checks

    return damaged_file_checks(path)


def backup_store(out: Path, settings: Settings | None = None) -> BackupReport:
    """Write a consistent snapshot of the configured SQLite store to out (a file, or a folder for a dated file)."""
    from bridge.store.backup import backup_sqlite, sqlite_path

    settings = settings or load_settings()
    return backup_sqlite(sqlite_path(settings.resolved_database_url()), out)


def restore_store(backup: Path, settings: Settings | None = None) -> BackupReport:
    """Replace the configured SQLite store with a checked copy of backup; the old files are set aside, not deleted.

    The search index files are a cache of the old database, so they are removed and rebuilt on the next search.
    """
    from bridge.paths import index_dir
    from bridge.store.backup import restore_sqlite, sqlite_path
    from bridge.store.migrations import SCHEMA_VERSION

    settings = settings or load_settings()
    report = restore_sqlite(backup, sqlite_path(settings.resolved_database_url()), SCHEMA_VERSION)
    for cached in index_dir().glob("chunks-*"):
        cached.unlink(missing_ok=True)
    return report

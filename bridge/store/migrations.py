"""Numbered schema migrations; the applied version is stored in ``bridge_meta``."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from bridge.errors import ConfigError
from bridge.store import models  # noqa: F401  (registers the tables on SQLModel.metadata)

Migration = Callable[[Connection], None]


def _m0001_initial(conn: Connection) -> None:
    """Create the first release's tables and, on SQLite, the FTS5 mirror of chunk text."""
    SQLModel.metadata.create_all(conn)
    if conn.dialect.name == "sqlite":
        conn.execute(
            text(
                "CREATE VIRTUAL TABLE IF NOT EXISTS chunk_fts USING fts5("
                "title, heading, text, tokenize='porter unicode61')"
            )
        )


MIGRATIONS: list[tuple[int, Migration]] = [
    (1, _m0001_initial),
]
"""Every migration in order; append new ones, never edit applied ones."""

SCHEMA_VERSION = MIGRATIONS[-1][0]


def current_version(conn: Connection) -> int:
    """Return the schema version stored in the database (0 for a new database)."""
    has_meta = conn.dialect.has_table(conn, "bridge_meta")
    if not has_meta:
        return 0
    row = conn.execute(text("SELECT value FROM bridge_meta WHERE key = 'schema_version'")).first()
    return int(row[0]) if row else 0


def migrate(engine: Engine) -> int:
    """Apply pending migrations, each in its own transaction, and return the resulting version."""
    with engine.connect() as conn:
        version = current_version(conn)
    if version > SCHEMA_VERSION:
        raise ConfigError(
            f"the database is at schema version {version}, newer than this bridge understands ({SCHEMA_VERSION}): "
            "upgrade bridge before opening it"
        )
    for number, migration in MIGRATIONS:
        if number <= version:
            continue
        with engine.begin() as conn:
            migration(conn)
            conn.execute(text("DELETE FROM bridge_meta WHERE key = 'schema_version'"))
            conn.execute(
                text("INSERT INTO bridge_meta (key, value) VALUES ('schema_version', :v)"), {"v": str(number)}
            )
        version = number
    return version

"""Numbered schema migrations; the applied version is stored in ``bridge_meta``."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection, Engine

from bridge.errors import ConfigError

Migration = Callable[[Connection], None]


def table_metadata() -> MetaData:
    """Return the metadata of every table the models define (the ORM loads only when a migration runs)."""
    from sqlmodel import SQLModel

    from bridge.store import models  # noqa: F401  (registers the tables on SQLModel.metadata)

    return SQLModel.metadata


def _m0001_initial(conn: Connection) -> None:
    """Create the first release's tables and, on SQLite, the FTS5 mirror of chunk text."""
    table_metadata().create_all(conn)
    if conn.dialect.name == "sqlite":
        conn.execute(
            text(
                "CREATE VIRTUAL TABLE IF NOT EXISTS chunk_fts USING fts5("
                "title, heading, text, tokenize='porter unicode61')"
            )
        )


def _m0002_postgres_full_text(conn: Connection) -> None:
    """On PostgreSQL, create the keyword index as a table with a weighted tsvector and a GIN index."""
    if conn.dialect.name != "postgresql":
        return
    conn.execute(text(
        "CREATE TABLE IF NOT EXISTS chunk_fts ("
        "rowid BIGINT PRIMARY KEY, title TEXT NOT NULL DEFAULT '', heading TEXT NOT NULL DEFAULT '', "
        "text TEXT NOT NULL DEFAULT '', tsv tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
        "setweight(to_tsvector('english', coalesce(heading, '')), 'B') || "
        "setweight(to_tsvector('english', coalesce(text, '')), 'C')) STORED)"
    ))
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_chunk_fts_tsv ON chunk_fts USING GIN (tsv)"))
    conn.execute(text(
        "INSERT INTO chunk_fts (rowid, title, heading, text) "
        "SELECT c.id, r.title, coalesce((SELECT string_agg(value, ' › ') FROM json_array_elements_text(c.heading_path) "
        "AS value), ''), c.text FROM chunk c JOIN record r ON r.id = c.record_id ON CONFLICT (rowid) DO NOTHING"
    ))


def add_missing_tables_and_columns(conn: Connection) -> None:
    """Create tables the models define but the database lacks, and add their missing nullable/defaulted columns.

    Additive migrations call this: a new table or a new column on an existing table needs nothing else. A new
    column must be nullable or have a server-side-free Python default that is also valid as NULL for old rows.
    """
    from sqlalchemy import inspect

    metadata = table_metadata()
    metadata.create_all(conn)
    inspector = inspect(conn)
    for table in metadata.sorted_tables:
        existing = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in existing:
                continue
            column_type = column.type.compile(dialect=conn.dialect)
            conn.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {column_type}'))


def _m0004_sync_base(conn: Connection) -> None:
    """Add the git-sync tables: sync roots and each record's sync base."""
    add_missing_tables_and_columns(conn)


def _m0011_sync_written(conn: Connection) -> None:
    """Add the sync_written table: the blob sync wrote for each bridge revision, to recognise squash-merges."""
    add_missing_tables_and_columns(conn)


def _m0005_alert_rules(conn: Connection) -> None:
    """Add the alert_rule table (alerting rules and their runbook links)."""
    add_missing_tables_and_columns(conn)


def _m0006_usage_events(conn: Connection) -> None:
    """Create the usage_event table (searches, opens, citations)."""
    add_missing_tables_and_columns(conn)


def _m0009_identifier_words_in_keyword_index(conn: Connection) -> None:
    """Rewrite the keyword index so each row also holds the words of its CamelCase identifiers (ADR-0515)."""
    from bridge.store.chunks import rebuild_fts_in

    rebuild_fts_in(conn)


MIGRATIONS: list[tuple[int, Migration]] = [
    (1, _m0001_initial),
    (2, _m0002_postgres_full_text),
    (3, add_missing_tables_and_columns),
    (4, _m0004_sync_base),
    (5, _m0005_alert_rules),
    (6, _m0006_usage_events),
    (9, _m0009_identifier_words_in_keyword_index),
    (11, _m0011_sync_written),
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


def applied_migrations(conn: Connection) -> set[int]:
    """Return the numbers of the migrations applied to the database.

    Databases made before the set was kept record only the highest number; every migration up to it counts as
    applied there. Keeping the set means a migration merged with a lower number than one already applied still runs.
    """
    if not conn.dialect.has_table(conn, "bridge_meta"):
        return set()
    row = conn.execute(text("SELECT value FROM bridge_meta WHERE key = 'applied_migrations'")).first()
    if row and row[0]:
        return {int(part) for part in row[0].split(",")}
    version = current_version(conn)
    return {number for number, _ in MIGRATIONS if number <= version}


def _write_meta(conn: Connection, key: str, value: str) -> None:
    """Set one bridge_meta value."""
    conn.execute(text("DELETE FROM bridge_meta WHERE key = :k"), {"k": key})
    conn.execute(text("INSERT INTO bridge_meta (key, value) VALUES (:k, :v)"), {"k": key, "v": value})


def migrate(engine: Engine) -> int:
    """Apply every migration not yet applied, each in its own transaction, name the store, and return the version."""
    with engine.connect() as conn:
        version = current_version(conn)
        applied = applied_migrations(conn)
    if version > SCHEMA_VERSION:
        raise ConfigError(
            f"the database is at schema version {version}, newer than this bridge understands ({SCHEMA_VERSION}): "
            "upgrade bridge before opening it"
        )
    for number, migration in MIGRATIONS:
        if number in applied:
            continue
        with engine.begin() as conn:
            migration(conn)
            applied.add(number)
            version = max(version, number)
            _write_meta(conn, "schema_version", str(version))
            _write_meta(conn, "applied_migrations", ",".join(str(n) for n in sorted(applied)))
    from bridge.store.chunks import name_store

    name_store(engine)
    return version

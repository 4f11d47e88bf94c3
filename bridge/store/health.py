"""Database health checks for ``bridge doctor``: schema version, SQLite integrity, dangling rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import text

from bridge.domain import HealthCheck
from bridge.store.migrations import SCHEMA_VERSION, current_version

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def database_checks(engine: Engine) -> list[HealthCheck]:
    """Return checks of the schema version, integrity and referential consistency of the database."""
    checks: list[HealthCheck] = []
    with engine.connect() as conn:
        version = current_version(conn)
        checks.append(HealthCheck("schema version", version == SCHEMA_VERSION,
                                  f"database at {version}, bridge expects {SCHEMA_VERSION}"))
        if conn.dialect.name == "sqlite":
            result = conn.execute(text("PRAGMA quick_check")).scalar()
            checks.append(HealthCheck("sqlite integrity", result == "ok", str(result)))
            mode = conn.execute(text("PRAGMA journal_mode")).scalar()
            checks.append(HealthCheck("sqlite journal mode", mode == "wal", str(mode)))
        without_history = conn.execute(text(
            "SELECT COUNT(*) FROM record r WHERE NOT EXISTS (SELECT 1 FROM revision v WHERE v.record_id = r.id)"
        )).scalar()
        checks.append(HealthCheck("every record has a revision", not without_history,
                                  f"{without_history} records without any revision"))
        dangling = conn.execute(text(
            "SELECT COUNT(*) FROM link l WHERE NOT EXISTS "
            "(SELECT 1 FROM record r WHERE UPPER(r.key) = UPPER(l.target_key) AND NOT r.deleted)"
        )).scalar()
        checks.append(HealthCheck("links point at existing records", True,
                                  f"{dangling} links point at keys not in this knowledge base"))
        records = conn.execute(text("SELECT COUNT(*) FROM record WHERE NOT deleted")).scalar()
        checks.append(HealthCheck("records", True, f"{records} live records"))
    return checks

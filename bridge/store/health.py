"""Database health checks for ``bridge doctor``: schema version, SQLite integrity, dangling rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import text

from bridge.domain import HealthCheck
from bridge.store.engine import read_only
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
            if read_only(engine):
                checks.append(HealthCheck("sqlite journal mode", True,
                                          "opened read-only: this user may not write the data folder"))
            else:
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


def damaged_file_checks(path: str) -> list[HealthCheck]:
    """Return what can be told about a SQLite file bridge cannot open: readable header, integrity, what to do."""
    import sqlite3
    from pathlib import Path

    checks: list[HealthCheck] = []
    file = Path(path)
    size = file.stat().st_size if file.exists() else 0
    with_header = file.exists() and file.open("rb").read(16) == b"SQLite format 3\x00"
    checks.append(HealthCheck("database file", with_header, f"{path}: {size:,} bytes" + (
        "" if with_header else ", no SQLite header (not a database, or overwritten)")))
    if with_header:
        try:
            connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2)
            try:
                rows = [str(row[0]) for row in connection.execute("PRAGMA integrity_check(5)")]
            finally:
                connection.close()
            detail = "; ".join(rows)[:300]
        except sqlite3.Error as exc:
            rows, detail = ["error"], f"cannot be checked: {exc}"
        checks.append(HealthCheck("sqlite integrity", rows == ["ok"], detail))
    checks.append(HealthCheck(
        "recovery", False,
        "follow runbook RB-0017 (docs/reliability.md): keep a copy of the damaged file, then "
        "`bridge restore-backup FILE` with your latest `bridge backup`, then `bridge import` your record folders again",
    ))
    return checks


def nameless_people_check(engine: Engine, repair: bool) -> HealthCheck:
    """Check for people with no name (an author written ``@handle`` made one before bridge read it as a login).

    With repair each is merged into the person that handle belongs to (contributions, revisions, aliases), or,
    when nobody has it, named after the handle.
    """
    from sqlmodel import Session, select

    from bridge.store import repository as repo
    from bridge.store.models import PersonRow
    from bridge.store.records import merge_person

    with Session(engine) as session:
        nameless = list(session.exec(select(PersonRow).where(PersonRow.name == "")))
        if not nameless:
            return HealthCheck("people", True, "everyone has a name")
        handles = ", ".join(person.handle for person in nameless[:5])
        if not repair:
            return HealthCheck("people", False, f"{len(nameless)} people have no name ({handles}; an author written "
                               "'@handle' before bridge read it as a login): run `bridge doctor --repair`")
        merged = 0
        for person in nameless:
            assert person.id is not None
            logins = [alias.lstrip("@") for alias in repo.aliases_of(session, person.id)] + [person.handle]
            target = next((found for login in logins if (found := repo.person_by_alias(session, login)) is not None
                           and found.id != person.id), None)
            if target is None:
                person.name = logins[0]
                session.add(person)
                continue
            merge_person(session, person, target)
            merged += 1
        session.commit()
    return HealthCheck("people", True, f"{merged} people with no name merged into the person their @handle names"
                       + (f", {len(nameless) - merged} named after their handle" if merged < len(nameless) else ""))

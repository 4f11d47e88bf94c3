"""Create the SQLAlchemy engine: SQLite in WAL mode with a busy timeout, or PostgreSQL by URL.

Low-level SQLite failures become one-line ``BridgeError``s here, so no front end shows a traceback: a lock
held too long by another process is a ``StoreLockedError`` naming the processes that have the file open, and
a damaged file is a ``StoreDamagedError`` naming the file and the recovery runbook (RB-0017).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from bridge.errors import BridgeError, ConfigError, StoreDamagedError, StoreLockedError

try:
    import fcntl
except ImportError:  # not POSIX: no bulk-writer lock, readers' catch-up only checks SQLite's own lock
    fcntl = None  # type: ignore[assignment]

SQLITE_BUSY_TIMEOUT_MS = 10_000
"""How long a writer waits for another writer's lock before failing."""

DAMAGED_RUNBOOK = "RB-0017"
"""The runbook for "bridge says the store is damaged"."""

_DAMAGE_MARKERS = ("malformed", "not a database", "file is encrypted", "database corrupt")
_LOCK_MARKERS = ("database is locked", "database table is locked", "database is busy")


def make_engine(url: str, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> Engine:
    """Return an engine for url, with SQLite tuned for one writer and many readers."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        read_only = bool(path) and path != ":memory:" and cannot_write(Path(path))
        if read_only:
            engine = create_engine(url, creator=_read_only_connector(Path(path), busy_timeout_ms))
        else:
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000})
        event.listen(engine, "connect", _pragmas_for(busy_timeout_ms, read_only))
        event.listen(engine, "handle_error", _translate_sqlite_error(path, busy_timeout_ms))
        return engine
    if url.startswith(("postgresql", "postgres")):
        return create_engine(url, pool_pre_ping=True)
    raise ConfigError(f"unsupported database URL '{url}': use sqlite:///PATH or postgresql://...")


def cannot_write(database: Path) -> bool:
    """Return whether database exists but this process may not write it or its folder (a read-only data folder)."""
    return database.is_file() and not (os.access(database, os.W_OK) and os.access(database.parent, os.W_OK))


def read_only(engine: Engine) -> bool:
    """Return whether engine is a SQLite store this process may not write (so it is opened read-only)."""
    database = engine.url.database
    return engine.dialect.name == "sqlite" and bool(database) and database != ":memory:" and cannot_write(
        Path(str(database)))


def _read_only_connector(database: Path, busy_timeout_ms: int) -> Any:
    """Return a connection factory opening database read-only (immutable when SQLite could not make its -shm file).

    A WAL database normally needs its ``-shm`` file created beside it even to read; in a folder bridge may not
    write, reading works only read-only, and without an existing ``-shm`` only as immutable (nobody can write it).
    """

    def connect() -> sqlite3.Connection:
        immutable = "" if Path(f"{database}-shm").exists() else "&immutable=1"
        return sqlite3.connect(f"file:{quote(str(database))}?mode=ro{immutable}", uri=True,
                               check_same_thread=False, timeout=busy_timeout_ms / 1000)

    return connect


def _pragmas_for(busy_timeout_ms: int, read_only: bool = False) -> Any:
    """Return the connect hook that turns on WAL, foreign keys and the busy timeout for a new SQLite connection."""

    def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        if not read_only:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return set_pragmas


def _translate_sqlite_error(path: str, busy_timeout_ms: int) -> Any:
    """Return the error hook that replaces lock, damage and permission errors with one-line BridgeErrors."""

    def translate(context: Any) -> None:
        error = sqlite_error(str(context.original_exception), path, busy_timeout_ms)
        if error is not None:
            raise error from context.original_exception

    return translate


def sqlite_error(message: str, path: str, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> BridgeError | None:
    """Return the BridgeError for a low-level SQLite error message, or None when it is not one bridge explains."""
    lowered = message.lower()
    if any(marker in lowered for marker in _LOCK_MARKERS):
        holders = processes_holding(path)
        who = f" (open in: {'; '.join(holders)})" if holders else ""
        return StoreLockedError(
            f"the database {path} is locked by another process's write{who}; waited {busy_timeout_ms / 1000:g} s "
            "— try again when it finishes"
        )
    if any(marker in lowered for marker in _DAMAGE_MARKERS):
        return StoreDamagedError(
            f"the database {path} is damaged ({message.splitlines()[0][:120]}): follow runbook {DAMAGED_RUNBOOK} "
            "in docs/reliability.md — `bridge doctor`, then `bridge restore-backup FILE`", path,
        )
    if "readonly database" in lowered or "unable to open database" in lowered:
        return BridgeError(
            f"cannot write the database {path} ({message.splitlines()[0][:80]}): check that its folder is "
            "writable by you and the disk is not full"
        )
    if "database or disk is full" in lowered or "disk i/o error" in lowered:
        return BridgeError(f"cannot write {path}: the disk is full or failing ({message.splitlines()[0][:60]}); "
                           "free space, then run the command again (the failed command saved nothing)")
    return None


def processes_holding(path: str, limit: int = 3) -> list[str]:
    """Return 'pid command' of other processes that have the database file open (Linux /proc; else empty)."""
    proc = Path("/proc")
    if not path or not proc.is_dir():
        return []
    try:
        target = Path(path).resolve()
    except OSError:
        return []
    found: list[str] = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            holds = any(Path(os.readlink(fd)) == target for fd in (entry / "fd").iterdir())
            if holds:
                command = " ".join((entry / "cmdline").read_bytes().decode("utf-8", "replace").replace("\0", " ").split())
                found.append(f"pid {entry.name} {command.strip()[:60]}")
        except OSError:
            continue
        if len(found) >= limit:
            break
    return found


def sqlite_writer_active(engine: Engine) -> bool:
    """Return whether another process holds the SQLite store's write lock right now (or it cannot be written).

    Asks without waiting: a separate connection tries ``BEGIN IMMEDIATE`` with no busy timeout and rolls back.
    """
    database = engine.url.database
    if not database or database == ":memory:":
        return False
    if cannot_write(Path(database)):
        return True
    try:
        probe = sqlite3.connect(database, timeout=0, isolation_level=None)
    except sqlite3.Error:
        return True
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.Error:
        return True
    finally:
        probe.close()


@contextmanager
def impatient(engine: Engine, lock_wait_ms: int) -> Iterator[Engine]:
    """Yield an engine on the same store that waits at most lock_wait_ms for SQLite's write lock (else engine)."""
    if not is_sqlite(engine):
        yield engine
        return
    quick = make_engine(str(engine.url), busy_timeout_ms=lock_wait_ms)
    try:
        yield quick
    finally:
        quick.dispose()


BULK_LOCK_SUFFIX = "-bulk.lock"
"""Beside a SQLite database: the file long writers hold a shared lock on while they run."""


def _bulk_lock_path(engine: Engine) -> Path | None:
    """Return the bulk-writer lock file of a SQLite file store (None for PostgreSQL or memory)."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        return None
    return Path(database + BULK_LOCK_SUFFIX)


BULK_ADVISORY_KEY = 0x62726467_62756C6B
"""PostgreSQL: the advisory lock long writers hold shared while they run ("brdgbulk")."""


@contextmanager
def bulk_writing(engine: Engine) -> Iterator[None]:
    """Tell other processes that a long write (an import, a reindex, a sync) is under way, for as long as it runs.

    Between its transactions such a writer holds no lock on the records it has written but not yet chunked, and a
    command opening then re-chunked them itself (seconds, during an import of 736 PEPs). The writer holds a shared
    lock that any number of writers may hold at once and that goes with its process if it dies: a ``flock`` on a
    file beside a SQLite database, a session advisory lock on PostgreSQL (on its own connection, so it spans the
    writer's transactions and reaches readers on other machines).
    """
    if engine.dialect.name == "postgresql":
        with _postgres_bulk_lock(engine):
            yield
        return
    path = _bulk_lock_path(engine)
    descriptor = None
    if path is not None and fcntl is not None:
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(descriptor, fcntl.LOCK_SH)
        except OSError:  # a folder this process cannot write: it cannot bulk-write the store either
            if descriptor is not None:
                os.close(descriptor)
            descriptor = None
    try:
        yield
    finally:
        if descriptor is not None:
            os.close(descriptor)  # closing releases the lock


@contextmanager
def _postgres_bulk_lock(engine: Engine) -> Iterator[None]:
    """Hold PostgreSQL's shared bulk-writer advisory lock on a connection of its own for the block."""
    from sqlalchemy import text

    connection = engine.connect()
    try:
        connection.execute(text("SELECT pg_advisory_lock_shared(:key)"), {"key": BULK_ADVISORY_KEY})
        connection.commit()  # a session lock outlives the transaction; nothing stays open on the server
        yield
    finally:
        try:
            connection.execute(text("SELECT pg_advisory_unlock_shared(:key)"), {"key": BULK_ADVISORY_KEY})
            connection.commit()
        except Exception:  # noqa: BLE001 - a broken connection: dropping it ends the session and its lock
            connection.invalidate()
        connection.close()


def bulk_writer_active(engine: Engine) -> bool:
    """Return whether another process is inside ``bulk_writing`` on this store right now (asks without waiting)."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy import text
        from sqlalchemy.exc import SQLAlchemyError

        try:
            with engine.connect() as connection:
                free = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                               {"key": BULK_ADVISORY_KEY}).scalar())
                if free:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": BULK_ADVISORY_KEY})
                connection.commit()
                return not free
        except SQLAlchemyError:  # cannot ask: behave as before the mark existed
            return False
    path = _bulk_lock_path(engine)
    if path is None or fcntl is None:
        return False
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:  # no long write has run here yet
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(descriptor)


def is_sqlite(engine: Engine) -> bool:
    """Return whether the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"

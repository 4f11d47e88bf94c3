"""Backups of the SQLite store: a consistent online snapshot, and a checked one-command restore (RB-0017).

The snapshot uses SQLite's online backup API inside one read transaction, so it holds exactly the commits made
before it started even while other processes write. PostgreSQL is backed up with ``pg_dump`` (docs/reliability.md).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from bridge.errors import BridgeError
from bridge.store.engine import SQLITE_BUSY_TIMEOUT_MS, cannot_write

SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass
class BackupReport:
    """What a backup or restore wrote: the file, its size, records and revisions it holds."""

    path: Path
    bytes: int
    records: int
    revisions: int
    schema_version: int
    set_aside: list[Path]
    """Files moved out of the way by a restore (the database it replaced), never deleted."""


def sqlite_path(url: str) -> Path:
    """Return the file of a sqlite:/// URL; raises BridgeError for other databases (PostgreSQL: pg_dump)."""
    if not url.startswith("sqlite"):
        raise BridgeError("bridge backup copies SQLite stores; for PostgreSQL use `pg_dump -Fc DBNAME > FILE` and "
                          "`pg_restore --clean -d DBNAME FILE` (docs/reliability.md)")
    path = url.split("///", 1)[-1]
    if not path or path == ":memory:":
        raise BridgeError("an in-memory database cannot be backed up")
    return Path(path)


def backup_sqlite(database: Path, out: Path) -> BackupReport:
    """Write a consistent snapshot of database to out (a new file, or a folder to put a dated file in)."""
    if not database.exists():
        raise BridgeError(f"no database at {database} to back up")
    if out.is_dir():
        out = out / f"bridge-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.db"
    if out.exists():
        raise BridgeError(f"{out} already exists: name a new file (backups never overwrite)")
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = out.with_name(f".{out.name}.partial")
    immutable = "&immutable=1" if cannot_write(database) and not Path(f"{database}-shm").exists() else ""
    source = sqlite3.connect(f"file:{quote(str(database))}?mode=ro{immutable}", uri=True,
                             timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    try:
        target = sqlite3.connect(temp)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
    except sqlite3.Error as exc:
        temp.unlink(missing_ok=True)
        raise BridgeError(f"backup of {database} failed: {exc}") from exc
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise BridgeError(f"cannot write the backup {out}: {exc.strerror or exc}") from exc
    finally:
        source.close()
    _fsync(temp)
    os.replace(temp, out)
    return _describe(out, [])


def restore_sqlite(backup: Path, database: Path, newest_schema: int) -> BackupReport:
    """Check backup, set the current database aside (renamed, not deleted) and put a copy of backup in its place."""
    checked = _describe(backup, [])
    if checked.schema_version > newest_schema:
        raise BridgeError(f"{backup} is from a newer bridge (schema {checked.schema_version}, this bridge knows "
                          f"{newest_schema}): upgrade bridge first")
    database.parent.mkdir(parents=True, exist_ok=True)
    temp = database.with_name(f".{database.name}.restoring")
    shutil.copyfile(backup, temp)
    _fsync(temp)
    stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    set_aside: list[Path] = []
    for suffix in ("", "-wal", "-shm"):
        current = database.with_name(database.name + suffix)
        if current.exists():
            aside = current.with_name(f"{database.name}.before-restore-{stamp}{suffix}")
            os.replace(current, aside)
            set_aside.append(aside)
    os.replace(temp, database)
    return _describe(database, set_aside)


def _describe(path: Path, set_aside: list[Path]) -> BackupReport:
    """Return what a snapshot file holds, after checking it is an intact bridge database."""
    if not path.is_file():
        raise BridgeError(f"no backup file at {path}")
    with path.open("rb") as handle:
        if handle.read(16) != SQLITE_HEADER:
            raise BridgeError(f"{path} is not a SQLite database (wrong header)")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            integrity = connection.execute("PRAGMA integrity_check(3)").fetchall()
            if [row[0] for row in integrity] != ["ok"]:
                raise BridgeError(f"{path} fails its integrity check: {integrity[0][0]}")
            version = connection.execute("SELECT value FROM bridge_meta WHERE key = 'schema_version'").fetchone()
            records = connection.execute("SELECT COUNT(*) FROM record").fetchone()[0]
            revisions = connection.execute("SELECT COUNT(*) FROM revision").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise BridgeError(f"{path} is not a readable bridge database: {exc}") from exc
    return BackupReport(path=path, bytes=path.stat().st_size, records=int(records), revisions=int(revisions),
                        schema_version=int(version[0]) if version else 0, set_aside=set_aside)


def _fsync(path: Path) -> None:
    """Flush a file and its folder entry to disk."""
    with path.open("rb") as handle:
        os.fsync(handle.fileno())
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)

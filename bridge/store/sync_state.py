"""Sync bases and sync roots: read and write where records' files live and which version bridge agreed with."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlmodel import Session, col, select

from bridge.domain import Record
from bridge.store import repository as repo
from bridge.store.models import RecordRow, RevisionRow
from bridge.store.sync_models import SyncBaseRow, SyncRootRow, SyncWrittenRow
from bridge.sync_types import SyncBase, SyncRoot

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def sync_roots(engine: Engine) -> list[SyncRoot]:
    """Return every root sync knows, by path."""
    with Session(engine) as session:
        rows = session.exec(select(SyncRootRow).order_by(col(SyncRootRow.source_root)))
        return [SyncRoot(row.source_root, row.git_root, row.base_commit) for row in rows]


def sync_root(engine: Engine, source_root: str) -> SyncRoot | None:
    """Return the sync state of one root, or None when it was never recorded."""
    with Session(engine) as session:
        row = session.exec(select(SyncRootRow).where(SyncRootRow.source_root == source_root)).first()
        return SyncRoot(row.source_root, row.git_root, row.base_commit) if row else None


def imported_roots(engine: Engine) -> list[str]:
    """Return every import root that live records came from."""
    with Session(engine) as session:
        rows = session.exec(select(RecordRow.source_root).where(col(RecordRow.source_root) != "").distinct())
        return sorted(set(rows))


def move_root(engine: Engine, old_root: str, new_root: str, prefix: str) -> int:
    """Make the files of old_root part of new_root (their paths gain prefix), in one transaction; return records.

    Used when a folder holding a folder imported before is imported: its records, sync bases and alerting rules
    are the same files, now seen from the wider root. The old root's sync state goes; the import records the new.
    """
    from sqlalchemy import String, delete, literal

    from bridge.store.alert_models import AlertRuleRow

    with Session(engine) as session:
        moved = session.execute(
            update(RecordRow).where(col(RecordRow.source_root) == old_root)
            .values(source_root=new_root, source_path=literal(prefix, String) + RecordRow.source_path))
        session.execute(update(SyncBaseRow).where(col(SyncBaseRow.source_root) == old_root)
                        .values(source_root=new_root, path=literal(prefix, String) + SyncBaseRow.path))
        session.execute(update(AlertRuleRow).where(col(AlertRuleRow.source_root) == old_root)
                        .values(source_root=new_root, source_path=literal(prefix, String) + AlertRuleRow.source_path))
        session.execute(delete(SyncRootRow).where(col(SyncRootRow.source_root) == old_root))
        session.commit()
        return int(moved.rowcount or 0)  # type: ignore[attr-defined]


def save_sync_root(engine: Engine, root: SyncRoot) -> None:
    """Insert or update a root's sync state."""
    with Session(engine) as session:
        row = session.exec(select(SyncRootRow).where(SyncRootRow.source_root == root.source_root)).first()
        row = row or SyncRootRow(source_root=root.source_root)
        row.git_root, row.base_commit = root.git_root, root.base_commit
        session.add(row)
        session.commit()


def sync_bases(engine: Engine, source_root: str | None = None) -> list[SyncBase]:
    """Return a sync base for every record from a file (of one root, or of all); has_base False when none."""
    with Session(engine) as session:
        query = select(RecordRow, SyncBaseRow).join(
            SyncBaseRow, col(SyncBaseRow.record_id) == col(RecordRow.id), isouter=True
        ).where(col(RecordRow.source_path) != "", col(RecordRow.source_root) != "")
        if source_root is not None:
            query = query.where(RecordRow.source_root == source_root)
        bases: list[SyncBase] = []
        for record, base in session.exec(query.order_by(col(RecordRow.key))):
            assert record.id is not None
            bases.append(SyncBase(
                record_id=record.id, key=record.key, source_root=record.source_root, path=record.source_path,
                version=record.version, deleted=record.deleted, has_base=base is not None,
                base_version=base.base_version if base else 0, base_blob=base.base_blob if base else "",
                base_commit=base.base_commit if base else None,
                base_fields=dict(base.base_fields or {}) if base else {},
                conflict=base.conflict if base else None, kind=record.kind,
            ))
        return bases


def sync_conflict(engine: Engine, key: str) -> tuple[str, str] | None:
    """Return (file path, reason) when the record with key is in sync conflict, else None."""
    with Session(engine) as session:
        row = session.exec(
            select(RecordRow.source_root, RecordRow.source_path, SyncBaseRow.conflict)
            .join(SyncBaseRow, col(SyncBaseRow.record_id) == col(RecordRow.id))
            .where(RecordRow.key == key, col(SyncBaseRow.conflict).is_not(None))
        ).first()
    if row is None:
        return None
    root, path, reason = row
    return f"{root.rstrip('/')}/{path}", reason or ""


def records_by_id(engine: Engine, record_ids: Sequence[int]) -> dict[int, Record]:
    """Return the records with the given row ids (deleted ones included), by id."""
    found: dict[int, Record] = {}
    with Session(engine) as session:
        for start in range(0, len(record_ids), 500):
            chunk = list(record_ids[start:start + 500])
            for row in session.exec(select(RecordRow).where(col(RecordRow.id).in_(chunk))):
                assert row.id is not None
                found[row.id] = repo.row_to_record(row)
    return found


def unsynced(engine: Engine) -> list[SyncBase]:
    """Return the sync bases of records edited in bridge since their base, or in conflict."""
    return [b for b in sync_bases(engine) if not b.deleted and b.waiting_for_sync]


def save_sync_bases(engine: Engine, bases: Sequence[SyncBase]) -> None:
    """Insert or update the sync base of each record (by record id), in one transaction."""
    if not bases:
        return
    with Session(engine) as session:
        ids = [base.record_id for base in bases]
        existing = {row.record_id: row for row in session.exec(
            select(SyncBaseRow).where(col(SyncBaseRow.record_id).in_(ids)))}
        for base in bases:
            row = existing.get(base.record_id) or SyncBaseRow(record_id=base.record_id, source_root=base.source_root,
                                                             path=base.path)
            row.source_root, row.path, row.base_commit = base.source_root, base.path, base.base_commit
            row.base_blob, row.base_version, row.base_fields = base.base_blob, base.base_version, base.base_fields
            row.conflict = base.conflict
            session.add(row)
        session.commit()


def set_conflict(engine: Engine, record_id: int, reason: str | None) -> None:
    """Mark (or, with None, clear) a conflict on the record's sync base."""
    with Session(engine) as session:
        session.execute(update(SyncBaseRow).where(col(SyncBaseRow.record_id) == record_id).values(conflict=reason))
        session.commit()


def move_record_file(engine: Engine, record_id: int, new_path: str) -> None:
    """Point the record and its sync base at the file's new path (a rename in git)."""
    with Session(engine) as session:
        session.execute(update(RecordRow).where(col(RecordRow.id) == record_id).values(source_path=new_path))
        session.execute(update(SyncBaseRow).where(col(SyncBaseRow.record_id) == record_id).values(path=new_path))
        session.commit()


def note_written(engine: Engine, record_id: int, blob: str, commit: str | None, path: str) -> None:
    """Note the file version sync wrote for the record's latest bridge revision, and the commit made for it.

    The commit id goes on the revision, so reading that commit back from git does not repeat it; the blob lets a
    squash- or rebase-merged copy of the commit (a new commit with the same file) be recognised too.
    """
    with Session(engine) as session:
        latest = session.exec(
            select(RevisionRow).where(RevisionRow.record_id == record_id, RevisionRow.source == "bridge")
            .order_by(col(RevisionRow.number).desc())
        ).first()
        if latest is None or latest.id is None:
            return
        if commit is not None and latest.commit is None:
            latest.commit, latest.path = commit, path
            session.add(latest)
        written = session.exec(select(SyncWrittenRow).where(SyncWrittenRow.revision_id == latest.id)).first()
        if written is None:
            written = SyncWrittenRow(record_id=record_id, revision_id=latest.id, blob=blob)
        written.blob, written.commit = blob, commit or written.commit
        session.add(written)
        session.commit()


def soft_delete_from_file(engine: Engine, record_id: int, author: str, message: str, *,
                          expected_version: int | None) -> str:
    """Mark the record deleted because its file is gone (history stays; a re-import restores it); return its key.

    Only if the record is still at expected_version (raises ConflictError otherwise: it was saved meanwhile);
    None deletes whatever version it is at.
    """
    with Session(engine) as session:
        row = session.get(RecordRow, record_id)
        assert row is not None
        repo.compare_and_bump_version(session, row, row.version if expected_version is None else expected_version)
        row.deleted = True
        repo.touch(row)
        session.add(RevisionRow(record_id=record_id, number=repo.next_revision_number(session, record_id),
                                author=author, at=repo.utcnow(), message=message, body=row.body, source="bridge"))
        session.execute(update(SyncBaseRow).where(col(SyncBaseRow.record_id) == record_id)
                        .values(base_version=row.version, conflict=None))
        session.commit()
        return row.key


def amend_body(engine: Engine, record_id: int, body: str, status_text: str, *, expected_version: int) -> Record:
    """Set the body and status wording of the record and its latest bridge revision as the file states them.

    Used when a status or title edited as a field had to be written into the body (an adr-tools ``## Status``
    section, in the file's capitalisation): the revision is the same edit, worded as in the file, so no new
    revision is made. Only if the record is still at expected_version (the version the file was written from):
    otherwise another writer's edit would be replaced by the file's older text, so it raises ConflictError.
    Returns the record.
    """
    with Session(engine) as session:
        row = session.get(RecordRow, record_id)
        assert row is not None
        repo.compare_and_set_version(session, row, expected_version, expected_version)
        record = _amend_row(session, row, body, status_text)
        session.commit()
        return record


def _amend_row(session: Session, row: RecordRow, body: str, status_text: str) -> Record:
    """Set row's body and status wording, and its latest bridge revision's body, in the session; return the record."""
    row.body, row.status_text = body, status_text
    record = repo.row_to_record(row)
    row.fingerprint = record.fingerprint()
    session.add(row)
    latest = session.exec(
        select(RevisionRow).where(RevisionRow.record_id == row.id, RevisionRow.source == "bridge")
        .order_by(col(RevisionRow.number).desc())
    ).first()
    if latest is not None:
        latest.body = body
        session.add(latest)
    return record


def set_record_home(engine: Engine, key: str, source_root: str, path: str, *, expected_version: int,
                    body: str, status_text: str) -> tuple[int, Record]:
    """Give a record made in bridge its new file, worded as the file states it; return its row id and the record.

    One transaction, only if the record is still at expected_version (the version the file was written from):
    the home, and the body and status wording as in the file (``amend_body``) when they differ. Raises
    ConflictError when another writer saved the record since.
    """
    with Session(engine) as session:
        row = repo.require_record_row(session, key)
        assert row.id is not None
        repo.compare_and_set_version(session, row, expected_version, expected_version)
        row.source_root, row.source_path = source_root, path
        session.add(row)
        if row.body != body or row.status_text != status_text:
            record = _amend_row(session, row, body, status_text)
        else:
            record = repo.row_to_record(row)
        record_id = row.id
        session.commit()
        return record_id, record

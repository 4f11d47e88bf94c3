"""Write scanned record files and their git history into the store in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import insert
from sqlmodel import Session, col, select

from bridge.domain import FileChange, ImportFailure, ImportReport, SourceFile
from bridge.store import repository as repo
from bridge.store.models import ContributionRow, PersonRow, RecordRow, RevisionRow
from bridge.store.records import ensure_person_row, slug_handle, sync_declared_people
from bridge.store.sync_models import SyncBaseRow, SyncWrittenRow

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


class IdentityLike(Protocol):
    """One person as seen in git history: a display name with every name and email they used."""

    name: str
    emails: list[str]
    names: list[str]


class ImportWriter:
    """Turns SourceFiles into record, revision, person and contribution rows."""

    def __init__(self, engine: Engine, *, keep_bridge_edits: bool = False,
                 expected_versions: dict[str, int] | None = None) -> None:
        self.engine = engine
        """The database to write to."""
        self.keep_bridge_edits = keep_bridge_edits
        """Leave records edited in bridge since their last sync (or in conflict) as they are (``bridge import``)."""
        self.expected_versions = expected_versions or {}
        """Source path → the version its record must still be at to be updated (else it is kept): sync's view."""
        self._written: set[int] | None = None
        """Records sync wrote a file for, loaded on first use."""

    def existing_keys(self) -> dict[tuple[str, str], str]:
        """Return (source root, source path) → key for every record that came from a file."""
        with Session(self.engine) as session:
            rows = session.exec(select(RecordRow.source_root, RecordRow.source_path, RecordRow.key))
            return {(root, path): key for root, path, key in rows if path}

    def taken_keys(self) -> set[str]:
        """Return every key in use (deleted records included)."""
        with Session(self.engine) as session:
            return repo.all_keys(session)

    def write(
        self,
        files: Sequence[tuple[str, SourceFile]],
        identities: Sequence[IdentityLike],
        report: ImportReport,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> list[int]:
        """Insert or update every file's record and history; count into report; return changed row ids."""
        changed_ids: list[int] = []
        self._written = None
        with Session(self.engine) as session:
            person_by_alias = self._resolve_people(session, identities)
            for done, (root, source) in enumerate(files, start=1):
                if progress:
                    progress(done, len(files), source.record.source_path)
                row_id = self._write_one(session, root, source, person_by_alias, report)
                if row_id is not None:
                    changed_ids.append(row_id)
            session.commit()
        return changed_ids

    def _written_ids(self, session: Session) -> set[int]:
        """Return the ids of records sync ever wrote a file for (read once per write)."""
        if self._written is None:
            self._written = set(session.exec(select(SyncWrittenRow.record_id).distinct()))
        return self._written

    def _resolve_people(self, session: Session, identities: Sequence[IdentityLike]) -> dict[str, PersonRow]:
        """Find or create a person for every git identity; return lower-cased alias → person."""
        by_alias: dict[str, PersonRow] = {}
        for identity in identities:
            aliases = [a for a in [*identity.emails, *identity.names, identity.name] if a]
            person = next((p for a in aliases if (p := repo.person_by_alias(session, a)) is not None), None)
            if person is None:
                person = PersonRow(handle=repo.unique_handle(session, slug_handle(identity.name)), name=identity.name)
                session.add(person)
                session.flush()
            repo.add_aliases(session, person, aliases)
            for alias in aliases:
                by_alias[alias.strip().lower()] = person
        return by_alias

    def _write_one(
        self, session: Session, root: str, source: SourceFile, people: dict[str, PersonRow], report: ImportReport
    ) -> int | None:
        """Write one file; return its row id when something changed."""
        record = source.record
        row = session.exec(
            select(RecordRow).where(RecordRow.source_root == root, RecordRow.source_path == record.source_path)
        ).first()
        if row is None:
            clash = repo.find_record_row(session, record.key, include_deleted=True)
            if clash is not None:
                report.failed.append(ImportFailure(
                    path=record.source_path,
                    error=f"key {record.key} is already used by {clash.source_path or 'a record made in bridge'}"
                    f"{' from ' + clash.source_root if clash.source_root and clash.source_root != root else ''}",
                ))
                return None
        known_commits: set[str] = set()
        if row is not None and row.id is not None:
            known_commits = {
                c for c in session.exec(select(RevisionRow.commit).where(RevisionRow.record_id == row.id)) if c
            }
        new_changes = [change for change in source.history if change.commit not in known_commits]
        if row is not None and row.id is not None and row.id in self._written_ids(session):
            new_changes = _without_landed_copies(session, row.id, source.history, new_changes)
        if row is not None and not row.deleted and row.fingerprint == record.fingerprint() and not new_changes:
            report.unchanged += 1
            return None
        if row is not None and self.keep_bridge_edits and self._edited_in_bridge(session, row):
            report.kept[record.source_path] = row.key
            return None
        now = repo.utcnow()
        if row is None:
            first_at = repo.as_utc(source.history[0].at) if source.history else now
            last_at = repo.as_utc(source.history[-1].at) if source.history else now
            row = RecordRow(key=record.key, kind=record.kind, title=record.title, status=record.status,
                            created_at=first_at, updated_at=last_at, version=1, source_root=root)
            repo.apply_record(row, record)
            session.add(row)
            session.flush()
            report.imported += 1
        else:
            expected = self.expected_versions.get(record.source_path, row.version)
            if not repo.claim_version(session, row, expected, expected + 1):
                report.kept[record.source_path] = row.key  # saved in bridge since this import read it
                return None
            repo.apply_record(row, record)
            row.deleted = False
            row.source_root = root
            row.updated_at = repo.as_utc(new_changes[-1].at) if new_changes else now
            session.add(row)
            report.updated += 1
        assert row.id is not None
        self._add_revisions(session, row, source, new_changes, people, now)
        repo.sync_topics(session, row)
        repo.sync_links(session, row)
        sync_declared_people(session, row, people)
        session.flush()
        return row.id

    @staticmethod
    def _edited_in_bridge(session: Session, row: RecordRow) -> bool:
        """Return whether the record was saved in bridge since sync last agreed with its file, or is in conflict."""
        base = session.exec(select(SyncBaseRow).where(SyncBaseRow.record_id == row.id)).first()
        return base is not None and (base.conflict is not None or base.base_version != row.version)

    def _add_revisions(
        self, session: Session, row: RecordRow, source: SourceFile, changes: list[FileChange],
        people: dict[str, PersonRow], now: object,
    ) -> None:
        """Append git revisions (text stays in git) or, outside git, one revision holding the file text."""
        assert row.id is not None
        number = repo.next_revision_number(session, row.id)
        has_author = session.exec(
            select(RevisionRow.id).where(RevisionRow.record_id == row.id, col(RevisionRow.author) != "")
        ).first() is not None
        revisions: list[dict[str, object]] = []
        people_by_number: dict[int, list[int]] = {}
        for offset, change in enumerate(changes):
            author = self._person(session, people, change.author_name, change.author_email)
            coauthors = [self._person(session, people, name, email) for name, email in change.coauthors]
            revisions.append({
                "record_id": row.id, "number": number + offset, "author": author.handle,
                "at": repo.as_utc(change.at), "message": change.message, "body": None, "source": "git",
                "commit": change.commit, "path": change.path, "lines_added": change.lines_added,
                "lines_removed": change.lines_removed,
                "coauthors": [c.handle for c in coauthors if c.handle != author.handle],
            })
            people_by_number[number + offset] = [p.id for p in [author, *coauthors] if p.id is not None]
        if revisions:
            session.execute(insert(RevisionRow), revisions)
            inserted = session.exec(
                select(RevisionRow.id, RevisionRow.number, RevisionRow.at)
                .where(RevisionRow.record_id == row.id, col(RevisionRow.number) >= number)
            )
            contributions: list[dict[str, object]] = []
            for revision_id, revision_number, at in inserted:
                role = "editor" if has_author or revision_number > number else "author"
                for person_id in dict.fromkeys(people_by_number[revision_number]):
                    contributions.append({"person_id": person_id, "record_id": row.id, "role": role, "at": at,
                                          "revision_id": revision_id})
            if contributions:
                session.execute(insert(ContributionRow), contributions)
        if not changes:
            session.add(RevisionRow(record_id=row.id, number=number, author="", at=now,  # type: ignore[arg-type]
                                    message=f"import {source.record.source_path}", body=source.record.body,
                                    source="import"))

    def _person(self, session: Session, people: dict[str, PersonRow], name: str, email: str) -> PersonRow:
        """Return the person for a git identity, creating one if the identity was not pre-resolved."""
        found = people.get(email.strip().lower()) or people.get(name.strip().lower())
        if found is None:
            found = ensure_person_row(session, f"{name} <{email}>" if email else name)
            assert found is not None
            people[(email or name).strip().lower()] = found
        return found


def _without_landed_copies(session: Session, record_id: int, history: Sequence[FileChange],
                           changes: list[FileChange]) -> list[FileChange]:
    """Return changes without the commits that brought a file version sync wrote (a squash or rebase merge).

    Such a commit is the bridge revision sync wrote, landed under another id (ADR-0501): the first commit in the
    history whose blob is the written one, when the commit sync made is not in the history itself, is taken for
    it once and remembered, so later commits that happen to restore the same text stay revisions of their own.
    """
    written = list(session.exec(select(SyncWrittenRow).where(SyncWrittenRow.record_id == record_id)))
    if not written:
        return changes
    in_history = {change.commit for change in history}
    for row in written:
        if row.landed_commit is None and row.commit in in_history:
            row.landed_commit = row.commit
            session.add(row)
    landed = {row.landed_commit for row in written if row.landed_commit}
    kept: list[FileChange] = []
    for change in changes:
        if change.commit in landed:
            continue
        match = next((row for row in written if row.landed_commit is None and change.blob
                      and row.blob == change.blob), None)
        if match is not None:
            match.landed_commit = change.commit
            landed.add(change.commit)
            session.add(match)
            continue
        kept.append(change)
    return kept

"""Record side of the workspace: list, show, create, save, history, review, people, import, export."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bridge.domain import (
    Contribution,
    Contributor,
    HealthCheck,
    ImportReport,
    KnowledgeInputs,
    Link,
    Person,
    Record,
    RecordKind,
    Revision,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from bridge.config import Settings

ProgressCallback = Callable[[int, int, str], None]
"""Called as (done, total, what) during long work."""


class RecordsMixin:
    """Record methods of Workspace."""

    settings: Settings
    engine: Engine

    def on_records_changed(self, record_ids: list[int]) -> None:
        """Hook the search side overrides to re-chunk changed records."""

    # -- reading ---------------------------------------------------------------------------------------------

    def list_records(
        self,
        kind: str | None = None,
        status: str | None = None,
        topic: str | None = None,
        owner: str | None = None,
    ) -> list[Record]:
        """Return live records matching every given filter, ordered by key."""
        from bridge.store import records as record_ops

        return record_ops.list_records(self.engine, kind=kind, status=status, topic=topic, owner=owner)

    def get_record(self, key: str) -> Record:
        """Return the record with key (case-insensitive); raises RecordNotFound."""
        from bridge.store import records as record_ops

        return record_ops.get_record(self.engine, key)

    def count_records(self) -> int:
        """Return how many live records the knowledge base holds."""
        from bridge.store import records as record_ops

        return record_ops.count_records(self.engine)

    def history(self, key: str) -> list[Revision]:
        """Return the record's revisions, oldest first."""
        from bridge.store import records as record_ops

        return record_ops.history(self.engine, key)

    def revision_text(self, key: str, number: int) -> str:
        """Return the full text of one revision (read from git for imported history)."""
        from bridge.workspace import record_ops

        return record_ops.revision_text(self.engine, key, number)

    def links(self, key: str) -> list[Link]:
        """Return links from and to the record."""
        from bridge.store import records as record_ops

        return record_ops.links(self.engine, key)

    def contributors(self, key: str) -> list[Contributor]:
        """Return who contributed to the record and how, most edits first."""
        from bridge.store import records as record_ops

        return record_ops.contributors(self.engine, key)

    def topics(self) -> list[tuple[str, int]]:
        """Return every topic with its number of live records, by name."""
        from bridge.store import records as record_ops

        return record_ops.topics(self.engine)

    def knowledge_inputs(self) -> KnowledgeInputs:
        """Return records, revisions, contributions, people and links for the knowledge analysis."""
        from bridge.domain import META_KINDS
        from bridge.store import records as record_ops

        inputs = record_ops.knowledge_inputs(self.engine)
        inputs.records = [record for record in inputs.records if record.kind not in META_KINDS]
        return inputs

    # -- writing ---------------------------------------------------------------------------------------------

    def new_record(
        self,
        kind: RecordKind,
        title: str,
        *,
        template: str | None = None,
        topics: Sequence[str] = (),
        owners: Sequence[str] = (),
        body: str | None = None,
        supersedes: Sequence[str] = (),
        author: str | None = None,
        status: str | None = None,
    ) -> Record:
        """Create a record from a template (or the given body), save it as revision 1 and return it.

        Every key it supersedes must be a record here (written as that record's key); raises ValidationError.
        """
        from bridge.errors import RecordNotFound, ValidationError
        from bridge.workspace import record_ops

        known: list[str] = []
        for key in supersedes:
            try:
                known.append(self.get_record(key).key)
            except RecordNotFound:
                raise ValidationError(f"cannot supersede {key}: no record has that key", field="supersedes") from None
        record = record_ops.draft_record(
            self.engine, kind, title, template=template, topics=topics, owners=owners, body=body,
            supersedes=known, status=status,
        )
        return self.save_record(record, expected_version=0, author=author, message="create")

    def draft_record(self, kind: RecordKind, title: str = "", template: str | None = None) -> Record:
        """Return an unsaved record with the next free key and the template body (version 0)."""
        from bridge.workspace import record_ops

        return record_ops.draft_record(self.engine, kind, title, template=template)

    def save_record(
        self, record: Record, *, expected_version: int, author: str | None = None, message: str = ""
    ) -> Record:
        """Validate and save record as a new revision; raises ConflictError when expected_version is stale."""
        from bridge.store import records as record_ops

        author_handle = self.resolve_author(author)
        saved, record_id = record_ops.save_record(
            self.engine, record, expected_version=expected_version, author=author_handle, message=message
        )
        changed_ids = [record_id, *self._mark_superseded(saved, author_handle)]
        self.on_records_changed(changed_ids)
        return saved

    def _mark_superseded(self, successor: Record, author_handle: str) -> list[int]:
        """Point every record successor supersedes back at it and mark it superseded (as adr-tools does)."""
        from bridge.errors import ConflictError, RecordNotFound
        from bridge.store import records as record_ops

        changed_ids: list[int] = []
        for key in successor.supersedes:
            try:
                old = record_ops.get_record(self.engine, key)
            except RecordNotFound:
                continue
            if successor.key in old.superseded_by and old.status == "superseded":
                continue
            if successor.key not in old.superseded_by:
                old.superseded_by.append(successor.key)
            if old.kind == "decision":
                old.status = old.status_text = "superseded"
            try:
                _, old_id = record_ops.save_record(
                    self.engine, old, expected_version=old.version, author=author_handle,
                    message=f"superseded by {successor.key}",
                )
            except ConflictError:
                continue
            changed_ids.append(old_id)
        return changed_ids

    def restore_revision(self, key: str, number: int, *, expected_version: int, author: str | None = None) -> Record:
        """Make an old revision's text current again, as a new revision."""
        record = self.get_record(key)
        record.body = self.revision_text(key, number)
        return self.save_record(
            record, expected_version=expected_version, author=author, message=f"restore revision {number}"
        )

    def record_text(self, key: str) -> str:
        """Return the record as its file text (front matter and body), as ``bridge edit`` shows it."""
        from bridge.ingest.writer import render_record

        return render_record(self.get_record(key))

    def save_record_text(
        self, key: str, text: str, *, expected_version: int, author: str | None = None, message: str = ""
    ) -> Record:
        """Parse edited file text of record key and save it as a new revision (the key and kind cannot change).

        Text without front matter, for a record whose text has it, is a new body: the fields (title, status,
        topics, owners…) stay as they are, rather than all being cleared.
        """
        from bridge.errors import ValidationError
        from bridge.ingest.parse import front_matter_block, parse_record_text

        current = self.get_record(key)
        fields = front_matter_block(self.record_text(current.key))
        if fields and not front_matter_block(text.lstrip("\ufeff")):
            text = fields + text
        name = current.source_path or f"{current.key.lower()}.{'rst' if current.body_format == 'rst' else 'md'}"
        edited = parse_record_text(text, name, kind=current.kind).record
        if edited.key and edited.key.upper() != current.key.upper():
            raise ValidationError(f"the key cannot change in an edit ({current.key} → {edited.key})", field="key")
        edited.key, edited.kind, edited.source_path = current.key, current.kind, current.source_path
        return self.save_record(edited, expected_version=expected_version, author=author, message=message)

    def mark_reviewed(self, key: str, person: str | None = None) -> Contribution:
        """Record that person (default: the current user) read and checked the record."""
        from bridge.store import records as record_ops

        return record_ops.mark_reviewed(self.engine, key, self.resolve_author(person))

    def delete_record(self, key: str, *, expected_version: int, author: str | None = None) -> None:
        """Soft-delete the record (its history stays)."""
        from bridge.store import records as record_ops

        record_id = record_ops.delete_record(
            self.engine, key, expected_version=expected_version, author=self.resolve_author(author)
        )
        self.on_records_changed([record_id])

    # -- people ----------------------------------------------------------------------------------------------

    def people(self) -> list[Person]:
        """Return everyone known, by name."""
        from bridge.store import records as record_ops

        return record_ops.people(self.engine)

    def find_person(self, name: str) -> Person:
        """Return the person with this handle, name, alias or email; raises BridgeError when none or ambiguous."""
        from bridge.store import records as record_ops

        return record_ops.find_person(self.engine, name)

    def set_left(self, name: str, on: date | None) -> Person:
        """Mark the person as left on the day (None marks them active again)."""
        from bridge.store import records as record_ops

        return record_ops.set_left(self.engine, name, on)

    def current_user(self) -> Person:
        """Return the person using bridge: from config, else git config, else the OS user."""
        from bridge.workspace import record_ops

        return record_ops.current_user(self.engine, self.settings)

    def resolve_author(self, author: str | None) -> str:
        """Return the handle of author (a name, email or handle), creating the person if new."""
        from bridge.store import records as record_ops

        if author is None:
            return self.current_user().handle
        return record_ops.ensure_person(self.engine, author).handle

    # -- files -----------------------------------------------------------------------------------------------

    def import_paths(
        self, paths: Sequence[Path], *, kind: RecordKind | None = None, progress: ProgressCallback | None = None
    ) -> ImportReport:
        """Import record files (with git history when inside a repository); idempotent."""
        from bridge.store.engine import bulk_writing
        from bridge.workspace import import_ops

        with bulk_writing(self.engine):  # other processes leave the records it writes to it to chunk
            report, changed_ids = import_ops.import_paths(self.engine, self.settings, paths, kind=kind,
                                                          progress=progress)
            if changed_ids:
                self.on_records_changed(changed_ids)
        return report

    def export(self, directory: Path) -> int:
        """Write every live record to directory in the record file format and return how many."""
        from bridge.workspace import import_ops

        return import_ops.export(self.engine, directory)

    def ensure_demo(self) -> bool:
        """Import the built-in demo knowledge base when the database has no records; return whether it did."""
        from bridge.paths import demo_records_dir

        if self.count_records() > 0:
            return False
        self.import_paths([demo_records_dir()])
        return True

    def doctor(self, repair: bool = False) -> list[HealthCheck]:
        """Check the database and the search index; with repair, rebuild what is derived and broken."""
        from bridge.store.health import database_checks, nameless_people_check

        checks = database_checks(self.engine)
        checks.append(nameless_people_check(self.engine, repair))
        index_checks = getattr(self, "check_index", None)
        if callable(index_checks):
            checks.extend(index_checks(repair=repair))
        return checks

    def templates(self, kind: RecordKind) -> list[str]:
        """Return the names of the templates for kind (e.g. nygard, madr for decisions)."""
        from bridge.ingest.templates import template_names

        return template_names(kind)

"""Record, history and people operations over an engine: each opens a session and returns domain objects."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import delete, update
from sqlalchemy import select as select_columns
from sqlalchemy import text as sql_text
from sqlmodel import Session, col, func, select

from bridge.domain import (
    KEY_PREFIX_BY_KIND,
    STATUSES_BY_KIND,
    Contribution,
    Contributor,
    KnowledgeInputs,
    Link,
    Person,
    Record,
    Revision,
    validate_record,
)
from bridge.errors import BridgeError, RecordNotFound, ValidationError
from bridge.store import repository as repo
from bridge.store.models import AliasRow, ContributionRow, PersonRow, RecordRow, RecordTopicRow, RevisionRow

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

NAME_EMAIL = re.compile(r"^\s*(?P<name>[^<]*?)\s*<(?P<email>[^>]+)>\s*$")


def list_records(engine: Engine, **filters: str | None) -> list[Record]:
    """Return live records matching the filters, ordered by key."""
    with Session(engine) as session:
        return [repo.row_to_record(row) for row in repo.list_record_rows(session, **filters)]


def get_record(engine: Engine, key: str) -> Record:
    """Return the live record with key; raises RecordNotFound."""
    with Session(engine) as session:
        return repo.row_to_record(repo.require_record_row(session, key))


def count_records(engine: Engine) -> int:
    """Return the number of live records."""
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(RecordRow).where(col(RecordRow.deleted).is_(False))).one())


def history(engine: Engine, key: str) -> list[Revision]:
    """Return the record's revisions, oldest first."""
    with Session(engine) as session:
        row = repo.require_record_row(session, key)
        assert row.id is not None
        return [repo.row_to_revision(rev, row.key) for rev in repo.revision_rows(session, row.id)]


def revision_row(engine: Engine, key: str, number: int) -> tuple[Revision, str, str]:
    """Return one revision with its record's source root and body format; raises RecordNotFound."""
    with Session(engine) as session:
        row = repo.require_record_row(session, key)
        revision = session.exec(
            select(RevisionRow).where(RevisionRow.record_id == row.id, RevisionRow.number == number)
        ).first()
        if revision is None:
            raise RecordNotFound(f"{row.key} has no revision {number}")
        return repo.row_to_revision(revision, row.key), row.source_root, row.body_format


def links(engine: Engine, key: str) -> list[Link]:
    """Return links from and to the record."""
    with Session(engine) as session:
        return repo.links_of(session, repo.require_record_row(session, key))


def contributors(engine: Engine, key: str) -> list[Contributor]:
    """Return who contributed to the record and in which roles, most edits first."""
    with Session(engine) as session:
        row = repo.require_record_row(session, key)
        statement = (
            select(ContributionRow, PersonRow)
            .join(PersonRow, col(PersonRow.id) == ContributionRow.person_id)
            .where(ContributionRow.record_id == row.id)
        )
        by_person: dict[str, Contributor] = {}
        for contribution, person_row in session.exec(statement):
            person = repo.row_to_person(person_row)
            entry = by_person.setdefault(person.handle, Contributor(person=person, roles=[]))
            if contribution.role not in entry.roles:
                entry.roles.append(contribution.role)
            if contribution.role in ("author", "editor") and contribution.revision_id is not None:
                entry.edits += 1
            if contribution.at is not None:
                stamp = contribution.at.date().isoformat()
                entry.first_at = min(entry.first_at or stamp, stamp)
                entry.last_at = max(entry.last_at, stamp)
        return sorted(by_person.values(), key=lambda c: (-c.edits, c.person.name.lower()))


def topics(engine: Engine) -> list[tuple[str, int]]:
    """Return every topic with its number of live records."""
    with Session(engine) as session:
        statement = (
            select(RecordTopicRow.topic, func.count())
            .join(RecordRow, col(RecordRow.id) == RecordTopicRow.record_id)
            .where(col(RecordRow.deleted).is_(False))
            .group_by(RecordTopicRow.topic)
            .order_by(RecordTopicRow.topic)
        )
        return [(topic, int(count)) for topic, count in session.exec(statement)]


def knowledge_inputs(engine: Engine) -> KnowledgeInputs:
    """Load everything the knowledge analysis needs in one session."""
    with Session(engine) as session:
        rows = repo.list_record_rows(session)
        key_by_id = {row.id: row.key for row in rows}
        # Plain column tuples, not ORM rows: the PEP corpus has 17,000 revisions and this is twice as fast.
        columns = [col(RevisionRow.record_id), col(RevisionRow.number), col(RevisionRow.author), col(RevisionRow.at),
                   col(RevisionRow.source), col(RevisionRow.commit), col(RevisionRow.path),
                   col(RevisionRow.lines_added), col(RevisionRow.lines_removed), col(RevisionRow.coauthors)]
        statement = select_columns(*columns).order_by(col(RevisionRow.record_id), col(RevisionRow.number))
        revisions = [
            Revision(record_key=key_by_id[record_id], number=number, author=author, at=at, source=source,
                     commit=commit, path=path, lines_added=added, lines_removed=removed, coauthors=list(coauthors))
            for record_id, number, author, at, source, commit, path, added, removed, coauthors
            in session.execute(statement)
            if record_id in key_by_id
        ]
        return KnowledgeInputs(
            records=[repo.row_to_record(row) for row in rows],
            revisions=revisions,
            contributions=repo.all_contributions(session),
            people=repo.all_people(session),
            links=repo.all_links(session),
        )


# -- writing -----------------------------------------------------------------------------------------------------


def next_key(engine: Engine, kind: str) -> str:
    """Return the next free key for kind (ADR-0001, RB-0001, …), never reusing a deleted record's key."""
    prefix = KEY_PREFIX_BY_KIND.get(kind, "REC")
    with Session(engine) as session:
        keys = repo.all_keys(session)
    numbers = [int(m.group(1)) for key in keys if (m := re.fullmatch(rf"{prefix}-(\d+)", key, flags=re.IGNORECASE))]
    return f"{prefix}-{max(numbers, default=0) + 1:04d}"


def save_record(
    engine: Engine, record: Record, *, expected_version: int, author: str, message: str = ""
) -> tuple[Record, int]:
    """Save record as a new revision if nobody saved since expected_version; return it and its row id."""
    with Session(engine) as session:
        row = repo.find_record_row(session, record.key, include_deleted=True)
        validate_record(record, stored_status=row.status if row else None)
        status_changed = row is None or row.status != record.status
        if (status_changed and record.status_text.lower() != record.status
                and record.status in STATUSES_BY_KIND[record.kind]):
            record.status_text = record.status  # a new status drops the old wording; an unchanged one keeps it
        author_row = repo.person_by_handle(session, author)
        now = repo.utcnow()
        if row is None:
            if expected_version != 0:
                raise RecordNotFound(f"no record with key '{record.key}' to update")
            row = RecordRow(key=record.key, kind=record.kind, title=record.title, status=record.status,
                            created_at=now, updated_at=now, version=1)
            repo.apply_record(row, record)
            session.add(row)
            session.flush()
            role = "author"
        else:
            repo.compare_and_bump_version(session, row, expected_version)
            repo.apply_record(row, record)
            row.deleted = False
            repo.touch(row)
            role = "editor"
        assert row.id is not None
        revision = RevisionRow(
            record_id=row.id, number=repo.next_revision_number(session, row.id), author=author, at=now,
            message=message, body=record.body, source="bridge",
        )
        session.add(revision)
        session.flush()
        if author_row is not None and author_row.id is not None:
            repo.add_contribution(session, author_row.id, row.id, role, now, revision.id)
        repo.sync_topics(session, row)
        repo.sync_links(session, row)
        sync_declared_people(session, row)
        # What this transaction saved, read before the commit: a refresh after it could already show the next
        # writer's version, and the caller would be told it saved a version another writer made.
        saved, row_id = repo.row_to_record(row), row.id
        session.commit()
        return saved, row_id


def sync_declared_people(session: Session, row: RecordRow, people: dict[str, PersonRow] | None = None) -> None:
    """Make owner/reviewer/declared-author contributions match the record's front matter.

    people (lower-cased name or alias → person), when given, is used and filled as a cache, so an import naming
    the same owners on hundreds of records looks each of them up once.
    """
    assert row.id is not None
    session.execute(
        delete(ContributionRow).where(
            col(ContributionRow.record_id) == row.id,
            col(ContributionRow.revision_id).is_(None),
            col(ContributionRow.at).is_(None),
        )
    )
    declared = [("owner", name) for name in row.owners] + [("reviewer", name) for name in row.reviewers]
    declared += [("author", name) for name in row.authors]
    for role, name in declared:
        cache_key = name.strip().lower()
        person = people.get(cache_key) if people is not None else None
        if person is None:
            person = ensure_person_row(session, name)
            if people is not None and person is not None:
                people[cache_key] = person
        if person is not None and person.id is not None:
            repo.add_contribution(session, person.id, row.id, role, None)


def mark_reviewed(engine: Engine, key: str, person_handle: str) -> Contribution:
    """Record that the person read and checked the record now."""
    with Session(engine) as session:
        row = repo.require_record_row(session, key)
        person = repo.person_by_handle(session, person_handle)
        if person is None or person.id is None or row.id is None:
            raise BridgeError(f"unknown person '{person_handle}'")
        now = repo.utcnow()
        repo.add_contribution(session, person.id, row.id, "reviewer", now)
        session.commit()
        return Contribution(person=person.handle, record_key=row.key, role="reviewer", at=now)


def delete_record(engine: Engine, key: str, *, expected_version: int, author: str) -> int:
    """Soft-delete the record as a new revision and return its row id."""
    with Session(engine) as session:
        row = repo.require_record_row(session, key)
        repo.compare_and_bump_version(session, row, expected_version)
        row.deleted = True
        repo.touch(row)
        assert row.id is not None
        session.add(RevisionRow(record_id=row.id, number=repo.next_revision_number(session, row.id), author=author,
                                at=repo.utcnow(), message="delete", body=row.body, source="bridge"))
        session.commit()
        return row.id


# -- people ------------------------------------------------------------------------------------------------------


def split_name_email(text: str) -> tuple[str, str]:
    """Split 'Name <email>' (or a bare email, a name, or a handle written '@handle') into (name, email)."""
    match = NAME_EMAIL.match(text)
    if match:
        return match.group("name").strip() or match.group("email"), match.group("email").strip()
    text = text.strip()
    if text.startswith("@") and text.count("@") == 1:
        return text[1:].strip(), ""  # a GitHub-style handle: the person's login, not an email
    return (text, text) if "@" in text else (text, "")


def slug_handle(name: str) -> str:
    """Return a lower-case slug for a person's handle."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "person"


def ensure_person_row(session: Session, text: str) -> PersonRow | None:
    """Return the person named by text ('Name <email>', an email, a name or a handle), creating them if new."""
    name, email = split_name_email(text)
    if not name:
        return None
    for alias in (email, name):
        if alias and (found := repo.person_by_alias(session, alias)) is not None:
            repo.add_aliases(session, found, [name, email])
            return found
    found = repo.person_by_handle(session, slug_handle(name))
    if found is not None and found.name.lower() == name.lower():
        return found
    person = PersonRow(handle=repo.unique_handle(session, slug_handle(name)), name=name.split("@")[0] if name == email else name)
    session.add(person)
    session.flush()
    repo.add_aliases(session, person, [name, email, person.handle])
    return person


def merge_person(session: Session, person: PersonRow, target: PersonRow) -> None:
    """Move person's contributions, revisions and aliases to target and delete person (in the caller's session)."""
    session.execute(sql_text(
        "DELETE FROM contribution WHERE person_id = :old AND at IS NULL AND revision_id IS NULL AND EXISTS ("
        "SELECT 1 FROM contribution c WHERE c.person_id = :new AND c.record_id = contribution.record_id "
        "AND c.role = contribution.role AND c.at IS NULL AND c.revision_id IS NULL)"), {"old": person.id, "new": target.id})
    session.execute(update(ContributionRow).where(col(ContributionRow.person_id) == person.id)
                    .values(person_id=target.id))
    session.execute(update(RevisionRow).where(col(RevisionRow.author) == person.handle).values(author=target.handle))
    for alias in session.exec(select(AliasRow).where(col(AliasRow.person_id) == person.id)):
        if alias.alias.startswith("@"):
            session.delete(alias)  # the '@handle' spelling itself: the login it names is the target's alias
        elif target.id is not None:
            alias.person_id = target.id
            session.add(alias)
    session.delete(person)


def ensure_person(engine: Engine, text: str) -> Person:
    """Return the person named by text, creating them if new."""
    with Session(engine) as session:
        row = ensure_person_row(session, text)
        if row is None or row.id is None:
            raise ValidationError("a person needs a name or an email", field="author")
        session.commit()
        return repo.row_to_person(row, repo.aliases_of(session, row.id))


def people(engine: Engine) -> list[Person]:
    """Return everyone known."""
    with Session(engine) as session:
        return repo.all_people(session)


def find_person(engine: Engine, text: str) -> Person:
    """Return the one person matching text by handle, alias, email or part of the name."""
    with Session(engine) as session:
        name, email = split_name_email(text)
        row = repo.person_by_handle(session, text) or repo.person_by_alias(session, email or name)
        if row is None:
            candidates = list(session.exec(select(PersonRow).where(func.lower(PersonRow.name).contains(name.lower()))))
            if len(candidates) > 1:
                listed = ", ".join(f"{c.name} ({c.handle})" for c in candidates[:8])
                raise BridgeError(f"'{text}' matches several people: {listed}; use a handle or email")
            row = candidates[0] if candidates else None
        if row is None or row.id is None:
            raise BridgeError(f"no person matches '{text}' (see `bridge people`)")
        return repo.row_to_person(row, repo.aliases_of(session, row.id))


def set_left(engine: Engine, text: str, on: date | None) -> Person:
    """Set or clear the day the person left."""
    person = find_person(engine, text)
    with Session(engine) as session:
        row = repo.person_by_handle(session, person.handle)
        assert row is not None and row.id is not None
        row.left_on = on
        session.add(row)
        session.commit()
        return repo.row_to_person(row, repo.aliases_of(session, row.id))

"""Repository functions: read and write records, revisions, people, links and contributions as domain objects."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from bridge.domain import Contribution, Link, Person, Record, Revision
from bridge.errors import ConflictError, RecordNotFound
from bridge.store.models import (
    AliasRow,
    ContributionRow,
    LinkRow,
    PersonRow,
    RecordRow,
    RecordTopicRow,
    RevisionRow,
)

LINK_FIELDS: tuple[tuple[str, str], ...] = (
    ("supersedes", "supersedes"),
    ("superseded_by", "superseded_by"),
    ("amends", "amends"),
    ("related", "relates"),
)
"""Record list field → LinkRow kind."""


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Return moment as an aware UTC datetime (naive values are taken as UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# -- records -----------------------------------------------------------------------------------------------------


def row_to_record(row: RecordRow) -> Record:
    """Return the domain Record for a row."""
    return Record(
        key=row.key, kind=row.kind, title=row.title, status=row.status, body=row.body,  # type: ignore[arg-type]
        status_text=row.status_text, body_format=row.body_format,  # type: ignore[arg-type]
        topics=list(row.topics), tags=list(row.tags), owners=list(row.owners), authors=list(row.authors),
        reviewers=list(row.reviewers), consulted=list(row.consulted), informed=list(row.informed),
        supersedes=list(row.extra.get("__links__", {}).get("supersedes", [])),
        superseded_by=list(row.extra.get("__links__", {}).get("superseded_by", [])),
        amends=list(row.extra.get("__links__", {}).get("amends", [])),
        related=list(row.extra.get("__links__", {}).get("related", [])),
        date=row.record_date, review_by=row.review_by, source_path=row.source_path,
        extra={k: v for k, v in row.extra.items() if k != "__links__"},
        created_at=row.created_at, updated_at=row.updated_at, version=row.version, deleted=row.deleted,
    )


def apply_record(row: RecordRow, record: Record) -> None:
    """Copy the file-level fields of record onto row (store metadata untouched)."""
    row.key = record.key
    row.kind = record.kind
    row.title = record.title
    row.status = record.status
    row.status_text = record.status_text
    row.body = record.body
    row.body_format = record.body_format
    row.topics = list(record.topics)
    row.tags = list(record.tags)
    row.owners = list(record.owners)
    row.authors = list(record.authors)
    row.reviewers = list(record.reviewers)
    row.consulted = list(record.consulted)
    row.informed = list(record.informed)
    links = {
        "supersedes": list(record.supersedes), "superseded_by": list(record.superseded_by),
        "amends": list(record.amends), "related": list(record.related),
    }
    row.extra = {**record.extra, "__links__": links}
    row.record_date = record.date
    row.review_by = record.review_by
    row.source_path = record.source_path
    row.fingerprint = record.fingerprint()


def find_record_row(session: Session, key: str, include_deleted: bool = False) -> RecordRow | None:
    """Return the row with key (case-insensitive), or None."""
    statement = select(RecordRow).where(func.upper(RecordRow.key) == key.strip().upper())
    if not include_deleted:
        statement = statement.where(col(RecordRow.deleted).is_(False))
    return session.exec(statement).first()


def require_record_row(session: Session, key: str) -> RecordRow:
    """Return the live row with key; raises RecordNotFound with a hint."""
    row = find_record_row(session, key)
    if row is None:
        raise RecordNotFound(f"no record with key '{key}' (try `bridge list` or `bridge search`)")
    return row


def list_record_rows(
    session: Session,
    kind: str | None = None,
    status: str | None = None,
    topic: str | None = None,
    owner: str | None = None,
) -> list[RecordRow]:
    """Return live record rows matching every given filter, ordered by key."""
    statement = select(RecordRow).where(col(RecordRow.deleted).is_(False))
    if kind:
        statement = statement.where(RecordRow.kind == kind)
    if status:
        statement = statement.where(RecordRow.status == status.lower())
    if topic:
        topic_ids = select(RecordTopicRow.record_id).where(func.lower(RecordTopicRow.topic) == topic.lower())
        statement = statement.where(col(RecordRow.id).in_(topic_ids))
    rows = list(session.exec(statement.order_by(RecordRow.key)))
    if owner:
        wanted = owner.lower()
        rows = [row for row in rows if any(wanted == o.lower() for o in row.owners)]
    return rows


def sync_topics(session: Session, row: RecordRow) -> None:
    """Make the record_topic rows of row match its topics list."""
    assert row.id is not None
    session.exec(delete(RecordTopicRow).where(col(RecordTopicRow.record_id) == row.id))  # type: ignore[call-overload]
    for topic in dict.fromkeys(t.strip() for t in row.topics if t.strip()):
        session.add(RecordTopicRow(record_id=row.id, topic=topic))


def sync_links(session: Session, row: RecordRow) -> None:
    """Make the link rows from row match its supersedes / superseded_by / amends / related lists."""
    assert row.id is not None
    session.exec(delete(LinkRow).where(col(LinkRow.source_id) == row.id))  # type: ignore[call-overload]
    links = row.extra.get("__links__", {})
    seen: set[tuple[str, str]] = set()
    for field_name, kind in LINK_FIELDS:
        for target in links.get(field_name, []):
            if (target, kind) not in seen and target.upper() != row.key.upper():
                seen.add((target, kind))
                session.add(LinkRow(source_id=row.id, target_key=target, kind=kind))


def compare_and_bump_version(session: Session, row: RecordRow, expected_version: int) -> None:
    """Atomically raise row's version by one if it is still expected_version; raises ConflictError otherwise."""
    compare_and_set_version(session, row, expected_version, expected_version + 1)


def compare_and_set_version(session: Session, row: RecordRow, expected_version: int, new_version: int) -> None:
    """Atomically set row's version if it is still expected_version (locking the row); raises ConflictError otherwise.

    One conditional UPDATE: atomic on SQLite (the write lock) and PostgreSQL (the row lock, re-checked after a
    concurrent commit), where reading the version first and writing later is not. new_version = expected_version
    only claims the row for the transaction.
    """
    if not claim_version(session, row, expected_version, new_version):
        session.rollback()
        fresh = session.get(RecordRow, row.id)
        raise ConflictError(row.key, expected_version, fresh.version if fresh else -1)


def claim_version(session: Session, row: RecordRow, expected_version: int, new_version: int) -> bool:
    """Set row's version if it is still expected_version, in one conditional UPDATE; return whether it was."""
    result = session.exec(  # type: ignore[call-overload]
        update(RecordRow)
        .where(col(RecordRow.id) == row.id, col(RecordRow.version) == expected_version)
        .values(version=new_version)
    )
    if result.rowcount != 1:
        return False
    row.version = new_version
    return True


def next_revision_number(session: Session, record_id: int) -> int:
    """Return the number the record's next revision gets."""
    current = session.exec(select(func.max(RevisionRow.number)).where(RevisionRow.record_id == record_id)).one()
    return int(current or 0) + 1


def revision_rows(session: Session, record_id: int) -> list[RevisionRow]:
    """Return a record's revisions, oldest first."""
    statement = select(RevisionRow).where(RevisionRow.record_id == record_id).order_by(col(RevisionRow.number))
    return list(session.exec(statement))


def row_to_revision(row: RevisionRow, key: str) -> Revision:
    """Return the domain Revision for a row."""
    return Revision(
        record_key=key, number=row.number, author=row.author, at=row.at, message=row.message, body=row.body,
        source=row.source, commit=row.commit, path=row.path, lines_added=row.lines_added,  # type: ignore[arg-type]
        lines_removed=row.lines_removed, coauthors=list(row.coauthors),
    )


def all_keys(session: Session) -> set[str]:
    """Return every key in use, deleted records included (keys are never reused)."""
    return set(session.exec(select(RecordRow.key)))


# -- people ------------------------------------------------------------------------------------------------------


def row_to_person(row: PersonRow, aliases: Sequence[str] = ()) -> Person:
    """Return the domain Person for a row and its aliases."""
    emails = [alias for alias in aliases if "@" in alias]
    names = [alias for alias in aliases if "@" not in alias]
    return Person(handle=row.handle, name=row.name, emails=emails, aliases=names, team=row.team, left_on=row.left_on)


def person_by_alias(session: Session, alias: str) -> PersonRow | None:
    """Return the person one of whose aliases (name or email, any case) is alias."""
    statement = select(PersonRow).join(AliasRow).where(AliasRow.alias == alias.strip().lower())
    return session.exec(statement).first()


def person_by_handle(session: Session, handle: str) -> PersonRow | None:
    """Return the person with this handle, or None."""
    return session.exec(select(PersonRow).where(PersonRow.handle == handle.strip().lower())).first()


def add_aliases(session: Session, person: PersonRow, aliases: Iterable[str]) -> None:
    """Attach aliases to person, skipping ones already known (for anyone)."""
    assert person.id is not None
    for alias in {a.strip().lower() for a in aliases if a and a.strip()}:
        if session.exec(select(AliasRow).where(AliasRow.alias == alias)).first() is None:
            session.add(AliasRow(person_id=person.id, alias=alias))
    session.flush()


def unique_handle(session: Session, base: str) -> str:
    """Return base, or base-2, base-3 … whichever no person has yet."""
    handle, n = base or "person", 1
    while person_by_handle(session, handle) is not None:
        n += 1
        handle = f"{base}-{n}"
    return handle


def aliases_of(session: Session, person_id: int) -> list[str]:
    """Return the aliases of one person."""
    return list(session.exec(select(AliasRow.alias).where(AliasRow.person_id == person_id)))


def all_people(session: Session) -> list[Person]:
    """Return every person with their aliases, by name."""
    alias_map: dict[int, list[str]] = {}
    for alias in session.exec(select(AliasRow)):
        alias_map.setdefault(alias.person_id, []).append(alias.alias)
    rows = session.exec(select(PersonRow).order_by(func.lower(PersonRow.name)))
    return [row_to_person(row, alias_map.get(row.id or 0, [])) for row in rows]


# -- contributions and links -------------------------------------------------------------------------------------


def add_contribution(
    session: Session, person_id: int, record_id: int, role: str, at: datetime | None, revision_id: int | None = None
) -> ContributionRow:
    """Append one contribution row."""
    row = ContributionRow(person_id=person_id, record_id=record_id, role=role, at=at, revision_id=revision_id)
    session.add(row)
    return row


def all_contributions(session: Session) -> list[Contribution]:
    """Return every contribution to a live record as domain objects."""
    statement = (
        select(ContributionRow.role, ContributionRow.at, PersonRow.handle, RecordRow.key)
        .join(PersonRow, col(PersonRow.id) == ContributionRow.person_id)
        .join(RecordRow, col(RecordRow.id) == ContributionRow.record_id)
        .where(col(RecordRow.deleted).is_(False))
    )
    return [
        Contribution(person=handle, record_key=key, role=role, at=at)
        for role, at, handle, key in session.execute(statement)
    ]


def links_of(session: Session, row: RecordRow) -> list[Link]:
    """Return links from and to row's record."""
    outgoing = session.exec(select(LinkRow).where(LinkRow.source_id == row.id))
    result = [Link(row.key, link.target_key, link.kind) for link in outgoing]  # type: ignore[arg-type]
    incoming = session.exec(
        select(LinkRow, RecordRow.key)
        .join(RecordRow, col(RecordRow.id) == LinkRow.source_id)
        .where(func.upper(LinkRow.target_key) == row.key.upper(), col(RecordRow.deleted).is_(False))
    )
    result.extend(Link(source_key, link.target_key, link.kind) for link, source_key in incoming)  # type: ignore[arg-type]
    return result


def all_links(session: Session) -> list[Link]:
    """Return every link whose source is a live record."""
    statement = (
        select(LinkRow, RecordRow.key)
        .join(RecordRow, col(RecordRow.id) == LinkRow.source_id)
        .where(col(RecordRow.deleted).is_(False))
    )
    return [Link(key, link.target_key, link.kind) for link, key in session.exec(statement)]  # type: ignore[arg-type]


def successors(session: Session, key: str) -> list[str]:
    """Return the keys of records that supersede key (from either side of the link)."""
    row = find_record_row(session, key)
    if row is None:
        return []
    found = list(row.extra.get("__links__", {}).get("superseded_by", []))
    incoming = session.exec(
        select(RecordRow.key)
        .join(LinkRow, col(LinkRow.source_id) == RecordRow.id)
        .where(func.upper(LinkRow.target_key) == key.upper(), LinkRow.kind == "supersedes")
        .where(col(RecordRow.deleted).is_(False))
    )
    found.extend(incoming)
    return list(dict.fromkeys(found))


def touch(row: RecordRow) -> None:
    """Set the row's updated_at to now."""
    row.updated_at = utcnow()

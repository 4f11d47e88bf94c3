"""SQLModel tables: the truth about records, their history, people and search chunks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel


class RecordRow(SQLModel, table=True):
    """A record's current state; every change also appends a RevisionRow."""

    __tablename__ = "record"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True)
    kind: str = Field(index=True)
    title: str
    status: str = Field(index=True)
    status_text: str = ""
    body: str = ""
    body_format: str = "markdown"
    topics: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    owners: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    authors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reviewers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    consulted: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    informed: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    record_date: date | None = None
    review_by: date | None = None
    source_path: str = Field(default="", index=True)
    source_root: str = ""
    """Absolute path of the folder the record was imported from (empty for records made in bridge)."""
    fingerprint: str = ""
    created_at: datetime
    updated_at: datetime
    version: int = 1
    deleted: bool = Field(default=False, index=True)
    chunked_version: int | None = None
    """The version whose text the chunk and keyword rows hold; differs from version (or is NULL) until the record
    is re-chunked, so a crash between saving and chunking is found and repaired (ADR-0540)."""


class RecordTopicRow(SQLModel, table=True):
    """A record's topic, one row per (record, topic), for portable filtering."""

    __tablename__ = "record_topic"
    __table_args__ = (UniqueConstraint("record_id", "topic"),)

    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="record.id", index=True)
    topic: str = Field(index=True)


class TopicRow(SQLModel, table=True):
    """A service or system that records are about."""

    __tablename__ = "topic"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    description: str = ""


class RevisionRow(SQLModel, table=True):
    """One version of a record, never updated or deleted."""

    __tablename__ = "revision"
    __table_args__ = (UniqueConstraint("record_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="record.id", index=True)
    number: int
    author: str
    """Person handle."""
    at: datetime
    message: str = ""
    body: str | None = None
    source: str = "bridge"
    commit: str | None = None
    path: str | None = None
    """For git revisions: the file's path at that commit, relative to the import root."""
    lines_added: int = 0
    lines_removed: int = 0
    coauthors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class PersonRow(SQLModel, table=True):
    """A person; git identities and front-matter names resolve to one row through AliasRow."""

    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    handle: str = Field(unique=True, index=True)
    name: str
    team: str = ""
    left_on: date | None = None


class AliasRow(SQLModel, table=True):
    """A lower-cased name or email that means a person."""

    __tablename__ = "alias"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    alias: str = Field(unique=True, index=True)


class LinkRow(SQLModel, table=True):
    """A typed link from a record to another record's key (the target may not exist yet)."""

    __tablename__ = "link"
    __table_args__ = (UniqueConstraint("source_id", "target_key", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="record.id", index=True)
    target_key: str = Field(index=True)
    kind: str


class ContributionRow(SQLModel, table=True):
    """A person's part in a record (author, editor, reviewer, owner) at a time."""

    __tablename__ = "contribution"
    __table_args__ = (Index("ix_contribution_record_person", "record_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    record_id: int = Field(foreign_key="record.id", index=True)
    role: str
    at: datetime | None = None
    revision_id: int | None = Field(default=None, foreign_key="revision.id")


class ChunkRow(SQLModel, table=True):
    """A searchable chunk of a record body with its stored embedding (derived from the body)."""

    __tablename__ = "chunk"
    __table_args__ = (UniqueConstraint("record_id", "ordinal"),)

    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="record.id", index=True)
    ordinal: int
    heading_path: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    text: str
    embed_text: str = ""
    content_hash: str = Field(index=True)
    embedding: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    """float32 vector, little-endian, L2-normalised."""
    model_id: str | None = None
    dimension: int | None = None


class MetaRow(SQLModel, table=True):
    """Key/value facts about the store itself (schema version, index generation)."""

    __tablename__ = "bridge_meta"

    key: str = Field(primary_key=True)
    value: str

from bridge.store import sync_models  # noqa: E402,F401,I001  (registers the git-sync tables)
from bridge.store.usage_models import UsageEventRow  # noqa: E402,F401  (registers the usage table)
from bridge.store import alert_models  # noqa: E402,F401  (registers the alert_rule table)

"""Tables for git sync: where each record's file lives and the version of it bridge last agreed with."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class SyncRootRow(SQLModel, table=True):
    """An import root that sync knows: its git work tree and the commit its files were last read at."""

    __tablename__ = "sync_root"

    id: int | None = Field(default=None, primary_key=True)
    source_root: str = Field(unique=True, index=True)
    """Absolute import root, as in ``record.source_root``."""
    git_root: str | None = None
    """Top folder of the git work tree holding the root (None for a plain folder)."""
    base_commit: str | None = None
    """HEAD when the root's files were last read (None outside git or before the first commit)."""


class SyncBaseRow(SQLModel, table=True):
    """The file version a record was last synced with (its base): blob, record version and file-level fields."""

    __tablename__ = "sync_base"

    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="record.id", unique=True, index=True)
    source_root: str = Field(index=True)
    path: str
    """The file's path relative to source_root."""
    base_commit: str | None = None
    base_blob: str = ""
    """git blob id of the file's bytes at the base."""
    base_version: int = 0
    """The record version that equals the file; a higher record version is an unsynced bridge edit."""
    base_fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=True))
    """The record's file-level fields at the base, body excepted (the body is read from the file)."""
    conflict: str | None = None
    """Why the last sync could not reconcile file and record (None when there is no conflict)."""


class SyncWrittenRow(SQLModel, table=True):
    """A file version sync wrote for a bridge revision: its blob, the commit made for it and where it landed.

    A commit that later brings exactly this blob into the file (a squash-merge or rebase-merge of the sync branch:
    a new commit, perhaps by someone else) is the same revision, not a second one (ADR-0501).
    """

    __tablename__ = "sync_written"

    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="record.id", index=True)
    revision_id: int = Field(foreign_key="revision.id")
    """The bridge revision the file carries."""
    blob: str = Field(index=True)
    """git blob id of the bytes sync wrote."""
    commit: str | None = None
    """The commit sync made on its branch (None with --no-commit)."""
    landed_commit: str | None = None
    """The commit that brought the blob into the history bridge reads (set once it is seen)."""

"""Typed values of git sync: a record's base, a root's state, and what one ``bridge sync`` did."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from bridge.domain import Record

SNAPSHOT_FIELDS: tuple[str, ...] = (
    "key", "kind", "title", "status", "status_text", "body_format", "topics", "tags", "owners", "authors",
    "reviewers", "consulted", "informed", "supersedes", "superseded_by", "amends", "related", "date", "review_by",
    "extra", "source_path",
)
"""Record fields kept in a sync base (the body is read from the file itself)."""


def snapshot_fields(record: Record) -> dict[str, Any]:
    """Return the record's file-level fields except the body, as JSON-ready values."""
    values: dict[str, Any] = {}
    for name in SNAPSHOT_FIELDS:
        value = getattr(record, name)
        values[name] = value.isoformat() if isinstance(value, dt.date) else value
    return values


def record_from_snapshot(values: dict[str, Any], body: str) -> Record:
    """Return the record a sync base describes, with body."""
    kwargs = {name: values[name] for name in SNAPSHOT_FIELDS if name in values}
    for name in ("date", "review_by"):
        if isinstance(kwargs.get(name), str):
            kwargs[name] = dt.date.fromisoformat(kwargs[name])
    return Record(body=body, **kwargs)


@dataclass
class SyncRoot:
    """An import root sync knows: its git work tree (None for a plain folder) and its base commit."""

    source_root: str
    git_root: str | None = None
    base_commit: str | None = None


@dataclass
class SyncBase:
    """One record's file and the version of it bridge last agreed with."""

    record_id: int
    key: str
    source_root: str
    path: str
    version: int
    """The record's current version."""
    base_version: int = 0
    base_blob: str = ""
    base_commit: str | None = None
    base_fields: dict[str, Any] = field(default_factory=dict)
    conflict: str | None = None
    deleted: bool = False
    has_base: bool = True
    kind: str = ""

    @property
    def edited_in_bridge(self) -> bool:
        """Return whether bridge saved the record since its base."""
        return self.has_base and self.version != self.base_version

    @property
    def waiting_for_sync(self) -> bool:
        """Return whether only sync may settle the record: edited in bridge since its base, or in conflict."""
        return self.edited_in_bridge or bool(self.has_base and self.conflict)


@dataclass
class SyncConflict:
    """A record changed both in its file and in bridge since the base; neither side was overwritten."""

    key: str
    path: str
    reason: str

    def resolution(self) -> str:
        """Return how to resolve the conflict, as one sentence naming both commands."""
        return (f"resolve with `bridge sync --take file {self.key}` (keep the file's text) or "
                f"`bridge sync --take bridge {self.key}` (write bridge's text to the file)")


@dataclass
class SyncFailure:
    """A file or root sync could not handle, and why."""

    path: str
    error: str


@dataclass
class SyncReport:
    """What one sync did: records read in, files written, the commit made, conflicts and failures."""

    synced_in: list[str] = field(default_factory=list)
    """Keys of records updated, created, moved or deleted from their files."""
    written: list[str] = field(default_factory=list)
    """Absolute paths of files bridge wrote."""
    committed: dict[str, str] | None = None
    """``{"branch", "commit"}`` of the last commit made (None when nothing was committed)."""
    commits: list[dict[str, str]] = field(default_factory=list)
    conflicts: list[SyncConflict] = field(default_factory=list)
    failed: list[SyncFailure] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return whether there was neither a conflict nor a failure."""
        return not self.conflicts and not self.failed

    def to_dict(self) -> dict[str, Any]:
        """Return the stable JSON shape of ``bridge sync --json``."""
        return {
            "synced_in": list(self.synced_in),
            "written": list(self.written),
            "committed": dict(self.committed) if self.committed else None,
            "commits": [dict(commit) for commit in self.commits],
            "conflicts": [asdict(conflict) for conflict in self.conflicts],
            "failed": [asdict(failure) for failure in self.failed],
        }

"""App-level messages: workers post these and ``@on`` handlers on the app and screens own the state changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from bridge.domain import ImportReport, Person, Record
    from bridge.sync_types import SyncConflict, SyncReport
    from bridge.tui.diffing import RevisionDiff
    from bridge.tui.drafts import Draft
    from bridge.workspace import Workspace


@dataclass
class WorkspaceOpened(Message):
    """The knowledge base is open: searches and record screens can start."""

    workspace: Workspace
    user: Person
    record_count: int
    demo_imported: bool = False
    """Whether the demo knowledge base was imported because the database was empty."""


@dataclass
class WorkspaceFailed(Message):
    """The knowledge base could not be opened; the message says why."""

    error: str


@dataclass
class CatalogLoaded(Message):
    """Record keys and titles plus template names, used by the palette and the new-record picker."""

    records: list[tuple[str, str, str]]
    """(key, kind, title) of every live record."""
    templates: dict[str, list[str]]
    """Template names by record kind."""


@dataclass
class WorkProgress(Message):
    """Progress of a long background task (warm-up, reindex, import); floods coalesce."""

    task: str
    """Which task: ``warm-up``, ``reindex`` or ``import``."""
    done: int
    total: int
    what: str = ""

    def can_replace(self, message: Message) -> bool:
        """Let a newer progress message of the same task replace a queued older one."""
        return isinstance(message, WorkProgress) and message.task == self.task


@dataclass
class IndexStatusChanged(Message):
    """The search index status is known or changed (e.g. after warm-up); the status line shows it."""

    semantic_ready: bool
    sections: int
    """Sections (chunks) in the index."""
    embedded: int = 0
    detail: str = ""


@dataclass
class WarmUpFailed(Message):
    """The model or vector index could not be loaded; keyword search keeps working."""

    error: str


@dataclass
class DraftsFound(Message):
    """Autosaved drafts from an earlier session exist and can be resumed."""

    drafts: list[Draft]
    problems: list[str] = field(default_factory=list)


@dataclass
class DraftReady(Message):
    """A new record was drafted from a template and can be opened in the editor."""

    record: Record


@dataclass
class EditReady(Message):
    """A stored record (or its autosaved draft) was read and can be opened in the editor."""

    record: Record
    base_version: int
    """The stored version the edit is based on."""
    resumed: bool = False
    """Whether record comes from an autosaved draft."""


@dataclass
class ImportFinished(Message):
    """An import of record files finished."""

    path: str
    report: ImportReport


@dataclass
class SyncFinished(Message):
    """A ``bridge sync`` of every imported folder finished."""

    report: SyncReport


@dataclass
class SyncConflictsListed(Message):
    """The records in sync conflict were listed (asked for from the palette)."""

    conflicts: list[SyncConflict]


@dataclass
class SyncConflictRead(Message):
    """Both sides of one sync conflict were read and diffed (posted to the conflicts screen that asked)."""

    key: str
    diff: RevisionDiff


@dataclass
class SyncSideTaken(Message):
    """One side of a sync conflict was taken, as ``bridge sync --take`` (posted to the screen that asked)."""

    key: str
    side: str
    report: SyncReport


@dataclass
class SyncCounted(Message):
    """How many records are edited in bridge but not synced to their files, and how many are in conflict."""

    unsynced: int
    conflicts: int


@dataclass
class ReindexFinished(Message):
    """A reindex finished."""

    summary: str


@dataclass
class TaskFailed(Message):
    """A background task failed with an error a person can act on."""

    task: str
    error: str


@dataclass
class QuitConfirmed(Message):
    """Unsaved edits were discarded as asked: the app can exit."""


@dataclass
class RecordsChanged(Message):
    """Records were saved, restored or imported: screens showing them should reload."""

    keys: list[str] = field(default_factory=list)
    """The changed keys; empty means "possibly all"."""


@dataclass
class OpenRecord(Message):
    """Ask the app to open a record screen for key."""

    key: str
    section: str = ""


def describe_exception(exc: BaseException) -> str:
    """Return a one-line description of exc for a notification."""
    text = str(exc).strip() or exc.__class__.__name__
    return text.splitlines()[0]


def plural(count: int, noun: str) -> str:
    """Return ``1 record`` / ``3 records`` with thousands separators."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"

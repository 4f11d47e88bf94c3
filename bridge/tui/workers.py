"""The app's thread workers: each wraps one workspace call and posts its result as a message.

They never touch widgets (harlequin's rule); the ``@on`` handlers in ``bridge.tui.app`` own the state changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import get_current_worker

from bridge.errors import BridgeError
from bridge.tui.drafts import DraftError, DraftKeeper, discard_draft, draft_path, list_drafts, load_draft
from bridge.tui.messages import (
    CatalogLoaded,
    DraftReady,
    DraftsFound,
    EditReady,
    ImportFinished,
    IndexStatusChanged,
    QuitConfirmed,
    ReindexFinished,
    SyncConflictRead,
    SyncConflictsListed,
    SyncCounted,
    SyncFinished,
    SyncSideTaken,
    TaskFailed,
    WarmUpFailed,
    WorkProgress,
    WorkspaceFailed,
    WorkspaceOpened,
    describe_exception,
)

if TYPE_CHECKING:
    from bridge.config import Settings
    from bridge.search_types import ProgressCallback
    from bridge.workspace import Workspace


class WorkCancelled(Exception):
    """Raised inside a cancelled worker's progress callback to stop the workspace call it is running."""


class WorkersMixin:
    """Thread workers of BridgeApp; every one posts a message and leaves the widgets alone."""

    settings: Settings
    load_demo: bool
    workspace: Workspace | None

    if TYPE_CHECKING:

        def post_message(self, message: Message) -> bool: ...

        def require_workspace(self) -> Workspace: ...

    def progress_reporter(self, task: str) -> ProgressCallback:
        """Return a progress callback that posts WorkProgress for task, and stops the work once it is cancelled.

        Raising from the callback is how a long workspace call (embedding thousands of sections) is interrupted
        between batches when the app quits; each batch is already stored, so nothing is half-written.
        """
        worker = get_current_worker()

        def report(done: int, total: int, what: str = "") -> None:
            if worker.is_cancelled:
                raise WorkCancelled(task)
            self.post_message(WorkProgress(task, done, total, what))

        return report

    @work(thread=True, exclusive=True, exit_on_error=False, group="open", description="Opening knowledge base")
    def open_workspace(self, workspace: Workspace | None) -> None:
        """Open (and, when empty, fill with the demo) the knowledge base; post WorkspaceOpened."""
        try:
            if workspace is None:
                from bridge.workspace import Workspace

                workspace = Workspace.open(self.settings)
            workspace.front_end = "tui"
            demo_imported = workspace.ensure_demo() if self.load_demo else False
            user = workspace.current_user()
            count = workspace.count_records()
        except BridgeError as exc:
            self.post_message(WorkspaceFailed(describe_exception(exc)))
            return
        self.post_message(WorkspaceOpened(workspace, user, count, demo_imported))

    @work(thread=True, exclusive=True, exit_on_error=False, group="catalog", description="Listing records")
    def load_catalog(self) -> None:
        """List record keys and templates for the palette and the template picker."""
        workspace = self.require_workspace()
        records = [(record.key, str(record.kind), record.title) for record in workspace.list_records()]
        templates = {kind: workspace.templates(kind) for kind in ("decision", "runbook")}
        self.post_message(CatalogLoaded(records, templates))

    @work(thread=True, exclusive=True, exit_on_error=False, group="index", description="Reading index status")
    def load_index_status(self) -> None:
        """Post the index status without loading the model."""
        workspace = self.require_workspace()
        status = workspace.index_status()
        ready = workspace.semantic_ready()
        detail = "semantic index not loaded" if not ready else ""
        self.post_message(IndexStatusChanged(ready, status.chunks, status.embedded, detail))

    @work(thread=True, exclusive=True, exit_on_error=False, group="warm-up", description="Loading semantic index")
    def warm_up(self) -> None:
        """Load the model, embed pending sections and load the vector index; keyword search works meanwhile."""
        workspace = self.require_workspace()
        try:
            status = workspace.index_status()
            self.post_message(IndexStatusChanged(False, status.chunks, status.embedded, "semantic index loading"))
            workspace.warm_up(self.progress_reporter("warm-up"))
            status = workspace.index_status()
        except WorkCancelled:
            return
        except BridgeError as exc:
            self.post_message(WarmUpFailed(describe_exception(exc)))
            return
        if workspace.read_only_search_mode("hybrid", status) is not None:
            self.post_message(IndexStatusChanged(False, status.chunks, status.embedded,
                                                 f"read-only data folder: {status.pending} sections have no vectors"))
            return
        self.post_message(IndexStatusChanged(workspace.semantic_ready(), status.chunks, status.embedded))

    @work(thread=True, exclusive=True, exit_on_error=False, group="drafts", description="Looking for drafts")
    def check_drafts(self) -> None:
        """Post the autosaved drafts left by an earlier session."""
        drafts, problems = list_drafts()
        self.post_message(DraftsFound(drafts, problems))

    @work(thread=True, exit_on_error=False, group="drafts-discard", description="Discarding draft")
    def discard_draft(self, key: str) -> None:
        """Delete one draft file."""
        discard_draft(key)

    @work(thread=True, exit_on_error=False, group="drafts-discard", description="Closing draft")
    def close_drafts(self, keeper: DraftKeeper) -> None:
        """Delete an editor's draft for good (the edit was saved or discarded)."""
        keeper.close()

    @work(thread=True, exclusive=True, exit_on_error=False, group="quit", description="Discarding drafts")
    def discard_and_exit(self, keepers: Sequence[DraftKeeper]) -> None:
        """Delete the drafts of discarded edits, then quit."""
        for keeper in keepers:
            keeper.close()
        self.post_message(QuitConfirmed())

    @work(thread=True, exclusive=True, exit_on_error=False, group="draft-new", description="Drafting record")
    def draft_new(self, kind: str, template: str | None, title: str = "") -> None:
        """Draft a new record from a template (next free key, version 0), with a title when one is given."""
        try:
            record = self.require_workspace().draft_record(kind, title, template)  # type: ignore[arg-type]
        except BridgeError as exc:
            self.post_message(TaskFailed("new record", describe_exception(exc)))
            return
        self.post_message(DraftReady(record))

    @work(thread=True, exclusive=True, exit_on_error=False, group="edit-load", description="Opening editor")
    def load_for_edit(self, key: str) -> None:
        """Read the record (or its autosaved draft) for the editor."""
        try:
            record = self.require_workspace().get_record(key)
        except BridgeError as exc:
            self.post_message(TaskFailed("edit", describe_exception(exc)))
            return
        path = draft_path(record.key)
        if path.exists():
            try:
                draft = load_draft(path)
            except DraftError as exc:
                self.post_message(TaskFailed("resume draft", describe_exception(exc)))
            else:
                self.post_message(EditReady(draft.record, draft.base_version, resumed=True))
                return
        self.post_message(EditReady(record, record.version))

    @work(thread=True, exclusive=True, exit_on_error=False, group="reindex", description="Reindexing")
    def reindex(self) -> None:
        """Reindex everything that changed, reporting progress."""
        try:
            report = self.require_workspace().reindex(progress=self.progress_reporter("reindex"))
        except WorkCancelled:
            return
        except BridgeError as exc:
            self.post_message(TaskFailed("reindex", describe_exception(exc)))
            return
        summary = (
            f"{report.records} records, {report.chunks} sections: {report.embedded} embedded, "
            f"{report.reused} reused in {report.seconds:.1f} s"
        )
        self.post_message(ReindexFinished(summary))

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync", description="Syncing with git")
    def sync_with_git(self) -> None:
        """Sync every imported folder with git (read changes in, write edits out on a branch)."""
        try:
            report = self.require_workspace().sync()
        except BridgeError as exc:
            self.post_message(TaskFailed("sync", describe_exception(exc)))
            return
        self.post_message(SyncFinished(report))

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync-count", description="Counting unsynced")
    def count_unsynced(self) -> None:
        """Count records edited in bridge but not yet written to their files, and conflicts."""
        try:
            pending = self.require_workspace().unsynced()
        except BridgeError:
            return
        self.post_message(SyncCounted(len(pending), sum(1 for base in pending if base.conflict)))

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync-conflicts", description="Listing conflicts")
    def list_sync_conflicts(self) -> None:
        """List the records in sync conflict with their file and reason."""
        from bridge.sync_types import SyncConflict

        try:
            pending = self.require_workspace().unsynced()
        except BridgeError as exc:
            self.post_message(TaskFailed("sync", describe_exception(exc)))
            return
        conflicts = [SyncConflict(base.key, str(Path(base.source_root) / base.path), base.conflict)
                     for base in pending if base.conflict]
        self.post_message(SyncConflictsListed(conflicts))

    @work(thread=True, exit_on_error=False, group="sync-conflict-load", description="Reading conflict")
    def read_sync_conflict(self, key: str, reply_to: MessagePump) -> None:
        """Read the file's text and the text taking bridge's side would write, diff them, post to reply_to."""
        from bridge.tui.diffing import diff_texts

        try:
            path, file_text, bridge_text = self.require_workspace().sync_conflict_sides(key)
        except BridgeError as exc:
            self.post_message(TaskFailed("reading the sync conflict", describe_exception(exc)))
            return
        diff = diff_texts(file_text, bridge_text, old_label=f"file {path}", new_label=f"bridge {key}")
        reply_to.post_message(SyncConflictRead(key, diff))

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync-take", description="Resolving conflict")
    def take_sync_side(self, side: str, key: str, reply_to: MessagePump) -> None:
        """Resolve a sync conflict by taking side ("file" or "bridge"), as ``bridge sync --take``; post to reply_to."""
        try:
            report = self.require_workspace().sync(take=(side, key))
        except BridgeError as exc:
            self.post_message(TaskFailed("resolving the sync conflict", describe_exception(exc)))
            return
        reply_to.post_message(SyncSideTaken(key, side, report))

    @work(thread=True, exclusive=True, exit_on_error=False, group="import", description="Importing")
    def import_folder(self, path: str) -> None:
        """Import record files from path, reporting progress."""
        folder = Path(path)
        if not folder.exists():
            self.post_message(TaskFailed("import", f"{folder}: no such file or folder"))
            return
        try:
            report = self.require_workspace().import_paths([folder], progress=self.progress_reporter("import"))
        except WorkCancelled:
            return
        except BridgeError as exc:
            self.post_message(TaskFailed("import", describe_exception(exc)))
            return
        self.post_message(ImportFinished(str(folder), report))

"""Git sync side of the workspace: import records their sync base; ``sync`` reads files in and writes edits out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bridge.domain import ImportReport, RecordKind
from bridge.sync_types import SyncBase, SyncConflict, SyncFailure, SyncReport
from bridge.workspace.records import ProgressCallback, RecordsMixin

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from bridge.config import Settings


class SyncMixin(RecordsMixin):
    """Sync methods of Workspace: every imported record remembers its file, and edits travel both ways."""

    settings: Settings
    engine: Engine

    def import_paths(
        self, paths: Sequence[Path], *, kind: RecordKind | None = None, progress: ProgressCallback | None = None
    ) -> ImportReport:
        """Import record files, then record each file as its record's sync base (blob and commit)."""
        from bridge.ingest.scan import import_root_of
        from bridge.store.sync_state import imported_roots
        from bridge.workspace.sync_ops import record_bases_for_root

        report = super().import_paths(paths, kind=kind, progress=progress)
        failed = {failure.path for failure in report.failed} | set(report.kept)
        known = [Path(root) for root in imported_roots(self.engine)]
        for root in dict.fromkeys(import_root_of(path, known) for path in paths):
            if root.is_dir():
                record_bases_for_root(self.engine, root, failed)
        return report

    def sync(
        self,
        roots: Sequence[Path] = (),
        *,
        commit: bool = True,
        push: str | None = None,
        onto_current: bool = False,
        take: tuple[str, str] | None = None,
        add: Sequence[str] = (),
    ) -> SyncReport:
        """Sync import roots with their files (all known roots when none are given); see docs/git.md.

        take=("file"|"bridge", KEY) resolves one conflict instead of a full sync; add names records made in
        bridge to give a new file in the (one) root given, named by that root's convention.
        """
        from bridge.errors import BridgeError
        from bridge.gitsync.git import identity
        from bridge.store.engine import bulk_writing
        from bridge.store.sync_state import imported_roots, sync_bases
        from bridge.workspace.sync_ops import SyncOptions, sync_one_root

        user = self.current_user()
        committer = (self.settings.user_name or "", self.settings.user_email or "")
        report = SyncReport()
        if add and len(roots) != 1:
            raise BridgeError("--add needs exactly one ROOT: the folder the new file goes in")
        if take is not None:
            side, key = take
            record = self.get_record(key)
            found = [b for b in sync_bases(self.engine) if b.record_id and b.key == record.key]
            if not found:
                raise BridgeError(f"{record.key} was not imported from a file; there is nothing to take")
            targets = [Path(found[0].source_root)]
        else:
            targets = [Path(root).resolve() for root in roots] or self._default_sync_roots(imported_roots(self.engine))
        for root in targets:
            git_committer = committer if all(committer) else identity(root if root.is_dir() else None)
            options = SyncOptions(commit=commit, push=push, onto_current=onto_current, user=user.handle,
                                  committer=(committer[0] or git_committer[0], committer[1] or git_committer[1]))
            with bulk_writing(self.engine):  # other processes leave the records it writes to it to chunk
                try:
                    changed = sync_one_root(self.engine, self.settings, root, options, report, take=take, add=add)
                except BridgeError as exc:
                    report.failed.append(SyncFailure(str(root), str(exc)))
                    continue
                if changed:
                    self.on_records_changed(changed)
        return report

    @staticmethod
    def _default_sync_roots(roots: Sequence[str]) -> list[Path]:
        """Return the roots a plain ``bridge sync`` covers: every import root except the bundled demo records."""
        from bridge.paths import demo_records_dir

        demo = demo_records_dir().resolve()
        return [Path(root) for root in roots if Path(root).resolve() != demo]

    def sync_conflict_sides(self, key: str) -> tuple[str, str, str]:
        """Return (path, the file's text, the text taking bridge's side would write) for one record."""
        from bridge.errors import BridgeError
        from bridge.store.sync_state import sync_bases
        from bridge.workspace.sync_ops import conflict_sides

        record = self.get_record(key)
        found = [b for b in sync_bases(self.engine) if b.record_id and b.key == record.key]
        if not found:
            raise BridgeError(f"{record.key} was not imported from a file; it has no file to compare with")
        return conflict_sides(self.engine, found[0])

    def sync_conflict(self, key: str) -> SyncConflict | None:
        """Return the record's sync conflict (file, reason), or None when it is not in conflict."""
        from bridge.store.sync_state import sync_conflict

        record = self.get_record(key)
        found = sync_conflict(self.engine, record.key)
        return SyncConflict(record.key, found[0], found[1]) if found else None

    def unsynced(self) -> list[SyncBase]:
        """Return records edited in bridge since their last sync, or in conflict, by key."""
        from bridge.store.sync_state import unsynced

        return unsynced(self.engine)

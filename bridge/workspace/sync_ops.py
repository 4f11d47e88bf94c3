"""Sync one import root with its files: read changed files in, write bridge edits out, commit on a branch."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

from bridge.domain import RECORD_KINDS, ImportReport, Record, RecordKind
from bridge.errors import BridgeError, ConflictError, ParseError
from bridge.sync_types import (
    SyncBase,
    SyncConflict,
    SyncFailure,
    SyncReport,
    SyncRoot,
    record_from_snapshot,
    snapshot_fields,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from bridge.config import Settings
    from bridge.ingest.status_links import LinkTarget


@dataclass
class SyncOptions:
    """How to sync: commit or not, onto which branch, push where."""

    commit: bool = True
    push: str | None = None
    onto_current: bool = False
    user: str = "bridge"
    """Handle of the person syncing (names the branch)."""
    committer: tuple[str, str] = ("", "")


@dataclass
class _Written:
    """A file sync wrote for a record, waiting to be committed."""

    base: SyncBase
    record: Record
    path: Path


@dataclass
class RootSync:
    """The state of one root during a sync."""

    root: Path
    state: SyncRoot
    git_root: Path | None
    bases: dict[str, SyncBase] = field(default_factory=dict)
    written: list[_Written] = field(default_factory=list)
    changed_ids: list[int] = field(default_factory=list)


def folder_names(root: Path, path: str) -> list[str]:
    """Return the folder names the importer sees for a file (the root's parts and the file's folders)."""
    return list(root.parts) + list(Path(path).parts[:-1])


def record_bases_for_root(engine: Engine, root: Path, skip_paths: set[str]) -> int:
    """Make every record of root agree with its file as it is now (after an import); return how many bases.

    A record edited in bridge since its base, or in conflict, keeps its base: the import left it as it was, and
    only sync may settle it (write it out, or report the conflict).
    """
    from bridge.gitsync.git import git_root_of, hash_files, head_commit
    from bridge.store.sync_state import records_by_id, save_sync_bases, save_sync_root, sync_bases

    git_root = git_root_of(root)
    commit = head_commit(git_root) if git_root else None
    bases = [b for b in sync_bases(engine, str(root))
             if not b.deleted and b.path not in skip_paths and (root / b.path).is_file()
             and not b.waiting_for_sync]
    blobs = hash_files(root, [root / b.path for b in bases])
    records = records_by_id(engine, [b.record_id for b in bases])
    for base, blob in zip(bases, blobs, strict=True):
        record = records[base.record_id]
        base.base_blob, base.base_version, base.base_commit = blob, record.version, commit
        base.base_fields, base.conflict = snapshot_fields(record), None
    save_sync_bases(engine, bases)
    save_sync_root(engine, SyncRoot(str(root), str(git_root) if git_root else None, commit))
    return len(bases)


def read_in(engine: Engine, settings: Settings, sync: RootSync, paths: list[str], since: str | None,
            report: SyncReport, versions: dict[str, int] | None = None) -> None:
    """Re-read the given files of the root (only those) and write what changed; new files become records.

    A record is updated only if it is still at the version sync decided on (its base's, or versions[path]): one
    saved in bridge meanwhile changed on both sides, and is reported as a conflict instead.
    """
    from bridge.gitsync.git import hash_files, head_commit
    from bridge.ingest.git_history import HistoryRules
    from bridge.ingest.identities import group_identities
    from bridge.ingest.scan import scan_root_files
    from bridge.store.importing import ImportWriter
    from bridge.store.sync_state import records_by_id, save_sync_bases, sync_bases
    from bridge.workspace.import_ops import _declared_names, _identities_of

    if not paths:
        return
    expected = {b.path: b.version for b in sync.bases.values()} | (versions or {})
    writer = ImportWriter(engine, expected_versions=expected)
    known = {b.path: b.key for b in sync.bases.values() if not b.deleted}
    kinds = {b.path: cast(RecordKind, b.kind) for b in sync.bases.values() if b.kind in RECORD_KINDS}
    rules = HistoryRules(
        bot_patterns=tuple(settings.bot_patterns), ignore_revs=tuple(settings.ignore_revs),
        bulk_min_files=settings.bulk_commit_min_files, bulk_median_factor=settings.bulk_commit_median_factor,
    )
    scanned = scan_root_files(
        sync.root, sorted(paths), known_keys=known, taken_keys=writer.taken_keys(), kind_by_path=kinds,
        max_file_bytes=settings.max_file_bytes, history_rules=rules, since=since,
    )
    report.failed.extend(SyncFailure(str(sync.root / f.path), f.error) for f in scanned.failures)
    files = [(str(sync.root), source) for source in scanned.files]
    imported = ImportReport()
    identities = group_identities(_identities_of(files), declared=_declared_names(files))
    changed_ids = writer.write(files, identities, imported)
    report.failed.extend(SyncFailure(str(sync.root / f.path), f.error) for f in imported.failed)
    sync.changed_ids.extend(changed_ids)
    read_paths = {source.record.source_path for source in scanned.files}
    failed_paths = {f.path for f in imported.failed} | set(imported.kept)
    for path in imported.kept:  # saved in bridge after this sync read the record's base: both sides changed
        _conflict(engine, report, sync.bases[path], str(sync.root / path),
                  "changed both in the file and in bridge since the last sync")
    fresh = [b for b in sync_bases(engine, str(sync.root)) if b.path in read_paths - failed_paths]
    blobs = hash_files(sync.root, [sync.root / b.path for b in fresh])
    records = records_by_id(engine, [b.record_id for b in fresh])
    commit = head_commit(sync.git_root) if sync.git_root else None
    for base, blob in zip(fresh, blobs, strict=True):
        record = records[base.record_id]
        base.base_blob, base.base_version, base.base_commit = blob, record.version, commit
        base.base_fields, base.conflict = snapshot_fields(record), None
        sync.bases[base.path] = base
        if base.record_id in changed_ids:
            report.synced_in.append(base.key)
    save_sync_bases(engine, fresh)


def link_targets(root: Path, bases: Iterable[SyncBase], path: str, records: Sequence[Record]) -> dict[str, LinkTarget]:
    """Return key → its file seen from path's folder, for the records the given ones link to, among root's bases."""
    from bridge.ingest.status_links import LinkTarget, heading_text

    keys = {key for record in records for name in ("supersedes", "superseded_by", "amends", "related")
            for key in getattr(record, name)}
    folder = posixpath.dirname(path)
    targets: dict[str, LinkTarget] = {}
    for base in bases:
        target = root / base.path
        if base.key in keys and not base.deleted and target.is_file():
            text = target.read_bytes().decode("utf-8", errors="replace")
            targets[base.key] = LinkTarget(posixpath.relpath(base.path, folder or "."), heading_text(text, base.key))
    return targets


def write_out(engine: Engine, sync: RootSync, base: SyncBase, report: SyncReport, *, take: bool = False) -> None:
    """Write the record's bridge edits into its file with a minimal diff (or report a conflict or failure)."""
    from bridge.gitsync.git import hash_files
    from bridge.ingest.parse import parse_record_text
    from bridge.ingest.writeback import rewrite_file
    from bridge.store.records import get_record
    from bridge.store.sync_state import amend_body, set_conflict

    path = sync.root / base.path
    if not path.is_file():
        reason = "the file was deleted in git but the record was edited in bridge"
        _conflict(engine, report, base, str(path), reason)
        return
    data = path.read_bytes()
    if not take and hash_files(sync.root, [path])[0] != base.base_blob:
        reason = "changed both in the file and in bridge since the last sync"
        _conflict(engine, report, base, str(path), reason)
        return
    record = get_record(engine, base.key)
    folders = folder_names(sync.root, base.path)
    try:
        text = data.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        current = parse_record_text(text, base.path, kind=record.kind, folder_names=folders).record
    except (UnicodeDecodeError, ParseError) as exc:
        report.failed.append(SyncFailure(str(path), f"cannot read the file to update it: {exc}"))
        return
    if take:
        old = current
        for name in ("supersedes", "superseded_by", "amends", "related", "key"):
            setattr(old, name, base.base_fields.get(name, getattr(old, name)))
    else:
        old = record_from_snapshot(base.base_fields, current.body)
    stored_body, stored_status_text = record.body, record.status_text
    if (record.status != old.status and record.status_text == record.status and old.status_text[:1].isupper()
            and old.status_text.lower() != old.status_text):
        record.status_text = record.status.capitalize()  # a new status in the file's capitalisation
    try:
        links = link_targets(sync.root, sync.bases.values(), base.path, [old, record])
        new_bytes, written = rewrite_file(data, base.path, old, record, folders, links)
    except BridgeError as exc:
        report.failed.append(SyncFailure(str(path), str(exc)))
        return
    if written.body != stored_body or written.status_text != stored_status_text:
        try:
            record = amend_body(engine, base.record_id, written.body, written.status_text,
                                expected_version=record.version)
        except ConflictError:
            report.failed.append(SyncFailure(str(path), f"{record.key} was saved again while sync wrote its file; "
                                             "the file is left as it was: run `bridge sync` again"))
            return
        sync.changed_ids.append(base.record_id)
    if new_bytes != data:
        tmp = path.with_name(f".{path.name}.bridge-tmp")
        tmp.write_bytes(new_bytes)
        os.chmod(tmp, path.stat().st_mode & 0o7777)
        tmp.replace(path)
        report.written.append(str(path))
    sync.written.append(_Written(base, record, path))
    if base.conflict:
        set_conflict(engine, base.record_id, None)


def _conflict(engine: Engine, report: SyncReport, base: SyncBase, path: str, reason: str) -> None:
    """Record and report a conflict; neither the file nor the record is changed."""
    from bridge.store.sync_state import set_conflict

    set_conflict(engine, base.record_id, reason)
    report.conflicts.append(SyncConflict(base.key, path, reason))


def settle_written(engine: Engine, sync: RootSync, commits: dict[int, str]) -> None:
    """Make the written files the records' new bases, and tie each committed revision to its commit."""
    from bridge.gitsync.git import hash_files, head_commit
    from bridge.store.sync_state import note_written, save_sync_bases

    if not sync.written:
        return
    blobs = hash_files(sync.root, [item.path for item in sync.written])
    commit = head_commit(sync.git_root) if sync.git_root else None
    bases = []
    for item, blob in zip(sync.written, blobs, strict=True):
        base = item.base
        base.base_blob, base.base_version, base.base_commit = blob, item.record.version, commit
        base.base_fields, base.conflict = snapshot_fields(item.record), None
        bases.append(base)
        if blob:
            note_written(engine, base.record_id, blob, commits.get(base.record_id), base.path)
    save_sync_bases(engine, bases)


def commit_written(engine: Engine, sync: RootSync, options: SyncOptions, report: SyncReport) -> dict[int, str]:
    """Commit the written files, one commit per record authored by its editor; return record id → commit."""
    from bridge.gitsync.commit import FileCommit, branch_name, commit_files, push_branch
    from bridge.store.records import find_person, history

    if not sync.written or sync.git_root is None:
        return {}
    git_root = sync.git_root
    items = []
    for item in sync.written:
        revisions = [r for r in history(engine, item.record.key) if r.source == "bridge"]
        editor = revisions[-1].author if revisions else options.user
        try:
            person = find_person(engine, editor)
            name, email = person.name, next((e for e in person.emails if "@" in e), "")
        except BridgeError:
            name, email = editor, ""
        relative = item.path.resolve().relative_to(git_root).as_posix()
        message = f"{item.record.key}: {item.record.title}\n\nEdited in bridge by {name}; written by bridge sync.\n"
        items.append(FileCommit([relative], message, name, email or options.committer[1]))
    if len(sync.written) == 1:
        label = sync.written[0].record.key
    else:
        label = "sync-" + datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    branch = None if options.onto_current else branch_name(options.user, label)
    target, shas = commit_files(git_root, items, branch=branch, committer=options.committer)
    report.committed = {"branch": target, "commit": shas[-1]}
    report.commits.extend({"branch": target, "commit": sha, "key": item.record.key}
                          for sha, item in zip(shas, sync.written, strict=True))
    if options.push:
        push_branch(git_root, options.push, target)
        report.messages.append(f"pushed {target} to {options.push}")
    return {item.base.record_id: sha for item, sha in zip(sync.written, shas, strict=True)}


def add_home(engine: Engine, sync: RootSync, key: str, report: SyncReport) -> None:
    """Write a record made in bridge to a new file named by the root's convention, to be committed with the rest."""
    from bridge.ingest.discover import walk_files
    from bridge.ingest.homes import new_file_path, new_file_text
    from bridge.ingest.parse import parse_record_text
    from bridge.store.records import get_record
    from bridge.store.sync_state import set_record_home

    record = get_record(engine, key)
    if record.source_path:
        raise BridgeError(f"{record.key} already has a file ({record.source_path}); sync writes it there")
    siblings = [(b.path, b.kind) for b in sync.bases.values() if not b.deleted]
    taken = {path.relative_to(sync.root).as_posix().lower() for path in walk_files(sync.root)}
    relative = new_file_path(record, siblings, taken)
    front = sum(1 for p, _ in siblings[:20] if (sync.root / p).is_file()
                and (sync.root / p).read_bytes()[:4] == b"---\n")
    links = link_targets(sync.root, sync.bases.values(), relative, [record])
    text = new_file_text(record, relative, front * 2 > min(len(siblings), 20),
                         folder_names(sync.root, relative), links)
    path = sync.root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    written = parse_record_text(text, relative, kind=record.kind, folder_names=folder_names(sync.root, relative))
    path.write_text(text, encoding="utf-8")
    try:
        record_id, record = set_record_home(engine, record.key, str(sync.root), relative,
                                            expected_version=record.version, body=written.record.body,
                                            status_text=written.record.status_text)
    except ConflictError:
        path.unlink(missing_ok=True)  # the file bridge wrote a moment ago, from a version that is gone
        raise BridgeError(f"{record.key} was saved again while sync wrote its new file {relative}; the file was "
                          f"removed: run `bridge sync --add {record.key}` again") from None
    base = SyncBase(record_id=record_id, key=record.key, source_root=str(sync.root), path=relative,
                    version=record.version, kind=record.kind)
    sync.bases[relative] = base
    sync.written.append(_Written(base, record, path))
    report.written.append(str(path))


def sync_one_root(engine: Engine, settings: Settings, root: Path, options: SyncOptions, report: SyncReport,
                  take: tuple[str, str] | None = None, add: Sequence[str] = ()) -> list[int]:
    """Sync one import root both ways (or resolve one conflict with take); return the record ids changed."""
    from bridge.gitsync.git import current_branch, git_root_of, head_commit
    from bridge.store.sync_state import save_sync_root, sync_bases, sync_root

    state = sync_root(engine, str(root))
    if state is None:
        raise BridgeError(f"{root}: bridge has no sync base for this folder yet; import it once with "
                          f"`bridge import {root}` (that re-reads its files)")
    git_root = git_root_of(root)
    if options.commit:
        if git_root is None:
            raise BridgeError(f"{root} is not in a git repository: use --no-commit to write the files without "
                              "committing")
        if current_branch(git_root) is None:
            raise BridgeError(f"HEAD is detached in {git_root}: check out a branch, or use --no-commit")
        if head_commit(git_root) is None:
            raise BridgeError(f"{git_root} has no commits yet: make a first commit, or use --no-commit")
    sync = RootSync(root, state, git_root)
    sync.bases = {b.path: b for b in sync_bases(engine, str(root)) if b.has_base}
    if take is not None:
        _take(engine, settings, sync, take, report)
    else:
        _sync_in(engine, settings, sync, report)
        in_conflict = {conflict.key for conflict in report.conflicts}
        for key in add:
            add_home(engine, sync, key, report)
        added = {item.base.record_id for item in sync.written}
        for base in list(sync.bases.values()):
            if base.edited_in_bridge and not base.deleted and base.key not in in_conflict \
                    and base.record_id not in added:
                write_out(engine, sync, base, report)
    report.synced_in[:] = list(dict.fromkeys(report.synced_in))
    commits = commit_written(engine, sync, options, report) if options.commit else {}
    settle_written(engine, sync, commits)
    if take is None and not report.conflicts and not report.failed:
        head = head_commit(git_root) if git_root else None
        save_sync_root(engine, SyncRoot(str(root), str(git_root) if git_root else None, head))
    return sync.changed_ids


def _sync_in(engine: Engine, settings: Settings, sync: RootSync, report: SyncReport) -> None:
    """Find the files changed since the base and read in those the bridge side did not also change."""
    from bridge.gitsync.changes import changes_since
    from bridge.gitsync.git import hash_files
    from bridge.ingest.discover import walk_files
    from bridge.store.sync_state import move_record_file, soft_delete_from_file

    root = sync.root
    if sync.git_root is not None and sync.state.base_commit:
        found = changes_since(sync.git_root, root, sync.state.base_commit)
        changed, committed, deleted, renamed = found.changed, found.committed, found.deleted, found.renamed
    else:
        changed = {path.relative_to(root).as_posix() for path in walk_files(root)}
        committed, renamed = set(), {}
        deleted = {path for path in sync.bases if not (root / path).exists()}
    for old, new in renamed.items():
        base = sync.bases.pop(old, None)
        if base is not None and not (root / old).exists():
            move_record_file(engine, base.record_id, new)
            base.path = new
            sync.bases[new] = base
            report.synced_in.append(base.key)
    for path in sorted(deleted):
        base = sync.bases.get(path)
        if base is None or base.deleted or (root / path).exists():
            continue
        if base.edited_in_bridge:
            _conflict(engine, report, base, str(root / path), "the file was deleted in git but the record was "
                                                              "edited in bridge")
            continue
        try:
            key = soft_delete_from_file(engine, base.record_id, settings.user_name or "",
                                        f"file {path} deleted in git", expected_version=base.version)
        except ConflictError:
            _conflict(engine, report, base, str(root / path), "the file was deleted in git but the record was "
                                                              "edited in bridge")
            continue
        base.deleted = True
        sync.changed_ids.append(base.record_id)
        report.synced_in.append(key)
    present = sorted(path for path in changed if (root / path).is_file())
    blobs = hash_files(root, [root / path for path in present])
    to_read: list[str] = []
    for path, blob in zip(present, blobs, strict=True):
        base = sync.bases.get(path)
        if base is None:
            to_read.append(path)
        elif blob == base.base_blob and path not in committed and not base.deleted:
            continue
        elif blob != base.base_blob and base.edited_in_bridge:
            _conflict(engine, report, base, str(root / path), "changed both in the file and in bridge since the "
                                                              "last sync")
        elif not base.edited_in_bridge:
            to_read.append(path)
    read_in(engine, settings, sync, to_read, sync.state.base_commit, report)


def _take(engine: Engine, settings: Settings, sync: RootSync, take: tuple[str, str], report: SyncReport) -> None:
    """Resolve a conflict on one record: take the file's text into bridge, or write bridge's text to the file."""
    side, key = take
    base = next((b for b in sync.bases.values() if b.key.lower() == key.lower()), None)
    if base is None:
        raise BridgeError(f"{key} has no file under {sync.root}")
    if side == "file":
        if not (sync.root / base.path).is_file():
            from bridge.store.sync_state import soft_delete_from_file

            soft_delete_from_file(engine, base.record_id, settings.user_name or "", f"file {base.path} deleted",
                                  expected_version=None)  # taking the file's side: the deletion wins
            report.synced_in.append(base.key)
            return
        current = base.version
        base.version = base.base_version  # the bridge edit yields: read the file over it
        read_in(engine, settings, sync, [base.path], sync.state.base_commit, report, versions={base.path: current})
        if base.key not in report.synced_in:
            report.synced_in.append(base.key)
    elif side == "bridge":
        write_out(engine, sync, base, report, take=True)
    else:
        raise BridgeError(f"--take expects 'file' or 'bridge', not '{side}'")


def conflict_sides(engine: Engine, base: SyncBase) -> tuple[str, str, str]:
    """Return (path, file's text, the text taking bridge's side would write) for a record in conflict."""
    from bridge.ingest.parse import parse_record_text
    from bridge.ingest.writeback import rewrite_file
    from bridge.store.records import get_record
    from bridge.store.sync_state import sync_bases

    path = Path(base.source_root) / base.path
    record = get_record(engine, base.key)
    if not path.is_file():
        return str(path), "", record.body
    data = path.read_bytes()
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    folders = folder_names(Path(base.source_root), base.path)
    try:
        current = parse_record_text(text, base.path, kind=record.kind, folder_names=folders).record
        for name in ("supersedes", "superseded_by", "amends", "related", "key"):
            setattr(current, name, base.base_fields.get(name, getattr(current, name)))
        links = link_targets(Path(base.source_root), sync_bases(engine, base.source_root), base.path, [current, record])
        new_bytes, _ = rewrite_file(data, base.path, current, record, folders, links)
    except (ParseError, BridgeError):
        return str(path), text, record.body
    return str(path), text, new_bytes.decode("utf-8", errors="replace").replace("\r\n", "\n")

"""Import and export: scanned files and their git history become records, revisions, people and contributions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bridge.domain import FileChange, ImportReport, RecordKind, SourceFile
from bridge.errors import BridgeError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from bridge.config import Settings
    from bridge.workspace.records import ProgressCallback


def import_paths(
    engine: Engine,
    settings: Settings,
    paths: Sequence[Path],
    *,
    kind: RecordKind | None = None,
    progress: ProgressCallback | None = None,
) -> tuple[ImportReport, list[int]]:
    """Scan paths, write new and changed records in one transaction, and return the report and changed row ids."""
    from bridge.ingest.git_history import HistoryRules
    from bridge.ingest.identities import group_identities
    from bridge.ingest.scan import scan_paths
    from bridge.store.importing import ImportWriter
    from bridge.workspace.alert_import import import_rule_files

    missing = [str(path) for path in paths if not Path(path).exists()]
    if missing:
        raise BridgeError(f"no such file or folder: {', '.join(missing)}")
    report = ImportReport()
    known_roots = settle_roots(engine, paths, report)
    writer = ImportWriter(engine, keep_bridge_edits=True)  # an edit not yet synced is not replaced by its file
    scan = scan_paths(
        [Path(path).resolve() for path in paths], kind=kind, max_file_bytes=settings.max_file_bytes,
        existing_keys=writer.existing_keys(), taken_keys=writer.taken_keys(),
        history_rules=HistoryRules(
            bot_patterns=tuple(settings.bot_patterns), ignore_revs=tuple(settings.ignore_revs),
            bulk_min_files=settings.bulk_commit_min_files, bulk_median_factor=settings.bulk_commit_median_factor,
        ),
        known_roots=known_roots,
    )
    files: list[tuple[str, SourceFile]] = []
    for root in scan.roots:
        report.failed.extend(root.failures)
        report.skipped.extend(root.skipped)
        report.skip_reasons.update(root.skip_reasons)
        report.warnings.extend(root.warnings)
        files.extend((str(root.root), source) for source in root.files)
        for source in root.files:
            report.warnings.extend(f"{source.record.source_path}: {w}" for w in source.warnings)
    import_rule_files(engine, settings, scan.roots, _file_roots(paths), report)
    identities = group_identities(_identities_of(files), declared=_declared_names(files))
    changed_ids = writer.write(files, identities, report, progress=progress)
    return report, changed_ids


def settle_roots(engine: Engine, paths: Sequence[Path], report: ImportReport) -> list[Path]:
    """Return the folders imported before, after folding those inside a folder imported now into it.

    The same file must stay one record whichever folder around it is imported: a folder inside one imported
    before is read as part of it, and a folder holding ones imported before takes their records over (their
    paths gain the folder between). Each case is noted in the report.
    """
    from bridge.ingest.scan import import_root_of
    from bridge.store.sync_state import imported_roots, move_root

    known = [Path(root) for root in imported_roots(engine)]
    for raw in paths:
        path = Path(raw).expanduser().absolute()
        if not path.is_dir():
            continue  # one file is read under the root that holds it, and moves no other folder's records
        root = import_root_of(path, known)
        if root != path.resolve():
            report.warnings.append(f"{path} is inside {root}, imported before: read as part of it, so its files "
                                   "stay the records they are")
            continue
        inner_roots = [old for old in known if old != root and old.is_relative_to(root)]
        for inner in inner_roots:
            prefix = inner.relative_to(root).as_posix() + "/"
            moved = move_root(engine, str(inner), str(root), prefix)
            report.warnings.append(f"{inner}, imported before, is inside {root}: its {moved} records are now read "
                                   f"from {root} (paths start with {prefix})")
            known.remove(inner)
        if inner_roots:
            known.append(root)
    return known


def _file_roots(paths: Sequence[Path]) -> set[Path]:
    """Return the folders of import paths that name single files (those roots are imported file by file)."""
    return {Path(path).expanduser().absolute().parent.resolve() for path in paths if not Path(path).is_dir()}


def _identities_of(files: Sequence[tuple[str, SourceFile]]) -> list[tuple[str, str]]:
    """Return the (name, email) of every commit in the files' git history, co-authors included, once per commit.

    Repeats are kept so the spelling a person uses most becomes their display name.
    """
    seen: dict[tuple[str, str, str], None] = {}
    for _, source in files:
        for change in source.history:
            seen[(change.commit, change.author_name, change.author_email)] = None
            for name, email in change.coauthors:
                seen[(change.commit, name, email)] = None
    return [(name, email) for _, name, email in seen]


def _declared_names(files: Sequence[tuple[str, SourceFile]]) -> list[str]:
    """Return the people records name themselves (owners, reviewers, authors), in first-seen order."""
    names: dict[str, None] = {}
    for _, source in files:
        record = source.record
        for name in [*record.owners, *record.reviewers, *record.authors]:
            names.setdefault(name, None)
    return list(names)


def export(engine: Engine, directory: Path) -> int:
    """Write every live record to directory in the record file format; return how many files were written."""
    from bridge.ingest.writer import export_relative_path, render_record
    from bridge.store.records import list_records

    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    written: set[Path] = set()
    for record in list_records(engine):
        relative = export_relative_path(record)
        target = (directory / relative).resolve()
        if not target.is_relative_to(directory):
            raise BridgeError(f"{record.key}: export path '{relative}' would leave {directory}")
        if target in written:
            target = target.with_name(f"{record.key.lower()}-{target.name}")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(render_record(record), encoding="utf-8")
        tmp.replace(target)
        written.add(target)
    return len(written)


def git_revision_body(source_root: Path, commit: str, path: str, body_format: str) -> str:
    """Return the record body as it was at commit, read from the git repository the record came from."""
    from bridge.ingest.git_history import find_git_root, show_file
    from bridge.ingest.parse import parse_record_text

    git_root = find_git_root(source_root)
    if git_root is None:
        raise BridgeError(f"{source_root} is no longer a git repository; old revision text is not available")
    repo_path = (source_root / path).resolve().relative_to(git_root.resolve()).as_posix()
    text = show_file(git_root, commit, repo_path)
    try:
        return parse_record_text(text, path).record.body
    except BridgeError:
        return text


__all__ = ["FileChange", "export", "git_revision_body", "import_paths"]

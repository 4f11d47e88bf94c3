"""The same file stays one record whichever folder around it is imported (real git repositories)."""

from __future__ import annotations

from pathlib import Path

from bridge.workspace import Workspace
from tests.unit.test_ingest_git_history import Repo

RUNBOOK = "# {title}\n\n## Meaning\n\n{title} fired.\n\n## Mitigation\n\nFix {title}.\n"


def _runbooks(tmp_path: Path) -> Repo:
    """Return a runbooks repository with two folders of alerts, committed."""
    repo = Repo(tmp_path / "runbooks")
    for path in ("etcd/etcdNoLeader.md", "etcd/etcdHighFsync.md", "node/NodeDiskFull.md", "node/NodeDown.md"):
        repo.write(path, RUNBOOK.format(title=Path(path).stem))
    repo.commit("Ann Smith <ann@example.com>")
    return repo


def _records(workspace: Workspace) -> dict[str, str]:
    """Return source path → key of every record."""
    return {record.source_path: record.key for record in workspace.list_records()}


def _roots(workspace: Workspace) -> list[str]:
    """Return the import roots records come from."""
    from bridge.store.sync_state import imported_roots

    return imported_roots(workspace.engine)


def test_a_folder_inside_one_imported_before_adds_no_second_record(tmp_path: Path) -> None:
    repo = _runbooks(tmp_path)
    with Workspace.open() as workspace:
        workspace.import_paths([repo.path])
        before = _records(workspace)

        report = workspace.import_paths([repo.path / "etcd"])
        single = workspace.import_paths([repo.path / "node" / "NodeDown.md"])

        assert _records(workspace) == before and len(before) == 4
        assert report.imported == 0 and any("inside" in warning for warning in report.warnings)
        assert single.imported == 0
        hits = workspace.search("etcdNoLeader", mode="keyword")
        assert hits[0].key == before["etcd/etcdNoLeader.md"] and len({hit.source_path for hit in hits}) == len(hits)
        assert _roots(workspace) == [str(repo.path.resolve())]


def test_a_folder_holding_one_imported_before_takes_its_records_over(tmp_path: Path) -> None:
    repo = _runbooks(tmp_path)
    with Workspace.open() as workspace:
        workspace.import_paths([repo.path / "etcd"])
        etcd_keys = _records(workspace)
        assert set(etcd_keys) == {"etcdNoLeader.md", "etcdHighFsync.md"}

        report = workspace.import_paths([repo.path])

        after = _records(workspace)
        assert sorted(after) == ["etcd/etcdHighFsync.md", "etcd/etcdNoLeader.md", "node/NodeDiskFull.md",
                                 "node/NodeDown.md"]
        assert {after[f"etcd/{path}"] for path in etcd_keys} == set(etcd_keys.values()), "the same keys"
        assert _roots(workspace) == [str(repo.path.resolve())]
        assert report.imported == 2 and any("are now read from" in warning for warning in report.warnings)
        assert workspace.sync([repo.path]).ok, "sync knows the wider folder and finds nothing to do"
        assert workspace.unsynced() == []


def test_importing_one_file_beside_a_folder_imported_before_moves_nothing(tmp_path: Path) -> None:
    repo = _runbooks(tmp_path)
    repo.write("Overview.md", RUNBOOK.format(title="Overview"))
    repo.commit("Ann Smith <ann@example.com>")
    with Workspace.open() as workspace:
        workspace.import_paths([repo.path / "etcd"])
        report = workspace.import_paths([repo.path / "Overview.md"])

        assert report.imported == 1 and not [warning for warning in report.warnings if "are now read" in warning]
        assert sorted(_records(workspace)) == ["Overview.md", "etcdHighFsync.md", "etcdNoLeader.md"]

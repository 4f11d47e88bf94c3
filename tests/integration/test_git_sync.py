"""Sync on small real git repositories made in tmp dirs: history, conflicts, dirty trees, detached HEAD, renames."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bridge.cli import _register_commands, app
from bridge.workspace import Workspace
from tests.conftest import write_file

ADR = "# {n}. {title}\n\nDate: 2024-01-01\n\n## Status\n\n{status}\n\n## Context\n\n{body}\n"
ALICE, BOB, CAROL = "Alice Author <alice@example.com>", "Bob Editor <bob@example.com>", "Carol Git <carol@example.com>"


def git(repo: Path, *args: str, author: str = ALICE) -> str:
    """Run git in repo as author and return its output."""
    name, email = author[:-1].split(" <")
    env = {**os.environ, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name,
           "GIT_COMMITTER_EMAIL": email}
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True, env=env).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Return an adr-tools style repository with two records and an unrelated file, all committed by Alice."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write_file(repo, "doc/adr/0001-record-decisions.md",
               ADR.format(n=1, title="Record decisions", status="Accepted", body="We record decisions.\nAs ADRs."))
    write_file(repo, "doc/adr/0002-use-postgres.md",
               ADR.format(n=2, title="Use Postgres", status="Proposed", body="Postgres it is.\nFor now."))
    write_file(repo, "src/app.py", "print('hello')\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "first records")
    return repo


def edit_body(workspace: Workspace, key: str, old: str, new: str, author: str = BOB) -> None:
    """Replace old with new in the record's body and save it as author."""
    record = workspace.get_record(key)
    assert old in record.body
    record.body = record.body.replace(old, new)
    workspace.save_record(record, expected_version=record.version, author=author)


def test_round_trip_keeps_one_history_and_counts_the_editor_once(repo: Path) -> None:
    root = repo / "doc/adr"
    path = root / "0001-record-decisions.md"
    with Workspace.open() as workspace:
        workspace.import_paths([root])
        edit_body(workspace, "ADR-0001", "As ADRs.", "As ADRs, in git.")
        report = workspace.sync([root])
        assert report.ok and report.committed
        branch, commit = report.committed["branch"], report.committed["commit"]
        # the team merges the branch, then Carol edits the same file in git
        git(repo, "merge", "-q", "--autostash", "--ff-only", branch)
        assert git(repo, "status", "--porcelain") == ""
        path.write_text(path.read_text().replace("We record decisions.", "We record every decision."))
        git(repo, "commit", "-q", "-am", "reword", author=CAROL)

        back = workspace.sync([root])

        assert back.ok, back.to_dict()
        assert back.synced_in == ["ADR-0001"]
        record = workspace.get_record("ADR-0001")
        assert "We record every decision." in record.body and "As ADRs, in git." in record.body
        history = workspace.history("ADR-0001")
        assert [(rev.source, rev.author) for rev in history] == [
            ("git", "alice-author"), ("bridge", "bob-editor"), ("git", "carol-git")]
        assert history[1].commit == commit
        assert len({rev.commit for rev in history}) == 3
        bob = [c for c in workspace.contributors("ADR-0001") if c.person.handle == "bob-editor"]
        assert len(bob) == 1 and bob[0].edits == 1
        assert workspace.import_paths([root]).unchanged == 2


def change_both_sides(workspace: Workspace, repo: Path) -> None:
    """Import doc/adr, then change ADR-0002 in bridge and, differently, in a git commit by Carol."""
    root = repo / "doc/adr"
    path = root / "0002-use-postgres.md"
    workspace.import_paths([root])
    edit_body(workspace, "ADR-0002", "For now.", "For now, decided in bridge.")
    path.write_text(path.read_text().replace("For now.", "For now, decided in git."))
    git(repo, "commit", "-q", "-am", "git side", author=CAROL)


def test_conflict_overwrites_neither_side_and_take_resolves_it(repo: Path) -> None:
    root = repo / "doc/adr"
    path = root / "0002-use-postgres.md"
    with Workspace.open() as workspace:
        change_both_sides(workspace, repo)
        file_text = path.read_bytes()

        report = workspace.sync([root])

        assert [(c.key, c.path) for c in report.conflicts] == [("ADR-0002", str(path))]
        assert report.committed is None and report.written == []
        assert path.read_bytes() == file_text
        assert "decided in bridge" in workspace.get_record("ADR-0002").body
        assert [b.conflict for b in workspace.unsynced()] == ["changed both in the file and in bridge since the "
                                                              "last sync"]
        assert not workspace.sync([root]).ok, "the conflict stays until resolved"

        taken = workspace.sync(take=("bridge", "ADR-0002"))

        assert taken.ok, taken.to_dict()
        assert "decided in bridge" in path.read_text() and "decided in git" not in path.read_text()
        assert taken.committed is not None
        assert git(repo, "show", f"{taken.committed['branch']}:doc/adr/0002-use-postgres.md") == path.read_text()
        assert workspace.unsynced() == []


def test_take_file_reads_the_git_text_and_keeps_the_bridge_text_in_history(repo: Path) -> None:
    root = repo / "doc/adr"
    with Workspace.open() as workspace:
        change_both_sides(workspace, repo)
        assert workspace.sync([root]).conflicts

        taken = workspace.sync(take=("file", "ADR-0002"))

        assert taken.ok, taken.to_dict()
        assert "decided in git" in workspace.get_record("ADR-0002").body
        bridge_revision = [r for r in workspace.history("ADR-0002") if r.source == "bridge"][-1]
        assert "decided in bridge" in workspace.revision_text("ADR-0002", bridge_revision.number)
        assert workspace.unsynced() == []
        assert workspace.sync([root]).ok


def test_dirty_unrelated_files_and_the_users_index_are_left_alone(repo: Path) -> None:
    root = repo / "doc/adr"
    (repo / "src/app.py").write_text("print('work in progress')\n")
    write_file(repo, "notes.txt", "staged notes\n")
    git(repo, "add", "notes.txt")
    status_before = git(repo, "status", "--porcelain")
    staged_before = git(repo, "diff", "--cached")
    with Workspace.open() as workspace:
        workspace.import_paths([root])
        edit_body(workspace, "ADR-0001", "As ADRs.", "As ADRs, kept.")
        report = workspace.sync([root])
    assert report.ok and report.committed
    assert git(repo, "diff", "--cached") == staged_before
    assert sorted(git(repo, "status", "--porcelain").splitlines()) == sorted(
        [*status_before.splitlines(), " M doc/adr/0001-record-decisions.md"])
    assert (repo / "src/app.py").read_text() == "print('work in progress')\n"
    assert git(repo, "diff", "--name-only", "HEAD", report.committed["branch"]).split() == [
        "doc/adr/0001-record-decisions.md"]


def test_onto_current_commits_on_the_checked_out_branch_and_keeps_status_truthful(repo: Path) -> None:
    root = repo / "doc/adr"
    with Workspace.open() as workspace:
        workspace.import_paths([root])
        edit_body(workspace, "ADR-0001", "As ADRs.", "As ADRs, on main.")
        report = workspace.sync([root], onto_current=True)
    assert report.ok and report.committed and report.committed["branch"] == "main"
    assert git(repo, "rev-parse", "HEAD").strip() == report.committed["commit"]
    assert git(repo, "status", "--porcelain") == ""


def test_detached_head_and_plain_folders_get_clear_messages(repo: Path, tmp_path: Path) -> None:
    root = repo / "doc/adr"
    plain = tmp_path / "plain"
    write_file(plain, "0001-plain.md", ADR.format(n=1, title="Plain", status="Accepted", body="No git here."))
    with Workspace.open() as workspace:
        workspace.import_paths([root, plain])
        edit_body(workspace, "ADR-0001", "As ADRs.", "As ADRs, detached.")
        git(repo, "checkout", "-q", "--detach")
        detached = workspace.sync([root])
        assert [f.error for f in detached.failed] == [
            f"HEAD is detached in {repo.resolve()}: check out a branch, or use --no-commit"]
        assert "detached" not in (root / "0001-record-decisions.md").read_text()

        plain_key = next(r.key for r in workspace.list_records() if r.title == "Plain")
        edit_body(workspace, plain_key, "No git here.", "No git here, still synced.")
        refused = workspace.sync([plain])
        assert [f.error for f in refused.failed] == [
            f"{plain.resolve()} is not in a git repository: use --no-commit to write the files without committing"]
        written = workspace.sync([plain], commit=False)
        assert written.ok and written.written == [str(plain.resolve() / "0001-plain.md")]
        assert "still synced" in (plain / "0001-plain.md").read_text()
        assert workspace.import_paths([plain]).unchanged == 1


def test_sync_in_follows_renames_and_soft_deletes_removed_files(repo: Path) -> None:
    root = repo / "doc/adr"
    with Workspace.open() as workspace:
        workspace.import_paths([root])
        git(repo, "mv", "doc/adr/0001-record-decisions.md", "doc/adr/0001-record-architecture-decisions.md")
        git(repo, "rm", "-q", "doc/adr/0002-use-postgres.md")
        git(repo, "commit", "-q", "-m", "rename and remove", author=CAROL)

        report = workspace.sync([root])

        assert report.ok, report.to_dict()
        assert sorted(report.synced_in) == ["ADR-0001", "ADR-0002"]
        assert workspace.get_record("ADR-0001").source_path == "0001-record-architecture-decisions.md"
        assert [r.key for r in workspace.list_records()] == ["ADR-0001"]
        assert workspace.import_paths([root]).unchanged == 1


def test_cli_sync_json_shape_exit_code_and_list_unsynced(repo: Path) -> None:
    _register_commands()
    runner = CliRunner()
    root = repo / "doc/adr"
    path = root / "0002-use-postgres.md"
    assert runner.invoke(app, ["import", str(root)]).exit_code == 0
    with Workspace.open() as workspace:
        edit_body(workspace, "ADR-0002", "For now.", "For now, in bridge.")
    listed = runner.invoke(app, ["list", "--unsynced", "--json"])
    assert [item["key"] for item in json.loads(listed.stdout)] == ["ADR-0002"]
    path.write_text(path.read_text().replace("For now.", "For now, in git."))

    result = runner.invoke(app, ["sync", str(root), "--json"])

    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) >= {"synced_in", "written", "committed", "conflicts", "failed"}
    assert data["conflicts"] == [{"key": "ADR-0002", "path": str(path.resolve()), "reason":
                                  "changed both in the file and in bridge since the last sync"}]
    assert data["committed"] is None
    resolved = runner.invoke(app, ["sync", "--take", "bridge", "ADR-0002", "--no-commit", "--json"])
    assert resolved.exit_code == 0, resolved.output
    assert json.loads(resolved.stdout)["written"] == [str(path.resolve())]
    assert json.loads(runner.invoke(app, ["list", "--unsynced", "--json"]).stdout) == []


def test_an_mcp_status_update_is_an_unsynced_edit_that_sync_writes_in_the_status_section(repo: Path) -> None:
    import anyio

    from bridge.mcp.server import BridgeMCPServer

    root = repo / "doc/adr"
    with Workspace.open() as workspace:
        workspace.import_paths([root])
        writer = BridgeMCPServer(workspace, allow_write=True, author="Release Bot <release@example.com>",
                                 preload_model=False)

        async def write() -> None:
            result = await writer.call("update_status", {"key": "ADR-0002", "status": "accepted"})
            assert not result.is_error

        anyio.run(write)
        assert [base.key for base in workspace.unsynced()] == ["ADR-0002"]
        report = workspace.sync([root])
        assert report.ok and report.committed
        diff = git(repo, "diff", "-U0", "HEAD", report.committed["branch"])
        assert [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")] == [
            "-Proposed", "+Accepted"]
        assert git(repo, "log", "-1", "--format=%an <%ae>", report.committed["branch"]).strip() == \
            "Release Bot <release@example.com>"
        assert workspace.import_paths([root]).unchanged == 2


def test_a_record_made_in_bridge_gets_a_file_named_by_the_folders_convention(repo: Path) -> None:
    root = repo / "doc/adr"
    with Workspace.open() as workspace:
        workspace.import_paths([root])
        made = workspace.new_record("decision", "Use Redis for sessions", template="nygard", author=BOB)
        report = workspace.sync([root], add=[made.key])
        assert report.ok, report.to_dict()
        assert report.committed is not None
        new_path = "doc/adr/0003-use-redis-for-sessions.md"
        assert git(repo, "diff", "--name-status", "HEAD", report.committed["branch"]).split() == ["A", new_path]
        text = (repo / new_path).read_text()
        assert text.startswith("# ") and "Use Redis for sessions" in text
        assert workspace.get_record(made.key).source_path == "0003-use-redis-for-sessions.md"
        assert git(repo, "log", "-1", "--format=%an", report.committed["branch"]).strip() == "Bob Editor"
        again = workspace.import_paths([root])
        assert (again.imported, again.updated, again.unchanged) == (0, 0, 3)
        assert workspace.unsynced() == []


def test_show_warns_on_stderr_when_the_record_is_in_conflict(repo: Path) -> None:
    root = repo / "doc/adr"
    path = root / "0002-use-postgres.md"
    _register_commands()
    runner = CliRunner()
    with Workspace.open() as workspace:
        workspace.import_paths([root])
    calm = runner.invoke(app, ["show", "ADR-0002"])
    assert calm.exit_code == 0 and "conflict" not in calm.stderr
    path.write_text(path.read_text().replace("For now.", "For good."))
    git(repo, "commit", "-q", "-am", "settle it", author=CAROL)
    with Workspace.open() as workspace:
        edit_body(workspace, "ADR-0002", "For now.", "For this year.")
        assert [c.key for c in workspace.sync([root]).conflicts] == ["ADR-0002"]

    shown = runner.invoke(app, ["show", "ADR-0002"])

    assert shown.exit_code == 0
    warning = [line for line in shown.stderr.splitlines() if line.strip()]
    assert len(warning) == 1, shown.stderr
    assert warning[0].startswith("warning: ADR-0002 is in sync conflict")
    assert "`bridge sync --take file ADR-0002`" in warning[0] and "`bridge sync --take bridge ADR-0002`" in warning[0]
    assert "For this year." in shown.stdout, "bridge's text is still what show prints"
    data = json.loads(runner.invoke(app, ["show", "ADR-0002", "--json"]).stdout)
    assert data["sync_conflict"]["reason"] == "changed both in the file and in bridge since the last sync"

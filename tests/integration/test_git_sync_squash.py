"""A bridge edit merged by squash or rebase (a new commit by someone else) comes back as the same revision."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from bridge.workspace import Workspace
from tests.conftest import write_file

ADR = "# {n}. {title}\n\nDate: 2024-01-01\n\n## Status\n\n{status}\n\n## Context\n\n{body}\n"
ALICE, BOB = "Alice Author <alice@example.com>", "Bob Editor <bob@example.com>"
MIA, CAROL = "Mia Merger <mia@example.com>", "Carol Git <carol@example.com>"


def git(repo: Path, *args: str, author: str = ALICE, committer: str | None = None) -> str:
    """Run git in repo as author (and committer, default the author) and return its output."""
    name, email = author[:-1].split(" <")
    c_name, c_email = (committer or author)[:-1].split(" <")
    env = {**os.environ, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": c_name,
           "GIT_COMMITTER_EMAIL": c_email}
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True, env=env).stdout


@pytest.fixture
def clones(tmp_path: Path) -> tuple[Path, Path]:
    """Return (my clone, the merger's clone) of a shared bare repository holding two adr-tools records."""
    seed, origin = tmp_path / "seed", tmp_path / "origin.git"
    seed.mkdir()
    git(seed, "init", "-q", "-b", "main")
    write_file(seed, "doc/adr/0001-record-decisions.md",
               ADR.format(n=1, title="Record decisions", status="Accepted", body="We record decisions.\nAs ADRs."))
    write_file(seed, "doc/adr/0002-use-postgres.md",
               ADR.format(n=2, title="Use Postgres", status="Accepted", body="Postgres it is.\nFor now."))
    git(seed, "add", ".")
    git(seed, "commit", "-q", "-m", "first records")
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(origin))
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    git(tmp_path, "clone", "-q", str(origin), str(mine))
    git(tmp_path, "clone", "-q", str(origin), str(theirs))
    return mine, theirs


def _edit_and_push(workspace: Workspace, root: Path) -> str:
    """Edit ADR-0001 in bridge as Bob, sync it out and push the branch; return the branch name."""
    record = workspace.get_record("ADR-0001")
    record.body = record.body.replace("As ADRs.", "As ADRs, reviewed in pull requests.")
    workspace.save_record(record, expected_version=record.version, author=BOB)
    report = workspace.sync([root], push="origin")
    assert report.ok, report.to_dict()
    assert report.committed is not None
    return report.committed["branch"]


def _assert_one_revision_by_the_editor(workspace: Workspace, merge_commit: str) -> None:
    """The record's history holds Alice's commit and Bob's bridge revision once each; Mia gets no credit."""
    history = workspace.history("ADR-0001")
    assert [(rev.source, rev.author) for rev in history] == [("git", "alice-author"), ("bridge", "bob-editor")]
    assert merge_commit not in {rev.commit for rev in history}
    contributors = {c.person.handle: c for c in workspace.contributors("ADR-0001")}
    assert contributors["bob-editor"].edits == 1
    assert "mia-merger" not in contributors
    bob_credits = [c for c in workspace.knowledge_inputs().contributions
                   if c.record_key == "ADR-0001" and c.person == "bob-editor"]
    assert len(bob_credits) == 1, bob_credits


@pytest.mark.parametrize("how", ["squash", "rebase"])
def test_a_squash_or_rebase_merged_bridge_edit_is_one_revision(clones: tuple[Path, Path], how: str) -> None:
    mine, theirs = clones
    root = (mine / "doc/adr").resolve()
    with Workspace.open() as workspace:
        workspace.import_paths([root])
        branch = _edit_and_push(workspace, root)
        # someone else merges the pull request on the shared repository: a new commit, by them
        git(theirs, "fetch", "-q", "origin", f"{branch}:{branch}")
        if how == "squash":
            git(theirs, "merge", "-q", "--squash", branch, author=MIA)
            git(theirs, "commit", "-q", "-m", "Record decisions: reviewed in pull requests (#12)", author=MIA)
        else:
            git(theirs, "cherry-pick", branch, author=MIA)  # a rebase-merge keeps the author, not the commit
            assert git(theirs, "log", "-1", "--format=%an|%cn").strip() == "Bob Editor|Mia Merger"
        merged = git(theirs, "rev-parse", "HEAD").strip()
        assert merged != git(theirs, "rev-parse", branch).strip()
        git(theirs, "push", "-q", "origin", "main")
        git(mine, "pull", "-q", "--autostash", "origin", "main", author=CAROL)
        assert git(mine, "status", "--porcelain") == ""

        back = workspace.sync([root])

        assert back.ok, back.to_dict()
        assert back.synced_in == [] and back.written == []
        _assert_one_revision_by_the_editor(workspace, merged)
        full = workspace.import_paths([root])
        assert (full.imported, full.updated) == (0, 0), "a full re-import recognises it too"
        _assert_one_revision_by_the_editor(workspace, merged)

        # a later commit by someone else is a revision of its own, as before
        path = mine / "doc/adr/0001-record-decisions.md"
        path.write_text(path.read_text().replace("We record decisions.", "We record every decision."))
        git(mine, "commit", "-q", "-am", "reword", author=CAROL)
        later = workspace.sync([root])
        assert later.synced_in == ["ADR-0001"]
        assert [rev.author for rev in workspace.history("ADR-0001")] == ["alice-author", "bob-editor", "carol-git"]


def test_a_commit_that_only_restores_bridges_text_later_is_not_taken_for_it(clones: tuple[Path, Path]) -> None:
    mine, _ = clones
    root = (mine / "doc/adr").resolve()
    path = mine / "doc/adr/0001-record-decisions.md"
    with Workspace.open() as workspace:
        workspace.import_paths([root])
        branch = _edit_and_push(workspace, root)
        git(mine, "merge", "-q", "--autostash", "--ff-only", branch)
        assert workspace.sync([root]).ok
        bridge_text = path.read_text()
        path.write_text(bridge_text.replace("We record decisions.", "We record some decisions."))
        git(mine, "commit", "-q", "-am", "narrow", author=CAROL)
        path.write_text(bridge_text)
        git(mine, "commit", "-q", "-am", "revert the narrowing", author=MIA)
        workspace.import_paths([root])  # the two commits cancel out: only a full import reads them
        assert [rev.author for rev in workspace.history("ADR-0001")] == [
            "alice-author", "bob-editor", "carol-git", "mia-merger"]


def test_committing_what_no_commit_wrote_is_the_same_revision(clones: tuple[Path, Path]) -> None:
    mine, _ = clones
    root = (mine / "doc/adr").resolve()
    with Workspace.open() as workspace:
        workspace.import_paths([root])
        record = workspace.get_record("ADR-0001")
        record.body = record.body.replace("As ADRs.", "As ADRs, reviewed in pull requests.")
        workspace.save_record(record, expected_version=record.version, author=BOB)
        report = workspace.sync([root], commit=False)
        assert report.ok and report.committed is None and len(report.written) == 1
        git(mine, "commit", "-q", "-am", "Commit what bridge wrote", author=CAROL)

        back = workspace.sync([root])

        assert back.ok, back.to_dict()
        assert [(rev.source, rev.author) for rev in workspace.history("ADR-0001")] == [
            ("git", "alice-author"), ("bridge", "bob-editor")]
        assert "carol-git" not in {c.person.handle for c in workspace.contributors("ADR-0001")}

"""Git history of record files, read from real repositories made in tmp dirs."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime
from pathlib import Path

from bridge.ingest.git_history import find_git_root, read_history, repo_relative_path, show_file


class Repo:
    """A throwaway git repository whose commits carry chosen authors and dates."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.day = 0
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        full_env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(self.path), **(env or {})}
        result = subprocess.run(["git", "-C", str(self.path), "-c", "commit.gpgsign=false", *args],
                                capture_output=True, text=True, env=full_env, check=True)
        return result.stdout

    def write(self, relative: str, text: str) -> None:
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def commit(self, author: str, message: str = "change", *paths: str) -> str:
        """Commit everything (or paths) as author ``Name <email>``; each commit is one day after the last."""
        name, email = author.rstrip(">").split(" <")
        self.day += 1
        when = f"2024-01-{self.day:02d}T12:00:00+02:00"
        self.git("add", "-A", *paths)
        env = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": when,
               "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email, "GIT_COMMITTER_DATE": when}
        self.git("commit", "-q", "-m", message, env=env)
        return self.git("rev-parse", "HEAD").strip()


ALICE = "Alice Adams <alice@example.com>"
BOB = "Bob Brown <bob@example.com>"
CAROL = "Carol Chen <carol@example.com>"
BOT = "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>"
LINES = "".join(f"line {number}\n" for number in range(40))


def test_renames_are_followed_back_and_the_first_author_comes_first(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("pep-0001.txt", LINES)
    first = repo.commit(ALICE, "Add PEP 1")
    repo.write("pep-0001.txt", LINES + "more\n")
    repo.commit(BOB, "Edit")
    repo.git("mv", "pep-0001.txt", "pep-0001.rst")
    repo.commit(CAROL, "Rename to rst")
    repo.write("pep-0001.rst", LINES.replace("line 3\n", "line three\n") + "more\n")
    repo.commit(BOB, "Fix line 3")
    history = read_history(repo.path)
    changes = history["pep-0001.rst"]
    assert [change.author_name for change in changes] == ["Alice Adams", "Bob Brown", "Carol Chen", "Bob Brown"]
    assert [change.path for change in changes] == ["pep-0001.txt", "pep-0001.txt", "pep-0001.rst", "pep-0001.rst"]
    assert changes[0].commit == first
    assert changes[0].message == "Add PEP 1"
    assert (changes[0].lines_added, changes[0].lines_removed) == (40, 0)
    assert (changes[1].lines_added, changes[1].lines_removed) == (1, 0)
    assert (changes[3].lines_added, changes[3].lines_removed) == (1, 1)
    assert changes[0].at == datetime(2024, 1, 1, 10, 0, 0)
    assert list(history) == ["pep-0001.rst"]


def test_mailmap_merges_an_authors_old_identity(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("a.md", "# A\n")
    repo.commit("bob <bob@old.example>")
    repo.write("a.md", "# A\n\nmore\n")
    repo.commit(BOB)
    repo.write(".mailmap", "Bob Brown <bob@example.com> <bob@old.example>\n")
    repo.commit(ALICE, "mailmap", ".mailmap")
    changes = read_history(repo.path)["a.md"]
    assert [(change.author_name, change.author_email) for change in changes] == [
        ("Bob Brown", "bob@example.com"), ("Bob Brown", "bob@example.com")
    ]


def test_co_authors_are_read_mailmapped_and_bots_left_out(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write(".mailmap", "Carol Chen <carol@example.com> <cc@old.example>\n")
    repo.write("a.md", "# A\n")
    message = ("Write A\n\nBody text.\n\nCo-authored-by: carol <cc@old.example>\n"
               "Co-authored-by: pre-commit-ci[bot] <66853113+pre-commit-ci[bot]@users.noreply.github.com>\n")
    repo.commit(ALICE, message)
    [change] = read_history(repo.path)["a.md"]
    assert change.coauthors == [("Carol Chen", "carol@example.com")]
    assert change.message == "Write A"


def test_bot_commits_are_excluded_but_their_renames_still_followed(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("old.md", LINES)
    repo.commit(ALICE)
    repo.git("mv", "old.md", "new.md")
    repo.commit(BOT, "Rename")
    repo.write("new.md", LINES + "x\n")
    repo.commit("Renovate Bot <bot@renovateapp.com>", "Bump")
    history = read_history(repo.path, bot_patterns=["[bot]", "renovate"])
    assert [(change.author_name, change.path) for change in history["new.md"]] == [("Alice Adams", "old.md")]


def test_a_deleted_file_of_the_same_name_is_not_the_current_file(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("a.md", "# First life\n")
    repo.commit(ALICE)
    (repo.path / "a.md").unlink()
    repo.commit(BOB)
    repo.write("a.md", "# Second life\n")
    repo.commit(CAROL)
    assert [change.author_name for change in read_history(repo.path)["a.md"]] == ["Carol Chen"]


def test_a_subfolder_root_follows_renames_from_outside_it(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("doc/arch/0001-use-adrs.md", "# 1. Use ADRs\n\nold text\n")
    first = repo.commit(ALICE, "Add ADR 1")
    repo.write("notes.md", "# unrelated\n")
    repo.commit(CAROL, "Notes")
    (repo.path / "docs" / "architecture" / "decisions").mkdir(parents=True)
    repo.git("mv", "doc/arch/0001-use-adrs.md", "docs/architecture/decisions/0001-use-adrs.md")
    repo.commit(BOB, "Move ADRs")
    root = repo.path / "docs" / "architecture" / "decisions"
    history = read_history(root)
    changes = history["0001-use-adrs.md"]
    assert [change.author_name for change in changes] == ["Alice Adams", "Bob Brown"]
    assert changes[0].path == "../../../doc/arch/0001-use-adrs.md"
    assert list(history) == ["0001-use-adrs.md"]
    repo_path = repo_relative_path(root, changes[0].path)
    assert repo_path == "doc/arch/0001-use-adrs.md"
    assert show_file(repo.path, first, repo_path) == "# 1. Use ADRs\n\nold text\n"


def test_uncommitted_files_have_no_history_and_folders_outside_git_none(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("a.md", "# A\n")
    repo.commit(ALICE)
    repo.write("draft.md", "# Draft\n")
    assert set(read_history(repo.path)) == {"a.md"}
    assert find_git_root(repo.path / "a.md") == repo.path.resolve()
    outside = tmp_path / "plain"
    outside.mkdir()
    assert find_git_root(outside) is None
    assert read_history(outside) == {}


def test_a_repository_without_commits_has_no_history(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("a.md", "# A\n")
    repo.git("add", "a.md")
    assert read_history(repo.path) == {}


def test_a_file_added_on_two_merged_branches_keeps_both_branches_commits(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("README", "base\n")
    repo.commit(ALICE, "base")
    repo.git("checkout", "-q", "-b", "side")
    repo.write("runbooks/disk.md", "# Disk\n\nside text\n")
    side = repo.commit(BOB, "add on side")
    repo.git("checkout", "-q", "main")
    repo.write("runbooks/disk.md", "# Disk\n\nmain text\n")
    main = repo.commit(CAROL, "add on main")
    repo.git("merge", "-q", "-X", "ours", "--no-edit", "side",
             env={"GIT_AUTHOR_NAME": "Alice Adams", "GIT_AUTHOR_EMAIL": "alice@example.com",
                  "GIT_COMMITTER_NAME": "Alice Adams", "GIT_COMMITTER_EMAIL": "alice@example.com"})
    history = read_history(repo.path)["runbooks/disk.md"]
    assert {change.commit for change in history} == {side, main}


def test_each_change_carries_the_files_full_blob_id_after_the_commit(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("adr/0001-a.md", LINES)
    first = repo.commit(ALICE, "Add")
    repo.git("mv", "adr/0001-a.md", "adr/0001-b.md")
    repo.write("adr/0001-b.md", LINES + "more\n")
    renamed = repo.commit(BOB, "Rename and edit")
    changes = read_history(tmp_path / "repo" / "adr")["0001-b.md"]
    assert [change.commit for change in changes] == [first, renamed]
    assert [change.blob for change in changes] == [
        repo.git("rev-parse", f"{first}:adr/0001-a.md").strip(), repo.git("rev-parse", f"{renamed}:adr/0001-b.md").strip()]
    assert all(len(change.blob) == 40 for change in changes)

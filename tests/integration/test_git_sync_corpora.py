"""Sync out on real repositories cloned from ../shared/corpora: one edit per format lands as a one-file, few-line commit."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bridge.workspace import Workspace
from tests.conftest import clone_corpus


def git_out(repo: Path, *args: str) -> str:
    """Return git's output in repo."""
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def changed_lines(repo: Path, left: str, right: str) -> list[str]:
    """Return the +/- lines of ``git diff -U0 left right`` (headers left out)."""
    diff = git_out(repo, "diff", "-U0", left, right)
    return [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]


CASES = [
    # corpus, import folder (None: the folder that exists), file to edit, (old line, new line) of the body edit
    ("adr-madr", "docs/decisions", "0009-support-links-between-adrs-inside-an-adrs.md"),
    ("adr-adr-tools", "doc/adr", "0004-markdown-format.md"),
    ("adr-log4brains", "docs/adr", "20200927-avoid-default-exports.md"),
    ("adr-govuk-aws", None, "0020-merge-api-postgresql-instance-into-main-postgresql-instance.md"),
    ("python-peps", ".", "pep-0550.rst"),
    ("prometheus-runbooks", ".", "kubernetes/KubeQuotaExceeded.md"),
]


def _import_root(name: str, repo: Path, folder: str | None, file_name: str) -> tuple[Path, list[Path]]:
    """Return the import root and what to import (a few PEPs keep the test fast; the rest import whole)."""
    if folder is None:
        folder = next(f for f in ("doc/architecture/decisions", "docs/architecture/decisions") if (repo / f).is_dir())
    root = (repo / folder).resolve()
    if name == "python-peps":
        return root, [root / file_name, root / "pep-0008.rst", root / "pep-0567.rst"]
    return root, [root]


@pytest.mark.parametrize(("name", "folder", "file_name"), CASES, ids=[case[0] for case in CASES])
def test_one_edit_per_format_is_a_minimal_commit_by_the_editor(
    name: str, folder: str | None, file_name: str, tmp_path: Path
) -> None:
    repo = clone_corpus(name, tmp_path / name)
    root, targets = _import_root(name, repo, folder, file_name)
    head_before = git_out(repo, "rev-parse", "HEAD").strip()
    with Workspace.open() as workspace:
        first = workspace.import_paths(targets)
        assert not first.failed
        total = first.imported
        record = next(r for r in workspace.list_records() if r.source_path == file_name)
        lines = record.body.split("\n")
        index = next(i for i, line in enumerate(lines)
                     if i > 5 and len(line) > 40 and line[:1].isalpha() and not line.endswith(":"))
        old_line = lines[index]
        lines[index] = old_line + " Clarified in bridge."
        record.body = "\n".join(lines)
        workspace.save_record(record, expected_version=record.version, author="Ada Editor <ada@example.org>")
        assert [base.key for base in workspace.unsynced()] == [record.key]

        report = workspace.sync([root])

        assert report.ok, report.to_dict()
        assert report.committed is not None
        branch = report.committed["branch"]
        assert branch == f"bridge/test-user/{record.key.lower()}"
        relative = (root / file_name).relative_to(repo).as_posix()
        assert git_out(repo, "diff", "--name-only", "HEAD", branch).split() == [relative]
        assert changed_lines(repo, "HEAD", branch) == [f"-{old_line}", f"+{old_line} Clarified in bridge."]
        assert git_out(repo, "log", "-1", "--format=%an <%ae>", branch).strip() == "Ada Editor <ada@example.org>"
        assert git_out(repo, "rev-parse", "HEAD").strip() == head_before, "the checked-out branch must not move"
        assert git_out(repo, "status", "--porcelain").split() == ["M", relative]
        assert workspace.unsynced() == []

        again = workspace.import_paths(targets)
        assert (again.imported, again.updated, again.unchanged) == (0, 0, total)
        assert workspace.sync([root]).to_dict()["written"] == []


@pytest.mark.parametrize(("name", "folder", "file_name", "old", "new"), [
    ("adr-adr-tools", "doc/adr", "0004-markdown-format.md", "-Accepted", "+Deprecated"),
    ("python-peps", ".", "pep-0550.rst", "-Status: Withdrawn", "+Status: Accepted"),
    ("adr-madr", "docs/decisions", "0003-provide-own-madr-tools.md", "-status: on hold", "+status: deprecated"),
])
def test_a_status_edit_is_written_where_the_file_states_it(
    name: str, folder: str, file_name: str, old: str, new: str, tmp_path: Path
) -> None:
    repo = clone_corpus(name, tmp_path / name)
    root, targets = _import_root(name, repo, folder, file_name)
    with Workspace.open() as workspace:
        workspace.import_paths(targets)
        record = next(r for r in workspace.list_records() if r.source_path == file_name)
        record.status = record.status_text = new.split()[-1].lstrip("+").lower()
        workspace.save_record(record, expected_version=record.version, author="Ada Editor <ada@example.org>")
        report = workspace.sync([root])
        assert report.ok, report.to_dict()
        assert report.committed is not None
        assert changed_lines(repo, "HEAD", report.committed["branch"]) == [old, new]
        again = workspace.import_paths(targets)
        assert again.updated == 0 and again.imported == 0


def test_a_body_edit_keeps_the_files_status_word_and_a_reworded_status_is_written(tmp_path: Path) -> None:
    repo = clone_corpus("python-peps", tmp_path / "peps")
    root = repo.resolve()
    with Workspace.open() as workspace:
        workspace.import_paths([root / "pep-0550.rst"])
        record = workspace.get_record("PEP-0550")
        assert (record.status, record.status_text) == ("rejected", "Withdrawn")
        record.body = record.body.replace("This PEP", "This proposal", 1)
        saved = workspace.save_record(record, expected_version=record.version, author="Ada <ada@example.org>")
        assert saved.status_text == "Withdrawn", "the store keeps the author's status word on a body edit"
        report = workspace.sync([root])
        assert report.ok, report.to_dict()
        assert report.committed is not None
        changed = changed_lines(repo, "HEAD", report.committed["branch"])
        assert not any("Status" in line for line in changed), changed
        assert workspace.get_record("PEP-0550").status_text == "Withdrawn"

        record = workspace.get_record("PEP-0550")
        record.status_text = "Rejected"  # same lifecycle status, the author's new word
        workspace.save_record(record, expected_version=record.version, author="Ada <ada@example.org>")
        head = report.committed["commit"]
        report = workspace.sync([root])
        assert report.ok and report.committed is not None
        assert changed_lines(repo, head, report.committed["branch"]) == ["-Status: Withdrawn", "+Status: Rejected"]

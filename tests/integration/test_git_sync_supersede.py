"""Superseding in bridge writes both adr-tools files as ``adr new -s`` does, on a clone of adr-tools' own records."""

from __future__ import annotations

import subprocess
from pathlib import Path

from bridge.domain import Link
from bridge.workspace import Workspace
from tests.conftest import clone_corpus

OLD = "0007-invoke-adr-config-executable-to-get-configuration.md"
NEW = "0008-use-iso-8601-format-for-dates.md"


def git_out(repo: Path, *args: str) -> str:
    """Return git's output in repo."""
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def diff_lines(repo: Path, left: str, right: str, path: str) -> list[str]:
    """Return the +/- lines of ``git diff -U0 left right -- path`` (headers left out)."""
    diff = git_out(repo, "diff", "-U0", left, right, "--", path)
    return [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_superseding_an_adr_tools_record_writes_both_status_sections_and_nothing_else(tmp_path: Path) -> None:
    repo = clone_corpus("adr-adr-tools", tmp_path / "adr-tools")
    root = (repo / "doc/adr").resolve()
    with Workspace.open() as workspace:
        total = workspace.import_paths([root]).imported
        successor = workspace.get_record("ADR-0008")
        successor.supersedes.append("ADR-0007")
        workspace.save_record(successor, expected_version=successor.version, author="Ada Editor <ada@example.org>")
        assert workspace.get_record("ADR-0007").status == "superseded"

        report = workspace.sync([root])

        assert report.ok, report.to_dict()
        assert report.committed is not None
        branch = report.committed["branch"]
        assert sorted(git_out(repo, "diff", "--name-only", "HEAD", branch).split()) == [
            f"doc/adr/{OLD}", f"doc/adr/{NEW}"]
        assert diff_lines(repo, "HEAD", branch, f"doc/adr/{OLD}") == [
            "-Accepted", f"+Superseded by [8. Use ISO 8601 Format for Dates]({NEW})"]
        assert diff_lines(repo, "HEAD", branch, f"doc/adr/{NEW}") == [
            f"+Supersedes [7. Invoke adr-config executable to get configuration]({OLD})", "+"]
        for name in (OLD, NEW):
            assert not (root / name).read_text(encoding="utf-8").startswith("---"), "no front matter is added"
        new_text = (root / NEW).read_text(encoding="utf-8")
        assert f"Accepted\n\nSupersedes [7. Invoke adr-config executable to get configuration]({OLD})\n\n## Context" \
            in new_text, "the link is a paragraph of its own at the end of the Status section, as adr-tools puts it"

        old = workspace.get_record("ADR-0007")
        assert old.status == "superseded" and old.superseded_by == ["ADR-0008"]
        assert old.status_text == f"Superseded by [8. Use ISO 8601 Format for Dates]({NEW})"
        again = workspace.import_paths([root])
        assert (again.imported, again.updated, again.unchanged) == (0, 0, total)
        assert Link("ADR-0008", "ADR-0007", "supersedes") in workspace.links("ADR-0007")
        assert workspace.get_record("ADR-0007").superseded_by == ["ADR-0008"]
        assert workspace.unsynced() == []


def test_a_new_record_that_supersedes_gets_an_adr_tools_file_with_the_link(tmp_path: Path) -> None:
    repo = clone_corpus("adr-adr-tools", tmp_path / "adr-tools")
    root = (repo / "doc/adr").resolve()
    with Workspace.open() as workspace:
        workspace.import_paths([root])
        made = workspace.new_record("decision", "Use Markdown front matter", supersedes=["ADR-0004"],
                                    author="Ada Editor <ada@example.org>", status="accepted",
                                    body="# Use Markdown front matter\n\n## Status\n\nAccepted\n\n## Context\n\n"
                                         "Tools want fields.\n")

        report = workspace.sync([root], add=[made.key])

        assert report.ok, report.to_dict()
        assert report.committed is not None
        branch = report.committed["branch"]
        new_name = "0010-use-markdown-front-matter.md"
        assert sorted(git_out(repo, "diff", "--name-only", "HEAD", branch).split()) == [
            "doc/adr/0004-markdown-format.md", f"doc/adr/{new_name}"]
        assert diff_lines(repo, "HEAD", branch, "doc/adr/0004-markdown-format.md") == [
            "-Accepted", f"+Superseded by [Use Markdown front matter]({new_name})"]
        text = (root / new_name).read_text(encoding="utf-8")
        assert not text.startswith("---")
        assert "## Status\n\nAccepted\n\nSupersedes [4. Markdown format](0004-markdown-format.md)\n\n## Context" in text
        again = workspace.import_paths([root])
        assert (again.imported, again.updated) == (0, 0)
        assert Link(made.key, "ADR-0004", "supersedes") in workspace.links("ADR-0004")

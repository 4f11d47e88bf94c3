"""Sync never replaces an edit saved by another writer while it writes a record's file.

When a status edited as a field must be written into the body (an adr-tools ``## Status`` section), sync amends
the stored body to the file's wording; and ``sync --add`` gives a record made in bridge its new file. Both read the
record, write the file, then update the store: an edit saved in between used to be replaced by the file's older
text. Here another writer saves at that moment, in a real adr-tools repository.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bridge.workspace import Workspace
from tests.integration.test_git_sync import CAROL, git, repo  # noqa: F401  (the repository fixture)


def _another_writer_saves(workspace: Workspace, key: str) -> None:
    """Save an edit of key's body as Carol, as another process would."""
    record = workspace.get_record(key)
    record.body += "\nCarol's note, saved while sync ran.\n"
    workspace.save_record(record, expected_version=record.version, author=CAROL)


def test_a_status_written_into_the_file_does_not_replace_an_edit_saved_meanwhile(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    from bridge.ingest import writeback

    root = repo / "doc/adr"
    with Workspace.open() as workspace:
        workspace.import_paths([root])
        record = workspace.get_record("ADR-0002")
        record.status = record.status_text = "accepted"
        workspace.save_record(record, expected_version=record.version, author="Bob Editor <bob@example.com>")
        real_rewrite = writeback.rewrite_file

        def rewrite_while_another_writer_saves(*args: Any, **kwargs: Any) -> Any:
            result = real_rewrite(*args, **kwargs)
            _another_writer_saves(workspace, "ADR-0002")
            return result

        monkeypatch.setattr(writeback, "rewrite_file", rewrite_while_another_writer_saves)
        before = (root / "0002-use-postgres.md").read_bytes()
        report = workspace.sync([root])
        monkeypatch.undo()
        assert [failure.error for failure in report.failed if "saved again" in failure.error], report.to_dict()
        assert "Carol's note" in workspace.get_record("ADR-0002").body, "the other writer's edit is kept"
        assert (root / "0002-use-postgres.md").read_bytes() == before, "the file is left as it was"
        again = workspace.sync([root])  # the next sync writes the status and keeps the edit
        assert again.ok, again.to_dict()
        stored = workspace.get_record("ADR-0002")
        assert "Carol's note" in stored.body and "Accepted" in stored.body


def test_a_new_file_for_a_record_saved_meanwhile_is_removed_and_the_edit_kept(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    from bridge.ingest import homes

    root = repo / "doc/adr"
    with Workspace.open() as workspace:
        workspace.import_paths([root])
        made = workspace.new_record("decision", "Use Redis for sessions", template="nygard")
        real_text = homes.new_file_text

        def text_while_another_writer_saves(*args: Any, **kwargs: Any) -> str:
            text = real_text(*args, **kwargs)
            _another_writer_saves(workspace, made.key)
            return text

        monkeypatch.setattr(homes, "new_file_text", text_while_another_writer_saves)
        report = workspace.sync([root], add=[made.key])
        monkeypatch.undo()
        assert any("saved again while sync wrote its new file" in failure.error for failure in report.failed), \
            report.to_dict()
        assert not (root / "0003-use-redis-for-sessions.md").exists(), "the file bridge wrote is removed"
        stored = workspace.get_record(made.key)
        assert "Carol's note" in stored.body and not stored.source_path
        assert git(repo, "status", "--porcelain") == "", "nothing else in the repository changed"
        again = workspace.sync([root], add=[made.key])
        assert again.ok, again.to_dict()
        assert "Carol's note" in (root / "0003-use-redis-for-sessions.md").read_text(encoding="utf-8")


def _save_while_sync_looks_for_changes(monkeypatch: pytest.MonkeyPatch, workspace: Workspace, key: str) -> None:
    """Make another writer save key right after sync read the bases and while it asks git what changed."""
    from bridge.gitsync import changes

    real_changes = changes.changes_since

    def changes_while_another_writer_saves(*args: Any, **kwargs: Any) -> Any:
        found = real_changes(*args, **kwargs)
        _another_writer_saves(workspace, key)
        return found

    monkeypatch.setattr(changes, "changes_since", changes_while_another_writer_saves)


def test_a_file_changed_in_git_is_not_read_over_an_edit_saved_meanwhile(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    root = repo / "doc/adr"
    path = root / "0001-record-decisions.md"
    with Workspace.open() as workspace:
        workspace.import_paths([root])
        path.write_text(path.read_text().replace("We record decisions.", "We record every decision."))
        git(repo, "commit", "-q", "-am", "reword")
        _save_while_sync_looks_for_changes(monkeypatch, workspace, "ADR-0001")

        report = workspace.sync([root])
        monkeypatch.undo()

        assert [conflict.key for conflict in report.conflicts] == ["ADR-0001"], report.to_dict()
        stored = workspace.get_record("ADR-0001")
        assert "Carol's note" in stored.body and "We record every decision." not in stored.body
        assert [base.key for base in workspace.unsynced()] == ["ADR-0001"], "still waiting to be settled"
        assert "Carol's note" not in path.read_text(), "the file is left as git has it"


def test_a_file_deleted_in_git_does_not_delete_a_record_saved_meanwhile(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    root = repo / "doc/adr"
    with Workspace.open() as workspace:
        workspace.import_paths([root])
        git(repo, "rm", "-q", "doc/adr/0002-use-postgres.md")
        git(repo, "commit", "-q", "-m", "drop the draft")
        _save_while_sync_looks_for_changes(monkeypatch, workspace, "ADR-0002")

        report = workspace.sync([root])
        monkeypatch.undo()

        assert [conflict.key for conflict in report.conflicts] == ["ADR-0002"], report.to_dict()
        stored = workspace.get_record("ADR-0002")
        assert not stored.deleted and "Carol's note" in stored.body
        assert [rev.number for rev in workspace.history("ADR-0002")] == [1, 2], "no second revision 2"

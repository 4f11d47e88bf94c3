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

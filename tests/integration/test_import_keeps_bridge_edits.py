"""Re-importing a folder never replaces an edit saved in bridge and not yet synced to its file (real git repos)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bridge.cli import _register_commands, app
from bridge.store.importing import ImportWriter
from bridge.workspace import Workspace
from tests.conftest import write_file
from tests.integration.test_git_sync import BOB, CAROL, edit_body, git, repo  # noqa: F401  (repo is a fixture)


def test_a_reimport_keeps_the_edit_and_sync_then_writes_it_out(repo: Path) -> None:  # noqa: F811
    root = repo / "doc/adr"
    with Workspace.open() as workspace:
        workspace.import_paths([root])
        edit_body(workspace, "ADR-0001", "As ADRs.", "As ADRs, reviewed weekly.")

        again = workspace.import_paths([root])

        assert again.kept == {"0001-record-decisions.md": "ADR-0001"} and again.updated == 0
        assert "reviewed weekly" in workspace.get_record("ADR-0001").body
        assert [base.key for base in workspace.unsynced()] == ["ADR-0001"], "the edit is still waiting for sync"
        synced = workspace.sync([root])
        assert synced.ok and "reviewed weekly" in (root / "0001-record-decisions.md").read_text()
        assert workspace.import_paths([root]).kept == {}


def test_an_edit_on_both_sides_is_kept_by_import_and_left_to_sync_as_a_conflict(repo: Path) -> None:  # noqa: F811
    root = repo / "doc/adr"
    path = root / "0002-use-postgres.md"
    with Workspace.open() as workspace:
        workspace.import_paths([root])
        edit_body(workspace, "ADR-0002", "For now.", "For the next two years.")
        path.write_text(path.read_text().replace("Postgres it is.", "Postgres 16 it is."))
        git(repo, "commit", "-q", "-am", "pin the version", author=CAROL)

        again = workspace.import_paths([root])

        assert again.kept == {"0002-use-postgres.md": "ADR-0002"}
        assert "For the next two years." in workspace.get_record("ADR-0002").body
        synced = workspace.sync([root])
        assert [conflict.key for conflict in synced.conflicts] == ["ADR-0002"]
        assert "Postgres 16 it is." in path.read_text() and "For now." in path.read_text(), "git's side untouched"
        assert "For the next two years." in workspace.get_record("ADR-0002").body, "bridge's side untouched"


def test_importing_one_file_leaves_the_other_records_of_its_folder_unsynced(repo: Path) -> None:  # noqa: F811
    root = repo / "doc/adr"
    with Workspace.open() as workspace:
        workspace.import_paths([root])
        edit_body(workspace, "ADR-0001", "As ADRs.", "As ADRs, reviewed weekly.")

        workspace.import_paths([root / "0002-use-postgres.md"])

        assert [base.key for base in workspace.unsynced()] == ["ADR-0001"]
        synced = workspace.sync([root])
        assert synced.ok and "reviewed weekly" in (root / "0001-record-decisions.md").read_text()


def test_a_save_landing_while_the_import_reads_is_kept_not_overwritten(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    root = repo / "doc/adr"
    path = root / "0001-record-decisions.md"
    with Workspace.open() as workspace, Workspace.open() as editor:
        workspace.import_paths([root])
        path.write_text(path.read_text().replace("We record decisions.", "We record every decision."))
        git(repo, "commit", "-q", "-am", "reword")  # by a known author: the import writes nothing before the record
        check = ImportWriter._edited_in_bridge

        def save_meanwhile(session, row):  # type: ignore[no-untyped-def]
            """Let another process save the record after the import read its row, before it writes."""
            if row.key == "ADR-0001" and "meanwhile" not in editor.get_record("ADR-0001").body:
                edit_body(editor, "ADR-0001", "As ADRs.", "As ADRs, saved meanwhile.")
            return check(session, row)

        monkeypatch.setattr(ImportWriter, "_edited_in_bridge", staticmethod(save_meanwhile))
        again = workspace.import_paths([root])

        assert again.kept == {"0001-record-decisions.md": "ADR-0001"}
        record = workspace.get_record("ADR-0001")
        assert "saved meanwhile" in record.body and record.version == 2
        assert [rev.number for rev in workspace.history("ADR-0001")] == [1, 2]


def test_the_cli_says_which_records_it_kept_and_exits_zero(repo: Path) -> None:  # noqa: F811
    root = repo / "doc/adr"
    with Workspace.open() as workspace:
        workspace.import_paths([root])
        edit_body(workspace, "ADR-0001", "As ADRs.", "As ADRs, reviewed weekly.")
    write_file(root, "0003-new.md", "# 3. New\n\n## Status\n\nAccepted\n\n## Context\n\nNew.\n")
    _register_commands()

    result = CliRunner().invoke(app, ["import", str(root)])

    assert result.exit_code == 0, result.output
    assert "imported 1, updated 0, unchanged 1, failed 0, skipped 0, kept 1" in result.output
    assert "ADR-0001 (0001-record-decisions.md)" in result.output and "bridge sync" in result.output

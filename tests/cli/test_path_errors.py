"""A path the user gives that cannot be written ends in one line naming it, never a traceback."""

from __future__ import annotations

from pathlib import Path

from tests.reliability.helpers import run_bridge


def test_export_into_a_path_under_a_file_says_which_path_in_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    assert run_bridge(home, "new", "--kind", "runbook", "--title", "Disk full").returncode == 0
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder\n", encoding="utf-8")

    done = run_bridge(home, "export", str(blocker / "out"))

    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: cannot use {blocker}"), done.stderr
    assert "Not a directory" in lines[0] or "File exists" in lines[0], done.stderr

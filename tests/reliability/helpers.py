"""Helpers for the reliability tests: run the real `bridge` command in a subprocess, write small record folders."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT


def bridge_env(home: Path) -> dict[str, str]:
    """Return the environment for a bridge subprocess using home as its data directory and this checkout's code."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("BRIDGE_")}
    env.update(BRIDGE_HOME=str(home), BRIDGE_USER_NAME="Crash Tester", BRIDGE_USER_EMAIL="crash@example.com",
               HF_HUB_OFFLINE="1", PYTHONPATH=str(REPO_ROOT), COLUMNS="200", TERM="dumb")
    return env


def bridge_command(*args: str) -> list[str]:
    """Return the argv running bridge from this checkout."""
    return [sys.executable, "-c", "from bridge.cli import main; main()", *args]


def run_bridge(home: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run bridge with args against home and return the finished process (never raises on exit codes)."""
    return subprocess.run(bridge_command(*args), env=bridge_env(home), capture_output=True, text=True,
                          timeout=timeout, check=False)


def integrity(database: Path) -> str:
    """Return SQLite's integrity_check answer for database ('ok' when intact)."""
    connection = sqlite3.connect(database)
    try:
        return "; ".join(str(row[0]) for row in connection.execute("PRAGMA integrity_check"))
    finally:
        connection.close()


def write_records(folder: Path, count: int, words: int = 60, start: int = 1) -> Path:
    """Write count small decision records with distinct words (``alpha17``) into folder and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(start, start + count):
        body = " ".join(f"word{number}x{position}" for position in range(words))
        (folder / f"{number:04d}-record-{number}.md").write_text(
            f"---\ntitle: Record {number} about marker{number}\nstatus: accepted\n---\n# Context\n\n{body}\n\n"
            f"## Decision\n\nWe choose marker{number}.\n", encoding="utf-8",
        )
    return folder

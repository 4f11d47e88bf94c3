"""Usage logging on a real SQLite store: events are written, off writes nothing, hashing, retention, concurrency."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bridge.config import load_settings
from bridge.store.usage import append_events, count_events
from bridge.usage_types import UsageEvent
from bridge.workspace import Workspace
from tests.conftest import REPO_ROOT, write_file


@pytest.fixture
def records_dir(tmp_path: Path) -> Path:
    root = tmp_path / "records"
    write_file(root, "runbooks/disk.md", "---\nkey: RB-0001\ntitle: Disk full\nkind: runbook\ntopics: [storage]\n---\n"
               "# Disk full\n\n## Mitigation\n\nDelete old logs from /var/log and grow the volume.\n")
    write_file(root, "runbooks/cert.md", "---\nkey: RB-0002\ntitle: TLS certificate expiry\nkind: runbook\n"
               "topics: [edge]\n---\n# TLS certificate expiry\n\n## Mitigation\n\nRenew with certbot renew.\n")
    return root


def open_workspace() -> Workspace:
    return Workspace.open(load_settings())


def test_search_open_and_citation_events_are_stored(records_dir: Path) -> None:
    with open_workspace() as workspace:
        workspace.import_paths([records_dir])
        hits = workspace.search("disk logs", mode="keyword")
        workspace.record_open(hits[0].key)
        workspace.record_citations(["RB-0002", "RB-0002", "RB-0001"])
        events = workspace.usage_events()
    kinds = [(event.kind, event.record_key) for event in events]
    assert kinds == [("search", ""), ("open", "RB-0001"), ("cite", "RB-0002"), ("cite", "RB-0001")]
    first = events[0]
    assert (first.query, first.mode, first.result_count, first.hit_keys[0]) == ("disk logs", "keyword", 1, "RB-0001")
    assert first.front_end == "cli" and first.session and first.top_score is not None


def test_logging_off_writes_nothing(records_dir: Path, bridge_home: Path) -> None:
    (bridge_home / "bridge.toml").write_text("[usage]\nenabled = false\n", encoding="utf-8")
    with Workspace.open(load_settings()) as workspace:
        workspace.import_paths([records_dir])
        workspace.search("disk", mode="keyword")
        workspace.record_open("RB-0001")
        workspace.record_citations(["RB-0001"])
        assert workspace._usage_writer is None
        engine = workspace.engine
        assert count_events(engine) == 0


def test_hash_only_keeps_no_query_text(records_dir: Path, bridge_home: Path) -> None:
    (bridge_home / "bridge.toml").write_text("[usage]\nhash_queries = true\n", encoding="utf-8")
    with Workspace.open(load_settings()) as workspace:
        workspace.import_paths([records_dir])
        workspace.search("Secret Project Falcon outage", mode="keyword")
        workspace.record_open("RB-0001")
        workspace.search("secret  project falcon OUTAGE", mode="keyword")
        events = workspace.usage_events(kinds=("search",))
        summary = workspace.usage_summary()
    assert [event.query for event in events] == [None, None]
    assert events[0].query_hash == events[1].query_hash and len(events[0].query_hash) == 64
    stored = b"".join(path.read_bytes() for path in bridge_home.glob("bridge.db*"))
    assert b"Falcon" not in stored and b"falcon" not in stored
    assert summary.hashed_queries and summary.top_queries[0].count == 2


def test_retention_prunes_old_events_on_write(records_dir: Path, bridge_home: Path) -> None:
    (bridge_home / "bridge.toml").write_text("[usage]\nretention_days = 30\n", encoding="utf-8")
    with Workspace.open(load_settings()) as workspace:
        now = datetime.now(UTC)
        append_events(workspace.engine, [
            UsageEvent(kind="open", front_end="cli", at=now - timedelta(days=31), record_key="RB-OLD"),
            UsageEvent(kind="open", front_end="cli", at=now - timedelta(days=29), record_key="RB-KEPT"),
        ])
        assert count_events(workspace.engine) == 2
        workspace.record_open("RB-0001")
        keys = [event.record_key for event in workspace.usage_events()]
    assert keys == ["RB-KEPT", "RB-0001"]


SEARCHER = """
import sys
from bridge.config import load_settings
from bridge.workspace import Workspace
count = int(sys.argv[1])
with Workspace.open(load_settings()) as workspace:
    for number in range(count):
        workspace.search(f"disk logs {number}", mode="keyword")
"""


def test_two_processes_searching_at_once_lose_no_events(records_dir: Path) -> None:
    with open_workspace() as workspace:
        workspace.import_paths([records_dir])
    count = 150
    processes = [
        subprocess.Popen([sys.executable, "-c", SEARCHER, str(count)], cwd=REPO_ROOT, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    errors = [process.communicate(timeout=300)[1] for process in processes]
    assert [process.returncode for process in processes] == [0, 0], errors
    assert not any("could not store" in error for error in errors), errors
    with open_workspace() as workspace:
        events = workspace.usage_events(kinds=("search",))
    assert len(events) == 2 * count
    assert len({event.session for event in events}) == 2
    assert {event.query for event in events} == {f"disk logs {number}" for number in range(count)}


def test_search_as_you_type_keeps_only_the_last_keystroke(records_dir: Path) -> None:
    with open_workspace() as workspace:
        workspace.import_paths([records_dir])
        workspace.front_end = "tui"
        for typed in ("d", "di", "dis", "disk", "disk lo", "disk logs"):
            workspace.search(typed, mode="keyword")
        workspace.record_open("RB-0001")
        workspace.search("certificate", mode="keyword")
        events = workspace.usage_events()
    assert [(event.kind, event.query or event.record_key, event.front_end) for event in events] == [
        ("search", "disk logs", "tui"), ("open", "RB-0001", "tui"), ("search", "certificate", "tui"),
    ]


def test_a_busy_store_spools_the_events_instead_of_holding_up_the_search(records_dir: Path,
                                                                          bridge_home: Path) -> None:
    import sqlite3
    import time

    with open_workspace() as workspace:
        workspace.import_paths([records_dir])
    holder = sqlite3.connect(bridge_home / "bridge.db", timeout=0)
    holder.execute("BEGIN IMMEDIATE")  # another process's long write (an import) holds the write lock
    try:
        started = time.monotonic()
        with open_workspace() as workspace:
            workspace.search("disk logs", mode="keyword")
            workspace.record_open("RB-0001")
        closed_after = time.monotonic() - started
    finally:
        holder.rollback()
        holder.close()
    assert closed_after < 3, f"closing waited {closed_after:.1f} s for the write lock (the busy timeout is 10 s)"
    spool = bridge_home / "usage-spool.jsonl"
    assert spool.is_file() and "disk logs" in spool.read_text(encoding="utf-8")
    with open_workspace() as workspace:
        workspace.record_open("RB-0002")
        events = workspace.usage_events()
    assert [(event.kind, event.record_key, event.query) for event in events] == [
        ("search", "", "disk logs"), ("open", "RB-0001", None), ("open", "RB-0002", None)]
    assert not spool.exists() and not list(bridge_home.glob("usage-spool.jsonl.*"))

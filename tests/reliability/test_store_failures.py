"""Regression tests for issue 13's table: crashes between saving and chunking, locks, damage, emptied indexes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from bridge.config import load_settings
from bridge.domain import Record
from bridge.store import records as record_store
from bridge.workspace import Workspace
from tests.reliability.helpers import bridge_command, bridge_env, integrity, run_bridge, write_records


def test_a_save_whose_chunking_never_ran_is_chunked_by_the_next_open() -> None:
    """Models kill -9 after the record transaction committed and before re-chunking: the next open repairs it."""
    with Workspace.open(load_settings()) as workspace:
        workspace.new_record("decision", "Before the crash", body="# Context\n\nfirst text about zanzibar\n")
        record = workspace.get_record("ADR-0001")
        record.body = "# Context\n\nedited text about quokkas\n"
        record_store.save_record(workspace.engine, record, expected_version=record.version, author="test-user")
        record_store.save_record(
            workspace.engine, Record(key="ADR-0002", kind="decision", title="Never chunked", status="proposed",
                                     body="# Context\n\nunchunked wombats\n"), expected_version=0, author="test-user")
        assert workspace.search("quokkas", mode="keyword") == []
        assert workspace.search("wombats", mode="keyword") == []
    with Workspace.open(load_settings()) as reopened:
        assert [hit.key for hit in reopened.search("quokkas", mode="keyword")] == ["ADR-0001"]
        assert reopened.search("zanzibar", mode="keyword") == []
        assert [hit.key for hit in reopened.search("wombats", mode="keyword")] == ["ADR-0002"]
        assert all(check.ok for check in reopened.doctor())


def test_doctor_finds_chunks_stale_by_content_hash_and_repair_fixes_them() -> None:
    with Workspace.open(load_settings()) as workspace:
        workspace.new_record("decision", "Stale chunks", body="# Context\n\nthe real text mentions ocelots\n")
        with workspace.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE chunk SET content_hash = 'tampered', text = 'old text'")
            conn.exec_driver_sql("DELETE FROM chunk_fts")
            conn.exec_driver_sql("INSERT INTO chunk_fts (rowid, title, heading, text) SELECT id, '', '', text FROM chunk")
        checks = {check.name: check for check in workspace.doctor()}
        assert not checks["search chunks"].ok and "1 records" in checks["search chunks"].detail
        repaired = {check.name: check for check in workspace.doctor(repair=True)}
        assert repaired["search chunks"].ok and "re-chunked 1" in repaired["search chunks"].detail
        assert [hit.key for hit in workspace.search("ocelots", mode="keyword")] == ["ADR-0001"]
        assert all(check.ok for check in workspace.doctor())


def test_an_emptied_keyword_index_is_rebuilt_by_the_next_search_and_by_open(tmp_path: Path) -> None:
    write_records(tmp_path / "records", 5)
    with Workspace.open(load_settings()) as workspace:
        workspace.import_paths([tmp_path / "records"])
        with workspace.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM chunk_fts")
        assert [hit.key for hit in workspace.search("marker3", mode="keyword")] == ["ADR-0003"]
        with workspace.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM chunk_fts")
    with Workspace.open(load_settings()) as reopened:
        with reopened.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT COUNT(*) FROM chunk_fts").scalar() > 0
        assert all(check.ok for check in reopened.doctor())


def test_a_held_write_lock_ends_in_one_line_naming_the_holder(bridge_home: Path) -> None:
    assert run_bridge(bridge_home, "init").returncode == 0
    holder = subprocess.Popen(
        bridge_command_holding_lock(bridge_home / "bridge.db", seconds=120), stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        result = run_bridge(bridge_home, "new", "--kind", "decision", "--title", "While locked")
        still_holding = holder.poll() is None
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "is locked by another process's write" in lines[0] and f"pid {holder.pid}" in lines[0]
    assert still_holding, "bridge gave up while the lock was still held (the wait is bounded)"
    assert run_bridge(bridge_home, "new", "--kind", "decision", "--title", "After").returncode == 0


def bridge_command_holding_lock(database: Path, seconds: float) -> list[str]:
    """Return argv of a Python process that holds a write transaction on database for seconds."""
    code = (f"import sqlite3, time; c = sqlite3.connect({str(database)!r}, isolation_level=None); "
            "c.execute('BEGIN IMMEDIATE'); c.execute(\"INSERT INTO bridge_meta VALUES ('lock', 'held')\"); "
            f"print('locked', flush=True); time.sleep({seconds})")
    return ["python3", "-c", code]


def test_a_damaged_database_gives_one_line_errors_and_doctor_reports(bridge_home: Path, tmp_path: Path) -> None:
    write_records(tmp_path / "records", 30, words=400)
    assert run_bridge(bridge_home, "import", str(tmp_path / "records")).returncode == 0
    database = bridge_home / "bridge.db"
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with database.open("r+b") as handle:
        handle.truncate(4096)
    for args in (("list",), ("search", "--mode", "keyword", "marker3"), ("show", "ADR-0001")):
        result = run_bridge(bridge_home, *args)
        assert result.returncode == 1, args
        assert "Traceback" not in result.stderr + result.stdout
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and str(database) in lines[0] and "RB-0017" in lines[0], result.stderr
    doctor = run_bridge(bridge_home, "doctor")
    assert doctor.returncode == 1 and "Traceback" not in doctor.stderr + doctor.stdout
    assert "FAIL sqlite integrity" in doctor.stdout and "RB-0017" in doctor.stdout


def test_a_file_that_is_not_a_database_is_reported_not_traced(bridge_home: Path) -> None:
    (bridge_home / "bridge.db").write_bytes(b"this is not sqlite at all\n" * 200)
    result = run_bridge(bridge_home, "list")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "is damaged" in result.stderr and "RB-0017" in result.stderr
    doctor = run_bridge(bridge_home, "doctor")
    assert "no SQLite header" in doctor.stdout and "Traceback" not in doctor.stderr


def test_control_characters_in_records_are_escaped_on_the_terminal(bridge_home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "0001-evil.md").write_text(
        '---\ntitle: "Red \\e[31mALERT\\a [bold]x[/] \\u202e"\n---\n# Context\n\nalert body \x1b[2J cleared \x9b\n',
        encoding="utf-8",
    )
    assert run_bridge(bridge_home, "import", str(folder)).returncode == 0
    for args in (("list",), ("show", "ADR-0001"), ("search", "--mode", "keyword", "alert")):
        result = run_bridge(bridge_home, *args)
        assert result.returncode == 0, result.stderr
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout and "\u202e" not in result.stdout
        assert "\x9b" not in result.stdout
        assert "\\x1b" in result.stdout
    assert "[bold]x[/]" in run_bridge(bridge_home, "list").stdout


def test_concurrent_conflicting_edits_each_keep_their_text(bridge_home: Path, tmp_path: Path) -> None:
    assert run_bridge(bridge_home, "new", "--kind", "decision", "--title", "Contended").returncode == 0
    texts = []
    for writer in range(4):
        text_file = tmp_path / f"edit-{writer}.md"
        text_file.write_text(f"---\ntitle: Contended\nstatus: accepted\n---\nwriter {writer} text\n",
                             encoding="utf-8")
        texts.append(text_file)
    env = bridge_env(bridge_home)
    processes = [subprocess.Popen(bridge_command("edit", "ADR-0001", "--file", str(path)), env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for path in texts]
    outcomes = [(process.wait(timeout=300), process.stderr.read() if process.stderr else "") for process in processes]
    assert all("Traceback" not in stderr for _code, stderr in outcomes)
    saved = sum(1 for code, _stderr in outcomes if code == 0)
    conflicts = [stderr for code, stderr in outcomes if code == 1]
    assert saved >= 1 and saved + len(conflicts) == 4
    assert all("bridge drafts recover" in stderr for stderr in conflicts)
    kept = sorted((bridge_home / "drafts" / "conflicts").glob("ADR-0001-*.md"))
    assert len(kept) == len(conflicts)
    with sqlite3.connect(bridge_home / "bridge.db") as connection:
        revisions = " ".join(row[0] for row in connection.execute("SELECT body FROM revision"))
    stored = {f"writer {n} text" for n in range(4) if f"writer {n} text" in revisions}
    in_drafts = {path.read_text(encoding="utf-8").split("\n")[-2] for path in kept}
    assert len(stored) + len(in_drafts) == 4
    listed = run_bridge(bridge_home, "drafts", "--json").stdout
    assert listed.count('"key": "ADR-0001"') == len(conflicts)
    if kept:
        recovered = run_bridge(bridge_home, "drafts", "recover", kept[0].name)
        assert recovered.returncode == 0, recovered.stderr
        assert not kept[0].exists()


def test_backup_taken_during_writes_restores_every_committed_revision(bridge_home: Path, tmp_path: Path) -> None:
    assert run_bridge(bridge_home, "new", "--kind", "decision", "--title", "Backed up").returncode == 0
    env = bridge_env(bridge_home)
    writer = subprocess.Popen(
        [sys.executable, "-c", (
            "import sys, time\nfrom bridge.workspace import Workspace\n"
            "with Workspace.open() as w:\n"
            "    for n in range(40):\n"
            "        r = w.get_record('ADR-0001'); r.body = f'revision text {n}'\n"
            "        w.save_record(r, expected_version=r.version, message=f'save {n}')\n"
            "        print(n, flush=True)\n"
        )], env=env, stdout=subprocess.PIPE, text=True,
    )
    assert writer.stdout is not None
    finished_before = [writer.stdout.readline() for _ in range(5)]
    assert len(finished_before) == 5
    result = run_bridge(bridge_home, "backup", str(tmp_path / "snapshot.db"))
    assert writer.wait(timeout=300) == 0
    assert result.returncode == 0, result.stderr
    assert integrity(tmp_path / "snapshot.db") == "ok"
    with sqlite3.connect(tmp_path / "snapshot.db") as connection:
        revisions = connection.execute("SELECT COUNT(*) FROM revision").fetchone()[0]
    assert revisions >= 1 + 5
    restored = run_bridge(bridge_home, "restore-backup", str(tmp_path / "snapshot.db"))
    assert restored.returncode == 0, restored.stderr
    history = run_bridge(bridge_home, "show", "ADR-0001", "--json", "--history").stdout
    import json

    numbers = [item["number"] for item in json.loads(history)["history"]]
    assert numbers == list(range(1, revisions + 1))
    assert list(bridge_home.glob("bridge.db.before-restore-*"))
    assert all(check["ok"] for check in json.loads(run_bridge(bridge_home, "doctor", "--json").stdout))


def test_vectors_of_the_wrong_dimension_are_refused_then_cleared_by_repair(monkeypatch) -> None:
    import struct

    monkeypatch.setenv("BRIDGE_MODEL", "hashing-64")
    with Workspace.open(load_settings()) as workspace:
        for number in range(3):
            workspace.new_record("decision", f"Vector {number}", body=f"# Context\n\nabout vectors {number}\n")
        workspace.reindex()
        with workspace.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE chunk SET embedding = ?, dimension = 32 WHERE id = (SELECT MIN(id) FROM chunk)",
                                 (struct.pack("32f", *([0.1] * 32)),))
        workspace.close_index()
        checks = {check.name: check for check in workspace.doctor()}
        assert not checks["vector dimensions"].ok
        repaired = {check.name: check for check in workspace.doctor(repair=True)}
        assert repaired["vector dimensions"].ok and "cleared 1" in repaired["vector dimensions"].detail
        assert len(workspace.search("vectors", mode="semantic", k=3)) == 3
        assert all(check.ok for check in workspace.doctor())


def test_a_reader_leaves_an_active_writers_records_to_it(bridge_home: Path) -> None:
    """Opening while another process writes does not re-chunk that writer's records only to be refused the lock."""
    import sqlite3

    from bridge.config import load_settings
    from bridge.store.engine import sqlite_writer_active
    from bridge.workspace import Workspace

    with Workspace.open(load_settings()) as workspace:
        workspace.new_record("decision", "Chunked by its writer", body="# Context\n\nwombatmarker\n")
        assert not sqlite_writer_active(workspace.engine)
    database = bridge_home / "bridge.db"
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("UPDATE record SET chunked_version = NULL")  # a writer's committed records, not chunked yet
    holder.execute("BEGIN IMMEDIATE")  # and it is still writing
    try:
        with Workspace.open(load_settings()) as workspace:
            assert sqlite_writer_active(workspace.engine)
            rechunked: list[object] = []
            workspace._rechunk = lambda *args, **kwargs: rechunked.append(args)  # type: ignore[method-assign]
            workspace.catch_up_quietly()
            assert rechunked == [], "the reader re-chunked records another process is writing"
    finally:
        holder.execute("COMMIT")
        holder.close()
    with Workspace.open(load_settings()) as workspace:  # no writer now: the next open repairs them
        assert [hit.key for hit in workspace.search("wombatmarker", mode="keyword")] == ["ADR-0001"]
    connection = sqlite3.connect(database)
    assert connection.execute("SELECT COUNT(*) FROM record WHERE chunked_version IS NULL").fetchone()[0] == 0
    connection.close()

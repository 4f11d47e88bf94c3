"""The record store: saves, revisions, optimistic concurrency, people, reviews, filters and links."""

from __future__ import annotations

import threading

import pytest

from bridge.errors import ConflictError, RecordNotFound, ValidationError
from bridge.workspace import Workspace


@pytest.fixture
def workspace():
    """Return a workspace on a fresh SQLite file in BRIDGE_HOME."""
    with Workspace.open() as ws:
        yield ws


def make(ws: Workspace, title: str, **fields):
    """Create a decision with a fixed body."""
    return ws.new_record("decision", title, body=f"# {title}\n\n## Context\n\nBecause.\n", **fields)


def test_new_record_gets_next_key_and_first_revision(workspace: Workspace) -> None:
    first = make(workspace, "Use SQLite", topics=["storage"], owners=["storage-maintainers"])
    second = make(workspace, "Use FAISS")
    assert (first.key, second.key) == ("ADR-0001", "ADR-0002")
    assert first.version == 1
    [revision] = workspace.history(first.key)
    assert revision.number == 1 and revision.body == first.body and revision.author == "test-user"
    assert workspace.get_record("adr-0001").title == "Use SQLite"


def test_save_appends_revision_and_never_overwrites(workspace: Workspace) -> None:
    record = make(workspace, "Use SQLite")
    record.body += "\nMore.\n"
    saved = workspace.save_record(record, expected_version=1, message="expand")
    assert saved.version == 2
    revisions = workspace.history(record.key)
    assert [r.number for r in revisions] == [1, 2]
    assert workspace.revision_text(record.key, 1) != workspace.revision_text(record.key, 2)


def test_stale_save_is_refused_and_both_texts_survive(workspace: Workspace) -> None:
    record = make(workspace, "Use SQLite")
    mine, theirs = workspace.get_record(record.key), workspace.get_record(record.key)
    theirs.body = "their text"
    workspace.save_record(theirs, expected_version=1, author="Colleague <c@example.com>")
    mine.body = "my text"
    with pytest.raises(ConflictError) as caught:
        workspace.save_record(mine, expected_version=1)
    assert caught.value.actual_version == 2
    assert workspace.get_record(record.key).body == "their text"
    assert mine.body == "my text"


def test_concurrent_saves_of_one_version_let_exactly_one_win(workspace: Workspace) -> None:
    record = make(workspace, "Race")
    outcomes: list[str] = []

    def save(text: str) -> None:
        copy = workspace.get_record(record.key)
        copy.body = text
        try:
            workspace.save_record(copy, expected_version=1)
            outcomes.append("saved")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=save, args=(f"text {n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "saved"]
    assert len(workspace.history(record.key)) == 2


def test_validation_names_the_field(workspace: Workspace) -> None:
    record = make(workspace, "Valid")
    record.status = "exploded"
    with pytest.raises(ValidationError) as caught:
        workspace.save_record(record, expected_version=1)
    assert caught.value.field == "status"
    record.status, record.title = "accepted", "  "
    with pytest.raises(ValidationError) as caught:
        workspace.save_record(record, expected_version=1)
    assert caught.value.field == "title"


def test_filters_by_kind_status_topic_owner(workspace: Workspace) -> None:
    make(workspace, "A", topics=["storage"], owners=["storage-maintainers"])
    make(workspace, "B", topics=["search"])
    workspace.new_record("runbook", "Rebuild", body="# Rebuild\n", topics=["search"], status="active")
    assert [r.title for r in workspace.list_records(topic="search")] == ["B", "Rebuild"]
    assert [r.title for r in workspace.list_records(kind="runbook")] == ["Rebuild"]
    assert [r.title for r in workspace.list_records(owner="storage-maintainers")] == ["A"]
    assert [r.title for r in workspace.list_records(status="active")] == ["Rebuild"]
    assert dict(workspace.topics()) == {"search": 2, "storage": 1}


def test_supersedes_link_is_visible_from_both_records(workspace: Workspace) -> None:
    old = make(workspace, "Files only")
    new = make(workspace, "SQLite", supersedes=[old.key])
    assert {(link.source_key, link.kind, link.target_key) for link in workspace.links(old.key)} == {
        (new.key, "supersedes", old.key), (old.key, "superseded_by", new.key)
    }
    assert workspace.links(new.key)[0].target_key == old.key


def test_mark_reviewed_and_owners_are_contributions(workspace: Workspace) -> None:
    record = make(workspace, "Owned", owners=["storage-maintainers"])
    workspace.mark_reviewed(record.key, "Reviewer <r@example.com>")
    roles = {c.person.name: c.roles for c in workspace.contributors(record.key)}
    assert roles["storage-maintainers"] == ["owner"]
    assert roles["Reviewer"] == ["reviewer"]
    assert roles["Test User"] == ["author"]


def test_people_merge_aliases_and_can_leave(workspace: Workspace) -> None:
    from datetime import date

    jane = workspace.resolve_author("Jane Doe <jane@example.com>")
    assert workspace.resolve_author("jane@example.com") == jane
    assert workspace.find_person("Jane").handle == jane
    left = workspace.set_left("jane@example.com", date(2026, 1, 31))
    assert left.left_on == date(2026, 1, 31) and not left.active


def test_soft_delete_hides_but_keeps_history(workspace: Workspace) -> None:
    record = make(workspace, "Gone soon")
    workspace.delete_record(record.key, expected_version=1)
    with pytest.raises(RecordNotFound):
        workspace.get_record(record.key)
    assert workspace.count_records() == 0
    assert make(workspace, "Next").key == "ADR-0002"


def test_a_database_from_a_newer_bridge_is_refused(workspace: Workspace) -> None:
    from sqlalchemy import text

    from bridge.errors import ConfigError
    from bridge.store.migrations import SCHEMA_VERSION, migrate

    with workspace.engine.begin() as conn:
        conn.execute(text("UPDATE bridge_meta SET value = :v WHERE key = 'schema_version'"), {"v": SCHEMA_VERSION + 1})
    with pytest.raises(ConfigError, match="newer than this bridge"):
        migrate(workspace.engine)


def test_a_migration_numbered_below_an_applied_one_still_runs(workspace: Workspace) -> None:
    from sqlalchemy import inspect, text

    from bridge.store.migrations import SCHEMA_VERSION, applied_migrations, migrate

    # A database that got migration SCHEMA_VERSION before migration 3 (which adds record.chunked_version) merged.
    with workspace.engine.begin() as conn:
        conn.execute(text("ALTER TABLE record DROP COLUMN chunked_version"))
        kept = sorted(applied_migrations(conn) - {3})
        conn.execute(text("UPDATE bridge_meta SET value = :v WHERE key = 'applied_migrations'"),
                     {"v": ",".join(map(str, kept))})
    assert migrate(workspace.engine) == SCHEMA_VERSION
    with workspace.engine.connect() as conn:
        assert "chunked_version" in {c["name"] for c in inspect(conn).get_columns("record")}
        assert 3 in applied_migrations(conn)


def test_a_new_decision_that_supersedes_marks_the_old_one(workspace: Workspace) -> None:
    old = make(workspace, "Files only")
    new = make(workspace, "SQLite", supersedes=[old.key])
    refreshed = workspace.get_record(old.key)
    assert refreshed.status == "superseded"
    assert refreshed.superseded_by == [new.key]
    assert workspace.history(old.key)[-1].message == f"superseded by {new.key}"
    again = workspace.get_record(new.key)
    workspace.save_record(again, expected_version=again.version)
    assert len(workspace.history(old.key)) == 2, "saving the successor again changes nothing on the old record"


def test_a_save_keeps_the_status_wording_unless_the_status_changes(workspace: Workspace) -> None:
    record = make(workspace, "Use SQLite", status="rejected")
    record.status_text = "Withdrawn"
    record = workspace.save_record(record, expected_version=record.version)
    assert (record.status, record.status_text) == ("rejected", "Withdrawn"), "same status: the author's word stays"
    record.body += "\nMore.\n"
    record = workspace.save_record(record, expected_version=record.version)
    assert record.status_text == "Withdrawn", "a body edit does not reword the status"
    record.status = "accepted"
    record = workspace.save_record(record, expected_version=record.version)
    assert (record.status, record.status_text) == ("accepted", "accepted"), "a new status drops the old wording"


def test_a_new_record_cannot_supersede_a_key_no_record_has(workspace: Workspace) -> None:
    from bridge.errors import ValidationError

    old = make(workspace, "Files only")
    with pytest.raises(ValidationError, match="cannot supersede NOPE-2: no record has that key"):
        make(workspace, "SQLite", supersedes=[old.key, "NOPE-2"])
    assert [record.title for record in workspace.list_records()] == ["Files only"], "nothing was saved"
    new = make(workspace, "SQLite", supersedes=[old.key.lower()])
    assert new.supersedes == [old.key] and workspace.get_record(old.key).status == "superseded"

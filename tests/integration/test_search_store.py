"""Search plumbing on a real SQLite store with the deterministic hashing embedder (no model): chunk sync,
keyword and hybrid search, filters, status awareness, incremental embedding, index rebuilds, model change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bridge.config import SearchSettings, Settings
from bridge.index.vector_index import meta_path
from bridge.workspace import Workspace

RUNBOOK = """# Disk full

## Meaning

The volume holding the database files is above 90 percent.

## Diagnosis

Run `df -h` and look for the largest folders with `du -sh /var/lib/postgresql/*`.

## Mitigation

Delete old write-ahead log archives, then grow the volume.
"""


def open_workspace(model: str = "hashing-64") -> Workspace:
    """Open a workspace in the test's BRIDGE_HOME using the given embedding model."""
    return Workspace.open(Settings(search=SearchSettings(model=model)))


@pytest.fixture
def workspace():
    """Return a workspace with three records: a runbook, an old decision and the decision replacing it."""
    ws = open_workspace()
    ws.new_record("runbook", "Disk full", body=RUNBOOK, topics=["postgres"], owners=["dba-team"], author="Ann Smith")
    ws.new_record("decision", "Use cron for backups", body="## Decision\n\nWe run nightly backups with cron jobs.\n",
                  topics=["backups"], status="accepted", author="Bob Jones")
    ws.new_record("decision", "Use a backup operator", body="## Decision\n\nNightly backups run in the backup operator.\n",
                  topics=["backups"], status="accepted", supersedes=["ADR-0001"], author="Bob Jones")
    old = ws.get_record("ADR-0001")
    old.status = "superseded"
    old.superseded_by = ["ADR-0002"]
    ws.save_record(old, expected_version=old.version, author="Bob Jones")
    yield ws
    ws.close()


def keys(hits) -> list[str]:
    """Return the record keys of hits in order."""
    return [hit.key for hit in hits]


def test_saving_chunks_the_record_and_keyword_search_finds_the_section(workspace: Workspace) -> None:
    sections = workspace.record_sections("RB-0001")
    assert [chunk.section for chunk in sections] == ["Meaning", "Diagnosis", "Mitigation"]
    hits = workspace.search("write-ahead log archives", mode="keyword")
    assert keys(hits)[0] == "RB-0001"
    assert hits[0].section == "Mitigation"
    assert "write-ahead log" in hits[0].snippet
    assert workspace.index_status().chunks == 5


def test_editing_a_record_refreshes_its_keyword_rows_and_deleting_removes_them(workspace: Workspace) -> None:
    record = workspace.get_record("RB-0001")
    record.body = record.body.replace("write-ahead log archives", "stale snapshots")
    workspace.save_record(record, expected_version=record.version)
    assert workspace.search("archives", mode="keyword") == []
    assert keys(workspace.search("stale snapshots", mode="keyword")) == ["RB-0001"]
    record = workspace.get_record("RB-0001")
    workspace.delete_record("RB-0001", expected_version=record.version)
    assert workspace.search("snapshots", mode="keyword") == []
    assert workspace.index_status().chunks == 2


@pytest.mark.parametrize("query", [
    '"', '"unbalanced', "disk AND", "NEAR(disk", "disk*", "-disk", "((((", ")", "col:disk", "^disk", "{}", "   ",
    "x" * 1_000_000, "disk " * 200_000, "🔥 диск", "\x00", "OR OR OR", "title:disk NOT full",
])
@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_hostile_queries_never_crash(workspace: Workspace, query: str, mode: str) -> None:
    hits = workspace.search(query, mode=mode)  # type: ignore[arg-type]
    assert isinstance(hits, list)
    if "disk" in query.lower() and mode == "keyword":
        assert "RB-0001" in keys(hits)


def test_filters_restrict_by_kind_status_topic_owner_and_author(workspace: Workspace) -> None:
    query = "nightly backups database"
    assert set(keys(workspace.search(query, kind="decision"))) == {"ADR-0001", "ADR-0002"}
    assert keys(workspace.search(query, status="superseded")) == ["ADR-0001"]
    assert keys(workspace.search(query, topic="postgres")) == ["RB-0001"]
    assert keys(workspace.search(query, owner="DBA-team")) == ["RB-0001"]
    assert set(keys(workspace.search(query, author="bob jones", mode="semantic"))) == {"ADR-0001", "ADR-0002"}
    assert workspace.search(query, kind="postmortem") == []


def test_superseded_decision_ranks_below_its_successor_and_names_it(workspace: Workspace) -> None:
    for mode in ("keyword", "semantic", "hybrid"):
        hits = workspace.search("we run nightly backups with cron jobs", mode=mode)  # type: ignore[arg-type]
        assert keys(hits).index("ADR-0002") < keys(hits).index("ADR-0001"), mode
        old = hits[keys(hits).index("ADR-0001")]
        assert old.status == "superseded"
        assert old.superseded_by == ["ADR-0002"]


def test_only_changed_chunks_are_embedded_again(workspace: Workspace) -> None:
    workspace.warm_up()
    assert workspace.semantic_ready()
    status = workspace.index_status()
    assert status.pending == 0 and status.embedded == status.chunks == 5
    record = workspace.get_record("RB-0001")
    record.body = record.body.replace("grow the volume", "grow the volume by 20 percent")
    workspace.save_record(record, expected_version=record.version)
    assert workspace.index_status().pending == 1
    assert not workspace.semantic_ready()
    report = workspace.reindex()
    assert (report.embedded, report.chunks, report.records) == (1, 5, 3)
    assert workspace.index_status().pending == 0
    assert workspace.reindex(full=True).embedded == 5


def test_identical_text_is_embedded_once(workspace: Workspace) -> None:
    workspace.warm_up()
    workspace.new_record("runbook", "Disk full", body=RUNBOOK)
    embedded, reused = workspace.dense.embed_pending()
    assert (embedded, reused) == (0, 3)


def test_search_sees_new_records_without_a_reindex(workspace: Workspace) -> None:
    workspace.warm_up()
    workspace.new_record("runbook", "Certificate expiry", body="## Mitigation\n\nRenew the TLS certificate.\n")
    assert keys(workspace.search("renew tls certificate", mode="semantic"))[0] == "RB-0002"
    assert keys(workspace.search("renew tls certificate"))[0] == "RB-0002"


def test_missing_or_corrupt_index_file_is_rebuilt_from_stored_vectors(workspace: Workspace) -> None:
    workspace.warm_up()
    path = workspace.dense.index_path()
    assert path.exists() and json.loads(meta_path(path).read_text())["count"] == 5
    workspace.close_index()
    for damage in ("delete", "corrupt", "stale"):
        if damage == "delete":
            path.unlink()
        elif damage == "corrupt":
            path.write_bytes(b"\x00garbage")
        else:
            meta = json.loads(meta_path(path).read_text())
            meta_path(path).write_text(json.dumps({**meta, "generation": meta["generation"] - 1}))
        fresh = open_workspace()
        try:
            index = fresh.dense.ensure_index()
            assert len(index) == 5, damage
            assert fresh.dense._embedder is None, "rebuilding needs no model"
            assert json.loads(meta_path(path).read_text())["count"] == 5
        finally:
            fresh.close()


def test_a_model_change_re_embeds_everything_and_never_mixes(workspace: Workspace) -> None:
    workspace.warm_up()
    workspace.close()
    other = open_workspace("hashing-32")
    try:
        status = other.index_status()
        assert (status.embedded, status.pending) == (0, 5)
        report = other.reindex()
        assert report.embedded == 5
        assert other.dense.ensure_index().dimension == 32
        assert keys(other.search("write-ahead log archives", mode="semantic"))[0] == "RB-0001"
    finally:
        other.close()
    back = open_workspace("hashing-64")
    try:
        assert back.index_status().pending == 5
    finally:
        back.close()


def test_answer_context_fits_the_budget_and_cites_sections(workspace: Workspace) -> None:
    passages = workspace.answer_context("how to fix a full disk on the database host", max_tokens=60)
    assert passages and passages[0].key == "RB-0001"
    assert passages[0].citation.startswith("[RB-0001 § ")
    from bridge.ingest.chunking import estimate_tokens

    assert sum(estimate_tokens(passage.text) for passage in passages) <= 60


def test_ask_is_extractive_with_citations_by_default(workspace: Workspace) -> None:
    answer = workspace.ask("what do we do when the disk is full?")
    assert not answer.generated
    assert answer.citations and answer.citations[0].key == "RB-0001"
    assert f"[RB-0001 § {answer.citations[0].section}]" in answer.text


def test_evaluate_scores_ranks_of_relevant_source_paths(workspace: Workspace, tmp_path: Path) -> None:
    record = workspace.get_record("RB-0001")
    record.source_path = "postgres/DiskFull.md"
    workspace.save_record(record, expected_version=record.version)
    queries = tmp_path / "q.jsonl"
    lines = [
        {"qid": "hit", "query": "write-ahead log archives", "relevant": ["postgres/DiskFull.md"]},
        {"qid": "miss", "query": "write-ahead log archives", "relevant": ["missing.md"]},
    ]
    queries.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    result = workspace.evaluate(queries, mode="keyword")
    assert result.queries == 2
    assert (result.recall_at_1, result.mrr_at_10, result.ndcg_at_10) == (0.5, 0.5, 0.5)
    assert [outcome.first_relevant_rank for outcome in result.outcomes] == [1, None]
    assert (result.labelled_paths, result.unknown_paths) == (2, ["missing.md"])
    workspace.flush_usage()
    assert workspace.usage_events(kinds=["search"]) == [], "a labelled test set is not logged as people's searches"
    workspace.search("write-ahead log archives", mode="keyword")
    workspace.flush_usage()
    assert len(workspace.usage_events(kinds=["search"])) == 1, "a real search still is"


def test_evaluate_names_a_bad_query_line(workspace: Workspace, tmp_path: Path) -> None:
    from bridge.errors import BridgeError

    queries = tmp_path / "q.jsonl"
    queries.write_text('{"qid": "1", "query": "x", "relevant": []}\nnot json\n', encoding="utf-8")
    with pytest.raises(BridgeError, match="q.jsonl:2"):
        workspace.evaluate(queries)


def test_a_save_during_a_warm_up_in_another_thread_does_not_wait_and_stays_correct(workspace: Workspace) -> None:
    import threading

    workspace.warm_up()
    dense = workspace.dense
    held = threading.Event()
    release = threading.Event()

    def hold_lock() -> None:
        with dense._lock:
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold_lock)
    holder.start()
    held.wait(5)
    record = workspace.get_record("RB-0001")
    record.body = record.body.replace("write-ahead log archives", "stale snapshots")
    import time

    started = time.perf_counter()
    workspace.save_record(record, expected_version=record.version)
    assert time.perf_counter() - started < 5, "the save waited for the other thread's lock"
    release.set()
    holder.join()
    assert keys(workspace.search("stale snapshots", mode="semantic"))[0] == "RB-0001"
    assert len(dense.ensure_index()) == workspace.index_status().embedded == 5


def test_doctor_reports_and_repairs_the_search_indexes() -> None:
    from sqlalchemy import text

    with open_workspace() as ws:
        ws.new_record("runbook", "Disk full", body="## Mitigation\n\nDelete old archives.\n")
        ws.search("archives", mode="semantic")
        with ws.engine.begin() as conn:
            conn.execute(text("DELETE FROM chunk_fts"))
        for path in ws.dense.index_path().parent.iterdir():
            path.write_bytes(b"garbage")
        checks = {c.name: c for c in ws.doctor()}
        assert not checks["keyword index"].ok
        assert "stale" in checks["vector index file"].detail
        repaired = {c.name: c for c in ws.doctor(repair=True)}
        assert repaired["keyword index"].ok and "rebuilt" in repaired["keyword index"].detail
        assert "rebuilt" in repaired["vector index file"].detail
        assert all(c.ok for c in ws.doctor())
        assert ws.search("archives", mode="keyword")[0].title == "Disk full"


def test_camel_case_titles_and_words_find_each_other() -> None:
    ws = open_workspace()
    try:
        ws.new_record("runbook", "KubeJobFailed", body="## Meaning\n\nThe `KubePodCrashLooping` check fires.\n")
        ws.new_record("runbook", "Job queue full", body="## Meaning\n\nToo many queued items.\n")
        assert keys(ws.search("kube job failed", mode="keyword"))[0] == "RB-0001"
        assert keys(ws.search("pod crash looping", mode="keyword")) == ["RB-0001"]
        assert keys(ws.search("KubeJobFailed", mode="keyword"))[0] == "RB-0001"
        chunk = ws.record_sections("RB-0001")[0]
        assert chunk.embed_text.startswith("Kube Job Failed › Meaning") and "Kube Pod Crash Looping" in chunk.embed_text
        assert chunk.text == "The `KubePodCrashLooping` check fires."
    finally:
        ws.close()


def test_migration_9_rewrites_an_old_keyword_index_with_identifier_words() -> None:
    from sqlalchemy import text

    from bridge.store.migrations import MIGRATIONS

    ws = open_workspace()
    try:
        ws.new_record("runbook", "KubeJobFailed", body="## Meaning\n\nA job failed.\n")
        with ws.engine.begin() as conn:
            conn.execute(text("UPDATE chunk_fts SET title = 'KubeJobFailed'"))
        assert ws.search("kube", mode="keyword") == []
        with ws.engine.begin() as conn:
            dict(MIGRATIONS)[9](conn)
        assert keys(ws.search("kube", mode="keyword")) == ["RB-0001"]
    finally:
        ws.close()


def test_vectors_are_stored_in_another_thread_while_the_next_batch_is_encoded(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from bridge.store import chunks as chunk_store
    from bridge.workspace import vectors

    monkeypatch.setattr(vectors, "STORE_BATCH", 4)
    ws = open_workspace()
    try:
        for number in range(5):
            ws.new_record("runbook", f"Runbook {number}", body=RUNBOOK.replace("Disk", f"Disk {number}"))
        events: list[tuple[str, str]] = []
        second_batch_encoding = threading.Event()
        overlapped: list[bool] = []
        real_store, real_embed = chunk_store.store_vectors, ws.dense.embedder.embed

        def waiting_store(*args: object) -> tuple[int, int]:
            events.append(("store", threading.current_thread().name))
            if not overlapped:  # the first batch's store waits for the second batch's encoding to begin
                overlapped.append(second_batch_encoding.wait(timeout=10))
            return real_store(*args)  # type: ignore[arg-type]

        def recorded_embed(texts: list[str]) -> object:
            events.append(("encode", threading.current_thread().name))
            if sum(kind == "encode" for kind, _name in events) == 2:
                second_batch_encoding.set()
            return real_embed(texts)

        monkeypatch.setattr(chunk_store, "store_vectors", waiting_store)
        monkeypatch.setattr(ws.dense.embedder, "embed", recorded_embed)
        seen: list[int] = []
        encoded, _reused = ws.dense.embed_pending(progress=lambda done, total, _stage: seen.append(done))
        stores = [name for kind, name in events if kind == "store"]
        encodes = [name for kind, name in events if kind == "encode"]
        assert encoded >= 8 and len(encodes) == len(stores) >= 3
        assert all(name.startswith("bridge-store-vectors") for name in stores)
        assert all(name == threading.current_thread().name for name in encodes)
        assert overlapped == [True], "batch 2 was encoded while batch 1 was being stored"
        assert seen == sorted(seen) and seen[-1] == ws.index_status().chunks
        assert ws.index_status().pending == 0
    finally:
        ws.close()


@pytest.mark.parametrize(("query_backend", "light"), [(None, False), ("onnx-int8", True), ("onnx-float32", True),
                                                      ("torch-float32", False)])
def test_a_warm_up_is_light_when_the_cached_decision_embeds_queries_on_onnx(
        query_backend: str | None, light: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bridge.config import DEFAULT_MODEL
    from bridge.index.calibration import BackendDecision, decision_key, write_decision

    monkeypatch.setenv("BRIDGE_MODEL_CACHE", str(tmp_path / "models"))
    if query_backend is not None:
        key = decision_key(DEFAULT_MODEL, "auto", "auto")
        key["cpu"] = "another CPU"  # an outdated decision still names the query backend
        write_decision(tmp_path / "models", DEFAULT_MODEL, BackendDecision(
            bulk=query_backend, query=query_backend, key=key, vector_model_id=DEFAULT_MODEL))
    ws = open_workspace(DEFAULT_MODEL)
    try:
        assert ws.warm_up_is_light() is light
    finally:
        ws.close()
    hashing = open_workspace()
    try:
        assert hashing.warm_up_is_light(), "no model at all is light"
    finally:
        hashing.close()


def test_answers_cite_no_copyright_or_reference_list_while_a_real_section_matches() -> None:
    with open_workspace() as ws:
        ws.new_record("decision", "Quota policy", body="## Copyright\n\nThis document on disk quotas and disk quotas "
                      "is placed in the public domain.\n\n## References\n\n1. Disk quotas, disk quotas handbook.\n")
        ws.new_record("runbook", "Raise a quota", body="## Mitigation\n\nRaise the disk quotas in the storage console.\n")

        sections = [passage.section for passage in ws.answer_context("disk quotas", mode="keyword")]
        only = [passage.section for passage in ws.answer_context("public domain", mode="keyword")]

    assert sections == ["Mitigation"], sections
    assert only == ["Copyright"], "with nothing else, the boilerplate section is still better than no answer"


def test_a_full_reindex_stopped_half_way_leaves_every_chunk_searchable(monkeypatch: pytest.MonkeyPatch) -> None:
    from bridge.store import chunks as chunk_store
    from bridge.workspace import vectors

    monkeypatch.setattr(vectors, "STORE_BATCH", 4)
    with open_workspace() as ws:
        for number in range(6):
            ws.new_record("runbook", f"Queue {number} full", body=f"## Meaning\n\nQueue {number} holds too many jobs.\n")
        ws.warm_up()
        ids, _matrix, _generation = chunk_store.load_vectors(ws.engine, ws.dense.model_id)
        embedder = ws.dense.embedder
        real_embed, batches = embedder.embed, []

        def embed_then_stop(texts):  # type: ignore[no-untyped-def]
            batches.append(len(texts))
            if len(batches) == 2:
                raise KeyboardInterrupt
            return real_embed(texts)

        monkeypatch.setattr(embedder, "embed", embed_then_stop)
        with pytest.raises(KeyboardInterrupt):
            ws.reindex(full=True)
        monkeypatch.undo()

        status = ws.index_status()
        assert status.pending == 0 and status.embedded == status.chunks == len(ids)
        assert ws.search("jobs", mode="semantic"), "semantic search still answers from every chunk"

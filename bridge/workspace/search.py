"""Search side of the workspace: chunking on save, embedding, FAISS, hybrid search, ask, eval.

Saving re-chunks at once (no model); vectors for new chunks are made lazily before the next semantic query,
in ``warm_up`` or in ``reindex``. Keyword search never touches the model, so it answers in a fresh process.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from bridge.domain import INACTIVE_STATUSES, Chunk, HealthCheck, Record, SearchHit
from bridge.errors import BridgeError
from bridge.index.fusion import (
    ChunkHit,
    RankedRecord,
    demote_inactive,
    is_boilerplate,
    relative_score_fusion,
    single_list,
    with_record_bonus,
)
from bridge.search_types import (
    SEARCH_MODES,
    Answer,
    EvalResult,
    IndexStatus,
    Passage,
    ProgressCallback,
    QueryOutcome,
    ReindexReport,
    SearchMode,
)
from bridge.store import chunks as chunk_store
from bridge.terms import without_instance_values

if TYPE_CHECKING:
    import numpy as np
    from sqlalchemy.engine import Engine

    from bridge.config import Settings
    from bridge.workspace.vectors import DenseState

CANDIDATE_RECORDS = 50
"""Records each retriever contributes to fusion (at least; more when k is larger)."""
CHUNKS_PER_RECORD = 4
"""Chunk hits fetched per wanted record, since several chunks of one record often match."""


class SearchMixin:
    """Search methods of Workspace (see docs/search.md)."""

    settings: Settings
    engine: Engine

    def __init__(self) -> None:
        self._dense: DenseState | None = None
        self._read_only: bool | None = None

    @property
    def dense(self) -> DenseState:
        """Return the dense-search state (embedder and FAISS index), created on first use."""
        if self._dense is None:
            from bridge.workspace.vectors import DenseState

            self._dense = DenseState(self.settings, self.engine)
        return self._dense

    def close_index(self) -> None:
        """Save pending index changes and drop the in-memory index and model."""
        if self._dense is not None:
            self._dense.close()
            self._dense = None

    # -- keeping chunks in step ------------------------------------------------------------------------------

    def on_records_changed(self, record_ids: list[int]) -> None:
        """Re-chunk the given records and refresh their keyword index rows (embedding is deferred).

        Workspace lists this mixin before RecordsMixin, so this overrides its no-op hook.
        """
        if record_ids:
            self._rechunk(list(record_ids))

    def catch_up(self, engine: Engine | None = None) -> tuple[int, int]:
        """Re-chunk records a crash left with missing or stale chunks and rebuild an emptied keyword index.

        Returns (records re-chunked, keyword rows rebuilt). Runs on every open, so an interrupted import or save
        is repaired by the next command (ADR-0540).
        """
        engine = engine or self.engine
        stale = chunk_store.stale_chunk_record_ids(engine)
        if stale:
            self._rechunk(stale, engine=engine)
        rebuilt = 0 if chunk_store.fts_in_step(engine) else chunk_store.rebuild_fts(engine)
        return len(stale), rebuilt

    def catch_up_quietly(self) -> None:
        """Run catch_up without waiting long for a lock or failing: another process may be mid-write.

        While another process is inside a long write (an import, a reindex, a sync: ``bulk_writing``, on SQLite or
        PostgreSQL) or holds SQLite's write lock, nothing is done: that writer chunks its own records, and
        re-chunking them here cost a reader seconds.
        """
        from bridge.errors import BridgeError
        from bridge.store.engine import bulk_writer_active, impatient, is_sqlite, sqlite_writer_active

        try:
            if bulk_writer_active(self.engine) or (is_sqlite(self.engine) and sqlite_writer_active(self.engine)):
                return
            with impatient(self.engine, 300) as quick:
                self.catch_up(quick)
        except BridgeError:
            return

    def _rechunk(self, record_ids: list[int] | None, engine: Engine | None = None) -> tuple[int, int]:
        """Re-chunk records (None: all) in batches; return (records, chunks)."""
        engine = engine or self.engine
        pairs = chunk_store.records_for_chunking(engine, record_ids)
        total_chunks = 0
        for start in range(0, len(pairs), 200):
            chunks_by_record: dict[int, tuple[str, list[Chunk]]] = {}
            versions: dict[int, int] = {}
            for record_id, record, record_chunks in _chunked(engine, pairs[start : start + 200]):
                chunks_by_record[record_id] = (record.title, record_chunks)
                versions[record_id] = record.version
                total_chunks += len(record_chunks)
            delta = chunk_store.sync_chunks(engine, chunks_by_record, versions)
            if self._dense is not None:
                self._dense.apply_chunk_delta(delta)
        return sum(1 for _record_id, record in pairs if not record.deleted), total_chunks

    # -- status ----------------------------------------------------------------------------------------------

    def index_status(self) -> IndexStatus:
        """Return chunk and vector counts, the model and the index type (never loads the model)."""
        model_id = self.dense.model_id
        chunk_count, embedded, records, dimension = chunk_store.counts(self.engine, model_id)
        loaded = self._dense is not None and self._dense.model_loaded
        index = self._dense.index_in_memory if self._dense is not None else None
        index_type = index.index_type if index is not None else self.dense.index_type(embedded)
        return IndexStatus(chunks=chunk_count, embedded=embedded, model_id=model_id,
                           model_loaded=loaded, index_type=index_type, dimension=dimension, records=records)

    def check_index(self, repair: bool = False) -> list[HealthCheck]:
        """Check the keyword index, stored vectors and FAISS file; with repair, rebuild what is out of step."""
        checks: list[HealthCheck] = [self._check_chunks(repair)]
        fts_ok = chunk_store.fts_in_step(self.engine)
        if not fts_ok and repair:
            rows = chunk_store.rebuild_fts(self.engine)
            checks.append(HealthCheck("keyword index", True, f"rebuilt from chunk text ({rows} rows)"))
        else:
            checks.append(HealthCheck("keyword index", fts_ok, "one row per chunk" if fts_ok else
                                      "out of step with the chunks: run `bridge doctor --repair`"))
        malformed = chunk_store.malformed_vector_ids(self.engine, self.settings.search.model)
        if malformed:
            if repair:
                cleared = chunk_store.clear_vector_ids(self.engine, malformed)
                checks.append(HealthCheck("vector dimensions", True, f"cleared {cleared} vectors of the wrong "
                                          "dimension or size; they are embedded again on the next semantic search"))
            else:
                checks.append(HealthCheck("vector dimensions", False, f"{len(malformed)} stored vectors have the "
                                          "wrong dimension or size: run `bridge doctor --repair`"))
        status = self.index_status()
        checks.append(HealthCheck("stored vectors", True, f"{status.embedded} of {status.chunks} chunks embedded "
                                  f"with {status.model_id}" + (" (the rest embed on the next semantic search or "
                                  "`bridge reindex`)" if status.pending else "")))
        checks.append(HealthCheck("encoder backend", True, self.dense.describe_backend()))
        loadable = self.dense.index_file_current()
        if not loadable and repair:
            index = self.dense.rebuild()
            checks.append(HealthCheck("vector index file", True, f"rebuilt from stored vectors ({len(index)} vectors)"))
        else:
            checks.append(HealthCheck("vector index file", True, "current" if loadable else
                                      "missing or stale: it is rebuilt from stored vectors on the next semantic search"))
        return checks

    def stale_chunked_records(self) -> list[int]:
        """Return ids of live records whose stored chunks differ, by content hash, from chunking their text now."""
        stored = chunk_store.stored_chunk_hashes(self.engine)
        pairs = chunk_store.records_for_chunking(self.engine)
        stale: list[int] = []
        for start in range(0, len(pairs), 200):
            for record_id, _record, record_chunks in _chunked(self.engine, pairs[start : start + 200]):
                if stored.get(record_id, []) != [chunk.hash for chunk in record_chunks]:
                    stale.append(record_id)
        return stale

    def _check_chunks(self, repair: bool) -> HealthCheck:
        """Check that every record's chunks hold its current text; with repair, re-chunk those that do not."""
        stale = self.stale_chunked_records() + chunk_store.stale_chunk_record_ids(self.engine)
        if not stale:
            return HealthCheck("search chunks", True, "every record's chunks match its current text")
        if repair:
            self._rechunk(sorted(set(stale)))
            return HealthCheck("search chunks", True, f"re-chunked {len(set(stale))} records whose chunks were "
                               "missing or stale")
        return HealthCheck("search chunks", False, f"{len(set(stale))} records have missing or stale chunks: run "
                           "`bridge doctor --repair`")

    def store_read_only(self) -> bool:
        """Return whether this process may not write the store (a SQLite file in a folder it cannot write)."""
        if self._read_only is None:
            from bridge.store.engine import read_only

            self._read_only = read_only(self.engine)
        return self._read_only

    def read_only_search_mode(self, mode: SearchMode,
                              status: IndexStatus | None = None) -> tuple[SearchMode, str] | None:
        """Return ("keyword", a note) when chunks wait for vectors this process cannot store, else None.

        None when the store is writable or nothing waits (callers embed as usual). A read-only store never embeds:
        fusing the stored vectors with sections that have none would rank those below any embedded section, so
        the answer is keyword results, as when a large backlog waits (INLINE_EMBED_LIMIT).
        """
        if mode == "keyword" or not self.store_read_only():
            return None
        status = status or self.index_status()
        if status.pending == 0:
            return None
        return "keyword", (f"this data folder is read-only, so {status.pending} of {status.chunks} sections without "
                           "vectors cannot be embedded here: these are keyword results (`bridge reindex` where the "
                           "folder is writable embeds them)")

    def warm_up_is_light(self) -> bool:
        """Return whether a warm-up would load no torch (queries on ONNX): it can start before results are painted."""
        return self.dense.queries_without_torch()

    def semantic_ready(self) -> bool:
        """Return whether a semantic query would answer at once: model loaded and every chunk embedded."""
        if self._dense is None or not self._dense.model_loaded:
            return False
        if self._dense.known_complete():
            return True
        return self.index_status().pending == 0

    def warm_up(self, progress: ProgressCallback | None = None) -> None:
        """Load the model, embed pending chunks and load or build the FAISS index (blocking; call in a worker).

        On a read-only store with chunks waiting for vectors it does nothing: searches answer with keyword results.
        """
        if self.read_only_search_mode("hybrid") is not None:
            return
        dense = self.dense
        if progress is not None:
            progress(0, 1, "loading model")
        dense.load_query_side()
        dense.embed_pending(progress)
        dense.ensure_index()
        dense.save_if_dirty()
        if progress is not None:
            progress(1, 1, "ready")

    def reindex(self, *, full: bool = False, progress: ProgressCallback | None = None) -> ReindexReport:
        """Re-chunk every record, embed what changed (everything when full) and rebuild the FAISS index."""
        from bridge.store.engine import bulk_writing

        with bulk_writing(self.engine):
            return self._reindex(full=full, progress=progress)

    def _reindex(self, *, full: bool, progress: ProgressCallback | None) -> ReindexReport:
        """Do ``reindex``'s work (inside its bulk-writing mark)."""
        started = time.perf_counter()
        if progress is not None:
            progress(0, 1, "chunking")
        records, chunk_count = self._rechunk(None)
        if full or not chunk_store.fts_in_step(self.engine):
            chunk_store.rebuild_fts(self.engine)
        embedding = time.perf_counter()
        embedded, reused = self.dense.embed_pending(progress, everything=full)  # full: replaced, never cleared first
        embed_seconds = time.perf_counter() - embedding
        index = self.dense.rebuild()
        embedder = self.dense.embedder
        return ReindexReport(records=records, chunks=chunk_count, embedded=embedded, reused=reused,
                             index_type=index.index_type, seconds=time.perf_counter() - started,
                             model_id=self.dense.model_id, backend=embedder.backend if embedded else "",
                             embed_seconds=embed_seconds, calibration_seconds=self.dense.timings.choose_seconds,
                             encode_seconds=self.dense.timings.encode_seconds if embedded else 0.0)

    def record_sections(self, key: str) -> list[Chunk]:
        """Return a record's chunks in body order; raises RecordNotFound."""
        return chunk_store.record_chunks(self.engine, key)

    # -- search ----------------------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        kind: str | None = None,
        status: str | None = None,
        topic: str | None = None,
        owner: str | None = None,
        author: str | None = None,
        mode: SearchMode = "hybrid",
    ) -> list[SearchHit]:
        """Return up to k records best matching query, each with its best section and a snippet."""
        filters = chunk_store.RecordFilters(kind=kind, status=status, topic=topic, owner=owner, author=author)
        ranked = self._rank(query, k=k, mode=mode, filters=filters)
        hits = self._hits(ranked[:k], query)
        self.on_search(query, mode, hits)
        return hits

    def on_search(self, query: str, mode: str, hits: list[SearchHit]) -> None:
        """Hook called after every search; the usage mixin overrides it to record the search."""

    def _rank(self, query: str, *, k: int, mode: SearchMode, filters: chunk_store.RecordFilters) -> list[RankedRecord]:
        """Return fused, status-aware record ranking for query."""
        if mode not in SEARCH_MODES:
            raise BridgeError(f"unknown search mode '{mode}': use one of {', '.join(SEARCH_MODES)}")
        if not query or not query.strip() or k <= 0:
            return []
        query = without_instance_values(query)
        wanted_records = max(CANDIDATE_RECORDS, k * 2)
        chunk_limit = wanted_records * CHUNKS_PER_RECORD
        keyword_hits: list[ChunkHit] = []
        dense_hits: list[ChunkHit] = []
        if mode in ("keyword", "hybrid"):
            keyword_hits = self._keyword_hits(query, chunk_limit, filters)
        if mode in ("semantic", "hybrid"):
            dense_hits = self._dense_search(query, chunk_limit, filters)
        if mode == "keyword":
            ranked = single_list(keyword_hits, keyword=True)
        elif mode == "semantic":
            ranked = single_list(dense_hits, keyword=False)
        else:
            ranked = relative_score_fusion(keyword_hits, dense_hits)
        return self._status_aware(ranked)

    def _keyword_hits(self, query: str, limit: int, filters: chunk_store.RecordFilters) -> list[ChunkHit]:
        """Return keyword hits; when there are none and the keyword index lost rows, rebuild it and ask again."""
        rows = chunk_store.keyword_search(self.engine, query, limit, filters)
        if not rows and not chunk_store.fts_in_step(self.engine):
            chunk_store.rebuild_fts(self.engine)
            rows = chunk_store.keyword_search(self.engine, query, limit, filters)
        return [ChunkHit(chunk_id, record_id, score) for chunk_id, record_id, score in rows]

    def _dense_search(self, query: str, limit: int, filters: chunk_store.RecordFilters) -> list[ChunkHit]:
        """Return chunk hits by vector similarity, embedding pending chunks first (unless the store is read-only)."""
        dense = self.dense
        if not self.store_read_only():
            dense.ensure_embedded()
        index = dense.ensure_index()
        if len(index) == 0:
            return []
        query_vector = dense.embed_query(query)
        allowed = chunk_store.allowed_record_ids(self.engine, filters) if filters.active else None
        fetch = limit
        while True:
            found = index.search(query_vector, fetch)
            record_of = chunk_store.chunk_records(self.engine, [chunk_id for chunk_id, _score in found])
            hits = [ChunkHit(chunk_id, record_of[chunk_id], score) for chunk_id, score in found
                    if chunk_id in record_of and (allowed is None or record_of[chunk_id] in allowed)]
            if len(hits) >= limit or fetch >= len(index) or allowed is not None and not allowed:
                return with_record_bonus(hits[:limit], self._title_similarity(query_vector, hits[:limit]))
            fetch = min(len(index), fetch * 4)

    def _title_similarity(self, query_vector: np.ndarray, hits: list[ChunkHit]) -> dict[int, float]:
        """Return record id → cosine of the query with the record's title in words (``Kube Node Not Ready``).

        Titles often name the whole record (an alert, a decision) in a few words that a long chunk dilutes.
        """
        from bridge.terms import readable

        infos = chunk_store.record_infos(self.engine, {hit.record_id for hit in hits})
        record_ids = [record_id for record_id, info in infos.items() if info.title.strip()]
        vectors = self.dense.title_vectors([readable(infos[record_id].title) for record_id in record_ids])
        return {record_id: float(vector @ query_vector) for record_id, vector in zip(record_ids, vectors, strict=True)}

    def _status_aware(self, ranked: list[RankedRecord]) -> list[RankedRecord]:
        """Rank superseded, deprecated, retired and rejected records below current ones and their successors."""
        if not ranked:
            return ranked
        infos = chunk_store.record_infos(self.engine, [entry.record_id for entry in ranked])
        inactive = {record_id for record_id, info in infos.items() if info.status in INACTIVE_STATUSES}
        if not inactive:
            return ranked
        id_by_key = {info.key.upper(): record_id for record_id, info in infos.items()}
        successors = {
            record_id: [id_by_key[key.upper()] for key in infos[record_id].superseded_by if key.upper() in id_by_key]
            for record_id in inactive
        }
        return demote_inactive(ranked, inactive, successors)

    def _hits(self, ranked: list[RankedRecord], query: str) -> list[SearchHit]:
        """Turn ranked records into SearchHits with section and snippet."""
        from bridge.index.snippets import make_snippet

        infos = chunk_store.record_infos(self.engine, [entry.record_id for entry in ranked])
        stored = chunk_store.stored_chunks(self.engine, [entry.chunk_id for entry in ranked])
        hits: list[SearchHit] = []
        for entry in ranked:
            info = infos.get(entry.record_id)
            if info is None:
                continue
            chunk = stored.get(entry.chunk_id)
            hits.append(SearchHit(
                key=info.key, title=info.title, kind=info.kind, status=info.status, score=entry.score,
                section=" › ".join(chunk.heading_path) if chunk else "",
                snippet=make_snippet(chunk.text, query) if chunk else "", source_path=info.source_path,
                superseded_by=list(info.superseded_by), topics=list(info.topics),
            ))
        return hits

    # -- answers ---------------------------------------------------------------------------------------------

    def answer_context(self, question: str, *, max_tokens: int = 2000, k: int = 8,
                       mode: SearchMode = "hybrid") -> list[Passage]:
        """Return the best sections for question, each cited, fitted to a word-piece budget (for MCP)."""
        from bridge.ingest.chunking import estimate_tokens

        filters = chunk_store.RecordFilters()
        candidates = self._rank(question, k=k * 2, mode=mode, filters=filters)[: k * 2]
        headings = chunk_store.section_headings(self.engine, [entry.chunk_id for entry in candidates])
        useful = [entry for entry in candidates if not is_boilerplate(headings.get(entry.chunk_id, ""))]
        ranked = (useful or candidates)[:k]  # a copyright notice or a list of references answers nothing
        infos = chunk_store.record_infos(self.engine, [entry.record_id for entry in ranked])
        stored = chunk_store.stored_chunks(self.engine, [entry.chunk_id for entry in ranked])
        passages: list[Passage] = []
        budget = max_tokens
        for entry in ranked:
            info, chunk = infos.get(entry.record_id), stored.get(entry.chunk_id)
            if info is None or chunk is None:
                continue
            cost = estimate_tokens(chunk.text) + 12
            passage_text = chunk.text
            if cost > budget:
                if passages or budget < 40:
                    break
                passage_text = _cut_to_budget(chunk.text, budget - 12)
                cost = budget
            passages.append(Passage(
                key=info.key, title=info.title, section=" › ".join(chunk.heading_path), text=passage_text,
                score=entry.score, kind=info.kind, status=info.status, source_path=info.source_path,
                superseded_by=list(info.superseded_by),
            ))
            budget -= cost
        return passages

    def ask(self, question: str, *, k: int = 5, mode: SearchMode = "hybrid") -> Answer:
        """Answer question from the top k passages with citations (generated when an LLM endpoint is set)."""
        from bridge.answer import answer

        passages = self.answer_context(question, max_tokens=1500, k=k, mode=mode)
        return answer(question, passages, self.settings.llm)

    # -- evaluation ------------------------------------------------------------------------------------------

    def evaluate(self, queries: Path, *, mode: SearchMode = "hybrid", k: int = 10) -> EvalResult:
        """Run a labelled query set and return recall@1/5/10, MRR@10 and nDCG@10 of the current index."""
        from bridge.index import evaluation

        labelled = evaluation.read_queries(queries)
        depth = max(k, 10)
        totals = {"r1": 0.0, "r5": 0.0, "r10": 0.0, "mrr": 0.0, "ndcg": 0.0}
        outcomes: list[QueryOutcome] = []
        for item in labelled:  # searched without the usage hook: a test set is not what people asked
            hits = self._hits(self._rank(item.query, k=depth, mode=mode, filters=chunk_store.RecordFilters())[:depth],
                              item.query)
            paths = [hit.source_path for hit in hits]
            flags = evaluation.relevance_flags(paths, item.relevant)
            relevant_count = len(item.relevant)
            totals["r1"] += evaluation.recall_at(flags, relevant_count, 1)
            totals["r5"] += evaluation.recall_at(flags, relevant_count, 5)
            totals["r10"] += evaluation.recall_at(flags, relevant_count, 10)
            totals["mrr"] += evaluation.reciprocal_rank(flags, 10)
            totals["ndcg"] += evaluation.ndcg_at(flags, relevant_count, 10)
            first = next((rank for rank, flag in enumerate(flags, start=1) if flag), None)
            outcomes.append(QueryOutcome(item.qid, item.query, first, paths[:3]))
        count = len(labelled)
        from bridge.store.records import list_records

        known = [record.source_path for record in list_records(self.engine) if record.source_path]
        wanted = sorted({path for item in labelled for path in item.relevant})
        unknown = [path for path in wanted if not any(evaluation.path_matches(have, path) for have in known)]
        return EvalResult(
            queries=count, recall_at_1=totals["r1"] / count, recall_at_5=totals["r5"] / count,
            recall_at_10=totals["r10"] / count, mrr_at_10=totals["mrr"] / count, ndcg_at_10=totals["ndcg"] / count,
            mode=mode, outcomes=outcomes, labelled_paths=len(wanted), unknown_paths=unknown,
        )


def _cut_to_budget(text: str, budget: int) -> str:
    """Return the leading words of text that fit in budget word pieces, marked as cut."""
    from bridge.ingest.chunking import estimate_tokens

    words = text.split(" ")
    kept: list[str] = []
    used = 0
    for word in words:
        used += estimate_tokens(word)
        if used > budget:
            break
        kept.append(word)
    return " ".join(kept) + " …"


def _chunked(engine: Engine, pairs: list[tuple[int, Record]]) -> list[tuple[int, Record, list[Chunk]]]:
    """Return each record with the chunks it should have: its sections, plus the alerting rules linked to it."""
    from bridge.alerts.searchable import alert_chunks
    from bridge.ingest.chunking import chunk_record
    from bridge.store.alerts import linked_alert_texts

    linked_alerts = linked_alert_texts(engine, [record_id for record_id, _ in pairs])
    chunked: list[tuple[int, Record, list[Chunk]]] = []
    for record_id, record in pairs:
        record_chunks = [] if record.deleted else chunk_record(record)
        if record_chunks and record_id in linked_alerts:
            record_chunks += alert_chunks(record.key, record.title, linked_alerts[record_id], len(record_chunks))
        chunked.append((record_id, record, record_chunks))
    return chunked

"""The dense side of a workspace: the embedder, pending embeddings and the FAISS index kept in step with the store.

The database holds the vectors; the FAISS file in ``paths.index_dir()`` is a cache rebuilt from them (without
the model) whenever it is missing, corrupt, for another model, or out of step with the store's chunk generation.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bridge.errors import SearchIndexError
from bridge.index.heap import release_freed_memory
from bridge.store import chunks as chunk_store

if TYPE_CHECKING:
    import numpy as np
    from sqlalchemy.engine import Engine

    from bridge.config import Settings
    from bridge.index.embedder import Embedder
    from bridge.index.vector_index import VectorIndex
    from bridge.search_types import ProgressCallback

STORE_BATCH = 128
"""Vectors written to the database per transaction while embedding: an interruption loses a few seconds at most."""


@dataclass
class EmbedTimings:
    """Where the last embedding run's time went: choosing the backend (a calibration, at most) and the encoder."""

    choose_seconds: float = 0.0
    encode_seconds: float = 0.0


class DenseState:
    """Owns the embedder and the in-memory FAISS index of one workspace, guarded by a lock for worker threads."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self._embedder: Embedder | None = None
        self._embedder_settings: tuple[object, ...] = ()
        self._index: VectorIndex | None = None
        self._index_generation: int | None = None
        self._dirty = False
        self._invalidated = False
        """Set by a save that found the lock busy: the in-memory index may hold vectors of changed chunks."""
        self._complete_generation: int | None = None
        """Store generation at which every chunk was known to have a vector for the model."""
        self._lock = threading.RLock()
        self.timings = EmbedTimings()
        """Timings of the last ``embed_pending`` (reported by reindex)."""
        self._store_id: str | None = None
        self._title_cache: dict[str, dict[str, np.ndarray]] = {}
        """Title vectors by model id and title text (titles are short: a few thousand fit in a few MB)."""

    # -- model -----------------------------------------------------------------------------------------------

    @property
    def model_id(self) -> str:
        """Return the id stored with this workspace's vectors: the model, plus ``@int8`` when int8 encodes them.

        Before the embedder exists this reads the cached backend decision (a small file), creating nothing. Unless the
        search settings changed, it does not wait for the lock, which an embedding run holds for its whole backlog: a
        search asking for the index status (MCP during another process's import) waited minutes for the backlog.
        """
        search = self.settings.search
        embedder = self._embedder
        if embedder is not None and self._embedder_settings == (search.model, search.backend, search.precision,
                                                                 search.batch_size):
            return embedder.model_id
        if embedder is not None:
            return self.embedder.model_id
        from bridge.index.embedder import cached_vector_model_id

        return cached_vector_model_id(search.model, backend=search.backend, precision=search.precision)

    @property
    def embedder(self) -> Embedder:
        """Return the embedder for the configured model (created on first use, measured and loaded on first embed)."""
        search = self.settings.search
        wanted = (search.model, search.backend, search.precision, search.batch_size)
        with self._lock:
            if self._embedder is None or self._embedder_settings != wanted:
                from bridge.index.embedder import make_embedder

                self._embedder = make_embedder(search.model, batch_size=search.batch_size, precision=search.precision,
                                               backend=search.backend)
                self._embedder_settings = wanted
            return self._embedder

    @property
    def model_loaded(self) -> bool:
        """Return whether a query would embed without loading a model."""
        return self._embedder is not None and self._embedder.query_ready and self._embedder_settings[0] == (
            self.settings.search.model)

    def describe_backend(self) -> str:
        """Return the chosen encoder backends, why (the calibration figures) and the cache path (never measures)."""
        search = self.settings.search
        from bridge.index.embedder import HASHING_MODEL_PREFIX

        if search.model.startswith(HASHING_MODEL_PREFIX):
            return f"{search.model}: hashed word counts, no model"
        from bridge.index.calibration import decision_path, read_decision
        from bridge.paths import model_cache_dir

        cache = model_cache_dir()
        decision = read_decision(cache, search.model, search.backend, search.precision)
        path = decision_path(cache, search.model, search.backend, search.precision)
        if decision is None:
            outdated = read_decision(cache, search.model, search.backend, search.precision, outdated_ok=True)
            if outdated is not None:
                return (f"measured for another CPU or library versions ({outdated.key.get('cpu', '?')}): queries use "
                        f"{outdated.query} until the next `bridge reindex` measures again (cache {path})")
            return (f"not chosen yet for this CPU, model and libraries: measured on the first semantic search or "
                    f"`bridge reindex` (cache {path})")
        how = (f"measured on {decision.key.get('cpu', '?')} in {decision.seconds:.1f} s" if decision.measured
               else "forced by settings")
        lines = [f"{decision.bulk} for indexing, {decision.query} for queries ({how}; vectors as "
                 f"{decision.vector_model_id}; cache {path})"]
        lines += [f"    {line}" for line in decision.summary().splitlines()]
        lines += [f"    {note}" for note in decision.notes if " skipped: " not in note]
        return "\n".join(lines)

    def queries_without_torch(self) -> bool:
        """Return whether the cached backend decision embeds queries without torch (ONNX, or no model at all)."""
        search = self.settings.search
        from bridge.index.embedder import HASHING_MODEL_PREFIX

        if search.model.startswith(HASHING_MODEL_PREFIX):
            return True
        from bridge.index.calibration import read_decision
        from bridge.paths import model_cache_dir

        decision = read_decision(model_cache_dir(), search.model, search.backend, search.precision, outdated_ok=True)
        return decision is not None and decision.query.startswith("onnx")

    def embed_query(self, query: str) -> np.ndarray:
        """Return the query's unit vector (long text is cut; the model reads its window of word pieces at most)."""
        return self.embedder.embed_query(query[:4000])

    def title_vectors(self, titles: list[str]) -> np.ndarray:
        """Return unit vectors of record titles from the query encoder (short texts), each title embedded once."""
        import numpy as np

        with self._lock:
            cache = self._title_cache.setdefault(self.model_id, {})
            for title in titles:
                if title not in cache:
                    cache[title] = self.embedder.embed_query(title)
            if not titles:
                return np.zeros((0, 0), dtype=np.float32)
            return np.stack([cache[title] for title in titles])

    # -- embedding pending chunks ----------------------------------------------------------------------------

    def known_complete(self) -> bool:
        """Return whether every chunk is known to have a vector and nothing changed since (one tiny query)."""
        return self._complete_generation is not None and self._complete_generation == chunk_store.generation(self.engine)

    def ensure_embedded(self) -> None:
        """Embed pending chunks unless nothing changed since every chunk was last known embedded (one tiny query)."""
        if self.known_complete():
            return
        self.embed_pending()

    def embed_pending(self, progress: ProgressCallback | None = None, *, everything: bool = False) -> tuple[int, int]:
        """Embed every chunk without a vector for the current model; return (texts encoded, vectors reused).

        A text shared by several pending chunks is encoded once (counted as encoded once, reused for the rest).
        With everything, every live chunk is embedded again, each vector replaced as its batch is stored: a run
        stopped half-way leaves the rest with their earlier vectors, searchable as before.
        """
        with self._lock:
            try:
                return self._embed_pending_locked(progress, everything)
            finally:
                release_freed_memory()  # what the encoder kept between batches goes back to the system

    def _embed_pending_locked(self, progress: ProgressCallback | None, everything: bool = False) -> tuple[int, int]:
        """Embed the pending chunks while holding the embedding lock (``embed_pending``'s work)."""
        # The backend decides the vectors' model id (int8 has its own): settle it before asking what is pending.
        choosing = time.perf_counter()
        self.embedder.choose_backend()
        self.timings = EmbedTimings(choose_seconds=time.perf_counter() - choosing)
        if everything:
            self._index, self._index_generation = None, None  # replaced vectors are not added twice; rebuilt after
        pending = chunk_store.pending_chunks(self.engine, self.model_id, everything=everything)
        copied = 0
        if pending and not everything:
            copied, before, copied_after = chunk_store.copy_identical_vectors(self.engine, self.model_id)
            if copied:
                self._after_store(before, copied_after, None)
                pending = chunk_store.pending_chunks(self.engine, self.model_id)
        if not pending:
            self._complete_generation = chunk_store.generation(self.engine)
            return 0, copied
        # Longest first across the whole backlog, so every model batch holds texts of similar length.
        pending.sort(key=lambda item: len(item[1]), reverse=True)
        embedder = self.embedder
        model_id = self.model_id
        total = len(pending)
        if progress is not None:
            progress(0, total, "embedding")
        after: int | None = None
        # One thread stores batch n (database, FAISS) while this one encodes batch n + 1; leaving the block
        # waits for the last store, so an interruption keeps every batch already encoded.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bridge-store-vectors") as storer:
            storing: Future[int] | None = None
            for start in range(0, total, STORE_BATCH):
                batch = pending[start : start + STORE_BATCH]
                encoding = time.perf_counter()
                vectors = embedder.embed([text for _chunk_id, text in batch])
                self.timings.encode_seconds += time.perf_counter() - encoding
                if storing is not None:
                    after = storing.result()
                    if progress is not None:
                        progress(start, total, "embedding")
                storing = storer.submit(self._store_batch, model_id, [chunk_id for chunk_id, _text in batch], vectors)
            if storing is not None:
                after = storing.result()
                if progress is not None:
                    progress(total, total, "embedding")
        current = chunk_store.generation(self.engine)
        if current == after or not chunk_store.pending_chunks(self.engine, self.model_id):
            self._complete_generation = current
        distinct = len({text for _chunk_id, text in pending})
        return distinct, copied + total - distinct

    def _store_batch(self, model_id: str, chunk_ids: list[int], vectors: np.ndarray) -> int:
        """Store one batch of vectors, add them to the in-memory index, and return the store's new generation.

        Runs in the storing thread while the embedding thread holds the lock: it must not take it (no
        ``self.model_id``, no ``self.embedder``).
        """
        before, after = chunk_store.store_vectors(self.engine, model_id, chunk_ids, vectors)
        self._after_store(before, after, (chunk_ids, vectors))
        return after

    def _after_store(self, before: int, after: int, added: tuple[list[int], np.ndarray] | None) -> None:
        """Add newly stored vectors to the in-memory index when it was current, else drop it for a rebuild."""
        if self._index is None:
            return
        if self._index_generation != before or added is None:
            self._index, self._index_generation = None, None
            return
        import numpy as np

        chunk_ids, vectors = added
        if vectors.shape[1] != self._index.dimension:
            self._index, self._index_generation = None, None
            return
        self._index.add(np.asarray(chunk_ids, dtype=np.int64), vectors)
        self._index_generation = after
        self._dirty = True

    def apply_chunk_delta(self, delta: chunk_store.ChunkDelta) -> None:
        """Drop the vectors of removed or changed chunks from the in-memory index (or the index, if it was stale).

        A save never waits for a warm-up running in another thread: when the lock is busy the index is marked
        invalid and rebuilt from the store on its next use.
        """
        if not self._lock.acquire(blocking=False):
            self._invalidated = True
            return
        try:
            if self._index is None:
                return
            if self._index_generation != delta.generation_before:
                self._index, self._index_generation = None, None
                return
            self._index.remove(delta.removed_chunk_ids)
            self._index_generation = delta.generation_after
            self._dirty = True
        finally:
            self._lock.release()

    # -- the FAISS index -------------------------------------------------------------------------------------

    def index_path(self) -> Path:
        """Return the FAISS file for the configured model and this store (two stores used from one home keep two)."""
        from bridge.paths import index_dir

        store = self.store_id()
        return index_dir() / (f"chunks-{self._safe_model()}-{store[:12]}.faiss" if store else self._unnamed_file())

    def _safe_model(self) -> str:
        """Return the model id as a file-name part."""
        return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in self.model_id)[-80:]

    def _unnamed_file(self) -> str:
        """Return the file name used before stores had ids (and still by an unnamed read-only store)."""
        return f"chunks-{self._safe_model()}.faiss"

    def _remove_unnamed_file(self, path: Path) -> None:
        """Delete the file this store used before it had an id, once its own file is written."""
        from bridge.index.vector_index import meta_path

        unnamed = path.with_name(self._unnamed_file())
        if unnamed != path:
            unnamed.unlink(missing_ok=True)
            meta_path(unnamed).unlink(missing_ok=True)

    def store_id(self) -> str:
        """Return the store's random id, read once ("" for a read-only store made before stores had one)."""
        if self._store_id is None:
            self._store_id = chunk_store.store_identity(self.engine)
        return self._store_id

    def index_type(self, vector_count: int) -> str:
        """Return the index type the settings choose for a collection of vector_count."""
        from bridge.index.vector_index import choose_index_type

        return choose_index_type(self.settings.search.index_type, vector_count, self.settings.search.ann_threshold)

    def ensure_index(self) -> VectorIndex:
        """Return an index current with the store: in memory, else from the file, else rebuilt from stored vectors."""
        with self._lock:
            if self._invalidated:
                self._index, self._index_generation, self._invalidated = None, None, False
            current = chunk_store.generation(self.engine)
            if self._index is not None and self._index_generation == current:
                if self._index.needs_compaction:
                    return self.rebuild()
                return self._index
            loaded = self._load_file(current)
            if loaded is not None:
                self._index, self._index_generation, self._dirty = loaded, current, False
                return loaded
            return self.rebuild()

    def _load_file(self, current_generation: int) -> VectorIndex | None:
        """Return the saved index when its metadata matches the store and model, else None."""
        from bridge.index.vector_index import VectorIndex, meta_path

        path = self.index_path()
        if not path.exists() or not meta_path(path).exists():
            return None
        try:
            index, meta = VectorIndex.load(path)
        except SearchIndexError:
            return None
        if meta.model_id != self.model_id or meta.generation != current_generation:
            return None
        if meta.store_id != self.store_id():
            return None  # another store's file at the same generation: a switched database or a new bridge.db
        return index

    def index_file_current(self) -> bool:
        """Return whether the saved FAISS file loads and matches the store's generation and model."""
        return self._load_file(chunk_store.generation(self.engine)) is not None

    def rebuild(self) -> VectorIndex:
        """Build the index from the vectors stored for the current model (no model needed) and save it."""
        from bridge.index.vector_index import IndexMeta, VectorIndex

        with self._lock:
            ids, matrix, current = chunk_store.load_vectors(self.engine, self.model_id)
            dimension = int(matrix.shape[1]) if len(ids) else (self._known_dimension() or 1)
            index_type = self.index_type(len(ids))
            index = VectorIndex(dimension, index_type)  # type: ignore[arg-type]
            index.add(ids, matrix)
            index.save(self.index_path(), IndexMeta(self.model_id, dimension, len(ids), current, index_type,
                                                    self.store_id()))
            self._remove_unnamed_file(self.index_path())
            self._index, self._index_generation, self._dirty = index, current, False
            return index

    def _known_dimension(self) -> int | None:
        """Return the model's dimension only when the model is already loaded (never loads it)."""
        return self._embedder.dimension if self.model_loaded and self._embedder is not None else None

    def load_query_side(self) -> None:
        """Load what embedding a query needs (an ONNX session when ONNX answers queries: no torch)."""
        self.embedder.load_query_side()

    def save_if_dirty(self) -> None:
        """Write the in-memory index to its file when incremental changes are not saved yet."""
        from bridge.index.vector_index import IndexMeta

        with self._lock:
            if not self._dirty or self._index is None or self._index_generation is None:
                return
            if self._index.removed_ids:
                self.rebuild()
                return
            index = self._index
            index.save(self.index_path(), IndexMeta(self.model_id, index.dimension, len(index),
                                                    self._index_generation, index.index_type, self.store_id()))
            self._dirty = False

    @property
    def index_in_memory(self) -> VectorIndex | None:
        """Return the loaded index, if any."""
        return self._index

    def close(self) -> None:
        """Save pending index changes and drop the index and model."""
        try:
            self.save_if_dirty()
        finally:
            self._index, self._index_generation, self._embedder = None, None, None
            self._embedder_settings = ()

"""FAISS inner-product index over unit vectors, keyed by chunk id, saved atomically with its metadata.

The index is derived data: the metadata (model id, dimension, vector count, store id and generation) lets the
workspace tell a stale, corrupt or missing file and rebuild it from the vectors stored in the database.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from bridge.errors import SearchIndexError

if TYPE_CHECKING:
    import numpy as np

IndexType = Literal["flat", "hnsw"]
"""Exact inner product, or the approximate HNSW graph."""

HNSW_NEIGHBOURS = 32
"""Graph degree M of the HNSW index."""
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 96
"""Candidates explored per query; recall@10 above 0.98 on MiniLM-like vectors at 1M."""


@dataclass
class IndexMeta:
    """What an index file was built from; compared with the store to decide whether it is current."""

    model_id: str
    dimension: int
    count: int
    generation: int
    index_type: str
    store_id: str = ""
    """The store's random id: two stores reach the same generation, so the generation alone does not name one."""


def choose_index_type(setting: str, vector_count: int, threshold: int) -> IndexType:
    """Return the index type for a setting (``auto`` picks HNSW above the threshold)."""
    if setting in ("flat", "hnsw"):
        return setting  # type: ignore[return-value]
    return "hnsw" if vector_count > threshold else "flat"


class VectorIndex:
    """A FAISS index of (chunk id → unit vector) supporting search, add and remove."""

    def __init__(self, dimension: int, index_type: IndexType = "flat") -> None:
        # Heavy import deferred: faiss loads a large native library.
        import faiss

        self.dimension = dimension
        self.index_type: IndexType = index_type
        self.removed_ids: set[int] = set()
        """Ids removed from an HNSW index, which cannot delete; filtered out of results until a rebuild."""
        inner: Any
        if index_type == "hnsw":
            inner = faiss.IndexHNSWFlat(dimension, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
            inner.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            inner.hnsw.efSearch = HNSW_EF_SEARCH
        else:
            inner = faiss.IndexFlatIP(dimension)
        self._index = faiss.IndexIDMap2(inner)

    @classmethod
    def build(cls, ids: np.ndarray, vectors: np.ndarray, index_type: IndexType = "flat") -> VectorIndex:
        """Return an index holding vectors under ids."""
        index = cls(int(vectors.shape[1]) if vectors.ndim == 2 and vectors.shape[1] else 1, index_type)
        index.add(ids, vectors)
        return index

    def __len__(self) -> int:
        return int(self._index.ntotal) - len(self.removed_ids)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors under ids (replacing nothing: remove old ids first)."""
        import numpy as np

        if len(ids) == 0:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape[1] != self.dimension:
            raise SearchIndexError(f"vector dimension {vectors.shape[1]} does not match the index's {self.dimension}")
        id_array = np.ascontiguousarray(ids, dtype=np.int64)
        self.removed_ids.difference_update(int(chunk_id) for chunk_id in id_array)
        self._index.add_with_ids(vectors, id_array)

    def remove(self, ids: list[int]) -> None:
        """Remove ids: deleted from a flat index, masked in an HNSW index."""
        import numpy as np

        if not ids:
            return
        if self.index_type == "flat":
            self._index.remove_ids(np.asarray(ids, dtype=np.int64))  # type: ignore[arg-type]  # numpy overload of the SWIG wrapper
        else:
            self.removed_ids.update(ids)

    @property
    def needs_compaction(self) -> bool:
        """Return whether so many ids are masked that the index should be rebuilt."""
        return len(self.removed_ids) > max(1000, int(self._index.ntotal) // 10)

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Return up to k (chunk id, inner product) pairs, best first."""
        import numpy as np

        if self._index.ntotal == 0 or k <= 0:
            return []
        query_matrix = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        fetch = min(int(self._index.ntotal), k + len(self.removed_ids))
        scores, ids = self._index.search(query_matrix, fetch)
        hits = [
            (int(chunk_id), float(score))
            for chunk_id, score in zip(ids[0], scores[0], strict=True)
            if chunk_id != -1 and int(chunk_id) not in self.removed_ids
        ]
        return hits[:k]

    def save(self, path: Path, meta: IndexMeta) -> None:
        """Write the index and its metadata atomically (tmp files, then os.replace; metadata last)."""
        import faiss

        path.parent.mkdir(parents=True, exist_ok=True)
        if self.removed_ids:
            raise SearchIndexError("an index with masked ids must be rebuilt before it is saved")
        tmp_index = path.with_name(path.name + ".tmp")
        tmp_meta = meta_path(path).with_name(meta_path(path).name + ".tmp")
        faiss.write_index(self._index, str(tmp_index))
        tmp_meta.write_text(json.dumps(asdict(meta)), encoding="utf-8")
        os.replace(tmp_index, path)
        os.replace(tmp_meta, meta_path(path))

    @classmethod
    def load(cls, path: Path) -> tuple[VectorIndex, IndexMeta]:
        """Read an index file and its metadata; raises SearchIndexError when either is missing or corrupt."""
        import faiss

        try:
            meta = IndexMeta(**json.loads(meta_path(path).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError) as exc:
            raise SearchIndexError(f"index metadata {meta_path(path)} is missing or unreadable: {exc}") from exc
        try:
            raw = faiss.read_index(str(path))
        except (RuntimeError, OSError) as exc:
            raise SearchIndexError(f"index file {path} is missing or corrupt: {exc}") from exc
        if raw.d != meta.dimension or raw.ntotal != meta.count:
            raise SearchIndexError(
                f"index file {path} holds {raw.ntotal} vectors of dimension {raw.d}, "
                f"its metadata says {meta.count} of dimension {meta.dimension}"
            )
        index = cls.__new__(cls)
        index.dimension = meta.dimension
        index.index_type = "hnsw" if meta.index_type == "hnsw" else "flat"
        index.removed_ids = set()
        index._index = raw  # type: ignore[assignment]  # read_index returns the IndexIDMap2 that was written
        if index.index_type == "hnsw":
            faiss.downcast_index(raw.index).hnsw.efSearch = HNSW_EF_SEARCH  # type: ignore[attr-defined]
        return index, meta


def meta_path(index_path: Path) -> Path:
    """Return the metadata file beside an index file."""
    return index_path.with_name(index_path.name + ".json")

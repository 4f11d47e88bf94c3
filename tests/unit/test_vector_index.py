"""FAISS vector index: exact and HNSW search, removal, atomic save with metadata, corrupt files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bridge.errors import SearchIndexError
from bridge.index.vector_index import IndexMeta, VectorIndex, choose_index_type, meta_path


def unit_vectors(count: int, dimension: int = 32, seed: int = 0) -> np.ndarray:
    """Return count random unit vectors."""
    matrix = np.random.default_rng(seed).normal(size=(count, dimension)).astype(np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


@pytest.mark.parametrize("index_type", ["flat", "hnsw"])
def test_search_finds_the_exact_nearest_neighbours(index_type: str) -> None:
    vectors = unit_vectors(500)
    ids = np.arange(1000, 1500, dtype=np.int64)
    index = VectorIndex.build(ids, vectors, index_type)  # type: ignore[arg-type]
    query = vectors[42] + 0.05 * unit_vectors(1, seed=1)[0]
    expected = ids[np.argsort(-(vectors @ query))[:10]]
    found = [chunk_id for chunk_id, _score in index.search(query, 10)]
    overlap = len(set(found) & set(expected.tolist()))
    assert found[0] == 1042
    assert overlap >= (10 if index_type == "flat" else 9)


@pytest.mark.parametrize("index_type", ["flat", "hnsw"])
def test_removed_ids_are_never_returned(index_type: str) -> None:
    vectors = unit_vectors(100)
    index = VectorIndex.build(np.arange(100, dtype=np.int64), vectors, index_type)  # type: ignore[arg-type]
    index.remove([7])
    assert len(index) == 99
    assert all(chunk_id != 7 for chunk_id, _ in index.search(vectors[7], 20))
    index.add(np.array([7], dtype=np.int64), vectors[7:8])
    assert index.search(vectors[7], 1)[0][0] == 7


def test_save_and_load_round_trip_with_metadata(tmp_path: Path) -> None:
    vectors = unit_vectors(50)
    index = VectorIndex.build(np.arange(50, dtype=np.int64), vectors)
    path = tmp_path / "chunks.faiss"
    index.save(path, IndexMeta("model-x", 32, 50, 7, "flat"))
    loaded, meta = VectorIndex.load(path)
    assert meta == IndexMeta("model-x", 32, 50, 7, "flat")
    assert loaded.search(vectors[3], 1)[0][0] == 3
    assert not list(tmp_path.glob("*.tmp")), "no temporary file is left behind"


def test_corrupt_or_missing_files_raise_search_index_error(tmp_path: Path) -> None:
    path = tmp_path / "chunks.faiss"
    with pytest.raises(SearchIndexError):
        VectorIndex.load(path)
    VectorIndex.build(np.arange(5, dtype=np.int64), unit_vectors(5)).save(path, IndexMeta("m", 32, 5, 1, "flat"))
    path.write_bytes(b"not a faiss index")
    with pytest.raises(SearchIndexError):
        VectorIndex.load(path)
    meta_path(path).write_text("{broken", encoding="utf-8")
    with pytest.raises(SearchIndexError):
        VectorIndex.load(path)


def test_metadata_that_disagrees_with_the_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "chunks.faiss"
    VectorIndex.build(np.arange(5, dtype=np.int64), unit_vectors(5)).save(path, IndexMeta("m", 32, 6, 1, "flat"))
    with pytest.raises(SearchIndexError, match="metadata says 6"):
        VectorIndex.load(path)


def test_wrong_dimension_is_refused() -> None:
    index = VectorIndex(32)
    with pytest.raises(SearchIndexError, match="dimension"):
        index.add(np.array([1], dtype=np.int64), unit_vectors(1, dimension=16))


def test_choose_index_type() -> None:
    assert choose_index_type("auto", 10, 100) == "flat"
    assert choose_index_type("auto", 101, 100) == "hnsw"
    assert choose_index_type("flat", 10**7, 100) == "flat"
    assert choose_index_type("hnsw", 1, 100) == "hnsw"

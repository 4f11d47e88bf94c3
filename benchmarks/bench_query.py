"""Query latency p50/p95 per mode at 10k, 100k (and optionally 1M) chunks, next to chromadb where installed.

Run: ``.venv/bin/python benchmarks/bench_query.py [--sizes 10000,100000,1000000]``.
Each size gets a synthetic SQLite store (records of four sections of Zipf-distributed words) with its FTS5 rows,
and a FAISS index of random unit vectors keyed by those chunk ids (synthetic vectors are fine for the index
part; the query itself is embedded by the real model). Warm queries go through ``Workspace.search`` as the CLI
and TUI do. Prints figures; does not pass or fail.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CHUNKS_PER_RECORD = 4
QUERIES = [
    "disk full on the database host", "certificate expired for the ingress", "pods crash looping after deploy",
    "why do we keep vectors in the database", "alertmanager failed to send notifications to slack",
    "etcd cluster has no leader", "restore a deleted record from history", "job failed to complete",
    "high memory usage on the node", "replication lag between primary and replica",
]


def vocabulary(size: int = 20_000, seed: int = 3) -> list[str]:
    """Return made-up words, with the query words mixed in so keyword search has real work."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = {"".join(rng.choice(letters) for _ in range(rng.randint(3, 10))) for _ in range(size)}
    words.update(word for query in QUERIES for word in query.split())
    return sorted(words)


def build_store(workspace, chunk_count: int) -> None:  # noqa: ANN001
    """Insert synthetic records and chunks (with FTS rows) straight into the workspace's database."""
    from sqlalchemy import text

    words = vocabulary()
    weights = [1.0 / (rank + 1) for rank in range(len(words))]
    rng = random.Random(11)
    record_count = chunk_count // CHUNKS_PER_RECORD
    now = "2026-01-01 00:00:00"
    with workspace.engine.begin() as conn:
        for start in range(0, record_count, 5000):
            record_rows = [
                {"id": number + 1, "key": f"RB-{number + 1:07d}", "title": " ".join(rng.choices(words, weights, k=4)),
                 "now": now, "empty": "[]", "extra": "{}"}
                for number in range(start, min(record_count, start + 5000))
            ]
            conn.execute(text(
                "INSERT INTO record (id, key, kind, title, status, status_text, body, body_format, topics, tags, owners, "
                "authors, reviewers, consulted, informed, extra, source_path, source_root, fingerprint, created_at, "
                "updated_at, version, deleted) VALUES (:id, :key, 'runbook', :title, 'active', '', '', 'markdown', "
                ":empty, :empty, :empty, :empty, :empty, :empty, :empty, :extra, '', '', '', :now, :now, 1, 0)"
            ), record_rows)
            chunk_rows = []
            for row in record_rows:
                for ordinal in range(CHUNKS_PER_RECORD):
                    chunk_text = " ".join(rng.choices(words, weights, k=60))
                    chunk_rows.append({"id": (row["id"] - 1) * CHUNKS_PER_RECORD + ordinal + 1, "record_id": row["id"],
                                       "ordinal": ordinal, "heading": json.dumps([f"Section {ordinal}"]),
                                       "text": chunk_text, "hash": f"{row['id']}-{ordinal}", "title": row["title"]})
            conn.execute(text(
                "INSERT INTO chunk (id, record_id, ordinal, heading_path, text, embed_text, content_hash) "
                "VALUES (:id, :record_id, :ordinal, :heading, :text, '', :hash)"
            ), chunk_rows)
            conn.execute(text(
                "INSERT INTO chunk_fts (rowid, title, heading, text) VALUES (:id, :title, 'Section', :text)"
            ), chunk_rows)


def attach_synthetic_index(workspace, chunk_count: int) -> str:  # noqa: ANN001
    """Give the workspace a FAISS index of random unit vectors for every chunk id; return its type."""
    import numpy as np

    from bridge.index.vector_index import VectorIndex
    from bridge.store import chunks as chunk_store

    rng = np.random.default_rng(5)
    dense = workspace.dense
    dense.embedder.load()
    dimension = dense.embedder.dimension
    index = VectorIndex(dimension, dense.index_type(chunk_count))  # type: ignore[arg-type]
    for start in range(0, chunk_count, 100_000):
        count = min(100_000, chunk_count - start)
        vectors = rng.normal(size=(count, dimension)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        index.add(np.arange(start + 1, start + count + 1, dtype=np.int64), vectors)
    generation = chunk_store.generation(workspace.engine)
    dense._index, dense._index_generation, dense._complete_generation = index, generation, generation
    return index.index_type


def percentiles(samples: list[float]) -> tuple[float, float]:
    """Return (p50, p95) of samples in milliseconds."""
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(0.95 * (len(ordered) - 1))] * 1000


def time_mode(workspace, mode: str, repeats: int) -> tuple[float, float]:  # noqa: ANN001
    """Return p50/p95 of warm searches in a mode."""
    for query in QUERIES[:3]:
        workspace.search(query, mode=mode)
    samples = []
    for _ in range(repeats):
        for query in QUERIES:
            started = time.perf_counter()
            workspace.search(query, mode=mode)
            samples.append(time.perf_counter() - started)
    return percentiles(samples)


def time_chromadb(chunk_count: int, workspace, repeats: int) -> str:  # noqa: ANN001
    """Return chromadb's p50/p95 with the same model and synthetic vectors, or why it was skipped."""
    try:
        import chromadb
    except ImportError:
        return "chromadb not installed"
    import numpy as np

    client = chromadb.EphemeralClient()
    collection = client.create_collection("bench", metadata={"hnsw:space": "ip"})
    rng = np.random.default_rng(5)
    dimension = workspace.dense.embedder.dimension
    for start in range(0, chunk_count, 5000):
        count = min(5000, chunk_count - start)
        vectors = rng.normal(size=(count, dimension)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        collection.add(ids=[str(n) for n in range(start, start + count)], embeddings=vectors.tolist())
    samples = []
    for _ in range(repeats):
        for query in QUERIES:
            started = time.perf_counter()
            vector = workspace.dense.embed_query(query)
            collection.query(query_embeddings=[vector.tolist()], n_results=50)
            samples.append(time.perf_counter() - started)
    p50, p95 = percentiles(samples)
    return f"p50 {p50:6.1f} ms  p95 {p95:6.1f} ms"


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated chunk counts (1000000 takes minutes)")
    parser.add_argument("--repeats", type=int, default=5, help="passes over the ten queries per mode")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO_ROOT))
    os.environ["HF_HUB_OFFLINE"] = "1"
    for size in (int(value) for value in args.sizes.split(",")):
        os.environ["BRIDGE_HOME"] = tempfile.mkdtemp(prefix=f"bridge-query-{size}-")
        from bridge.config import load_settings
        from bridge.workspace import Workspace

        workspace = Workspace.open(load_settings())
        started = time.perf_counter()
        build_store(workspace, size)
        built = time.perf_counter() - started
        started = time.perf_counter()
        index_type = attach_synthetic_index(workspace, size)
        indexed = time.perf_counter() - started
        print(f"{size} chunks: store built in {built:.1f} s, {index_type} index in {indexed:.1f} s")
        for mode in ("keyword", "semantic", "hybrid"):
            p50, p95 = time_mode(workspace, mode, args.repeats)
            print(f"  {mode:8s} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")
        print(f"  chromadb (same model, query embed + top 50): {time_chromadb(size, workspace, args.repeats)}")
        workspace.close()


if __name__ == "__main__":
    main()

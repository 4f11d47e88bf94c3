"""Incremental upkeep: re-saving one record in a 10,000-record collection, then searching it semantically.

Run: ``.venv/bin/python benchmarks/bench_incremental.py [--records 10000]``.
The collection is synthetic (records of four sections inserted into a temporary store, chunked by bridge,
given random stored vectors for the real model id, so nothing is pending); one real record is then edited
and saved repeatedly. Timed per save: the save itself (revision, re-chunk, keyword rows, in-memory index),
embedding the changed chunk with the real model, and the next hybrid query. Prints figures; does not fail.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

BODY = """# Disk full

## Meaning

The volume holding the database files is above {percent} percent.

## Diagnosis

Run `df -h` and look for the largest folders.

## Mitigation

Delete old write-ahead log archives, then grow the volume.
"""


def insert_records(workspace, count: int) -> list[int]:  # noqa: ANN001
    """Insert count synthetic records of four sections; return their ids."""
    from sqlalchemy import text

    rng = random.Random(2)
    words = ["disk", "memory", "latency", "queue", "certificate", "replica", "backup", "deploy", "node", "pod",
             "timeout", "quota", "index", "cache", "token", "restart", "rollback", "alert", "etcd", "kafka"]
    now = "2026-01-01 00:00:00"
    rows = []
    for number in range(count):
        sections = "\n\n".join(
            f"## {heading}\n\n" + " ".join(rng.choices(words, k=50)) + "."
            for heading in ("Meaning", "Impact", "Diagnosis", "Mitigation")
        )
        rows.append({"id": number + 1, "key": f"RB-{number + 1:06d}", "title": " ".join(rng.choices(words, k=3)),
                     "body": sections, "now": now, "empty": "[]", "extra": "{}"})
    with workspace.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO record (id, key, kind, title, status, status_text, body, body_format, topics, tags, owners, "
            "authors, reviewers, consulted, informed, extra, source_path, source_root, fingerprint, created_at, "
            "updated_at, version, deleted) VALUES (:id, :key, 'runbook', :title, 'active', '', :body, 'markdown', "
            ":empty, :empty, :empty, :empty, :empty, :empty, :empty, :extra, '', '', '', :now, :now, 1, 0)"
        ), rows)
    return [row["id"] for row in rows]


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--saves", type=int, default=10)
    args = parser.parse_args()
    os.environ["BRIDGE_HOME"] = tempfile.mkdtemp(prefix="bridge-incremental-")
    os.environ["HF_HUB_OFFLINE"] = "1"
    sys.path.insert(0, str(REPO_ROOT))
    import numpy as np

    from bridge.config import load_settings
    from bridge.store import chunks as chunk_store
    from bridge.workspace import Workspace

    workspace = Workspace.open(load_settings())
    started = time.perf_counter()
    record_ids = insert_records(workspace, args.records)
    workspace.on_records_changed(record_ids)
    chunked = time.perf_counter() - started
    pending = chunk_store.pending_chunks(workspace.engine, workspace.settings.search.model)
    dense = workspace.dense
    dense.embedder.load()
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(len(pending), dense.embedder.dimension)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    chunk_store.store_vectors(workspace.engine, dense.model_id, [chunk_id for chunk_id, _ in pending], vectors)
    record = workspace.new_record("runbook", "Disk full", body=BODY.format(percent=90))
    workspace.warm_up()
    status = workspace.index_status()
    print(f"{args.records} records, {status.chunks} chunks (chunked in {chunked:.1f} s), {status.index_type} index")

    save_times, embed_times, query_times, embedded_counts = [], [], [], []
    for attempt in range(args.saves):
        record = workspace.get_record(record.key)
        record.body = BODY.format(percent=91 + attempt)
        started = time.perf_counter()
        workspace.save_record(record, expected_version=record.version)
        save_times.append(time.perf_counter() - started)
        embedded_counts.append(workspace.index_status().pending)
        started = time.perf_counter()
        dense.ensure_embedded()
        embed_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        hits = workspace.search(f"volume above {91 + attempt} percent", k=3)
        query_times.append(time.perf_counter() - started)
        assert hits and hits[0].key == record.key, hits[:1]

    def median_ms(samples: list[float]) -> str:
        return f"{statistics.median(samples) * 1000:7.1f} ms"

    print(f"  chunks re-embedded per save: {statistics.median(embedded_counts):.0f} of {status.chunks}")
    print(f"  save (revision, re-chunk, keyword rows, index update): {median_ms(save_times)}")
    print(f"  embed the changed chunk(s) with the model:             {median_ms(embed_times)}")
    print(f"  next hybrid query (finds the edit first):              {median_ms(query_times)}")
    workspace.close()


if __name__ == "__main__":
    main()

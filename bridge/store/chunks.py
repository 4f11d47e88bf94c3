"""Chunk persistence: chunk rows, their FTS5 keyword rows and stored vectors, and the queries search needs.

Raw SQL (through sqlalchemy ``text``) keeps bulk writes of tens of thousands of chunks fast. Keyword search uses
SQLite FTS5; on PostgreSQL it fails with a clear error until a tsvector path exists (semantic search works there).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, text

from bridge.domain import INACTIVE_STATUSES, Chunk, Record
from bridge.errors import SearchIndexError
from bridge.terms import expand_identifiers, with_identifier_words

if TYPE_CHECKING:
    import numpy as np
    from sqlalchemy.engine import Connection, Engine

GENERATION_KEY = "chunk_generation"
"""bridge_meta key counting changes to the set of chunks or vectors; the FAISS file records the value it reflects."""
STORE_ID_KEY = "store_id"
"""bridge_meta key naming this store at random, so a FAISS file is never taken for another store's at one generation."""
FTS_WEIGHTS = (4.0, 2.0, 1.0)
"""bm25 column weights for title, heading and text."""


@dataclass
class RecordFilters:
    """Record-level filters a search applies (all optional, combined with AND)."""

    kind: str | None = None
    status: str | None = None
    topic: str | None = None
    owner: str | None = None
    author: str | None = None

    @property
    def active(self) -> bool:
        """Return whether any filter is set."""
        return any((self.kind, self.status, self.topic, self.owner, self.author))


@dataclass
class ChunkDelta:
    """What a chunk sync changed: vectors to drop from the index, and the store generation before and after."""

    removed_chunk_ids: list[int] = field(default_factory=list)
    """Chunks deleted or whose text changed (their old vectors are gone)."""
    added_chunk_ids: list[int] = field(default_factory=list)
    """Chunks new or changed, waiting for a vector."""
    generation_before: int = 0
    generation_after: int = 0


@dataclass
class RecordInfo:
    """What a search hit shows of its record."""

    record_id: int
    key: str
    title: str
    kind: str
    status: str
    source_path: str
    topics: list[str]
    superseded_by: list[str]


@dataclass
class StoredChunk:
    """A chunk row as search needs it: id, record, heading path and text."""

    chunk_id: int
    record_id: int
    ordinal: int
    heading_path: list[str]
    text: str


def is_sqlite(conn_or_engine: Connection | Engine) -> bool:
    """Return whether the connection or engine talks to SQLite."""
    return conn_or_engine.dialect.name == "sqlite"


# -- reading records to chunk ----------------------------------------------------------------------------------


def records_for_chunking(engine: Engine, record_ids: Sequence[int] | None = None) -> list[tuple[int, Record]]:
    """Return (row id, record) for the given ids (None: every record), deleted ones included so their chunks go."""
    from sqlmodel import Session, col, select

    from bridge.store import repository as repo
    from bridge.store.models import RecordRow

    with Session(engine) as session:
        statement = select(RecordRow)
        if record_ids is not None:
            statement = statement.where(col(RecordRow.id).in_(list(record_ids)))
        return [(row.id, repo.row_to_record(row)) for row in session.exec(statement) if row.id is not None]


# -- writing chunks ---------------------------------------------------------------------------------------------


def stale_chunk_record_ids(engine: Engine) -> list[int]:
    """Return ids of records whose chunk rows were not written from their current version (a crash in between)."""
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT id FROM record WHERE chunked_version IS NULL OR chunked_version != version ORDER BY id"
        ))
        return [int(row[0]) for row in rows]


def stored_chunk_hashes(engine: Engine) -> dict[int, list[str]]:
    """Return record id → its chunks' content hashes in ordinal order (records without chunks are absent)."""
    found: dict[int, list[str]] = {}
    with engine.connect() as conn:
        for record_id, hash_value in conn.execute(
            text("SELECT record_id, content_hash FROM chunk ORDER BY record_id, ordinal")
        ):
            found.setdefault(int(record_id), []).append(str(hash_value))
    return found


def sync_chunks(
    engine: Engine, chunks_by_record: dict[int, tuple[str, list[Chunk]]], versions: dict[int, int] | None = None,
) -> ChunkDelta:
    """Make each record's chunk rows and FTS rows match the given chunks, keeping rows whose text is unchanged.

    ``chunks_by_record`` maps record id → (title, chunks); an empty chunk list removes the record's chunks.
    Unchanged chunks keep their id and vector, so re-saving a record re-embeds only what changed. ``versions``
    names the record version each chunk list was made from: a record saved again since is left alone (its own
    re-chunk follows), and each written record is stamped with that version in the same transaction.
    """
    delta = ChunkDelta()
    with engine.begin() as conn:
        _lock_records(conn, list(chunks_by_record))
        delta.generation_before = _generation_for_update(conn)
        if versions is not None:
            chunks_by_record = _still_current(conn, chunks_by_record, versions)
        record_ids = list(chunks_by_record)
        existing_by_record: dict[int, dict[int, tuple[int, str]]] = {record_id: {} for record_id in record_ids}
        for start in range(0, len(record_ids), 500):
            rows = conn.execute(
                text("SELECT id, record_id, ordinal, content_hash FROM chunk WHERE record_id IN :ids").bindparams(
                    bindparam("ids", expanding=True)
                ),
                {"ids": record_ids[start : start + 500]},
            )
            for chunk_id, record_id, ordinal, hash_value in rows:
                existing_by_record[record_id][ordinal] = (chunk_id, hash_value)
        inserts: list[dict[str, object]] = []
        updates: list[dict[str, object]] = []
        deletes: list[int] = []
        fts_rows: list[dict[str, object]] = []
        for record_id, (title, chunks) in chunks_by_record.items():
            existing = existing_by_record[record_id]
            for chunk in chunks:
                values = _chunk_values(record_id, chunk)
                old = existing.pop(chunk.ordinal, None)
                if old is None:
                    inserts.append(values)
                elif old[1] != values["content_hash"]:
                    updates.append({**values, "id": old[0]})
                    fts_rows.append(_fts_values(old[0], title, chunk))
            deletes.extend(chunk_id for chunk_id, _hash in existing.values())
        changed = [int(values["id"]) for values in updates]  # type: ignore[call-overload]
        if deletes or changed:
            _delete_fts(conn, deletes + changed)
        for start in range(0, len(deletes), 500):
            conn.execute(
                text("DELETE FROM chunk WHERE id IN :ids").bindparams(bindparam("ids", expanding=True)),
                {"ids": deletes[start : start + 500]},
            )
        if updates:
            conn.execute(
                text(
                    "UPDATE chunk SET heading_path = :heading_path, text = :text, embed_text = :embed_text, "
                    "content_hash = :content_hash, embedding = NULL, model_id = NULL, dimension = NULL WHERE id = :id"
                ),
                updates,
            )
        added = list(changed)
        if inserts:
            title_by_record = {record_id: title for record_id, (title, _chunks) in chunks_by_record.items()}
            by_position = {(values["record_id"], values["ordinal"]): values for values in inserts}
            conn.execute(
                text(
                    "INSERT INTO chunk (record_id, ordinal, heading_path, text, embed_text, content_hash) "
                    "VALUES (:record_id, :ordinal, :heading_path, :text, :embed_text, :content_hash)"
                ),
                inserts,
            )
            new_ids = _ids_at_positions(conn, list(by_position))
            for position, chunk_id in new_ids.items():
                values = by_position[position]
                added.append(chunk_id)
                fts_rows.append(_keyword_row(chunk_id, title_by_record[int(values["record_id"])],  # type: ignore[call-overload]
                                             " › ".join(json.loads(str(values["heading_path"]))), str(values["text"])))
        if fts_rows:
            conn.execute(
                text("INSERT INTO chunk_fts (rowid, title, heading, text) VALUES (:id, :title, :heading, :text)"),
                fts_rows,
            )
        if versions is not None and record_ids:
            conn.execute(
                text("UPDATE record SET chunked_version = :version WHERE id = :id"),
                [{"id": record_id, "version": versions[record_id]} for record_id in record_ids],
            )
        delta.removed_chunk_ids = deletes + changed
        delta.added_chunk_ids = added
        delta.generation_after = _bump_generation(conn) if (deletes or added) else delta.generation_before
    return delta


def _lock_records(conn: Connection, record_ids: list[int]) -> None:
    """Lock the records (PostgreSQL: their rows, in id order; SQLite: the write lock) before their chunks are read.

    Without this, two PostgreSQL transactions re-chunking one record (a save's catch-up also re-chunks other
    writers' records) deadlocked or collided on the keyword row of the same chunk. On SQLite, the driver begins a
    transaction only at its first write, so the chunks were read before the write lock was held: a reader's
    catch-up on open and an import chunking the same new records both inserted the same chunk, and the reader
    failed with "UNIQUE constraint failed". A write that changes nothing takes the lock first.
    """
    if conn.dialect.name == "sqlite":
        _take_sqlite_write_lock(conn)
        return
    if conn.dialect.name != "postgresql" or not record_ids:
        return
    ordered = sorted(record_ids)
    for start in range(0, len(ordered), 500):
        conn.execute(
            text("SELECT id FROM record WHERE id IN :ids ORDER BY id FOR UPDATE").bindparams(
                bindparam("ids", expanding=True)),
            {"ids": ordered[start : start + 500]},
        )


def _still_current(
    conn: Connection, chunks_by_record: dict[int, tuple[str, list[Chunk]]], versions: dict[int, int]
) -> dict[int, tuple[str, list[Chunk]]]:
    """Return the entries whose record is still at the version they were chunked from."""
    current: dict[int, int] = {}
    record_ids = list(chunks_by_record)
    for start in range(0, len(record_ids), 500):
        rows = conn.execute(
            text("SELECT id, version FROM record WHERE id IN :ids").bindparams(bindparam("ids", expanding=True)),
            {"ids": record_ids[start : start + 500]},
        )
        current.update((int(record_id), int(version)) for record_id, version in rows)
    return {record_id: entry for record_id, entry in chunks_by_record.items()
            if current.get(record_id) == versions.get(record_id)}


def _chunk_values(record_id: int, chunk: Chunk) -> dict[str, object]:
    """Return the column values of a chunk row."""
    return {
        "record_id": record_id, "ordinal": chunk.ordinal, "heading_path": json.dumps(chunk.heading_path),
        "text": chunk.text, "embed_text": chunk.embed_text, "content_hash": chunk.hash,
    }


def _fts_values(chunk_id: int, title: str, chunk: Chunk) -> dict[str, object]:
    """Return the FTS row of a chunk."""
    return _keyword_row(chunk_id, title, chunk.section, chunk.text)


def _keyword_row(chunk_id: int, title: str, heading: str, chunk_text: str) -> dict[str, object]:
    """Return a keyword-index row: each column also holds the words of its CamelCase identifiers."""
    return {"id": chunk_id, "title": with_identifier_words(title), "heading": with_identifier_words(heading),
            "text": with_identifier_words(chunk_text)}


def _ids_at_positions(conn: Connection, positions: list[tuple[object, object]]) -> dict[tuple[object, object], int]:
    """Return chunk ids for (record id, ordinal) positions just inserted."""
    record_ids = sorted({int(record_id) for record_id, _ordinal in positions})  # type: ignore[call-overload]
    wanted = set(positions)
    found: dict[tuple[object, object], int] = {}
    for start in range(0, len(record_ids), 500):
        rows = conn.execute(
            text("SELECT id, record_id, ordinal FROM chunk WHERE record_id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": record_ids[start : start + 500]},
        )
        for chunk_id, record_id, ordinal in rows:
            if (record_id, ordinal) in wanted:
                found[(record_id, ordinal)] = int(chunk_id)
    return found


def _delete_fts(conn: Connection, chunk_ids: list[int]) -> None:
    """Delete the keyword-index rows of chunk ids."""
    for start in range(0, len(chunk_ids), 500):
        conn.execute(
            text("DELETE FROM chunk_fts WHERE rowid IN :ids").bindparams(bindparam("ids", expanding=True)),
            {"ids": chunk_ids[start : start + 500]},
        )


def _take_sqlite_write_lock(conn: Connection) -> None:
    """Make the SQLite transaction hold the write lock now (waiting up to the busy timeout): a write of nothing."""
    conn.execute(text("UPDATE record SET id = id WHERE 0"))


def _generation_for_update(conn: Connection) -> int:
    """Return the chunk generation, locked so that no other writer moves it before this transaction ends.

    Every writer that bumps the generation reads it this way first. A plain read came before the lock: on SQLite
    the driver begins the transaction only at its first write, on PostgreSQL another transaction may commit
    between the read and the bump. Another writer's change then fell between the "before" and "after" this
    transaction reported, and a process whose in-memory index was current at "before" added its own vectors and
    took "after" as its state, missing that change.
    """
    if conn.dialect.name == "sqlite":
        _take_sqlite_write_lock(conn)
        return _generation(conn)
    conn.execute(text("INSERT INTO bridge_meta (key, value) VALUES (:key, '0') ON CONFLICT (key) DO NOTHING"),
                 {"key": GENERATION_KEY})
    row = conn.execute(text("SELECT value FROM bridge_meta WHERE key = :key FOR UPDATE"),
                       {"key": GENERATION_KEY}).first()
    return int(row[0]) if row else 0


def _generation(conn: Connection) -> int:
    """Return the current chunk generation (0 when never set)."""
    row = conn.execute(text("SELECT value FROM bridge_meta WHERE key = :key"), {"key": GENERATION_KEY}).first()
    return int(row[0]) if row else 0


def _bump_generation(conn: Connection) -> int:
    """Increment the chunk generation inside the caller's transaction and return the new value.

    One UPDATE of the row (created first when missing), so concurrent writers on PostgreSQL wait for each other's
    row lock and each gets its own value, instead of racing a delete and insert into a duplicate key.
    """
    conn.execute(text("INSERT INTO bridge_meta (key, value) VALUES (:key, '0') ON CONFLICT (key) DO NOTHING"),
                 {"key": GENERATION_KEY})
    conn.execute(text("UPDATE bridge_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS VARCHAR(20)) "
                      "WHERE key = :key"), {"key": GENERATION_KEY})
    return _generation(conn)


def generation(engine: Engine) -> int:
    """Return the current chunk generation."""
    with engine.connect() as conn:
        return _generation(conn)


def store_identity(engine: Engine) -> str:
    """Return the store's random id ("" for a read-only store made before stores had one)."""
    with engine.connect() as conn:
        return _store_identity(conn)


def _store_identity(conn: Connection) -> str:
    """Return the store's random id, or "" when it has none."""
    if not conn.dialect.has_table(conn, "bridge_meta"):
        return ""
    row = conn.execute(text("SELECT value FROM bridge_meta WHERE key = :key"), {"key": STORE_ID_KEY}).first()
    return str(row[0]) if row else ""


def name_store(engine: Engine) -> None:
    """Give the store its random id if it has none and may be written (a read-only store keeps none)."""
    import uuid

    from sqlalchemy.exc import SQLAlchemyError

    from bridge.store.engine import read_only

    with engine.connect() as conn:
        if _store_identity(conn) or read_only(engine):
            return
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO bridge_meta (key, value) VALUES (:key, :value) "
                              "ON CONFLICT (key) DO NOTHING"), {"key": STORE_ID_KEY, "value": uuid.uuid4().hex})
    except SQLAlchemyError:
        return  # a role that may not write: the store stays unnamed, as a read-only one


# -- vectors ---------------------------------------------------------------------------------------------------


def pending_chunks(engine: Engine, model_id: str, *, everything: bool = False) -> list[tuple[int, str]]:
    """Return (chunk id, embed text) of live chunks with no vector for model_id (every live chunk), in id order."""
    waiting = "" if everything else \
        "AND (c.embedding IS NULL OR c.model_id IS NULL OR c.model_id != :model) "
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.id, c.embed_text, c.text FROM chunk c JOIN record r ON r.id = c.record_id "
                f"WHERE r.deleted = :no {waiting}ORDER BY c.id"
            ),
            {"model": model_id, "no": False},
        )
        return [(int(chunk_id), embed_text or chunk_text) for chunk_id, embed_text, chunk_text in rows]


def copy_identical_vectors(engine: Engine, model_id: str) -> tuple[int, int, int]:
    """Give pending chunks the stored vector of a chunk with the same content hash: (copied, generation before, after)."""
    with engine.begin() as conn:
        before = _generation_for_update(conn)
        result = conn.execute(
            text(
                "UPDATE chunk SET "
                "embedding = (SELECT d.embedding FROM chunk d WHERE d.content_hash = chunk.content_hash "
                "  AND d.model_id = :model AND d.embedding IS NOT NULL LIMIT 1), "
                "dimension = (SELECT d.dimension FROM chunk d WHERE d.content_hash = chunk.content_hash "
                "  AND d.model_id = :model AND d.embedding IS NOT NULL LIMIT 1), "
                "model_id = :model "
                "WHERE (embedding IS NULL OR model_id IS NULL OR model_id != :model) AND EXISTS ("
                "  SELECT 1 FROM chunk d WHERE d.content_hash = chunk.content_hash AND d.model_id = :model "
                "  AND d.embedding IS NOT NULL)"
            ),
            {"model": model_id},
        )
        copied = int(result.rowcount or 0)
        return copied, before, (_bump_generation(conn) if copied else before)


def store_vectors(engine: Engine, model_id: str, chunk_ids: Sequence[int], vectors: np.ndarray) -> tuple[int, int]:
    """Store float32 vectors for chunk ids under model_id; return the generation before and after."""
    import numpy as np

    matrix = np.ascontiguousarray(vectors, dtype="<f4")
    dimension = int(matrix.shape[1]) if matrix.ndim == 2 else 0
    rows = [
        {"id": int(chunk_id), "embedding": matrix[row].tobytes(), "model": model_id, "dimension": dimension}
        for row, chunk_id in enumerate(chunk_ids)
    ]
    with engine.begin() as conn:
        before = _generation_for_update(conn)
        if not rows:
            return before, before
        conn.execute(
            text("UPDATE chunk SET embedding = :embedding, model_id = :model, dimension = :dimension WHERE id = :id"),
            rows,
        )
        return before, _bump_generation(conn)


def load_vectors(engine: Engine, model_id: str) -> tuple[np.ndarray, np.ndarray, int]:
    """Return (chunk ids, vector matrix, generation) of every live chunk embedded with model_id."""
    import numpy as np

    with engine.connect() as conn:
        current = _generation(conn)
        rows = conn.execute(
            text(
                "SELECT c.id, c.embedding, c.dimension FROM chunk c JOIN record r ON r.id = c.record_id "
                "WHERE r.deleted = :no AND c.model_id = :model AND c.embedding IS NOT NULL ORDER BY c.id"
            ),
            {"model": model_id, "no": False},
        ).all()
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32), current
    dimension = int(rows[0][2])
    ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    blob = b"".join(row[1] for row in rows)
    if len(blob) != len(rows) * dimension * 4:
        raise SearchIndexError(
            f"stored vectors for model '{model_id}' have mixed dimensions or damaged rows; run `bridge doctor "
            "--repair` (it clears them and they are embedded again)"
        )
    matrix = np.frombuffer(blob, dtype="<f4").reshape(len(rows), dimension).astype(np.float32)
    return ids, matrix, current


def malformed_vector_ids(engine: Engine, model_id: str) -> list[int]:
    """Return ids of chunks whose stored vector for model_id has a minority dimension or a blob of the wrong size."""
    with engine.connect() as conn:
        dominant = conn.execute(
            text("SELECT dimension FROM chunk WHERE model_id = :model AND embedding IS NOT NULL "
                 "GROUP BY dimension ORDER BY COUNT(*) DESC, dimension LIMIT 1"),
            {"model": model_id},
        ).scalar()
        if dominant is None:
            return []
        length = "length(embedding)" if is_sqlite(conn) else "octet_length(embedding)"
        rows = conn.execute(
            text(f"SELECT id FROM chunk WHERE model_id = :model AND embedding IS NOT NULL AND "
                 f"(dimension IS NULL OR dimension != :dimension OR {length} != :size) ORDER BY id"),
            {"model": model_id, "dimension": int(dominant), "size": int(dominant) * 4},
        )
        return [int(row[0]) for row in rows]


def clear_vector_ids(engine: Engine, chunk_ids: Sequence[int]) -> int:
    """Drop the stored vectors of chunk_ids (they are embedded again later) and return how many were cleared."""
    cleared = 0
    with engine.begin() as conn:
        _generation_for_update(conn)  # the generation's lock before the chunks' (one order for every writer)
        for start in range(0, len(chunk_ids), 500):
            result = conn.execute(
                text("UPDATE chunk SET embedding = NULL, model_id = NULL, dimension = NULL WHERE id IN :ids")
                .bindparams(bindparam("ids", expanding=True)),
                {"ids": list(chunk_ids[start : start + 500])},
            )
            cleared += int(result.rowcount or 0)
        if cleared:
            _bump_generation(conn)
    return cleared


def vectors_for(engine: Engine, chunk_ids: Sequence[int], model_id: str) -> tuple[list[int], np.ndarray]:
    """Return (ids found, matrix) of the stored vectors of chunk_ids for model_id."""
    import numpy as np

    found: list[int] = []
    blobs: list[bytes] = []
    with engine.connect() as conn:
        for start in range(0, len(chunk_ids), 500):
            rows = conn.execute(
                text(
                    "SELECT id, embedding FROM chunk WHERE id IN :ids AND model_id = :model AND embedding IS NOT NULL"
                ).bindparams(bindparam("ids", expanding=True)),
                {"ids": list(chunk_ids[start : start + 500]), "model": model_id},
            )
            for chunk_id, blob in rows:
                found.append(int(chunk_id))
                blobs.append(blob)
    if not found:
        return [], np.zeros((0, 0), dtype=np.float32)
    matrix = np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(found), -1).astype(np.float32)
    return found, matrix


def counts(engine: Engine, model_id: str) -> tuple[int, int, int, int | None]:
    """Return (live chunks, chunks embedded with model_id, records with chunks, dimension)."""
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT COUNT(*), SUM(CASE WHEN c.model_id = :model AND c.embedding IS NOT NULL THEN 1 ELSE 0 END), "
                "COUNT(DISTINCT c.record_id), MAX(CASE WHEN c.model_id = :model THEN c.dimension END) "
                "FROM chunk c JOIN record r ON r.id = c.record_id WHERE r.deleted = :no"
            ),
            {"model": model_id, "no": False},
        ).one()
    return int(row[0] or 0), int(row[1] or 0), int(row[2] or 0), (int(row[3]) if row[3] is not None else None)


# -- keyword search --------------------------------------------------------------------------------------------

_STOPWORDS = frozenset(
    "a an and are as at be but by for from has have if in into is it its of on or such that the their then there "
    "these they this to was were will with".split()
)
MAX_QUERY_TERMS = 64
"""Longer queries keep their first 64 distinct terms: enough for a pasted alert, bounded for 1 MB of text."""


def match_expression(query: str) -> str | None:
    """Return a safe FTS5 MATCH expression (quoted terms joined by OR) for free text, or None if it has no words.

    User text never reaches MATCH as syntax: every term is a double-quoted string, so ``AND``, ``NEAR(``, ``*``,
    ``-`` and quotes are searched as words or dropped.
    """
    terms: list[str] = []
    seen: set[str] = set()
    for match in re.finditer(r"\w+", expand_identifiers(query[:200_000])):
        term = match.group(0).lower()
        if term in seen or term in _STOPWORDS or len(term) > 64:
            continue
        seen.add(term)
        terms.append(term)
        if len(terms) >= MAX_QUERY_TERMS:
            break
    if not terms:
        return None
    return " OR ".join(f'"{term}"' for term in terms)


def keyword_search(engine: Engine, query: str, limit: int, filters: RecordFilters | None = None) -> list[tuple[int, int, float]]:
    """Return up to limit (chunk id, record id, score) by bm25, best first (higher score is better)."""
    if not is_sqlite(engine):
        return _postgres_keyword_search(engine, query, limit, filters)
    expression = match_expression(query)
    if expression is None:
        return []
    where, params = _filter_sql(filters, sqlite=True)
    sql = (
        f"SELECT c.id, c.record_id, bm25(chunk_fts, {FTS_WEIGHTS[0]}, {FTS_WEIGHTS[1]}, {FTS_WEIGHTS[2]}) AS rank "
        "FROM chunk_fts JOIN chunk c ON c.id = chunk_fts.rowid JOIN record r ON r.id = c.record_id "
        f"WHERE chunk_fts MATCH :expression AND r.deleted = :no{where} ORDER BY rank LIMIT :limit"
    )
    with engine.connect() as conn:
        rows = conn.execute(text(sql), {"expression": expression, "limit": limit, "no": False, **params})
        return [(int(chunk_id), int(record_id), -float(rank)) for chunk_id, record_id, rank in rows]


def _postgres_keyword_search(
    engine: Engine, query: str, limit: int, filters: RecordFilters | None
) -> list[tuple[int, int, float]]:
    """Return keyword hits from PostgreSQL full-text search: the query's terms OR-ed, ranked by ts_rank."""
    expression = match_expression(query)
    if expression is None:
        return []
    terms = [term.strip('"') for term in expression.split(" OR ")]
    tsquery = " | ".join(terms)
    where, params = _filter_sql(filters, sqlite=False)
    sql = (
        "SELECT c.id, c.record_id, ts_rank(f.tsv, q.query) AS rank "
        "FROM chunk_fts f CROSS JOIN (SELECT to_tsquery('english', :tsquery) AS query) q "
        "JOIN chunk c ON c.id = f.rowid JOIN record r ON r.id = c.record_id "
        f"WHERE f.tsv @@ q.query AND r.deleted = :no{where} ORDER BY rank DESC, c.id LIMIT :limit"
    )
    with engine.connect() as conn:
        rows = conn.execute(text(sql), {"tsquery": tsquery, "limit": limit, "no": False, **params})
        return [(int(chunk_id), int(record_id), float(rank)) for chunk_id, record_id, rank in rows]


def _filter_sql(filters: RecordFilters | None, sqlite: bool) -> tuple[str, dict[str, object]]:
    """Return an SQL fragment (starting with AND) restricting record ``r`` to the filters, and its parameters."""
    if filters is None or not filters.active:
        return "", {}

    def json_has(column: str, param: str) -> str:
        if sqlite:
            return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE lower(json_each.value) = :{param})"
        return f"EXISTS (SELECT 1 FROM json_array_elements_text({column}) AS v(value) WHERE lower(v.value) = :{param})"

    clauses: list[str] = []
    params: dict[str, object] = {}
    if filters.kind:
        clauses.append("r.kind = :f_kind")
        params["f_kind"] = filters.kind.lower()
    if filters.status:
        clauses.append("r.status = :f_status")
        params["f_status"] = filters.status.lower()
    if filters.topic:
        clauses.append("r.id IN (SELECT record_id FROM record_topic WHERE lower(topic) = :f_topic)")
        params["f_topic"] = filters.topic.lower()
    if filters.owner:
        clauses.append(json_has("r.owners", "f_owner"))
        params["f_owner"] = filters.owner.lower()
    if filters.author:
        clauses.append(
            f"({json_has('r.authors', 'f_author')} OR r.id IN ("
            "SELECT ct.record_id FROM contribution ct JOIN person p ON p.id = ct.person_id "
            "WHERE ct.role = 'author' AND (lower(p.handle) = :f_author OR lower(p.name) = :f_author)))"
        )
        params["f_author"] = filters.author.lower()
    return "".join(f" AND {clause}" for clause in clauses), params


def allowed_record_ids(engine: Engine, filters: RecordFilters) -> set[int]:
    """Return ids of live records matching the filters (for filtering dense results)."""
    where, params = _filter_sql(filters, sqlite=is_sqlite(engine))
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT r.id FROM record r WHERE r.deleted = :no{where}"), {"no": False, **params})
        return {int(row[0]) for row in rows}


# -- reading for hits ------------------------------------------------------------------------------------------


def chunk_records(engine: Engine, chunk_ids: Iterable[int]) -> dict[int, int]:
    """Return chunk id → record id for the live chunks among chunk_ids."""
    with engine.connect() as conn:
        rows = _rows_for_ids(
            conn,
            # CROSS JOIN keeps chunk as the outer loop: SQLite would otherwise scan records by `deleted`.
            "SELECT c.id, c.record_id FROM chunk c CROSS JOIN record r "
            "WHERE c.id IN :ids AND r.id = c.record_id AND r.deleted = :no",
            chunk_ids, no=False,
        )
        return {int(chunk_id): int(record_id) for chunk_id, record_id in rows}


def stored_chunks(engine: Engine, chunk_ids: Iterable[int]) -> dict[int, StoredChunk]:
    """Return chunk id → StoredChunk for chunk_ids."""
    found: dict[int, StoredChunk] = {}
    with engine.connect() as conn:
        sql = "SELECT id, record_id, ordinal, heading_path, text FROM chunk WHERE id IN :ids"
        for chunk_id, record_id, ordinal, heading_path, chunk_text in _rows_for_ids(conn, sql, chunk_ids):
            found[int(chunk_id)] = StoredChunk(int(chunk_id), int(record_id), int(ordinal),
                                               _json_list(heading_path), chunk_text)
    return found


def section_headings(engine: Engine, chunk_ids: Iterable[int]) -> dict[int, str]:
    """Return chunk id → the heading of the section it is in ("" at the top of a record), reading no text."""
    with engine.connect() as conn:
        rows = _rows_for_ids(conn, "SELECT id, heading_path FROM chunk WHERE id IN :ids", chunk_ids)
    return {int(chunk_id): (_json_list(path) or [""])[-1] for chunk_id, path in rows}


def record_infos(engine: Engine, record_ids: Iterable[int]) -> dict[int, RecordInfo]:
    """Return record id → RecordInfo (with successors for superseded records), reading no bodies."""
    infos: dict[int, RecordInfo] = {}
    with engine.connect() as conn:
        sql = "SELECT id, key, title, kind, status, source_path, topics, extra FROM record WHERE id IN :ids"
        for record_id, key, title, kind, status, source_path, topics, extra in _rows_for_ids(conn, sql, record_ids):
            infos[int(record_id)] = RecordInfo(
                record_id=int(record_id), key=key, title=title, kind=kind, status=status,
                source_path=source_path or "", topics=_json_list(topics),
                superseded_by=_successors(conn, key, extra) if status in INACTIVE_STATUSES else [],
            )
    return infos


def _rows_for_ids(conn: Connection, sql: str, ids: Iterable[int], **params: object) -> list[Any]:
    """Run sql, whose ``:ids`` is an expanding IN list, over ids in batches of 500 and return every row."""
    wanted = list(ids)
    statement = text(sql).bindparams(bindparam("ids", expanding=True))
    rows: list[Any] = []
    for start in range(0, len(wanted), 500):
        rows.extend(conn.execute(statement, {"ids": wanted[start : start + 500], **params}))
    return rows


def _successors(conn: Connection, key: str, extra: object) -> list[str]:
    """Return keys of records replacing key: its own superseded_by list and records that say they supersede it."""
    decoded = json.loads(extra) if isinstance(extra, str) and extra else (extra if isinstance(extra, dict) else {})
    found = [str(item) for item in decoded.get("__links__", {}).get("superseded_by", [])]
    rows = conn.execute(
        text(
            "SELECT r.key FROM link l JOIN record r ON r.id = l.source_id "
            "WHERE upper(l.target_key) = upper(:key) AND l.kind = 'supersedes' AND r.deleted = :no"
        ),
        {"key": key, "no": False},
    )
    found.extend(str(row[0]) for row in rows)
    return list(dict.fromkeys(found))


def record_chunks(engine: Engine, key: str) -> list[Chunk]:
    """Return the live record's chunks in order; raises RecordNotFound."""
    from sqlmodel import Session

    from bridge.store import repository as repo

    with Session(engine) as session:
        row = repo.require_record_row(session, key)
        record_id, record_key = row.id, row.key
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, ordinal, heading_path, text, embed_text FROM chunk WHERE record_id = :id ORDER BY ordinal"),
            {"id": record_id},
        )
        return [
            Chunk(record_key, int(ordinal), _json_list(heading_path), chunk_text, embed_text or "", id=int(chunk_id))
            for chunk_id, ordinal, heading_path, chunk_text, embed_text in rows
        ]


def _json_list(value: object) -> list[str]:
    """Return a JSON column value as a list of strings (drivers return text or already-decoded lists)."""
    if isinstance(value, list):
        return [str(item) for item in value]
    if isinstance(value, str) and value:
        decoded = json.loads(value)
        return [str(item) for item in decoded] if isinstance(decoded, list) else []
    return []


def fts_in_step(engine: Engine) -> bool:
    """Return whether the keyword index has exactly one row per chunk (false after a table-level copy, say)."""
    with engine.connect() as conn:
        chunks = conn.execute(text("SELECT COUNT(*) FROM chunk")).scalar()
        indexed = conn.execute(text("SELECT COUNT(*) FROM chunk_fts")).scalar()
    return chunks == indexed


def rebuild_fts(engine: Engine) -> int:
    """Rewrite every FTS row from the chunk table (repairs a keyword index out of step); return the row count."""
    with engine.begin() as conn:
        return rebuild_fts_in(conn)


def rebuild_fts_in(conn: Connection) -> int:
    """Rewrite every FTS row from the chunk table inside the caller's transaction; return the row count."""
    conn.execute(text("DELETE FROM chunk_fts"))
    rows = conn.execute(text("SELECT c.id, r.title, c.heading_path, c.text FROM chunk c JOIN record r ON r.id = c.record_id"))
    count = 0
    batch: list[dict[str, object]] = []
    insert = text("INSERT INTO chunk_fts (rowid, title, heading, text) VALUES (:id, :title, :heading, :text)")
    for chunk_id, title, heading_path, chunk_text in rows.fetchall():
        batch.append(_keyword_row(int(chunk_id), title or "", " › ".join(_json_list(heading_path)), chunk_text or ""))
        if len(batch) >= 1000:
            conn.execute(insert, batch)
            count += len(batch)
            batch = []
    if batch:
        conn.execute(insert, batch)
        count += len(batch)
    return count

"""Usage events in the database: batched appends, reads since a day, and pruning past the retention period.

Appends are one short transaction per batch; on SQLite several processes may append at once (WAL mode and the
busy timeout serialise them), and PostgreSQL takes concurrent inserts as they come.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, Float, Integer, String, column, delete, func, insert, select
from sqlalchemy import table as table_clause
from sqlalchemy.engine import Engine

from bridge.usage_types import UsageEvent

USAGE_EVENT = table_clause(
    "usage_event",
    column("id", Integer), column("at", DateTime), column("kind", String), column("front_end", String),
    column("session", String), column("record_key", String), column("query", String), column("query_hash", String),
    column("mode", String), column("result_count", Integer), column("top_score", Float), column("hit_keys", JSON),
)
"""The usage_event table's columns for reading and writing without loading the ORM (usage_models defines it)."""


def _utc(moment: datetime) -> datetime:
    """Return moment as an aware UTC datetime (naive values are taken as UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def append_events(engine: Engine, events: Sequence[UsageEvent], *, prune_before: datetime | None = None) -> int:
    """Insert events in one transaction (deleting events older than prune_before first) and return how many."""
    if not events and prune_before is None:
        return 0
    rows = [
        {"at": _utc(event.at), "kind": event.kind, "front_end": event.front_end, "session": event.session,
         "record_key": event.record_key, "query": event.query, "query_hash": event.query_hash, "mode": event.mode,
         "result_count": event.result_count, "top_score": event.top_score, "hit_keys": list(event.hit_keys)}
        for event in events
    ]
    table = USAGE_EVENT
    with engine.begin() as conn:
        if prune_before is not None:
            conn.execute(delete(table).where(table.c.at < _utc(prune_before)))
        if rows:
            conn.execute(insert(table), rows)
    return len(rows)


def append_events_without_waiting(engine: Engine, events: Sequence[UsageEvent], *, prune_before: datetime,
                                  lock_wait_ms: int) -> int:
    """Insert events as ``append_events`` does, waiting at most lock_wait_ms for another process's SQLite write lock.

    Raises BridgeError when the store is busy or cannot be reached, so the caller can keep the events elsewhere.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from bridge.errors import BridgeError
    from bridge.store.engine import impatient

    try:
        with impatient(engine, lock_wait_ms) as quick:
            return append_events(quick, events, prune_before=prune_before)
    except SQLAlchemyError as exc:
        raise BridgeError(f"cannot store usage events: {str(exc).splitlines()[0][:120]}") from exc


def prune_events(engine: Engine, before: datetime) -> int:
    """Delete events older than before and return how many were deleted."""
    table = USAGE_EVENT
    with engine.begin() as conn:
        result = conn.execute(delete(table).where(table.c.at < _utc(before)))
    return int(result.rowcount or 0)


def load_events(engine: Engine, since: datetime | None = None, kinds: Sequence[str] = ()) -> list[UsageEvent]:
    """Return events at or after since (all when None), of the given kinds (all when empty), oldest first."""
    table = USAGE_EVENT
    query = select(
        table.c.kind, table.c.front_end, table.c.at, table.c.session, table.c.record_key, table.c.query,
        table.c.query_hash, table.c.mode, table.c.result_count, table.c.top_score, table.c.hit_keys,
    ).order_by(table.c.at, table.c.id)
    if since is not None:
        query = query.where(table.c.at >= _utc(since))
    if kinds:
        query = query.where(table.c.kind.in_(list(kinds)))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        UsageEvent(kind=row.kind, front_end=row.front_end, at=_utc(row.at), session=row.session or "",
                   record_key=row.record_key or "", query=row.query, query_hash=row.query_hash or "",
                   mode=row.mode or "", result_count=row.result_count or 0, top_score=row.top_score,
                   hit_keys=list(row.hit_keys or []))
        for row in rows
    ]


def count_events(engine: Engine) -> int:
    """Return how many usage events are stored."""
    table = USAGE_EVENT
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

"""The usage-event table: searches, record opens and citations, kept locally for importance and gaps."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel


class UsageEventRow(SQLModel, table=True):
    """One search, record open or citation (append-only; pruned after the retention period)."""

    __tablename__ = "usage_event"
    __table_args__ = (Index("ix_usage_event_kind_at", "kind", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    """UTC time of the event."""
    kind: str
    front_end: str
    session: str = ""
    record_key: str = Field(default="", index=True)
    query: str | None = None
    """The search text, NULL when only the hash is kept."""
    query_hash: str = ""
    mode: str = ""
    result_count: int = 0
    top_score: float | None = None
    hit_keys: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))

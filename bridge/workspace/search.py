"""Search side of the workspace: chunking on save, embedding, FAISS, hybrid search, ask, eval."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from bridge.config import Settings


class SearchMixin:
    """Search methods of Workspace (owned by the search work; see docs/search.md)."""

    settings: Settings
    engine: Engine

    def __init__(self) -> None:
        self._index = None

    def close_index(self) -> None:
        """Drop the in-memory index and model."""
        self._index = None

    def on_records_changed(self, record_ids: list[int]) -> None:
        """Re-chunk the given records and refresh their keyword index rows (embedding is deferred)."""

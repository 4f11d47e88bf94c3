"""The model on torch without sentence-transformers: its transformer, mean pooling and L2 normalisation.

For a model that is a plain Transformer + mean Pooling (+ Normalize) — what ``onnx_export.check_exportable``
accepts, the bundled MiniLM included — this computes what ``SentenceTransformer.encode(...,
normalize_embeddings=True)`` computes, with the same tokenizer file and window, but imports only torch and
transformers' model classes: about half the start-up time of sentence-transformers. The ONNX export traces the
very same pooled module, so the model is loaded once per process for both.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bridge.errors import ModelError
from bridge.index.heap import keep_freed_memory
from bridge.index.onnx_encoder import TOKENIZER_FILE, BatchEncoder, load_tokenizer, usable_cores
from bridge.index.packed_linear import packed_copy

if TYPE_CHECKING:
    import numpy as np


def _offline() -> None:
    """Make sure transformers never reaches for the network nor draws progress bars or warnings on the terminal."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # read once, when transformers is imported
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # its warnings (about training options) are not ours


@lru_cache(maxsize=4)
def pooled_model(model_path: str, attention: str = "sdpa") -> Any:
    """Return the model as a torch module mapping (input_ids, attention_mask, token_type_ids) to unit vectors."""
    _offline()
    try:
        import torch
        from transformers import AutoModel
    except ImportError as exc:
        raise ModelError(f"the torch backends need torch and transformers: {exc}") from exc

    class Pooled(torch.nn.Module):
        """The transformer, then the attention-masked mean of its last layer, L2-normalised."""

        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    token_type_ids: torch.Tensor) -> torch.Tensor:
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask,
                                token_type_ids=token_type_ids).last_hidden_state.float()
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    try:
        model = AutoModel.from_pretrained(model_path, attn_implementation=attention).eval()
    except Exception as exc:  # transformers raises OSError, ValueError… for a folder it cannot read
        raise ModelError(f"cannot load {model_path} with transformers: {exc}") from exc
    return Pooled(model).eval()


def bfloat16_model(model_path: str) -> Any:
    """Return a copy of the pooled model with bfloat16 weights (the float32 one stays for float32 and the export)."""
    import copy

    import torch

    return copy.deepcopy(pooled_model(model_path)).to(torch.bfloat16).eval()


PROBE_TEXTS = ("Restart the certificate controller after rotating the CA bundle.",
               "We chose SQLite for the local store because it needs no server.")
"""A small fixed batch on which the packed model must agree with the plain one."""


@lru_cache(maxsize=2)
def inference_models(model_path: str, bfloat16: bool, window: int) -> tuple[Any, Any, str]:
    """Return (the plain module, its copy with packed linear layers or the plain one again, why not packed)."""
    import torch

    plain = bfloat16_model(model_path) if bfloat16 else pooled_model(model_path)
    encodings = load_tokenizer(Path(model_path) / TOKENIZER_FILE, window).encode_batch(list(PROBE_TEXTS))
    input_ids = torch.tensor([encoding.ids for encoding in encodings], dtype=torch.int64)
    attention_mask = torch.tensor([encoding.attention_mask for encoding in encodings], dtype=torch.int64)
    packed, note = packed_copy(plain, (input_ids, attention_mask, torch.zeros_like(input_ids)))
    return plain, packed, note


class TorchPooledEncoder(BatchEncoder):
    """The pooled model on the CPU in float32 or with bfloat16 weights, fed by the model's own tokenizer file.

    bfloat16 weights rather than ``torch.autocast``: autocast casts every weight on every call, and on a Xeon with
    AMX the bfloat16 copy encoded PEP sections about 1.2× faster (cosine to float32 ≥ 0.9999 either way). Its linear
    layers are packed for oneDNN (``packed_linear``) and the process keeps freed memory for the next batch (``heap``).
    """

    def __init__(self, model_path: str, *, window: int, batch_size: int, bfloat16: bool, packed: bool = True) -> None:
        _offline()
        import torch

        keep_freed_memory()
        self._plain, self._packed, self.packing_note = inference_models(model_path, bfloat16, window)
        self._module = self._packed if packed else self._plain
        torch.set_num_threads(usable_cores())
        self._tokenizer = load_tokenizer(Path(model_path) / TOKENIZER_FILE, window)
        self.window = window
        self.dimension = int(self._module.model.config.hidden_size)
        self.batch_size = batch_size
        self.name = "torch-bfloat16" if bfloat16 else "torch-float32"

    @property
    def packable(self) -> bool:
        """Return whether a module with packed linear layers loaded and agreed with the plain one."""
        return self._packed is not self._plain

    @property
    def packed(self) -> bool:
        """Return whether this encoder runs the packed linear layers."""
        return self._module is not self._plain

    def use_packed_layers(self, packed: bool) -> None:
        """Run the packed linear layers (when they loaded) or the plain ones; calibration times both."""
        self._module = self._packed if packed else self._plain

    def _run(self, texts: list[str]) -> np.ndarray:
        """Tokenise one batch and run the model under the chosen arithmetic."""
        import torch

        input_ids, attention_mask = (torch.from_numpy(array) for array in self._token_arrays(texts))
        with torch.inference_mode():
            vectors = self._module(input_ids, attention_mask, torch.zeros_like(input_ids))
        return vectors.float().numpy()

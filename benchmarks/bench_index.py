"""Indexing throughput: bridge's whole pipeline against the raw model on the same chunks, and the naive baseline.

Run: ``.venv/bin/python benchmarks/bench_index.py [--corpus python-peps] [--queries peps-dev.jsonl]``.
It imports a corpus bundle into a temporary BRIDGE_HOME, times import (parse + chunk + keyword rows) and
``reindex`` (embed + FAISS), then encodes the very same embed texts with the bare model in the same precision
(pipeline overhead = ratio), and times a plain float32 ``encode`` of naive 1,000-character pieces on a sample
(extrapolated to the whole corpus) as the naive baseline. Optionally evaluates a query set in every mode.
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
    embedder = workspace.dense.embedder
    model_seconds = [0.0]
    bare_encode = embedder._encode

    def timed_encode(texts: list[str]):  # noqa: ANN202
        began = time.perf_counter()
        try:
            return bare_encode(texts)
        finally:
            model_seconds[0] += time.perf_counter() - began

    embedder._encode = timed_encode  # type: ignore[method-assign]
    started = time.perf_counter()
    reindex = workspace.reindex()
    reindex_seconds = time.perf_counter() - started
    embedder._encode = bare_encode  # type: ignore[method-assign]
    end_to_end = import_seconds + reindex_seconds
    print(f"corpus {args.corpus}: {report.imported} records imported, {reindex.chunks} chunks "
          f"({reindex.embedded} embedded, {reindex.reused} reused as duplicates)")
    print(f"  import (parse, git history, chunk, keyword rows): {import_seconds:8.1f} s")
    print(f"  reindex (load model, embed, FAISS {reindex.index_type}):      {reindex_seconds:8.1f} s")
    print(f"  end to end:                                        {end_to_end:8.1f} s "
          f"({reindex.chunks / end_to_end:.0f} chunks/s)")
    reindex_overhead = reindex_seconds - model_seconds[0]
    print(f"  of which inside the model's encode calls:          {model_seconds[0]:8.1f} s")
    print(f"  reindex beyond the model (load it, read pending, store vectors, FAISS): {reindex_overhead:.1f} s = "
          f"{reindex_overhead / model_seconds[0]:.1%} of model time; with the import: "
          f"{(end_to_end - model_seconds[0]) / model_seconds[0]:.1%}")

    from bridge.store.chunks import record_chunks

    records = workspace.list_records()
    embed_texts = [chunk.embed_text for record in records for chunk in record_chunks(workspace.engine, record.key)]
    if not args.skip_raw:
        unique_texts = sorted(set(embed_texts), key=len, reverse=True)
        started = time.perf_counter()
        embedder._encode(unique_texts)  # the bare model call the pipeline wraps, same precision and batch size
        raw_seconds = time.perf_counter() - started
        print(f"  raw model on the same {len(unique_texts)} texts:              {raw_seconds:8.1f} s "
              f"→ reindex / raw model = {reindex_seconds / raw_seconds:.3f}")

    from sentence_transformers import SentenceTransformer

    from bridge.index.embedder import resolve_model_path

    pieces = [piece for record in records for piece in naive_pieces(record.body, record.body_format)]
    sample = random.Random(7).sample(pieces, min(args.naive_sample, len(pieces)))
    plain = SentenceTransformer(resolve_model_path(settings.search.model), device="cpu")
    started = time.perf_counter()
    plain.encode(sample, batch_size=32)
    naive_rate = len(sample) / (time.perf_counter() - started)
    naive_total = len(pieces) / naive_rate
    print(f"  naive baseline: {len(pieces)} pieces of ≤1000 chars, plain float32 encode at {naive_rate:.1f}/s "
          f"→ {naive_total:.0f} s for the corpus (sampled {len(sample)})")
    print(f"  speed-up end to end vs naive embedding alone: {naive_total / end_to_end:.2f}×; "
          f"end to end is {end_to_end / 890:.0%} of the 890 s naive figure in the corpus README")

    if args.queries:
        queries = CORPORA / "queries" / args.queries
        for mode in ("keyword", "semantic", "hybrid"):
            result = workspace.evaluate(queries, mode=mode)  # type: ignore[arg-type]
            print(f"  eval {args.queries} {mode:8s}: R@1 {result.recall_at_1:.3f}  R@5 {result.recall_at_5:.3f}  "
                  f"R@10 {result.recall_at_10:.3f}  MRR@10 {result.mrr_at_10:.3f}  nDCG@10 {result.ndcg_at_10:.3f}")
    workspace.close()


if __name__ == "__main__":
    main()

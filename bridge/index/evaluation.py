"""Retrieval metrics over labelled queries: recall@k, MRR@10 and nDCG@10 with binary relevance."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from bridge.errors import BridgeError


@dataclass
class LabelledQuery:
    """One line of a query set: id, text and the source paths that answer it."""

    qid: str
    query: str
    relevant: list[str]


def read_queries(path: Path) -> list[LabelledQuery]:
    """Read a JSON-lines query set (``{"qid", "query", "relevant": [paths]}``); raises BridgeError naming the line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise BridgeError(f"cannot read query set {path}: {exc}") from exc
    queries: list[LabelledQuery] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            query = LabelledQuery(str(data.get("qid", number)), str(data["query"]),
                                  [str(item) for item in data["relevant"]])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BridgeError(f"{path}:{number}: not a query line with 'query' and 'relevant': {exc}") from exc
        queries.append(query)
    if not queries:
        raise BridgeError(f"{path}: no queries")
    return queries


def path_matches(source_path: str, relevant: str) -> bool:
    """Return whether a hit's source path is the relevant path (also when imported from a parent folder)."""
    hit = source_path.replace("\\", "/").lstrip("./")
    wanted = relevant.replace("\\", "/").lstrip("./")
    return bool(hit) and (hit == wanted or hit.endswith("/" + wanted))


def relevance_flags(ranked_paths: list[str], relevant: list[str]) -> list[bool]:
    """Return, for each ranked path, whether it is relevant (each relevant path counts once)."""
    remaining = list(relevant)
    flags: list[bool] = []
    for path in ranked_paths:
        match = next((wanted for wanted in remaining if path_matches(path, wanted)), None)
        flags.append(match is not None)
        if match is not None:
            remaining.remove(match)
    return flags


def recall_at(flags: list[bool], relevant_count: int, k: int) -> float:
    """Return the share of relevant documents found in the top k."""
    return sum(flags[:k]) / relevant_count if relevant_count else 0.0


def reciprocal_rank(flags: list[bool], k: int = 10) -> float:
    """Return 1/rank of the first relevant hit in the top k (0 when none)."""
    for rank, flag in enumerate(flags[:k], start=1):
        if flag:
            return 1.0 / rank
    return 0.0


def ndcg_at(flags: list[bool], relevant_count: int, k: int = 10) -> float:
    """Return normalised discounted cumulative gain at k with binary gains."""
    dcg = sum(1.0 / math.log2(rank + 1) for rank, flag in enumerate(flags[:k], start=1) if flag)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(relevant_count, k) + 1))
    return dcg / ideal if ideal else 0.0

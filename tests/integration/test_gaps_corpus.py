"""Unanswered questions on the prometheus-runbooks corpus with the real model: a scripted session mixes alert
texts the runbooks answer (../shared/corpora/queries/runbooks-dev.jsonl) with questions they cannot answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bridge.config import load_settings
from bridge.workspace import Workspace
from tests.conftest import CORPORA_DIR

pytestmark = pytest.mark.slow

UNANSWERABLE = [
    ["how do I claim travel expenses", "travel expense reimbursement policy", "where do I submit my travel receipts"],
    ["parental leave policy", "how many weeks of parental leave do we get", "apply for paternity or maternity leave"],
    ["book a meeting room in the office", "how to reserve a conference room", "meeting room booking system"],
    ["order a new laptop", "request a replacement laptop from IT", "how do I get a new work computer"],
]


def answerable_queries(count: int) -> list[dict[str, object]]:
    path = CORPORA_DIR / "queries" / "runbooks-dev.jsonl"
    if not path.exists():
        pytest.skip(f"{path} is not available")
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines[::7][:count]]


def test_unanswerable_questions_form_the_top_clusters(corpus, bridge_home: Path) -> None:
    repo = corpus("prometheus-runbooks")
    with Workspace.open(load_settings()) as workspace:
        workspace.import_paths([repo])
        workspace.warm_up()
        answerable = answerable_queries(15)
        opened = 0
        # Interleave: an on-call engineer's alert searches, with HR/IT questions asked in between and reworded.
        for number, item in enumerate(answerable):
            hits = workspace.search(str(item["query"]), k=5)
            relevant = next((hit for hit in hits if hit.source_path in item["relevant"]), None)
            if relevant is not None:
                workspace.record_open(relevant.key)
                opened += 1
            if number % 4 == 0 and number // 4 < len(UNANSWERABLE):
                for wording in UNANSWERABLE[number // 4]:
                    workspace.search(wording, k=5)
        assert opened >= 12
        clusters = workspace.gaps()

    top = clusters[: len(UNANSWERABLE)]
    assert sorted(sorted(cluster.queries) for cluster in top) == sorted(sorted(group) for group in UNANSWERABLE)
    assert all(cluster.count == 3 for cluster in top)
    for cluster in top:
        assert cluster.question in cluster.queries
        assert cluster.best_score is not None and cluster.best_score < 0.45
    rest = clusters[len(UNANSWERABLE):]
    assert all(cluster.count < 3 for cluster in rest)
    assert len(rest) <= len(answerable) - opened + 1

"""Pure usage functions: hashing, unanswered searches, clustering, importance and risk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from bridge.domain import Link, Record
from bridge.usage.gaps import cluster_gaps, unanswered_searches
from bridge.usage.hashing import normalise_query, query_hash
from bridge.usage.importance import concentration, importance, links_in, mentions, rank_risks, risk_entry
from bridge.usage.summary import read_counts
from bridge.usage_types import UsageEvent

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def search(query: str, minutes: float, hits: list[str], session: str = "s1") -> UsageEvent:
    return UsageEvent(kind="search", front_end="cli", at=T0 + timedelta(minutes=minutes), session=session,
                      query=query, query_hash=query_hash(query), mode="hybrid", result_count=len(hits),
                      hit_keys=hits)


def open_(key: str, minutes: float) -> UsageEvent:
    return UsageEvent(kind="open", front_end="tui", at=T0 + timedelta(minutes=minutes), record_key=key)


def test_hash_ignores_case_and_spacing_only() -> None:
    assert normalise_query("  Disk   FULL\n") == "disk full"
    assert query_hash("Disk full") == query_hash("disk  full")
    assert query_hash("disk full") != query_hash("disk fill")


def test_unanswered_reasons() -> None:
    events = [
        search("disk full", 0, ["RB-1", "RB-2"]), open_("RB-2", 1),          # answered: a hit was opened
        search("vpn cert", 10, ["RB-9"]), search("renew vpn certificate", 11, ["RB-9"]),  # reworded, nothing opened
        search("pager rota", 30, ["RB-1"]), open_("RB-1", 31),                # opened but best score is low
        search("late open", 50, ["RB-3"]), open_("RB-3", 70),                 # opened too late to count
    ]
    best = {"disk full": 0.8, "vpn cert": 0.3, "renew vpn certificate": 0.35, "pager rota": 0.2, "late open": 0.7}
    found = {item.wording: item.reasons for item in unanswered_searches(events, best_scores=best, gap_score=0.45,
                                                                         reword_minutes=5)}
    assert "disk full" not in found
    assert found["vpn cert"] == {"low-score", "nothing-opened", "reworded"}
    assert found["renew vpn certificate"] == {"low-score", "nothing-opened"}
    assert found["pager rota"] == {"low-score"}
    assert found["late open"] == {"nothing-opened"}


def test_clusters_group_similar_wordings_and_rank_by_count() -> None:
    events = [search("a1", 0, []), search("a2", 1, []), search("a1", 20, []), search("b", 40, [])]
    unanswered = unanswered_searches(events, best_scores={}, gap_score=0.45, reword_minutes=5)
    east, north = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    vectors = {"a1": east, "a2": (east * 0.9 + north * 0.1) / np.linalg.norm(east * 0.9 + north * 0.1), "b": north}
    clusters = cluster_gaps(unanswered, vectors, {"a1": 0.2, "a2": 0.3, "b": 0.1})
    assert [(c.question, c.count, c.queries) for c in clusters] == [("a1", 3, ["a1", "a2"]), ("b", 1, ["b"])]
    assert clusters[0].best_score == 0.3
    assert clusters[0].to_dict() == {"question": "a1", "count": 3, "queries": ["a1", "a2"], "best_score": 0.3}


def test_hashed_queries_cluster_by_identity() -> None:
    first, second = search("x", 0, []), search("x", 30, [])
    first.query = second.query = None
    clusters = cluster_gaps(unanswered_searches([first, second], best_scores={}, gap_score=0.45, reword_minutes=5),
                            {}, {})
    assert len(clusters) == 1 and clusters[0].count == 2 and clusters[0].question.startswith("(hashed) ")


def record(key: str, body: str = "") -> Record:
    return Record(key=key, kind="runbook", title=key, status="active", body=body)


def test_importance_terms_and_risk() -> None:
    records = [record("RB-1"), record("RB-2", "See RB-1 and rb-1 again."), record("RB-3", "RB-1, RB-3 itself")]
    links = [Link("RB-2", "RB-1", "relates"), Link("RB-3", "RB-1", "supersedes"), Link("RB-3", "RB-1", "relates")]
    reads = read_counts([open_("RB-1", 0), open_("rb-1", 1), open_("RB-1", 2)])
    assert reads == {"RB-1": 3} and links_in(links) == {"RB-1": 2} and mentions(records) == {"RB-1": 2}
    value = importance("RB-1", reads=reads, inbound=links_in(links), mentioned=mentions(records), alerts={"RB-1": 1})
    assert value.score == 1 + 2 + 0.5 * 2 + 0.5 * 2 + 1
    assert value.explain() == "1 (base) + 2 (reads: 3) + 1 (links in: 2) + 1 (mentions: 2) + 1 (alerts: 1) = 6"
    quiet = importance("RB-2", reads=reads, inbound={}, mentioned={}, alerts={})
    assert quiet.score == 1.0
    assert concentration(0) == 1.0 and concentration(4) == 0.25
    ranked = rank_risks([
        risk_entry(records[1], quiet, ["ann"]), risk_entry(records[0], value, ["ann", "bob"]),
        risk_entry(records[2], quiet, []),
    ])
    assert [(entry.key, entry.risk) for entry in ranked] == [("RB-1", 3.0), ("RB-2", 1.0), ("RB-3", 1.0)]

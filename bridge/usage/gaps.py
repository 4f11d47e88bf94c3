"""Unanswered questions: searches that found nothing useful, grouped by meaning into clusters.

A search counts as unanswered when its best section is less similar than ``gap_score``, when none of its hits
was opened within ``OPEN_WINDOW`` after it, or when the same session searched again with other words within
``reword_minutes`` without opening anything. Unanswered queries are grouped by the cosine similarity of their
embeddings (the same model as search): agglomerative clustering with count-weighted centroids, merging the closest
pair of clusters while their centroids are at least ``CLUSTER_SIMILARITY`` similar.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from bridge.usage.hashing import normalise_query
from bridge.usage_types import GapCluster, UsageEvent

OPEN_WINDOW = timedelta(minutes=10)
"""An open of one of a search's hits this soon after it answers the search."""
CLUSTER_SIMILARITY = 0.5
"""Least cosine similarity between two clusters' centroids for them to merge."""

MAX_CLUSTERED = 1000
"""Distinct wordings clustered at most (the most asked); each step costs the square of this."""

Reason = str
"""low-score, nothing-opened or reworded."""


@dataclass
class UnansweredSearch:
    """A search event that found nothing useful, and why."""

    event: UsageEvent
    reasons: set[Reason] = field(default_factory=set)

    @property
    def wording(self) -> str:
        """Return the query text, or a short hash label when only the hash was kept."""
        return query_label(self.event)


def query_label(event: UsageEvent) -> str:
    """Return the text of a search event, or its hash label when the text was not kept."""
    return event.query.strip() if event.query is not None else f"(hashed) {event.query_hash[:12]}"


def unanswered_searches(
    events: Sequence[UsageEvent],
    *,
    best_scores: Mapping[str, float | None],
    gap_score: float,
    reword_minutes: int,
) -> list[UnansweredSearch]:
    """Return the search events that count as unanswered; best_scores maps a query label to its best similarity."""
    searches = [event for event in events if event.kind == "search"]
    opens = sorted((event for event in events if event.kind == "open"), key=lambda event: event.at)
    reword_window = timedelta(minutes=reword_minutes)
    by_session: dict[str, list[UsageEvent]] = defaultdict(list)
    for event in searches:
        by_session[event.session].append(event)
    reworded: set[int] = set()
    for session_searches in by_session.values():
        session_searches.sort(key=lambda event: event.at)
        for current, following in zip(session_searches, session_searches[1:], strict=False):
            if (following.at - current.at <= reword_window and _text(following) != _text(current)
                    and not _opened_between(opens, current, following.at)):
                reworded.add(id(current))
    found: list[UnansweredSearch] = []
    for event in searches:
        reasons: set[Reason] = set()
        score = best_scores.get(query_label(event))
        if score is not None and score < gap_score:
            reasons.add("low-score")
        if not _opened_between(opens, event, event.at + OPEN_WINDOW):
            reasons.add("nothing-opened")
        if id(event) in reworded:
            reasons.add("reworded")
        if reasons:
            found.append(UnansweredSearch(event, reasons))
    return found


def _text(event: UsageEvent) -> str:
    """Return the comparable form of a search's wording."""
    return normalise_query(event.query) if event.query is not None else event.query_hash


def _opened_between(opens: Sequence[UsageEvent], search: UsageEvent, until: datetime) -> bool:
    """Return whether one of the search's hits was opened after it and no later than until."""
    hit_keys = {key.upper() for key in search.hit_keys}
    return any(
        search.at <= event.at <= until and event.record_key.upper() in hit_keys
        for event in opens
    )


def cluster_gaps(
    unanswered: Sequence[UnansweredSearch],
    vectors: Mapping[str, Sequence[float]],
    best_scores: Mapping[str, float | None],
    *,
    similarity: float = CLUSTER_SIMILARITY,
) -> list[GapCluster]:
    """Return clusters of unanswered searches, most asked first; vectors maps a wording to its L2-normalised embedding.

    Wordings without a vector (hashed queries) form clusters of identical wordings only.
    """
    counts: Counter[str] = Counter(item.wording for item in unanswered)
    reasons_of: dict[str, Counter[str]] = defaultdict(Counter)
    for item in unanswered:
        reasons_of[item.wording].update(item.reasons)
    order = sorted(counts, key=lambda wording: (-counts[wording], wording))
    members, centroids = _agglomerate(order, vectors, counts, similarity)
    clusters = []
    for wordings, centroid in zip(members, centroids, strict=True):
        scores = [value for wording in wordings if (value := best_scores.get(wording)) is not None]
        reasons: Counter[str] = Counter()
        for wording in wordings:
            reasons.update(reasons_of[wording])
        clusters.append(GapCluster(
            question=_representative(wordings, centroid, vectors, counts),
            count=sum(counts[wording] for wording in wordings),
            queries=sorted(wordings, key=lambda wording: (-counts[wording], wording)),
            best_score=max(scores) if scores else None,
            reasons=dict(reasons),
        ))
    clusters.sort(key=lambda cluster: (-cluster.count, cluster.best_score if cluster.best_score is not None else 0.0,
                                       cluster.question))
    return clusters


def _agglomerate(
    order: Sequence[str], vectors: Mapping[str, Sequence[float]], counts: Counter[str], similarity: float
) -> tuple[list[list[str]], list[np.ndarray]]:
    """Return clusters of wordings and their count-weighted centroids, merging the closest pair while it is close enough.

    Centroid linkage: each step merges the two clusters whose normalised centroids are most similar, until no pair
    reaches ``similarity``. Wordings without a vector, and past the MAX_CLUSTERED most asked, stay alone.
    """
    members: list[list[str]] = []
    centroids: list[np.ndarray] = []
    alone: list[list[str]] = []
    for wording in order:
        if wording in vectors and len(members) < MAX_CLUSTERED:
            members.append([wording])
            centroids.append(np.asarray(vectors[wording], dtype=np.float32) * counts[wording])
        else:
            alone.append([wording])
    while len(members) > 1:
        matrix = np.vstack([centroid / (float(np.linalg.norm(centroid)) or 1.0) for centroid in centroids])
        similarities = matrix @ matrix.T
        np.fill_diagonal(similarities, -1.0)
        first, second = divmod(int(np.argmax(similarities)), len(members))
        if similarities[first, second] < similarity:
            break
        first, second = min(first, second), max(first, second)
        members[first] += members.pop(second)
        centroids[first] = centroids[first] + centroids.pop(second)
    empty = [np.zeros(0, dtype=np.float32) for _ in alone]
    return members + alone, centroids + empty


def _representative(
    wordings: Sequence[str], centroid: np.ndarray, vectors: Mapping[str, Sequence[float]], counts: Counter[str]
) -> str:
    """Return the wording closest to the cluster's centroid (the most asked one on ties or without vectors)."""
    if centroid.size == 0 or len(wordings) == 1:
        return wordings[0]

    def closeness(wording: str) -> tuple[float, int, str]:
        vector = np.asarray(vectors[wording], dtype=np.float32)
        return -float(centroid @ vector), -counts[wording], wording

    return min(wordings, key=closeness)

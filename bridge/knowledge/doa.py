"""Degree of authorship (Fritz et al.; Avelino et al., ICPC 2016) of each person on one record.

DOA = 3.293 + 1.098·FA + 0.164·DL − 0.321·ln(1 + AC). The revision that creates the record gives its author
FA = 1 and is not counted as a change; every later revision is a change: DL for the people who made it, AC for
everyone else. This is how the authors' own tool (aserg-ufmg/Truck-Factor) counts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bridge.domain import Revision

DOA_BASE = 3.293
"""The constant term, also the absolute threshold of the knower rule."""
FIRST_AUTHORSHIP_WEIGHT = 1.098
DELIVERY_WEIGHT = 0.164
ACCEPTANCE_WEIGHT = 0.321
NORMALISED_THRESHOLD = 0.75
"""A knower's DOA divided by the record's best DOA must exceed this."""

AUTHORSHIP_SOURCES = frozenset({"git", "bridge"})
"""Revision sources that are evidence of authorship; plain file imports say nothing about who wrote the text."""


def degree_of_authorship(first_authorship: float, deliveries: float, acceptances: float) -> float:
    """Return the DOA for the given counts (fractional counts are allowed for decayed revisions)."""
    return (
        DOA_BASE
        + FIRST_AUTHORSHIP_WEIGHT * first_authorship
        + DELIVERY_WEIGHT * deliveries
        - ACCEPTANCE_WEIGHT * math.log(1 + acceptances)
    )


@dataclass
class AuthorshipScore:
    """One person's authorship of one record."""

    handle: str
    first_authorship: float
    deliveries: float
    acceptances: float
    doa: float
    normalised: float
    """doa divided by the best doa on the record."""

    @property
    def is_author(self) -> bool:
        """Return whether the knower rule holds: normalised DOA > 0.75 and DOA ≥ 3.293."""
        return self.normalised > NORMALISED_THRESHOLD and self.doa >= DOA_BASE


def change_makers(revision: Revision, with_coauthors: bool) -> list[str]:
    """Return the handles credited with a revision: its author, plus co-authors when they count."""
    makers = [revision.author]
    if with_coauthors:
        makers.extend(handle for handle in revision.coauthors if handle and handle not in makers)
    return makers


def authorship_scores(
    revisions: Sequence[Revision],
    *,
    with_coauthors: bool = True,
    weight_of: Callable[[Revision], float] | None = None,
) -> list[AuthorshipScore]:
    """Return the DOA of everyone who made a revision of one record, best first (ties by handle).

    ``revisions`` must belong to one record; they are ordered by revision number here. ``weight_of`` gives each
    revision's weight (1 by default; less for old revisions under recency decay).
    """
    ordered = sorted(
        (revision for revision in revisions if revision.source in AUTHORSHIP_SOURCES), key=lambda r: r.number
    )
    if not ordered:
        return []
    weights = [weight_of(revision) if weight_of else 1.0 for revision in ordered]
    first_authorship: dict[str, float] = {}
    deliveries: dict[str, float] = {}
    for handle in change_makers(ordered[0], with_coauthors):
        first_authorship[handle] = weights[0]
        deliveries.setdefault(handle, 0.0)
    total_changes = 0.0
    for revision, weight in zip(ordered[1:], weights[1:], strict=True):
        total_changes += weight
        for handle in change_makers(revision, with_coauthors):
            deliveries[handle] = deliveries.get(handle, 0.0) + weight
    raw = [
        (handle, first_authorship.get(handle, 0.0), own, total_changes - own)
        for handle, own in deliveries.items()
    ]
    doas = {handle: degree_of_authorship(fa, dl, ac) for handle, fa, dl, ac in raw}
    best = max(doas.values())
    scores = [
        AuthorshipScore(
            handle=handle, first_authorship=fa, deliveries=dl, acceptances=ac, doa=doas[handle],
            normalised=doas[handle] / best if best > 0 else 0.0,
        )
        for handle, fa, dl, ac in raw
    ]
    scores.sort(key=lambda score: (-score.doa, score.handle))
    return scores

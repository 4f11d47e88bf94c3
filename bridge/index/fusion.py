"""Rank fusion: combine keyword and dense chunk rankings into one ranking of records, best section first.

Pure functions over ids and scores, so the method can be measured and unit-tested without an index.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

RRF_K = 60
"""Reciprocal-rank-fusion constant (Cormack et al., 2009): damps the weight of the very first ranks."""
KEYWORD_WEIGHT = 0.5
"""Share of the keyword list in relative score fusion (the dense list gets the rest); see ADR-0101."""
TITLE_WEIGHT = 0.5
"""Share of the query's similarity to a record's title added to each of its chunks' dense scores (ADR-0516)."""
INACTIVE_FACTOR = 0.5
"""Superseded, deprecated, retired and rejected records keep this share of their fused score."""
BOILERPLATE_SECTIONS = frozenset({
    "copyright", "license", "licence", "references", "footnotes", "acknowledgements", "acknowledgments",
    "see also", "further reading", "resources", "links", "external links", "change log", "changelog",
    "revision history", "version history", "history of this document",
})
"""Section headings whose text answers no question: licence notices, link lists, document history (ask skips them)."""


@dataclass(frozen=True)
class ChunkHit:
    """A chunk found by one retriever: its id, its record and the retriever's score (higher is better)."""

    chunk_id: int
    record_id: int
    score: float


@dataclass
class RankedRecord:
    """A record in a fused ranking, with the chunk that represents it and its rank in each input list."""

    record_id: int
    score: float
    chunk_id: int
    keyword_rank: int | None = None
    """1-based rank of the record in the keyword list (None when absent)."""
    dense_rank: int | None = None


def is_boilerplate(heading: str) -> bool:
    """Return whether a section heading names a boilerplate section ("10. References", "Copyright" …)."""
    words = " ".join(heading.casefold().replace("-", " ").split())
    return words.lstrip("0123456789. ") in BOILERPLATE_SECTIONS


def group_by_record(hits: Sequence[ChunkHit]) -> list[ChunkHit]:
    """Return each record's best chunk hit, records in the order of their best chunk (input is best first)."""
    best: dict[int, ChunkHit] = {}
    for hit in hits:
        if hit.record_id not in best:
            best[hit.record_id] = hit
    return list(best.values())


def reciprocal_rank_fusion(
    keyword_hits: Sequence[ChunkHit],
    dense_hits: Sequence[ChunkHit],
    *,
    k: int = RRF_K,
    keyword_weight: float = 1.0,
    dense_weight: float = 1.0,
) -> list[RankedRecord]:
    """Fuse two chunk rankings at record level: score = Σ weight / (k + rank of the record's best chunk).

    The record is shown with the chunk that ranks best across both lists (by its own fused chunk score).
    """
    keyword_records = group_by_record(keyword_hits)
    dense_records = group_by_record(dense_hits)
    fused: dict[int, RankedRecord] = {}
    for weight, records, field_name in (
        (keyword_weight, keyword_records, "keyword_rank"),
        (dense_weight, dense_records, "dense_rank"),
    ):
        for rank, hit in enumerate(records, start=1):
            entry = fused.setdefault(hit.record_id, RankedRecord(hit.record_id, 0.0, hit.chunk_id))
            entry.score += weight / (k + rank)
            setattr(entry, field_name, rank)
    best_chunks = _best_chunk_per_record(keyword_hits, dense_hits, k)
    for entry in fused.values():
        entry.chunk_id = best_chunks.get(entry.record_id, entry.chunk_id)
    return sorted(fused.values(), key=lambda entry: (-entry.score, entry.record_id))


def relative_score_fusion(
    keyword_hits: Sequence[ChunkHit], dense_hits: Sequence[ChunkHit], *, keyword_weight: float = KEYWORD_WEIGHT
) -> list[RankedRecord]:
    """Fuse two chunk rankings at record level by their min-max normalised scores, weighted and summed.

    Unlike RRF it keeps how far apart the candidates are: a record far ahead in one list stays ahead. A record
    missing from a list scores 0 there. The record is shown with the chunk whose own fused score is highest.
    """
    keyword_records = group_by_record(keyword_hits)
    dense_records = group_by_record(dense_hits)
    fused: dict[int, RankedRecord] = {}
    for weight, records, field_name in (
        (keyword_weight, keyword_records, "keyword_rank"),
        (1.0 - keyword_weight, dense_records, "dense_rank"),
    ):
        normalised = _min_max([hit.score for hit in records])
        for rank, (hit, score) in enumerate(zip(records, normalised, strict=True), start=1):
            entry = fused.setdefault(hit.record_id, RankedRecord(hit.record_id, 0.0, hit.chunk_id))
            entry.score += weight * score
            setattr(entry, field_name, rank)
    chunk_scores: dict[int, float] = {}
    record_of: dict[int, int] = {}
    for weight, hits in ((keyword_weight, keyword_hits), (1.0 - keyword_weight, dense_hits)):
        for hit, score in zip(hits, _min_max([hit.score for hit in hits]), strict=True):
            chunk_scores[hit.chunk_id] = chunk_scores.get(hit.chunk_id, 0.0) + weight * score
            record_of[hit.chunk_id] = hit.record_id
    best = _top_chunk_per_record(chunk_scores, record_of)
    for entry in fused.values():
        entry.chunk_id = best[entry.record_id]
    return sorted(fused.values(), key=lambda entry: (-entry.score, entry.record_id))


def _min_max(scores: Sequence[float]) -> list[float]:
    """Return scores scaled to [0, 1] (all 1.0 when they are equal)."""
    if not scores:
        return []
    high, low = max(scores), min(scores)
    if high == low:
        return [1.0] * len(scores)
    return [(score - low) / (high - low) for score in scores]


def _best_chunk_per_record(keyword_hits: Sequence[ChunkHit], dense_hits: Sequence[ChunkHit], k: int) -> dict[int, int]:
    """Return record id → the chunk with the highest chunk-level RRF score across both lists."""
    chunk_scores: dict[int, float] = {}
    record_of: dict[int, int] = {}
    for hits in (keyword_hits, dense_hits):
        for rank, hit in enumerate(hits, start=1):
            chunk_scores[hit.chunk_id] = chunk_scores.get(hit.chunk_id, 0.0) + 1.0 / (k + rank)
            record_of[hit.chunk_id] = hit.record_id
    return _top_chunk_per_record(chunk_scores, record_of)


def _top_chunk_per_record(chunk_scores: dict[int, float], record_of: dict[int, int]) -> dict[int, int]:
    """Return record id → its chunk with the highest score."""
    best: dict[int, tuple[float, int]] = {}
    for chunk_id, score in chunk_scores.items():
        record_id = record_of[chunk_id]
        if record_id not in best or score > best[record_id][0]:
            best[record_id] = (score, chunk_id)
    return {record_id: chunk_id for record_id, (_score, chunk_id) in best.items()}


def with_record_bonus(hits: Sequence[ChunkHit], bonus: Mapping[int, float], *, weight: float = TITLE_WEIGHT) -> list[ChunkHit]:
    """Return hits with weight × their record's bonus added to each score, best first (stable among ties)."""
    boosted = [ChunkHit(hit.chunk_id, hit.record_id, hit.score + weight * bonus.get(hit.record_id, 0.0)) for hit in hits]
    return sorted(boosted, key=lambda hit: -hit.score)


def single_list(hits: Sequence[ChunkHit], *, keyword: bool) -> list[RankedRecord]:
    """Return one retriever's chunk ranking grouped to records, keeping the retriever's score."""
    ranked: list[RankedRecord] = []
    for rank, hit in enumerate(group_by_record(hits), start=1):
        ranked.append(
            RankedRecord(hit.record_id, hit.score, hit.chunk_id, keyword_rank=rank if keyword else None,
                         dense_rank=None if keyword else rank)
        )
    return ranked


def demote_inactive(
    ranked: Sequence[RankedRecord],
    inactive_record_ids: Collection[int],
    successors: Mapping[int, Sequence[int]] | None = None,
    *,
    factor: float = INACTIVE_FACTOR,
) -> list[RankedRecord]:
    """Scale down inactive records' scores, then make sure no record ranks above a listed successor of it."""
    adjusted = [
        RankedRecord(entry.record_id, entry.score * factor if entry.record_id in inactive_record_ids else entry.score,
                     entry.chunk_id, entry.keyword_rank, entry.dense_rank)
        for entry in ranked
    ]
    adjusted.sort(key=lambda entry: -entry.score)
    if not successors:
        return adjusted
    position = {entry.record_id: index for index, entry in enumerate(adjusted)}
    for old_id, new_ids in successors.items():
        present = [position[new_id] for new_id in new_ids if new_id in position]
        if old_id in position and present and position[old_id] < min(present):
            old_entry = adjusted.pop(position[old_id])
            adjusted.insert(min(present), old_entry)
            position = {entry.record_id: index for index, entry in enumerate(adjusted)}
    return adjusted

"""Rank fusion: RRF arithmetic, grouping chunks to records, best section, status-aware demotion."""

from __future__ import annotations

import pytest

from bridge.index.fusion import (
    RRF_K,
    ChunkHit,
    RankedRecord,
    demote_inactive,
    group_by_record,
    reciprocal_rank_fusion,
    single_list,
)


def test_group_by_record_keeps_each_records_best_chunk_in_order() -> None:
    hits = [ChunkHit(10, 1, 9.0), ChunkHit(11, 1, 8.0), ChunkHit(20, 2, 7.0), ChunkHit(30, 3, 6.0)]
    grouped = group_by_record(hits)
    assert [(hit.record_id, hit.chunk_id) for hit in grouped] == [(1, 10), (2, 20), (3, 30)]


def test_rrf_scores_are_the_sum_of_reciprocal_ranks() -> None:
    keyword = [ChunkHit(10, 1, 5.0), ChunkHit(20, 2, 4.0)]
    dense = [ChunkHit(21, 2, 0.9), ChunkHit(30, 3, 0.8), ChunkHit(11, 1, 0.7)]
    fused = reciprocal_rank_fusion(keyword, dense)
    by_record = {entry.record_id: entry for entry in fused}
    assert by_record[1].score == pytest.approx(1 / (RRF_K + 1) + 1 / (RRF_K + 3))
    assert by_record[2].score == pytest.approx(1 / (RRF_K + 2) + 1 / (RRF_K + 1))
    assert by_record[3].score == pytest.approx(1 / (RRF_K + 2))
    assert [entry.record_id for entry in fused] == [2, 1, 3]
    assert (by_record[2].keyword_rank, by_record[2].dense_rank) == (2, 1)
    assert by_record[3].keyword_rank is None


def test_rrf_shows_the_chunk_both_lists_agree_on() -> None:
    keyword = [ChunkHit(10, 1, 5.0), ChunkHit(12, 1, 4.0)]
    dense = [ChunkHit(12, 1, 0.9), ChunkHit(11, 1, 0.8)]
    assert reciprocal_rank_fusion(keyword, dense)[0].chunk_id == 12


def test_weights_shift_the_order() -> None:
    keyword = [ChunkHit(10, 1, 5.0), ChunkHit(20, 2, 4.0)]
    dense = [ChunkHit(20, 2, 0.9), ChunkHit(10, 1, 0.8)]
    assert reciprocal_rank_fusion(keyword, dense, keyword_weight=2.0)[0].record_id == 1
    assert reciprocal_rank_fusion(keyword, dense, dense_weight=2.0)[0].record_id == 2


def test_single_list_keeps_scores_and_ranks() -> None:
    ranked = single_list([ChunkHit(10, 1, 3.0), ChunkHit(11, 1, 2.0), ChunkHit(20, 2, 1.0)], keyword=False)
    assert [(entry.record_id, entry.score, entry.dense_rank) for entry in ranked] == [(1, 3.0, 1), (2, 1.0, 2)]


def test_inactive_records_are_scaled_down() -> None:
    ranked = [RankedRecord(1, 1.0, 10), RankedRecord(2, 0.8, 20)]
    assert [entry.record_id for entry in demote_inactive(ranked, {1})] == [2, 1]


def test_a_superseded_record_never_ranks_above_its_successor() -> None:
    ranked = [RankedRecord(1, 10.0, 10), RankedRecord(3, 2.0, 30), RankedRecord(2, 1.0, 20)]
    result = demote_inactive(ranked, {1}, {1: [2]})
    order = [entry.record_id for entry in result]
    assert order.index(2) < order.index(1)
    assert order[0] == 3


def test_successor_rule_ignores_successors_not_in_the_list() -> None:
    ranked = [RankedRecord(1, 10.0, 10), RankedRecord(3, 1.0, 30)]
    assert [entry.record_id for entry in demote_inactive(ranked, {1}, {1: [99]})] == [1, 3]


def test_relative_score_fusion_weighs_normalised_scores() -> None:
    from bridge.index.fusion import relative_score_fusion

    keyword = [ChunkHit(10, 1, 30.0), ChunkHit(20, 2, 20.0), ChunkHit(30, 3, 10.0)]
    dense = [ChunkHit(21, 2, 0.9), ChunkHit(31, 3, 0.5), ChunkHit(11, 1, 0.1)]
    fused = relative_score_fusion(keyword, dense, keyword_weight=0.5)
    by_record = {entry.record_id: entry.score for entry in fused}
    assert by_record[1] == pytest.approx(0.5 * 1.0 + 0.5 * 0.0)
    assert by_record[2] == pytest.approx(0.5 * 0.5 + 0.5 * 1.0)
    assert by_record[3] == pytest.approx(0.5 * 0.0 + 0.5 * 0.5)
    assert [entry.record_id for entry in fused] == [2, 1, 3]
    assert relative_score_fusion(keyword, dense, keyword_weight=0.9)[0].record_id == 1


def test_relative_score_fusion_handles_one_empty_list_and_ties() -> None:
    from bridge.index.fusion import relative_score_fusion

    only_dense = relative_score_fusion([], [ChunkHit(1, 1, 0.5), ChunkHit(2, 2, 0.5)])
    assert {entry.record_id for entry in only_dense} == {1, 2}
    assert all(entry.score == pytest.approx(0.5) for entry in only_dense)
    assert relative_score_fusion([], []) == []


def test_relative_score_fusion_shows_the_best_fused_chunk() -> None:
    from bridge.index.fusion import relative_score_fusion

    keyword = [ChunkHit(10, 1, 9.0), ChunkHit(12, 1, 8.5), ChunkHit(20, 2, 1.0)]
    dense = [ChunkHit(12, 1, 0.9), ChunkHit(10, 1, 0.2), ChunkHit(20, 2, 0.1)]
    assert relative_score_fusion(keyword, dense)[0].chunk_id == 12


def test_a_record_bonus_lifts_every_chunk_of_its_record() -> None:
    from bridge.index.fusion import with_record_bonus

    hits = [ChunkHit(1, 10, 0.80), ChunkHit(2, 20, 0.78), ChunkHit(3, 20, 0.50)]
    boosted = with_record_bonus(hits, {20: 0.4, 10: 0.1}, weight=0.5)
    assert [hit.chunk_id for hit in boosted] == [2, 1, 3]
    assert boosted[0].score == pytest.approx(0.98)
    assert with_record_bonus(hits, {}) == hits


def test_boilerplate_sections_are_recognised_by_their_heading_words() -> None:
    from bridge.index.fusion import is_boilerplate

    assert all(is_boilerplate(heading) for heading in ("Copyright", "10. References", "See  Also", "Change-log"))
    assert not any(is_boilerplate(heading) for heading in ("Rationale", "Referencing objects", "", "Links between pods"))

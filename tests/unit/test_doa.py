"""Degree of authorship and the knower rule on hand-computed cases (authorship, owners, reviews, departures, decay)."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import pytest

from bridge.config import KnowledgeSettings
from bridge.domain import Contribution, KnowledgeInputs, Person, Record, Revision
from bridge.knowledge.doa import authorship_scores, degree_of_authorship
from bridge.knowledge.knowers import knowers_by_record

AS_OF = date(2026, 6, 1)
START = datetime(2025, 1, 1, 12, 0)


def revisions(key: str, authors: list[str], *, start: datetime = START, step_days: int = 1) -> list[Revision]:
    """Return git revisions of one record by the given authors, in order, one per step."""
    return [
        Revision(record_key=key, number=number, author=author, at=start + timedelta(days=step_days * (number - 1)),
                 source="git")
        for number, author in enumerate(authors, start=1)
    ]


def record(key: str, topics: list[str] | None = None, **fields) -> Record:
    """Return a runbook record created at START."""
    return Record(key=key, kind=fields.pop("kind", "runbook"), title=key, status=fields.pop("status", "active"),
                  body="", topics=topics or ["t"], created_at=fields.pop("created_at", START), **fields)


def person(handle: str, **fields) -> Person:
    """Return a person whose display name is the handle capitalised."""
    return Person(handle=handle, name=handle.capitalize(), **fields)


def knowers(inputs: KnowledgeInputs, settings: KnowledgeSettings | None = None, **kwargs) -> dict[str, list[str]]:
    """Return record key → active knowers for inputs as of AS_OF."""
    entries = knowers_by_record(inputs, settings or KnowledgeSettings(), kwargs.pop("as_of", AS_OF), **kwargs)
    return {key: entry.knowers for key, entry in entries.items()}


def test_doa_formula_matches_the_paper_constants() -> None:
    assert degree_of_authorship(1, 0, 0) == pytest.approx(4.391)
    assert degree_of_authorship(0, 2, 3) == pytest.approx(3.293 + 0.328 - 0.321 * math.log(4))


def test_creator_is_first_author_and_creation_is_not_a_change() -> None:
    scores = {s.handle: s for s in authorship_scores(revisions("RB-1", ["alice", "bob", "alice", "carol"]))}
    assert scores["alice"].first_authorship == 1 and scores["alice"].deliveries == 1
    assert scores["alice"].acceptances == 2
    assert scores["alice"].doa == pytest.approx(3.293 + 1.098 + 0.164 - 0.321 * math.log(3))  # 4.2023
    assert scores["bob"].doa == pytest.approx(3.293 + 0.164 - 0.321 * math.log(3))  # 3.1043
    assert scores["bob"].normalised == pytest.approx(3.104345 / 4.202345, rel=1e-5)  # 0.739: not an author
    assert [s.handle for s in authorship_scores(revisions("RB-1", ["alice", "bob", "alice", "carol"]))
            if s.is_author] == ["alice"]


def test_normalised_threshold_separates_heavy_editor_from_creator() -> None:
    # bob's 10 edits push alice to 3.621/4.933 = 0.734: only bob knows; with 7 edits alice keeps 0.838.
    ten = {s.handle: s for s in authorship_scores(revisions("RB-1", ["alice"] + ["bob"] * 10))}
    assert ten["bob"].doa == pytest.approx(4.933)
    assert ten["alice"].doa == pytest.approx(4.391 - 0.321 * math.log(11))
    assert (ten["alice"].is_author, ten["bob"].is_author) == (False, True)
    seven = {s.handle: s for s in authorship_scores(revisions("RB-1", ["alice"] + ["bob"] * 7))}
    assert seven["alice"].normalised == pytest.approx((4.391 - 0.321 * math.log(8)) / 4.441)
    assert seven["alice"].is_author and seven["bob"].is_author


def test_absolute_threshold_rejects_a_top_author_below_3_293() -> None:
    # One early edit each by a crowd: everybody's DOA drops under 3.293 except where FA lifts it.
    history = revisions("RB-1", ["alice", *[f"p{i}" for i in range(40)]])
    scores = {s.handle: s for s in authorship_scores(history)}
    assert scores["alice"].doa == pytest.approx(4.391 - 0.321 * math.log(41))  # 3.199 < 3.293
    assert not any(s.is_author for s in scores.values())


def test_import_revisions_are_not_authorship() -> None:
    history = revisions("RB-1", ["alice", "bob"])
    history[0].source = "import"
    assert [s.handle for s in authorship_scores(history)] == ["bob"]


def test_coauthors_share_the_change_when_they_count() -> None:
    history = revisions("RB-1", ["alice"] + ["bob"] * 4)
    for revision in history[1:]:
        revision.coauthors = ["carol"]
    with_co = {s.handle: s for s in authorship_scores(history, with_coauthors=True)}
    assert with_co["carol"].deliveries == 4 and with_co["carol"].acceptances == 0
    without_co = {s.handle for s in authorship_scores(history, with_coauthors=False)}
    assert "carol" not in without_co


def test_owner_and_reviewer_become_knowers_and_weights_are_configurable() -> None:
    inputs = KnowledgeInputs(
        records=[record("RB-1")],
        revisions=revisions("RB-1", ["alice"]),
        contributions=[
            Contribution(person="olga", record_key="RB-1", role="owner"),
            Contribution(person="rick", record_key="RB-1", role="reviewer", at=datetime(2026, 5, 1)),
        ],
        people=[person("alice"), person("olga"), person("rick")],
    )
    assert sorted(knowers(inputs)["RB-1"]) == ["alice", "olga", "rick"]
    half = KnowledgeSettings(owner_weight=0.5, reviewer_weight=0.5)
    assert knowers(inputs, half)["RB-1"] == ["alice"]
    # Half an owner plus half a reviewer make a whole knower.
    inputs.contributions.append(Contribution(person="olga", record_key="RB-1", role="reviewer", at=datetime(2026, 5, 2)))
    assert sorted(knowers(inputs, half)["RB-1"]) == ["alice", "olga"]
    assert knowers(inputs, KnowledgeSettings(owners_count=False, reviewers_count=False))["RB-1"] == ["alice"]


def test_team_owner_counts_through_members_only() -> None:
    inputs = KnowledgeInputs(
        records=[record("RB-1"), record("RB-2")],
        revisions=[],
        contributions=[
            Contribution(person="search-maintainers", record_key="RB-1", role="owner"),
            Contribution(person="storage-maintainers", record_key="RB-2", role="owner"),
        ],
        people=[person("search-maintainers"), person("storage-maintainers"), person("dana", team="search-maintainers")],
    )
    entries = knowers_by_record(inputs, KnowledgeSettings(), AS_OF)
    assert entries["RB-1"].knowers == ["dana"]
    assert entries["RB-2"].knowers == [] and entries["RB-2"].team_only
    configured = KnowledgeSettings(teams={"storage-maintainers": ["Dana"]})
    assert knowers(inputs, configured)["RB-2"] == ["dana"]


def test_people_who_left_or_are_simulated_away_no_longer_count() -> None:
    inputs = KnowledgeInputs(
        records=[record("RB-1")],
        revisions=revisions("RB-1", ["alice"] + ["bob"] * 7),
        people=[person("alice", left_on=date(2026, 1, 1)), person("bob")],
    )
    entries = knowers_by_record(inputs, KnowledgeSettings(), AS_OF)
    assert entries["RB-1"].knowers == ["bob"] and entries["RB-1"].left_knowers == ["alice"]
    # Before alice left she still counted.
    assert sorted(knowers(inputs, as_of=date(2025, 12, 31))["RB-1"]) == ["alice", "bob"]
    assert knowers(inputs, without={"bob"})["RB-1"] == []


def test_as_of_ignores_later_records_and_revisions() -> None:
    inputs = KnowledgeInputs(
        records=[record("RB-1"), record("RB-2", created_at=datetime(2026, 3, 1))],
        revisions=revisions("RB-1", ["alice"] + ["bob"] * 10, start=datetime(2025, 1, 1), step_days=30),
        people=[person("alice"), person("bob")],
    )
    early = knowers(inputs, as_of=date(2025, 3, 15))  # alice created, bob made two edits by then
    assert set(early) == {"RB-1"}
    assert sorted(early["RB-1"]) == ["alice", "bob"]
    assert knowers(inputs)["RB-1"] == ["bob"]


def test_recency_drop_forgets_old_edits_and_reviews_and_decay_reweighs_them() -> None:
    old = Revision(record_key="RB-1", number=1, author="alice", at=datetime(2023, 1, 1), source="git")
    recent = Revision(record_key="RB-1", number=2, author="bob", at=datetime(2026, 5, 1), source="git")
    inputs = KnowledgeInputs(
        records=[record("RB-1")],
        revisions=[old, recent],
        contributions=[Contribution(person="rick", record_key="RB-1", role="reviewer", at=datetime(2024, 1, 1))],
        people=[person("alice"), person("bob"), person("rick")],
    )
    # No window: alice 4.391 - 0.321 ln 2 = 4.169, bob 3.457 (0.829 of it): both know, and rick reviewed.
    assert knowers(inputs)["RB-1"] == ["alice", "bob", "rick"]  # strongest DOA first; rick has no authorship
    drop = KnowledgeSettings(recency_days=547)
    assert knowers(inputs, drop)["RB-1"] == ["bob"]  # bob's edit is now the creation; the rest is forgotten
    decay = KnowledgeSettings(recency_days=547, recency_mode="decay")
    entries = knowers_by_record(inputs, decay, AS_OF)
    scores = {s.handle: s.doa for s in entries["RB-1"].scores}
    alice_weight = 0.5 ** ((AS_OF - date(2023, 1, 1)).days / 547)
    bob_weight = 0.5 ** ((AS_OF - date(2026, 5, 1)).days / 547)
    assert scores["alice"] == pytest.approx(degree_of_authorship(alice_weight, 0, bob_weight))
    assert scores["bob"] == pytest.approx(degree_of_authorship(0, bob_weight, 0))
    assert scores["bob"] > scores["alice"]  # without decay alice ranks first
    assert entries["RB-1"].knowers == ["bob", "alice"]  # the expired review no longer counts

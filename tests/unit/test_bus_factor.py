"""Greedy bus factor, flags, suggestions, departures, people and onboarding on hand-built knowledge bases."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from bridge.config import KnowledgeSettings
from bridge.domain import Contribution, KnowledgeInputs, Link, Person, Record, Revision
from bridge.errors import BridgeError
from bridge.knowledge.analysis import NO_TOPIC, analyse
from bridge.knowledge.bus_factor import greedy_bus_factor, orphaned_records, single_knower_records
from bridge.knowledge.departures import simulate_departures
from bridge.knowledge.onboarding import onboarding_path, supersession_pairs
from bridge.knowledge.people import people_summaries
from bridge.knowledge.report import OVERALL_TOPIC, build_report, compare_with_previous

AS_OF = date(2026, 6, 1)
START = datetime(2026, 1, 1, 9, 0)


def test_greedy_removes_top_knower_until_more_than_half_orphaned() -> None:
    # a knows 3, b knows 2: removing a orphans RB-1, RB-2 (2 of 4, not more than half); removing b orphans all.
    result = greedy_bus_factor({"RB-1": {"a"}, "RB-2": {"a"}, "RB-3": {"b"}, "RB-4": {"a", "b"}})
    assert (result.bus_factor, result.removed) == (2, ["a", "b"])


def test_single_person_concentration_gives_one() -> None:
    result = greedy_bus_factor({"RB-1": {"a"}, "RB-2": {"a"}, "RB-3": {"a", "b"}, "RB-4": {"b"}, "RB-5": {"a"}})
    assert (result.bus_factor, result.removed) == (1, ["a"])


def test_orphaned_majority_gives_zero_and_empty_set_is_zero() -> None:
    assert greedy_bus_factor({"RB-1": set(), "RB-2": set(), "RB-3": {"a"}}).bus_factor == 0
    assert greedy_bus_factor({}).bus_factor == 0
    # Exactly half orphaned is not more than half: one removal still needed.
    assert greedy_bus_factor({"RB-1": set(), "RB-2": {"a"}}).bus_factor == 1


def test_ties_are_broken_by_handle_whatever_the_input_order() -> None:
    forward = {"RB-1": ["zoe"], "RB-2": ["adam"], "RB-3": ["zoe", "adam"], "RB-4": ["mia"]}
    backward = dict(reversed(list(forward.items())))
    assert greedy_bus_factor(forward).removed == greedy_bus_factor(backward).removed == ["adam", "zoe"]


def test_single_and_orphaned_record_lists() -> None:
    knowers = {"RB-1": {"a"}, "RB-2": set(), "RB-3": {"a", "b"}}
    assert single_knower_records(knowers) == ["RB-1"]
    assert orphaned_records(knowers) == ["RB-2"]


# -- whole analyses on a small knowledge base ---------------------------------------------------------------


def history(key: str, authors: list[str], start: datetime = START) -> list[Revision]:
    """Return git revisions of one record, a day apart."""
    return [Revision(record_key=key, number=n, author=a, at=start + timedelta(days=n), source="git")
            for n, a in enumerate(authors, start=1)]


def make_kb() -> KnowledgeInputs:
    """Return a knowledge base: etcd sits with alice, node is shared by bob and carol, dave left."""
    records = [
        Record(key="RB-1", kind="runbook", title="etcd down", status="active", body="", topics=["etcd"], created_at=START),
        Record(key="RB-2", kind="runbook", title="etcd slow", status="active", body="", topics=["etcd"],
               created_at=START, review_by=date(2026, 3, 1)),
        Record(key="RB-3", kind="runbook", title="etcd quota", status="active", body="", topics=["etcd", "node"],
               created_at=START),
        Record(key="RB-4", kind="runbook", title="node disk", status="active", body="", topics=["node"], created_at=START),
        Record(key="RB-5", kind="runbook", title="node net", status="active", body="", topics=["node"], created_at=START),
        Record(key="ADR-1", kind="decision", title="use raft", status="superseded", body="", topics=["etcd"],
               created_at=START, date=date(2026, 1, 2)),
        Record(key="ADR-2", kind="decision", title="use raft v3", status="accepted", body="", topics=["etcd"],
               created_at=START, date=date(2026, 2, 1), supersedes=["ADR-1"]),
        Record(key="ADR-3", kind="decision", title="old idea", status="proposed", body="", topics=["legacy"],
               created_at=START, date=date(2025, 1, 1)),
    ]
    revisions = [
        *history("RB-1", ["alice"]), *history("RB-2", ["alice", "alice", "carol"]), *history("RB-3", ["alice", "bob"]),
        *history("RB-4", ["bob", "carol", "bob"]), *history("RB-5", ["carol", "bob", "carol"]),
        *history("ADR-1", ["alice"]), *history("ADR-2", ["alice"]), *history("ADR-3", ["dave"]),
    ]
    people = [Person(handle=h, name=h.capitalize()) for h in ("alice", "bob", "carol")]
    people.append(Person(handle="dave", name="Dave", left_on=date(2026, 4, 1)))
    return KnowledgeInputs(records=records, revisions=revisions, people=people,
                           links=[Link(source_key="ADR-2", target_key="ADR-1", kind="supersedes")])


def test_topics_get_bus_factor_knowers_shares_flags_and_a_suggestion() -> None:
    result = analyse(make_kb(), KnowledgeSettings(), as_of=AS_OF)
    etcd = result.map.topic("etcd")
    assert etcd is not None
    # alice knows all 5 etcd records; bob also knows RB-3 (DOA 3.457 / 4.169 = 0.83); carol's one edit of RB-2
    # gives 3.457 - 0.321 ln 2 = 3.234 < 3.293, so she only "touched" it.
    assert etcd.bus_factor == 1
    assert [(k.person, k.records) for k in etcd.knowers] == [("Alice", 5), ("Bob", 1)]
    assert etcd.concentration == pytest.approx(1.0)
    assert etcd.single_knower_records == ["ADR-1", "ADR-2", "RB-1", "RB-2"]
    kinds = [flag.kind for flag in etcd.flags]
    assert kinds == ["single-person", "past-review-by"]
    assert etcd.flags[0].records == ["ADR-1", "ADR-2", "RB-1", "RB-2"]
    # carol: 3 (touched at-risk RB-2) + 0.5 (knows RB-5 in neighbouring node) beats bob: 2 (knows RB-3) + 0.5.
    assert etcd.suggestion is not None and etcd.suggestion.person == "Carol"
    assert etcd.suggestion.review_first == ["RB-2", "ADR-1", "ADR-2", "RB-1"]
    node = result.map.topic("node")
    assert node is not None and node.bus_factor == 2 and node.suggestion is None
    legacy = result.map.topic("legacy")
    assert legacy is not None and legacy.bus_factor == 0
    assert [flag.kind for flag in legacy.flags] == ["orphaned", "knowers-left", "proposed-stale"]
    # Riskiest topics first.
    assert [topic.topic for topic in result.map.topics] == ["legacy", "etcd", "node"]
    assert result.map.overall.records == 8
    assert result.map.to_dict()["overall"]["knowers"][0] == {"person": "Alice", "records": 5}


def test_without_simulates_departures_before_and_after() -> None:
    impact = simulate_departures(make_kb(), KnowledgeSettings(), {"alice"}, as_of=AS_OF)
    etcd = next(change for change in impact.changes if change.topic == "etcd")
    assert (etcd.before, etcd.after, etcd.trend) == (1, 0, "worse")
    assert etcd.newly_orphaned == ["ADR-1", "ADR-2", "RB-1", "RB-2"]
    assert impact.orphaned_records == ["ADR-1", "ADR-2", "RB-1", "RB-2"]
    assert impact.departed == ["Alice"]
    node = next(change for change in impact.changes if change.topic == "node")
    # alice also knew RB-3 in node: bob is left alone on RB-3 and RB-4.
    assert (node.before, node.after, node.newly_single, node.newly_orphaned) == (2, 1, ["RB-3"], [])


def test_people_summary_lists_known_records_and_sole_topics() -> None:
    summaries = {s.handle: s for s in people_summaries(analyse(make_kb(), KnowledgeSettings(), as_of=AS_OF))}
    assert summaries["alice"].records_known == 5 and summaries["alice"].status == "active"
    assert summaries["dave"].status == "left" and summaries["dave"].records_known == 1
    assert summaries["dave"].only_knower_topics == []
    assert summaries["bob"].topics == ["etcd", "node"]


def test_report_trend_against_previous_and_fail_under() -> None:
    previous = {"as_of": "2026-05-01", "overall": {"bus_factor": 1}, "topics": [
        {"topic": "etcd", "bus_factor": 2}, {"topic": "node", "bus_factor": 1}, {"topic": "gone", "bus_factor": 3}]}
    report = build_report(make_kb(), KnowledgeSettings(), as_of=AS_OF, generated_at=datetime(2026, 6, 1, 8),
                          previous=previous, fail_under=2)
    trends = {change.topic: change.trend for change in report.trends}
    assert trends == {OVERALL_TOPIC: "same", "etcd": "worse", "node": "better", "gone": "gone", "legacy": "new"}
    assert report.trends[0].topic == OVERALL_TOPIC and report.trends[1].topic == "etcd"
    assert [topic.topic for topic in report.failing_topics()] == ["legacy", "etcd"]
    freshness = {bucket.label: bucket.records for bucket in report.freshness}
    assert freshness["≤ 90 days"] == [] and freshness["91–180 days"] == ["RB-1", "RB-2", "RB-3", "RB-4", "RB-5"]
    with pytest.raises(BridgeError, match="not a bridge knowledge report"):
        compare_with_previous(report.map, {"topics": "nope"}, "old.json")


def test_owner_review_and_no_topic_records() -> None:
    kb = make_kb()
    kb.records.append(Record(key="RB-9", kind="runbook", title="misc", status="active", body="", created_at=START))
    kb.contributions.append(Contribution(person="carol", record_key="RB-1", role="owner"))
    result = analyse(kb, KnowledgeSettings(), as_of=AS_OF)
    assert result.entries["RB-1"].knowers == ["alice", "carol"]
    assert result.map.topic(NO_TOPIC) is not None and result.map.topic(NO_TOPIC).orphaned_records == ["RB-9"]
    with pytest.raises(BridgeError, match="no records have topic 'nope'"):
        analyse(kb, KnowledgeSettings(), as_of=AS_OF, topic="nope")


def test_onboarding_orders_decisions_and_names_successors() -> None:
    kb = make_kb()
    result = analyse(kb, KnowledgeSettings(), as_of=AS_OF)
    path = onboarding_path(result, "etcd", kb.records, supersession_pairs(kb.records, kb.links))
    assert [item.key for item in path.decisions] == ["ADR-2"]
    assert [item.key for item in path.runbooks] == ["RB-1", "RB-2", "RB-3"]
    assert [(s.old_key, s.new_key) for s in path.superseded] == [("ADR-1", "ADR-2")]
    assert path.ask[0].person == "Alice"


def test_bot_revisions_stored_before_bots_were_recognised_make_no_knower() -> None:
    kb = make_kb()
    kb.revisions += history("RB-4", ["hco-bot"] * 5, start=START + timedelta(days=10))
    kb.people.append(Person(handle="hco-bot", name="hco-bot", emails=["71450783+hco-bot@users.noreply.github.com"]))
    result = analyse(kb, KnowledgeSettings(), as_of=AS_OF)
    node = result.map.topic("node")
    assert node is not None and "hco-bot" not in [knower.handle for knower in node.knowers]
    assert [(k.person, k.records) for k in node.knowers] == [
        (k.person, k.records) for k in analyse(make_kb(), KnowledgeSettings(), as_of=AS_OF).map.topic("node").knowers
    ]

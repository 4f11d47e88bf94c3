"""The search box's filter syntax: ``kind:runbook topic:etcd status:active owner:x`` split from free text."""

from __future__ import annotations

import pytest

from bridge.tui.query_syntax import parse_query


def test_filters_are_taken_out_of_the_text() -> None:
    parsed = parse_query("kind:runbook etcd leader topic:etcd status:Active owner:jane")
    assert parsed.text == "etcd leader"
    assert parsed.filters() == {"kind": "runbook", "status": "active", "topic": "etcd", "owner": "jane"}
    assert parsed.has_filters


def test_plain_text_has_no_filters() -> None:
    parsed = parse_query("  disk   full on node ")
    assert parsed.text == "disk full on node"
    assert parsed.filters() == {}
    assert not parsed.has_filters


@pytest.mark.parametrize(("alias", "kind"), [("adr", "decision"), ("RB", "runbook"), ("decisions", "decision")])
def test_kind_aliases(alias: str, kind: str) -> None:
    assert parse_query(f"kind:{alias} cache").kind == kind


def test_quoted_values_keep_spaces_and_round_trip() -> None:
    parsed = parse_query('owner:"Jane Doe" rotate keys')
    assert parsed.owner == "Jane Doe"
    assert parsed.text == "rotate keys"
    again = parse_query(parsed.describe_filters() + " " + parsed.text)
    assert again == parsed


def test_unknown_prefixes_and_urls_stay_text() -> None:
    parsed = parse_query("error: connection refused http://host:9090 job:backup")
    assert parsed.text == "error: connection refused http://host:9090 job:backup"
    assert parsed.filters() == {}


def test_empty_filter_is_reported_not_applied() -> None:
    parsed = parse_query("latency topic:")
    assert parsed.topic is None
    assert parsed.text == "latency"
    assert parsed.problems == ("topic: needs a value",)


def test_last_repeated_filter_wins() -> None:
    assert parse_query("kind:runbook kind:decision").kind == "decision"


def test_unbalanced_quote_still_parses() -> None:
    parsed = parse_query('owner:"Jane Do')
    assert parsed.owner == "Jane Do"
    assert parsed.text == ""


def test_hostile_text_is_left_as_words() -> None:
    parsed = parse_query('"; DROP TABLE record; -- NEAR(a b) *')
    assert "DROP" in parsed.text
    assert parsed.filters() == {}

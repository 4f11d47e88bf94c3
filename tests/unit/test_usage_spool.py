"""The usage spool: events survive a round trip, and processes appending and taking at once lose or repeat none."""

from __future__ import annotations

import json
import multiprocessing
from datetime import UTC, datetime
from pathlib import Path

from bridge.usage.spool import append_to_spool, take_spool
from bridge.usage_types import UsageEvent


def _event(number: int) -> UsageEvent:
    return UsageEvent(kind="search", front_end="cli", at=datetime(2026, 12, 2, tzinfo=UTC), session=f"s{number}",
                      query=f"query {number}", query_hash="h", mode="keyword", result_count=1, top_score=0.5,
                      hit_keys=["RB-0001"])


def test_events_round_trip_and_a_damaged_line_is_skipped(tmp_path: Path) -> None:
    spool = tmp_path / "usage-spool.jsonl"
    append_to_spool(spool, [_event(1), _event(2)])
    with spool.open("a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    events, taken = take_spool(spool)
    assert events == [_event(1), _event(2)]
    assert taken is not None and not spool.exists()
    assert take_spool(spool) == ([], None)


def _appender(spool: str, first: int, count: int) -> None:
    for number in range(first, first + count):
        append_to_spool(Path(spool), [_event(number)])


def _taker(spool: str, out: str, rounds: int) -> None:
    seen: list[str] = []
    for _ in range(rounds):
        events, taken = take_spool(Path(spool))
        seen.extend(event.session for event in events)
        if taken is not None:
            taken.unlink()
    Path(out).write_text(json.dumps(seen), encoding="utf-8")


def test_concurrent_appends_and_takes_lose_and_repeat_nothing(tmp_path: Path) -> None:
    spool = str(tmp_path / "usage-spool.jsonl")
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_appender, args=(spool, 1000 * n, 150)) for n in range(3)]
    takers = [context.Process(target=_taker, args=(spool, str(tmp_path / f"taken-{n}.json"), 300)) for n in range(2)]
    for process in workers + takers:
        process.start()
    for process in workers + takers:
        process.join(60)
        assert process.exitcode == 0
    seen = [name for n in range(2) for name in json.loads((tmp_path / f"taken-{n}.json").read_text())]
    rest, _ = take_spool(Path(spool))
    seen += [event.session for event in rest]
    expected = [f"s{1000 * n + i}" for n in range(3) for i in range(150)]
    assert sorted(seen) == sorted(expected)

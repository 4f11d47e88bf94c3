"""Risk flags of a topic and the review freshness of runbooks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bridge.config import KnowledgeSettings
from bridge.knowledge.bus_factor import BusFactorResult
from bridge.knowledge.knowers import RecordKnowers, day_of
from bridge.knowledge_types import Flag, FlagKind, FreshnessBucket

REVIEWED_STATUSES_EXCLUDED = frozenset({"retired", "superseded", "deprecated", "rejected"})
"""Records in these statuses are not expected to be reviewed."""

FRESHNESS_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("≤ 90 days", 90),
    ("91–180 days", 180),
    ("181–365 days", 365),
    ("> 365 days", None),
)
"""Labels and upper bounds (days since last review or edit) of the review-freshness chart; then "never"."""
NEVER_REVIEWED = "never"


def needs_review(entry: RecordKnowers) -> bool:
    """Return whether the record is a runbook that should be kept reviewed."""
    return entry.record.kind == "runbook" and entry.record.status not in REVIEWED_STATUSES_EXCLUDED


def at_risk_records(entries: Sequence[RecordKnowers], result: BusFactorResult) -> list[str]:
    """Return records with no active knower, or whose only active knower is the topic's top knower (sorted)."""
    top = set(result.removed[:1])
    return sorted(entry.record.key for entry in entries if not entry.knowers or set(entry.knowers) <= top)


def topic_flags(
    entries: Sequence[RecordKnowers],
    result: BusFactorResult,
    settings: KnowledgeSettings,
    as_of: date,
    top_knower: str = "",
) -> list[Flag]:
    """Return the flags of one topic's records, most severe first."""
    flags: list[Flag] = []
    orphaned = sorted(entry.record.key for entry in entries if not entry.knowers)
    if result.bus_factor == 0 and entries:
        flags.append(_flag("orphaned", f"{len(orphaned)} of {len(entries)} records have no active knower", orphaned))
    elif result.bus_factor == 1:
        lost = at_risk_records(entries, result)
        flags.append(_flag("single-person", f"if {top_knower} leaves, {len(lost)} of {len(entries)} records are orphaned", lost))
    left_only = sorted(entry.record.key for entry in entries if not entry.knowers and entry.left_knowers)
    if left_only:
        flags.append(_flag("knowers-left", f"{len(left_only)} records' only knowers left", left_only))
    team_only = sorted(entry.record.key for entry in entries if entry.team_only)
    if team_only:
        flags.append(_flag("team-only", f"{len(team_only)} records are owned only by a team with no known members", team_only))
    past_due = sorted(
        entry.record.key for entry in entries
        if needs_review(entry) and entry.record.review_by is not None and entry.record.review_by < as_of
    )
    if past_due:
        flags.append(_flag("past-review-by", f"{len(past_due)} runbooks are past their review_by date", past_due))
    limit = settings.review_overdue_days
    stale = sorted(
        entry.record.key for entry in entries
        if needs_review(entry) and (entry.last_reviewed is None or (as_of - entry.last_reviewed).days > limit)
    )
    if stale:
        flags.append(_flag("not-reviewed", f"{len(stale)} runbooks not reviewed or edited in {limit} days", stale))
    proposed = sorted(entry.record.key for entry in entries if _proposed_too_long(entry, settings, as_of))
    if proposed:
        flags.append(_flag(
            "proposed-stale", f"{len(proposed)} decisions still proposed after {settings.proposed_stale_days} days",
            proposed,
        ))
    return flags


def _flag(kind: FlagKind, detail: str, records: list[str]) -> Flag:
    """Return a flag of kind with a message saying what was found."""
    return Flag(kind=kind, message=detail, records=records)


def _proposed_too_long(entry: RecordKnowers, settings: KnowledgeSettings, as_of: date) -> bool:
    """Return whether a decision has been proposed for longer than allowed."""
    record = entry.record
    if record.kind != "decision" or record.status != "proposed":
        return False
    since = record.date or (day_of(record.created_at) if record.created_at else None)
    return since is not None and (as_of - since).days > settings.proposed_stale_days


def review_freshness(entries: Sequence[RecordKnowers], as_of: date) -> list[FreshnessBucket]:
    """Return runbooks grouped by days since their last review or edit (and those never reviewed)."""
    buckets = [FreshnessBucket(label=label, records=[]) for label, _ in FRESHNESS_BUCKETS]
    never = FreshnessBucket(label=NEVER_REVIEWED, records=[])
    for entry in sorted(entries, key=lambda item: item.record.key):
        if not needs_review(entry):
            continue
        if entry.last_reviewed is None:
            never.records.append(entry.record.key)
            continue
        age = (as_of - entry.last_reviewed).days
        for bucket, (_, limit) in zip(buckets, FRESHNESS_BUCKETS, strict=True):
            if limit is None or age <= limit:
                bucket.records.append(entry.record.key)
                break
    return [*buckets, never]

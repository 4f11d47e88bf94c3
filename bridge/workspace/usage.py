"""Usage side of the workspace: usage events, unanswered questions, importance and risk, handoff plans.

Events go to a background writer so a search never waits for the database; the analysis is pure
(bridge.usage, bridge.knowledge.handoff) and this mixin loads its inputs and saves handoff plans as records.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bridge.errors import BridgeError
from bridge.usage_types import (
    FrontEnd,
    GapCluster,
    HandoffPlan,
    Importance,
    RiskEntry,
    UsageEvent,
    UsageSummary,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from bridge.config import Settings
    from bridge.domain import KnowledgeInputs, Person, Record, SearchHit
    from bridge.knowledge_types import KnowledgeReport
    from bridge.usage.writer import EventWriter
    from bridge.workspace.vectors import DenseState

HIT_KEYS_KEPT = 5
"""How many of a search's first hits an event remembers, to match a later open to it."""
TYPING_SECONDS = 3.0
"""A search refining the previous one (one text a prefix of the other) this soon after it replaces it: typing."""
USAGE_LOCK_WAIT_MS = 250
"""How long storing usage events waits for another process's SQLite write lock before spooling them instead."""
USAGE_SPOOL = "usage-spool.jsonl"
"""The file in the data folder holding events spooled while the store was busy (``bridge.usage.spool``)."""
QUERY_SIDE_TEXTS = 512
"""Distinct search texts up to which gaps embeds them with the query encoder, one by one (no bulk encoder)."""


class UsageMixin:
    """Usage methods of Workspace (see docs/bus-factor.md)."""

    settings: Settings
    engine: Engine
    front_end: FrontEnd = "cli"
    """Which front end this workspace serves; the TUI and the MCP server set it."""
    _usage_writer: EventWriter | None = None
    _usage_session: str = ""
    _pending_search: UsageEvent | None = None
    """The latest search, held back until the next event shows it was not a keystroke of a longer query."""
    _pending_text: str = ""

    if TYPE_CHECKING:
        @property
        def dense(self) -> DenseState: ...
        def knowledge_inputs(self) -> KnowledgeInputs: ...
        def find_person(self, name: str) -> Person: ...
        def list_records(self, kind: str | None = None, status: str | None = None, topic: str | None = None,
                         owner: str | None = None) -> list[Record]: ...
        def get_record(self, key: str) -> Record: ...
        def save_record(self, record: Record, *, expected_version: int, author: str | None = None,
                        message: str = "") -> Record: ...
        def draft_record(self, kind: Any, title: str = "", template: str | None = None) -> Record: ...

    # -- recording -------------------------------------------------------------------------------------------

    def _queue_event(self, event: UsageEvent) -> None:
        """Hand an event to the background writer, unless usage logging is off."""
        if not self.settings.usage.enabled:
            return
        if self._usage_writer is None:
            from bridge.store.engine import read_only
            from bridge.usage.writer import EventWriter

            if read_only(self.engine):
                return

            self._usage_session = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
            self._usage_writer = EventWriter(self._store_events)
        event.session = self._usage_session
        self._usage_writer.put(event)

    def _store_events(self, events: Sequence[UsageEvent]) -> None:
        """Store a batch with earlier spooled events, dropping expired ones; spool them all when the store is busy.

        On SQLite the write waits at most ``USAGE_LOCK_WAIT_MS`` for another process's write lock: a search must
        not take seconds to close behind an import just to log itself.
        """
        from bridge.errors import BridgeError
        from bridge.paths import data_dir
        from bridge.store.usage import append_events_without_waiting
        from bridge.usage.spool import append_to_spool, take_spool

        cutoff = datetime.now(UTC) - timedelta(days=self.settings.usage.retention_days)
        spool = data_dir() / USAGE_SPOOL
        spooled, taken = take_spool(spool)
        batch = [*spooled, *events]
        try:
            append_events_without_waiting(self.engine, batch, prune_before=cutoff, lock_wait_ms=USAGE_LOCK_WAIT_MS)
        except BridgeError:
            try:
                append_to_spool(spool, batch)
            except OSError:
                pass  # the store and the disk both refuse: these statistics are dropped, nothing else is
        finally:
            if taken is not None:
                taken.unlink(missing_ok=True)

    def on_search(self, query: str, mode: str, hits: Sequence[SearchHit]) -> None:
        """Record a search: its text (or only its hash), mode, result count, top score and first hits."""
        from bridge.usage.hashing import query_hash

        if not self.settings.usage.enabled or not query.strip():
            return
        from bridge.usage.hashing import normalise_query

        event = UsageEvent(
            kind="search", front_end=self.front_end, at=datetime.now(UTC),
            query=None if self.settings.usage.hash_queries else query, query_hash=query_hash(query), mode=mode,
            result_count=len(hits), top_score=hits[0].score if hits else None,
            hit_keys=[hit.key for hit in hits[:HIT_KEYS_KEPT]],
        )
        text, previous, previous_text = normalise_query(query), self._pending_search, self._pending_text
        self._pending_search, self._pending_text = event, text
        typing = previous is not None and (event.at - previous.at).total_seconds() <= TYPING_SECONDS and (
            text.startswith(previous_text) or previous_text.startswith(text))
        if previous is not None and not typing:
            self._queue_event(previous)

    def _release_pending_search(self) -> None:
        """Queue the held-back search, if any."""
        pending, self._pending_search = self._pending_search, None
        if pending is not None:
            self._queue_event(pending)

    def record_open(self, key: str) -> None:
        """Record that someone opened a record (TUI record screen, ``bridge show``, MCP get_record)."""
        self._release_pending_search()
        self._queue_event(UsageEvent(kind="open", front_end=self.front_end, at=datetime.now(UTC), record_key=key))

    def record_citations(self, keys: Sequence[str]) -> None:
        """Record that an answer cited these records (MCP answer_context), once per record."""
        self._release_pending_search()
        for key in dict.fromkeys(keys):
            self._queue_event(UsageEvent(kind="cite", front_end=self.front_end, at=datetime.now(UTC), record_key=key))

    def flush_usage(self) -> None:
        """Block until every queued event (and the held-back search) is stored."""
        self._release_pending_search()
        if self._usage_writer is not None:
            self._usage_writer.flush()

    def usage_events(self, since: datetime | None = None, kinds: Sequence[str] = ()) -> list[UsageEvent]:
        """Return stored events since a moment (all kept ones when None), oldest first."""
        from bridge.store.usage import load_events

        self.flush_usage()
        return load_events(self.engine, since, kinds)

    def prune_usage(self) -> int:
        """Delete events older than the retention period and return how many went."""
        from bridge.store.usage import prune_events

        return prune_events(self.engine, datetime.now(UTC) - timedelta(days=self.settings.usage.retention_days))

    # -- summaries -------------------------------------------------------------------------------------------

    def usage_summary(self, since: datetime | None = None) -> UsageSummary:
        """Return most read records, most searched topics and queries, and counts per front end."""
        from bridge.usage.summary import summarise

        records = self.list_records()
        return summarise(
            self.usage_events(since), since=since, titles={record.key: record.title for record in records},
            topics_of={record.key: record.topics for record in records},
        )

    def gaps(self, since: datetime | None = None) -> list[GapCluster]:
        """Return clusters of searches that found nothing useful, most asked first (loads the model)."""
        from bridge.usage.gaps import cluster_gaps, query_label, unanswered_searches

        events = self.usage_events(since, kinds=("search", "open"))
        labels = sorted({query_label(event) for event in events if event.kind == "search"})
        texts = [label for label in labels if not label.startswith("(hashed) ")]
        vectors, best = self._query_vectors(texts)
        for event in events:
            label = query_label(event)
            if event.kind == "search" and label not in best and event.mode == "semantic":
                best[label] = event.top_score
        usage = self.settings.usage
        unanswered = unanswered_searches(
            events, best_scores=best, gap_score=usage.gap_score, reword_minutes=usage.reword_minutes
        )
        return cluster_gaps(unanswered, vectors, best)

    def _query_vectors(self, texts: Sequence[str]) -> tuple[dict[str, list[float]], dict[str, float | None]]:
        """Return each text's embedding and the best similarity any section reaches for it."""
        if not texts:
            return {}, {}
        import numpy as np

        dense = self.dense
        dense.ensure_embedded()
        index = dense.ensure_index()
        if len(texts) <= QUERY_SIDE_TEXTS:  # the query encoder (ONNX: no torch to import) is quicker for a few
            matrix = np.stack([dense.embed_query(text) for text in texts])
        else:
            matrix = dense.embedder.embed(list(texts))
        vectors: dict[str, list[float]] = {}
        best: dict[str, float | None] = {}
        for text, vector in zip(texts, matrix, strict=True):
            vectors[text] = [float(value) for value in vector]
            found = index.search(vector, 1) if len(index) else []
            best[text] = float(found[0][1]) if found else None
        return vectors, best

    # -- importance and risk ---------------------------------------------------------------------------------

    def alert_counts(self) -> dict[str, int]:
        """Return record key (upper-case) → alerting rules whose runbook link resolves to it."""
        from bridge.store.alerts import list_alerts

        linked = (alert.link.runbook for _id, alert in list_alerts(self.engine) if alert.link.state == "linked")
        return dict(Counter(key.upper() for key in linked if key))

    def importance_map(self, inputs: KnowledgeInputs | None = None) -> dict[str, Importance]:
        """Return every record's importance with its terms, keyed by upper-case key."""
        from bridge.usage.importance import importance, links_in, mentions
        from bridge.usage.summary import read_counts

        inputs = inputs or self.knowledge_inputs()
        reads = read_counts(self.usage_events(kinds=("open", "cite")))
        from bridge.store.sync_state import sync_bases

        roots = {base.key.upper(): base.source_root for base in sync_bases(self.engine)}
        inbound, mentioned, alerts = links_in(inputs.links), mentions(inputs.records, roots), self.alert_counts()
        return {
            record.key.upper(): importance(record.key, reads=reads, inbound=inbound, mentioned=mentioned,
                                           alerts=alerts)
            for record in inputs.records
        }

    def risk_ranking(self, as_of: date | None = None, limit: int | None = None) -> list[RiskEntry]:
        """Return records riskiest first: importance × concentration of their knowledge."""
        from bridge.knowledge.analysis import analyse
        from bridge.usage.importance import rank_risks, risk_entry

        inputs = self.knowledge_inputs()
        analysis = analyse(inputs, self.settings.knowledge, as_of=as_of or date.today())
        importances = self.importance_map(inputs)
        entries = [
            risk_entry(entry.record, importances[key.upper()],
                       [analysis.people.display(handle) for handle in entry.knowers])
            for key, entry in analysis.entries.items()
        ]
        ranked = rank_risks(entries)
        return ranked[:limit] if limit is not None else ranked

    def why_risk(self, key: str, as_of: date | None = None) -> RiskEntry:
        """Return one record's risk with the terms of its importance; raises RecordNotFound."""
        record = self.get_record(key)
        for entry in self.risk_ranking(as_of):
            if entry.key == record.key:
                return entry
        raise BridgeError(f"{record.key} is a {record.kind} record: it has no bus-factor risk")

    # -- handoff plans ---------------------------------------------------------------------------------------

    def handoff_record(self, handle: str) -> Record | None:
        """Return the open handoff record of a person (by handle), the newest when there are several."""
        from bridge.knowledge.handoff import EXTRA_FIELD

        plans = [
            record for record in self.list_records(kind="handoff", status="open")
            if isinstance(record.extra.get(EXTRA_FIELD), dict) and record.extra[EXTRA_FIELD].get("person") == handle
        ]
        return max(plans, key=lambda record: record.key) if plans else None

    def handoff(
        self, person: str, *, by: date | None = None, as_of: date | None = None, save: bool = True
    ) -> HandoffPlan:
        """Return the person's handoff plan with progress measured, making and saving it as a record if new.

        The plan's items are fixed when it is made; each run re-measures progress and, when a checkbox changed,
        saves the record's checklist as a new version. With save False nothing is written (a preview).
        """
        from bridge.knowledge.analysis import analyse
        from bridge.knowledge.handoff import measure_progress, plan_from_record, plan_items

        leaving = self.find_person(person)
        inputs = self.knowledge_inputs()
        day = as_of or date.today()
        current = analyse(inputs, self.settings.knowledge, as_of=day)
        names = {p.handle: p.name for p in inputs.people}
        existing = self.handoff_record(leaving.handle)
        if existing is not None:
            plan = plan_from_record(existing, leaving.name, names)
            if by is not None:
                plan.by = by
        else:
            after = analyse(inputs, self.settings.knowledge, as_of=day, without=[leaving.handle])
            importance = {key: value.score for key, value in self.importance_map(inputs).items()}
            items = plan_items(current, after, leaving.handle, inputs.links, importance)
            plan = HandoffPlan(person=leaving.name, handle=leaving.handle, items=items, made_at=datetime.now(UTC),
                               by=by, names=names)
        plan.items = measure_progress(plan.items, plan.made_at, current, inputs.revisions, inputs.contributions)
        if save:
            self._save_plan(plan, existing)
        elif existing is not None:
            plan.record_key = existing.key
        return plan

    def _save_plan(self, plan: HandoffPlan, existing: Record | None) -> None:
        """Save the plan as a handoff record (new, or a new version when its checklist or date changed)."""
        from bridge.knowledge.handoff import EXTRA_FIELD, plan_body, plan_extra

        body, extra = plan_body(plan), plan_extra(plan)
        if existing is None:
            record = self.draft_record("handoff", f"Handoff plan: {plan.person}")
            record.body, record.tags = body, ["handoff"]
            record.extra = {EXTRA_FIELD: extra}
            record.review_by = plan.by
            saved = self.save_record(record, expected_version=0, message=f"handoff plan for {plan.person}")
            plan.record_key = saved.key
            return
        plan.record_key = existing.key
        if existing.body == body and existing.extra.get(EXTRA_FIELD) == extra:
            return
        existing.body, existing.extra = body, {**existing.extra, EXTRA_FIELD: extra}
        existing.review_by = plan.by
        if plan.items and plan.done == len(plan.items):
            existing.status = "completed"
        self.save_record(existing, expected_version=existing.version, message="handoff progress measured")

    def handoff_plans(self, as_of: date | None = None) -> list[HandoffPlan]:
        """Return every open handoff plan with progress measured (nothing is saved)."""
        from bridge.knowledge.analysis import analyse
        from bridge.knowledge.handoff import EXTRA_FIELD, measure_progress, plan_from_record

        records = [record for record in self.list_records(kind="handoff")
                   if isinstance(record.extra.get(EXTRA_FIELD), dict)]
        if not records:
            return []
        inputs = self.knowledge_inputs()
        current = analyse(inputs, self.settings.knowledge, as_of=as_of or date.today())
        names = {p.handle: p.name for p in inputs.people}
        plans = []
        for record in records:
            try:
                plan = plan_from_record(record, "", names)
            except ValueError:
                continue
            plan.person = names.get(plan.handle, plan.handle)
            plan.items = measure_progress(plan.items, plan.made_at, current, inputs.revisions, inputs.contributions)
            plans.append(plan)
        return plans

    # -- report sections -------------------------------------------------------------------------------------

    def add_usage_sections(self, report: KnowledgeReport, *, risk_limit: int = 20) -> KnowledgeReport:
        """Fill the report's risk ranking, unanswered questions and handoff progress."""
        report.risks = self.risk_ranking(report.map.as_of, limit=risk_limit)
        try:
            report.gaps = self.gaps()
        except BridgeError as exc:
            report.gaps = []
            report.notes.append(f"unanswered questions not grouped: {exc}")
        report.handoffs = self.handoff_plans(report.map.as_of)
        return report

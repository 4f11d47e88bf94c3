"""Alerting-rule persistence: replace a rule file's rules on import, read them back, store their runbook links."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete
from sqlmodel import Session, col, select

from bridge.alert_types import AlertLink, AlertRule, RunbookRef, StoredAlert
from bridge.store import repository as repo
from bridge.store.alert_models import AlertRuleRow
from bridge.store.models import RecordRow

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


@dataclass
class RuleFileHistory:
    """What git says about one rule file: how many commits, and the last one's author and time."""

    commits: int = 0
    last_author: str = ""
    last_changed: datetime | None = None


def replace_rules(engine: Engine, source_root: str, rules: Sequence[AlertRule], *, files: Collection[str] | None,
                  keep: Collection[str] = (), history: Mapping[str, RuleFileHistory] | None = None) -> int:
    """Replace the stored rules of one import root (files None) or of the given files, in one transaction.

    Rules of files in keep (bad rule files this time) stay as they were. Returns the number of rules stored.
    """
    history = history or {}
    with Session(engine) as session:
        statement = delete(AlertRuleRow).where(col(AlertRuleRow.source_root) == source_root)
        if files is not None:
            statement = statement.where(col(AlertRuleRow.source_path).in_(list(files)))
        if keep:
            statement = statement.where(col(AlertRuleRow.source_path).not_in(list(keep)))
        session.exec(statement)  # type: ignore[call-overload]
        for rule in rules:
            file_history = history.get(rule.source_path, RuleFileHistory())
            session.add(AlertRuleRow(
                name=rule.name, group_name=rule.group, expr=rule.expr, duration=rule.duration,
                severity=rule.severity, labels=dict(rule.labels), annotations=dict(rule.annotations),
                runbook_url=rule.runbook_url, source_root=source_root, source_path=rule.source_path,
                document=rule.document, position=rule.position, commits=file_history.commits,
                last_author=file_history.last_author,
                last_changed=repo.as_utc(file_history.last_changed) if file_history.last_changed else None,
            ))
        session.commit()
    return len(rules)


def _row_to_alert(row: AlertRuleRow, runbook_paths: Mapping[str, str]) -> StoredAlert:
    """Return the stored alert of a row (a NULL state from an older row reads as missing)."""
    rule = AlertRule(
        name=row.name, group=row.group_name, expr=row.expr, source_path=row.source_path, duration=row.duration,
        labels=dict(row.labels or {}), annotations=dict(row.annotations or {}), document=row.document,
        position=row.position,
    )
    state = row.state if row.state in ("linked", "dead", "missing", "suggested") else "missing"
    link = AlertLink(state, row.runbook_key, row.link_reason or "")  # type: ignore[arg-type]
    return StoredAlert(
        rule=rule, source_root=row.source_root, link=link,
        runbook_path=runbook_paths.get(row.runbook_key or "", ""), commits=row.commits or 0,
        last_author=row.last_author or "", last_changed=row.last_changed,
    )


def list_alerts(engine: Engine) -> list[tuple[int, StoredAlert]]:
    """Return every stored alerting rule with its row id, by rule file and position."""
    with Session(engine) as session:
        rows = session.exec(select(AlertRuleRow).order_by(
            col(AlertRuleRow.source_root), col(AlertRuleRow.source_path), col(AlertRuleRow.position))).all()
        keys = {row.runbook_key for row in rows if row.runbook_key}
        paths = _record_paths(session, keys)
        return [(row.id or 0, _row_to_alert(row, paths)) for row in rows]


def alert_names(engine: Engine) -> set[str]:
    """Return the distinct names of the stored alerting rules."""
    with Session(engine) as session:
        return set(session.exec(select(AlertRuleRow.name).distinct()).all())


def alerts_named(engine: Engine, name: str) -> list[StoredAlert]:
    """Return the stored rules with an alert name (case-insensitive), every severity."""
    return [alert for _id, alert in list_alerts(engine) if alert.rule.name.lower() == name.strip().lower()]


def _record_paths(session: Session, keys: Iterable[str]) -> dict[str, str]:
    """Return key → source path of the live records with those keys."""
    wanted = list(keys)
    if not wanted:
        return {}
    rows = session.exec(select(RecordRow.key, RecordRow.source_path).where(
        col(RecordRow.key).in_(wanted), col(RecordRow.deleted).is_(False))).all()
    return {key: path for key, path in rows}


def store_links(engine: Engine, links: Mapping[int, AlertLink]) -> None:
    """Store the link state, runbook and reason of each rule row id, in one transaction."""
    with Session(engine) as session:
        for row_id, link in links.items():
            row = session.get(AlertRuleRow, row_id)
            if row is None:
                continue
            row.state, row.runbook_key, row.link_reason = link.state, link.runbook, link.reason
            session.add(row)
        session.commit()


def runbook_refs(engine: Engine, kind: str | None = "runbook") -> list[RunbookRef]:
    """Return key, title and source path of live records (of one kind, or all when kind is None), by key."""
    with Session(engine) as session:
        statement = select(RecordRow.key, RecordRow.title, RecordRow.source_path).where(
            col(RecordRow.deleted).is_(False))
        if kind is not None:
            statement = statement.where(RecordRow.kind == kind)
        rows = session.exec(statement.order_by(col(RecordRow.key))).all()
        return [RunbookRef(key, title, path or "") for key, title, path in rows]


def linked_alert_texts(engine: Engine, record_ids: Iterable[int]) -> dict[int, list[AlertRule]]:
    """Return record id → the alerting rules linked to it, for the given records."""
    wanted = list(record_ids)
    if not wanted:
        return {}
    with Session(engine) as session:
        records = session.exec(select(RecordRow.id, RecordRow.key).where(col(RecordRow.id).in_(wanted))).all()
        id_by_key = {key: record_id for record_id, key in records if record_id is not None}
        if not id_by_key:
            return {}
        rows = session.exec(select(AlertRuleRow).where(
            col(AlertRuleRow.state) == "linked", col(AlertRuleRow.runbook_key).in_(list(id_by_key))
        ).order_by(col(AlertRuleRow.name), col(AlertRuleRow.severity))).all()
        result: dict[int, list[AlertRule]] = {}
        for row in rows:
            alert = _row_to_alert(row, {})
            result.setdefault(id_by_key[row.runbook_key or ""], []).append(alert.rule)
        return result


def record_ids_for_keys(engine: Engine, keys: Iterable[str]) -> list[int]:
    """Return the row ids of the live records with the given keys."""
    wanted = [key for key in set(keys) if key]
    if not wanted:
        return []
    with Session(engine) as session:
        rows = session.exec(select(RecordRow.id).where(col(RecordRow.key).in_(wanted))).all()
        return sorted(row for row in rows if row is not None)

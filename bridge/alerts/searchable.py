"""Extra search chunks that make a runbook findable by the alerts linked to it (names and annotation texts)."""

from __future__ import annotations

from collections.abc import Sequence

from bridge.alert_types import AlertRule
from bridge.alerts.linking import split_alert_name, untemplated
from bridge.domain import Chunk

ALERTS_HEADING = "Alerts"
"""Heading path of the extra chunks."""
ALERTS_PER_CHUNK = 4


def alert_line(rule: AlertRule) -> str:
    """Return one alert as a line of text: name, its words, severity, summary and description."""
    severity = f" ({rule.severity})" if rule.severity else ""
    parts = [f"{rule.name}{severity}", split_alert_name(rule.name), untemplated(rule.summary),
             untemplated(rule.description)]
    return " — ".join(part for part in parts if part)


def alert_chunks(record_key: str, title: str, rules: Sequence[AlertRule], first_ordinal: int) -> list[Chunk]:
    """Return chunks listing the alerts linked to a record, a few per chunk, numbered after its body chunks."""
    lines: list[str] = []
    for rule in rules:
        line = alert_line(rule)
        if line not in lines:
            lines.append(line)
    chunks: list[Chunk] = []
    for start in range(0, len(lines), ALERTS_PER_CHUNK):
        text = "\n".join(lines[start : start + ALERTS_PER_CHUNK])
        context = f"{title.strip()} › {ALERTS_HEADING}" if title.strip() else ALERTS_HEADING
        embed = f"{context}\n\n{text}"
        chunks.append(Chunk(record_key, first_ordinal + len(chunks), [ALERTS_HEADING], text, embed))
    return chunks

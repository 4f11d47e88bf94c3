"""Read what an engineer on call has: an Alertmanager webhook payload, an alert name, or pasted alert text.

Accepted: the Alertmanager webhook JSON (version 4: ``alerts[].labels`` / ``annotations`` / ``status``), a JSON
list of alerts or one alert object (Alertmanager's API shape), a bare alert name, or any text. Resolved alerts
in a payload are left out: only firing ones need a runbook.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from bridge.errors import BridgeError

_ALERT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_:]*$")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_:]*")


@dataclass
class FiringAlert:
    """One alert to find a runbook for: its name, labels and annotations as received (or just text)."""

    name: str
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    text: str = ""
    """Pasted text when no payload was given (searched when the name matches no rule)."""

    @property
    def severity(self) -> str:
        """Return the ``severity`` label, empty when absent."""
        return self.labels.get("severity", "")


def _texts(value: Any) -> dict[str, str]:
    """Return a JSON object's entries as text."""
    return {str(k): "" if v is None else str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _alert_of(item: Any, where: str) -> FiringAlert | None:
    """Return the firing alert a payload entry describes (None when resolved); BridgeError when it has no name."""
    if not isinstance(item, dict):
        raise BridgeError(f"{where}: an alert must be a JSON object with labels")
    if str(item.get("status", "firing")).lower() == "resolved":
        return None
    status = item.get("status")
    if isinstance(status, dict) and str(status.get("state", "active")).lower() not in ("active", "unprocessed"):
        return None
    labels = _texts(item.get("labels"))
    name = labels.get("alertname", "").strip()
    if not name:
        raise BridgeError(f"{where}: the alert has no 'alertname' label")
    return FiringAlert(name=name, labels=labels, annotations=_texts(item.get("annotations")))


def alerts_from_json(data: Any) -> list[FiringAlert]:
    """Return the firing alerts of a webhook payload, a list of alerts or one alert object."""
    if isinstance(data, dict) and isinstance(data.get("alerts"), list):
        items, prefix = data["alerts"], "alerts"
    elif isinstance(data, list):
        items, prefix = data, "alert"
    elif isinstance(data, dict) and "labels" in data:
        items, prefix = [data], "alert"
    else:
        raise BridgeError("JSON input is not an Alertmanager payload: expected 'alerts' with labels")
    found = [_alert_of(item, f"{prefix}[{index}]") for index, item in enumerate(items)]
    return [alert for alert in found if alert is not None]


def _looks_like_json(text: str) -> bool:
    """Return whether text is meant as JSON (an object, or a list of objects; not ``[FIRING:1] …``)."""
    return text.startswith("{") or bool(re.match(r"\[\s*(?:\{|\]|$)", text))


def read_alert_input(text: str, known_names: Collection[str] = ()) -> list[FiringAlert]:
    """Return the alerts in an input: a JSON payload, an alert name, or text naming known alerts (else the text)."""
    stripped = text.strip()
    if not stripped:
        raise BridgeError("no alert given: pass a webhook payload file, '-' for stdin, an alert name or text")
    if _looks_like_json(stripped):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise BridgeError(f"input looks like JSON but is not valid: line {exc.lineno}: {exc.msg}") from exc
        return alerts_from_json(data)
    if _ALERT_NAME.match(stripped):
        return [FiringAlert(name=stripped)]
    by_lower = {name.lower(): name for name in known_names}
    named: list[str] = []
    for word in _WORD.findall(stripped):
        name = by_lower.get(word.lower())
        if name is not None and name not in named:
            named.append(name)
    if named:
        return [FiringAlert(name=name, text=stripped) for name in named]
    return [FiringAlert(name="", text=stripped)]


def looks_like_alert_input(text: str, known_names: Collection[str]) -> bool:
    """Return whether text is an alert payload or a known alert name (the TUI's search box uses this)."""
    stripped = text.strip()
    if _looks_like_json(stripped):
        try:
            return bool(alerts_from_json(json.loads(stripped)))
        except (ValueError, BridgeError):
            return False
    lowered = {name.lower() for name in known_names}
    return bool(_ALERT_NAME.match(stripped)) and stripped.lower() in lowered

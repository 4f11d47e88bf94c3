"""Decide each alerting rule's link state: linked, dead, suggested or missing.

A rule with a runbook URL is ``linked`` when the URL resolves to an imported runbook, else ``dead``. A rule
without one gets a ``suggested`` runbook when one is clearly best: a runbook file named after the alert
(``KubeletDown.md`` for ``KubeletDown``) if exactly one is, else the top keyword hit for the rule's name, summary
and description when its score is at least ``SUGGEST_MARGIN`` times the second hit's (ADR-0520). Else ``missing``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bridge.alert_types import AlertLink, AlertRule
from bridge.alerts.links import RunbookResolver

SUGGEST_MARGIN = 2.0
"""How many times the runbook's search score must exceed the runner-up's to be suggested (measured: ADR-0520)."""

RunbookSearch = Callable[[str], Sequence[tuple[str, float]]]
"""Search over runbooks only: query → (runbook key, score) best first, higher scores better."""

_TEMPLATE = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def split_alert_name(name: str) -> str:
    """Return an alert name as words (``KubePodCrashLooping`` → ``Kube Pod Crash Looping``)."""
    return _CAMEL.sub(" ", name).replace("_", " ")


def untemplated(text: str) -> str:
    """Return annotation text with Go template actions removed."""
    return " ".join(_TEMPLATE.sub(" ", text).split())


def suggestion_query(rule: AlertRule) -> str:
    """Return the search text for a rule: its name as words, summary and description, templates removed."""
    parts = [rule.name, split_alert_name(rule.name), untemplated(rule.summary), untemplated(rule.description)]
    return " ".join(part for part in parts if part)


@dataclass
class Suggestion:
    """The runbook a rule would be suggested, and why (empty key when none is clearly best)."""

    key: str | None
    reason: str


def suggest(rule: AlertRule, resolver: RunbookResolver, search: RunbookSearch | None,
            margin: float = SUGGEST_MARGIN) -> Suggestion:
    """Return the clearly best runbook for a rule without a runbook URL, or none."""
    named = resolver.by_alert_name(rule.name)
    if named is not None:
        return Suggestion(named.key, "runbook file named after the alert")
    if search is None:
        return Suggestion(None, "")
    hits = [hit for hit in search(suggestion_query(rule)) if hit[1] > 0]
    if not hits:
        return Suggestion(None, "no search hit")
    if len(hits) == 1:
        return Suggestion(hits[0][0], "only search hit")
    ratio = hits[0][1] / hits[1][1]
    if ratio >= margin:
        return Suggestion(hits[0][0], f"search score {ratio:.1f}× the runner-up's")
    return Suggestion(None, f"no clear best hit ({ratio:.2f}× the runner-up)")


def link_rule(rule: AlertRule, resolver: RunbookResolver, search: RunbookSearch | None) -> AlertLink:
    """Return a rule's link state and runbook."""
    url = rule.runbook_url
    if url:
        ref = resolver.resolve(url)
        if ref is not None:
            return AlertLink("linked", ref.key, "runbook_url")
        return AlertLink("dead", None, "runbook_url names no imported runbook")
    suggestion = suggest(rule, resolver, search)
    if suggestion.key is not None:
        return AlertLink("suggested", suggestion.key, suggestion.reason)
    return AlertLink("missing", None, suggestion.reason)


@dataclass
class SuggestionPrecision:
    """How suggestions fare on rules whose real runbook is known (their runbook_url resolves)."""

    rules: int
    """Rules with a resolving runbook_url that were tested."""
    suggested: int
    correct: int
    suggested_when_absent: int = 0
    """Rules that still got a suggestion with their real runbook left out of the search (all of them wrong)."""

    @property
    def precision(self) -> float:
        """Return correct / suggested (1.0 when nothing was suggested)."""
        return self.correct / self.suggested if self.suggested else 1.0

    @property
    def recall(self) -> float:
        """Return correct / rules."""
        return self.correct / self.rules if self.rules else 0.0

    @property
    def false_suggestion_rate(self) -> float:
        """Return the share of rules suggested a wrong runbook when their own runbook does not exist."""
        return self.suggested_when_absent / self.rules if self.rules else 0.0


def measure_suggestions(rules: Sequence[AlertRule], resolver: RunbookResolver, search: RunbookSearch,
                        *, margin: float = SUGGEST_MARGIN, by_name: bool = True) -> SuggestionPrecision:
    """Suggest a runbook for each rule as if it had no runbook_url and compare with the runbook its URL names."""
    tested = suggested = correct = absent = 0
    empty = RunbookResolver([])
    for rule in rules:
        truth = resolver.resolve(rule.runbook_url) if rule.runbook_url else None
        if truth is None:
            continue
        tested += 1
        suggestion = suggest(rule, resolver if by_name else empty, search, margin)
        if suggestion.key is not None:
            suggested += 1
            correct += suggestion.key == truth.key
        without_truth = RunbookResolver([ref for refs in resolver.by_name.values() for _, ref in refs
                                         if ref.key != truth.key]) if by_name else empty

        def search_without(query: str, hidden: str = truth.key) -> list[tuple[str, float]]:
            return [hit for hit in search(query) if hit[0] != hidden]

        absent += suggest(rule, without_truth, search_without, margin).key is not None
    return SuggestionPrecision(tested, suggested, correct, absent)

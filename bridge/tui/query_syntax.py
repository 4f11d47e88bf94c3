"""Parse the search box's filter syntax (``kind:runbook topic:etcd status:active owner:x``) out of a query.

Pure and Textual-free, so the syntax is unit-tested on its own and the screen only calls ``parse_query``.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

FILTER_NAMES: tuple[str, ...] = ("kind", "status", "topic", "owner")
"""The fields a query can filter on, in the order the status line shows them."""

KIND_ALIASES: dict[str, str] = {
    "adr": "decision",
    "decisions": "decision",
    "rb": "runbook",
    "runbooks": "runbook",
    "pm": "postmortem",
    "postmortems": "postmortem",
}
"""Short or plural spellings of record kinds accepted after ``kind:``."""

_FILTER_TOKEN = re.compile(r"^(?P<name>[A-Za-z]+):(?P<value>.*)$", re.DOTALL)


@dataclass(frozen=True)
class ParsedQuery:
    """A search box entry split into free text and the filters it names."""

    text: str
    """The words to search for, filters removed, whitespace collapsed."""
    kind: str | None = None
    status: str | None = None
    topic: str | None = None
    owner: str | None = None
    problems: tuple[str, ...] = field(default=())
    """Filters the user started but left empty (``topic:``), to hint at in the status line."""

    @property
    def has_filters(self) -> bool:
        """Return whether any filter is set."""
        return any(getattr(self, name) for name in FILTER_NAMES)

    def filters(self) -> dict[str, str]:
        """Return the set filters by name, as keyword arguments for ``Workspace.search``."""
        return {name: value for name in FILTER_NAMES if (value := getattr(self, name))}

    def describe_filters(self) -> str:
        """Return the filters as the user would type them (``kind:runbook topic:etcd``)."""
        return " ".join(f"{name}:{_quote(value)}" for name, value in self.filters().items())


def parse_query(query: str) -> ParsedQuery:
    """Split query into free text and ``name:value`` filters; unknown ``word:`` prefixes stay text.

    Values may be quoted (``owner:"Jane Doe"``); a repeated filter keeps its last value, and an unbalanced
    quote is read as if closed at the end so half-typed queries still search.
    """
    tokens = _split(query)
    words: list[str] = []
    found: dict[str, str] = {}
    problems: list[str] = []
    for token in tokens:
        match = _FILTER_TOKEN.match(token)
        name = match.group("name").lower() if match else ""
        if not match or name not in FILTER_NAMES:
            words.append(token)
            continue
        value = match.group("value").strip()
        if not value:
            problems.append(f"{name}: needs a value")
            continue
        if name == "kind":
            value = KIND_ALIASES.get(value.lower(), value.lower())
        elif name == "status":
            value = value.lower()
        found[name] = value
    return ParsedQuery(text=" ".join(words), problems=tuple(problems), **found)


def _split(query: str) -> list[str]:
    """Split on whitespace keeping quoted values together; fall back gracefully on unbalanced quotes."""
    lexer = shlex.shlex(query, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:
        for quote in ('"', "'"):
            if query.count(quote) % 2:
                return _split(query + quote)
        return query.split()


def _quote(value: str) -> str:
    """Quote value when it holds whitespace, so describe_filters round-trips through parse_query."""
    return f'"{value}"' if any(ch.isspace() for ch in value) else value

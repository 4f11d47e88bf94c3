"""Merge the (name, email) pairs git and front matter show into people: one person, many emails and spellings."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

_GENERIC_NAMES: frozenset[str] = frozenset({
    "", "root", "admin", "administrator", "unknown", "user", "github", "git", "ubuntu", "none", "nobody",
})
"""Names too generic to prove two identities are the same person."""


@dataclass
class Identity:
    """One person as seen in history: a display name, every email and every spelling of the name."""

    name: str
    emails: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)


def normalise_name(name: str) -> str:
    """Return a name folded for comparison: accents removed, case folded, spaces collapsed, a leading @ dropped."""
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_only = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(ascii_only.casefold().lstrip("@").replace(".", " ").split())


def slug_handle(name: str) -> str:
    """Return a stable lower-case handle for a name (``Łukasz Langa`` → ``lukasz-langa``); an email uses its local part."""
    text = name.strip()
    if "@" in text and " " not in text and not text.startswith("@"):
        text = text.split("@", 1)[0]
    decomposed = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii")
    handle = re.sub(r"[^a-z0-9]+", "-", ascii_only.lower()).strip("-")
    return handle or "unknown"


def _display_name(names: Counter[str]) -> str:
    """Return the spelling to show: the most used, preferring full names (with a space) over logins."""
    return max(names, key=lambda name: (" " in name.strip(), names[name], len(name), name))


def group_identities(idents: Iterable[tuple[str, str]]) -> list[Identity]:
    """Return people from (name, email) pairs: the same email, or the same normalised name, is the same person.

    Repeated pairs (one per commit) count towards the display name, so the spelling a person uses most wins.
    """
    parent: dict[int, int] = {}
    pair_ids: dict[tuple[str, str], int] = {}
    uses: Counter[tuple[str, str]] = Counter()

    def find(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def union(first: int, second: int) -> None:
        root_first, root_second = find(first), find(second)
        if root_first != root_second:
            parent[max(root_first, root_second)] = min(root_first, root_second)

    by_email: dict[str, int] = {}
    by_name: dict[str, int] = {}
    for raw_name, raw_email in idents:
        pair = (raw_name.strip(), raw_email.strip().lower())
        uses[pair] += 1
        if pair in pair_ids:
            continue
        node = len(pair_ids)
        pair_ids[pair] = node
        parent[node] = node
        name, email = pair
        if email:
            if email in by_email:
                union(node, by_email[email])
            else:
                by_email[email] = node
        folded = normalise_name(name)
        if folded not in _GENERIC_NAMES and folded != email:
            if folded in by_name:
                union(node, by_name[folded])
            else:
                by_name[folded] = node
    groups: dict[int, list[tuple[str, str]]] = {}
    for pair, node in pair_ids.items():
        groups.setdefault(find(node), []).append(pair)
    people: list[Identity] = []
    for pairs in groups.values():
        names: Counter[str] = Counter()
        emails: list[str] = []
        for name, email in pairs:
            if name:
                names[name] += uses[(name, email)]
            if email and email not in emails:
                emails.append(email)
        display = _display_name(names) if names else (emails[0] if emails else "unknown")
        people.append(Identity(name=display, emails=sorted(emails), names=sorted(names)))
    return sorted(people, key=lambda person: normalise_name(person.name))

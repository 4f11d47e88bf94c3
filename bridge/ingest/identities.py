"""Merge the (name, email) pairs git and front matter show into people: one person, many emails and spellings.

Two identities are one person when they share an email, a name (case, accents, dots and spaces folded), or a
GitHub handle: the handle of a noreply address (``12345+handle@users.noreply.github.com``), a name written
without spaces (a login used as ``user.name``, or a handle named in OWNERS), and a full name squeezed into one
word (``Lukas Metzner`` ↔ ``lukasmetzner``). A handle also matches the user part of an email
(``apinnick`` ↔ ``apinnick@redhat.com``), but two emails with the same user part at different domains are not
merged by that alone. Generic names (``root``, ``admin``…) and handles shorter than four characters never merge
anyone.
"""

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

_NOREPLY = re.compile(r"^(?:\d+\+)?([^@+]+)@users\.noreply\.github\.com$")
_NAME_EMAIL = re.compile(r"^(.*?)\s*<([^>]*)>\s*$")
MIN_HANDLE_LENGTH = 4
"""Handles shorter than this are too likely to be shared to merge people by."""


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


def github_handle(email: str) -> str:
    """Return the GitHub handle of a noreply address (``12345+jdoe@users.noreply.github.com`` → ``jdoe``), or ""."""
    match = _NOREPLY.match(email.strip().lower())
    return match.group(1) if match else ""


def squeezed(name: str) -> str:
    """Return a name as a handle would write it: folded, without spaces or punctuation (``Lukas Metzner`` → ``lukasmetzner``)."""
    return re.sub(r"[^a-z0-9]", "", normalise_name(name))


def _display_name(names: Counter[str]) -> str:
    """Return the spelling to show: the most used (by commits), preferring full names (with a space) over logins."""
    return max(names, key=lambda name: (" " in name.strip(), names[name], len(name), name))


def _split_declared(text: str) -> tuple[str, str]:
    """Return (name, email) of a person named in a record (``Jane <jane@x>``, ``jane@x``, ``@jane``)."""
    match = _NAME_EMAIL.match(text.strip())
    if match:
        return match.group(1).strip(), match.group(2).strip()
    text = text.strip().lstrip("@")
    if "@" in text and " " not in text:
        return "", text
    return text, ""


def _usable(key: str) -> bool:
    """Return whether a handle is specific enough to merge people by."""
    return len(key) >= MIN_HANDLE_LENGTH and key not in _GENERIC_NAMES


def _handle_keys(name: str, email: str) -> list[str]:
    """Return the GitHub handles an identity shows: its noreply handle and its name squeezed into one word."""
    keys = [github_handle(email), squeezed(name)]
    return [key for key in dict.fromkeys(keys) if _usable(key)]


def _email_user(email: str) -> str:
    """Return the user part of an ordinary (not noreply) email, folded like a handle, or ""."""
    if "@" not in email or github_handle(email):
        return ""
    user = re.sub(r"[^a-z0-9-]", "", email.split("@", 1)[0].lower())
    return user if _usable(user) else ""


def _login_keys(name: str, email: str) -> list[str]:
    """Return the handles an identity states as a login (noreply handle, or a name without spaces)."""
    keys = [github_handle(email)]
    if name and " " not in name.strip():
        keys.append(re.sub(r"[^a-z0-9-]", "", name.strip().lstrip("@").lower()))
    return [key for key in dict.fromkeys(keys) if _usable(key)]


def group_identities(idents: Iterable[tuple[str, str]], declared: Iterable[str] = ()) -> list[Identity]:
    """Return people from (name, email) pairs: the same email, name or GitHub handle is the same person.

    Repeated pairs (one per commit) count towards the display name, so the spelling a person uses most wins.
    declared are people named in records (owners, reviewers, authors): they join the people they match but
    count for no commit.
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
    by_handle: dict[str, int] = {}
    by_login: dict[str, list[int]] = {}
    by_email_user: dict[str, list[int]] = {}
    pairs_seen = [(pair, 1) for pair in idents] + [(_split_declared(text), 0) for text in declared]
    for (raw_name, raw_email), count in pairs_seen:
        pair = (raw_name.strip().lstrip("@") if count == 0 else raw_name.strip(), raw_email.strip().lower())
        if not pair[0] and not pair[1]:
            continue
        uses[pair] += count
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
        for handle in _handle_keys(name, email):
            if handle in by_handle:
                union(node, by_handle[handle])
            else:
                by_handle[handle] = node
        for login in _login_keys(name, email):
            by_login.setdefault(login, []).append(node)
            for other in by_email_user.get(login, []):
                union(node, other)
        user = _email_user(email)
        if user:
            by_email_user.setdefault(user, []).append(node)
            for other in by_login.get(user, []):
                union(node, other)
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

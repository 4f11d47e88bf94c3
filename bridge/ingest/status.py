"""Status normalisation: the free wording real repositories use, mapped onto each kind's lifecycle.

The original wording is kept by the caller in ``Record.status_text``; an unknown status is kept as written
(lower-cased) with a warning, because a record is never rejected for its status.
"""

from __future__ import annotations

import re

LINK_PATTERN = re.compile(r"\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
"""A Markdown inline link: group 1 the text, group 2 the target."""

KEY_REF_PATTERN = re.compile(r"\b(ADR|RB|PM|PEP|NEP|RFC)[-\s]?(\d{1,5})\b", re.IGNORECASE)
"""A key written in prose, such as ``ADR-0123``, ``ADR 12`` or ``PEP 8``."""

_SUPERSEDED_BY = re.compile(r"^(?:superseded|superceded|replaced)\s+by\b[:\s]*", re.IGNORECASE)
_PARTLY_SUPERSEDED = re.compile(r"^(?:partly|partially)\s+(?:superseded|superceded|replaced)\b", re.IGNORECASE)

_DECISION_WORDS: dict[str, tuple[str, ...]] = {
    "accepted": (
        "accepted", "approved", "implemented", "partially implemented", "partly implemented", "final", "active",
        "adopted", "agreed", "decided", "done", "complete", "completed", "provisional", "in effect", "ratified",
        "in force", "living",
    ),
    "proposed": (
        "proposed", "draft", "pending", "in review", "under review", "review", "open", "wip", "work in progress",
        "in progress", "in discussion", "under discussion", "discussion", "deferred", "postponed", "on hold",
        "new", "suggested", "rfc", "proposal", "needs review", "needs-review",
    ),
    "rejected": (
        "rejected", "declined", "withdrawn", "abandoned", "april fool!", "april fool", "denied", "not accepted",
        "won't do", "wont do", "dropped",
    ),
    "deprecated": ("deprecated", "obsolete", "retired", "archived", "outdated", "sunset", "sunsetted"),
    "superseded": ("superseded", "superceded", "replaced"),
}
"""Decision lifecycle → the wordings that mean it (matched at the start of the status text)."""

_RUNBOOK_WORDS: dict[str, tuple[str, ...]] = {
    "active": (
        "active", "published", "current", "live", "approved", "accepted", "final", "implemented", "in use",
        "ready", "done", "complete", "completed", "maintained",
    ),
    "draft": (
        "draft", "wip", "work in progress", "in progress", "proposed", "pending", "in review", "under review",
        "new", "todo", "to do",
    ),
    "needs-review": ("needs-review", "needs review", "review needed", "stale", "outdated", "unverified", "review"),
    "retired": (
        "retired", "deprecated", "obsolete", "archived", "superseded", "superceded", "replaced", "removed",
        "rejected", "withdrawn", "sunset",
    ),
}

_POSTMORTEM_WORDS: dict[str, tuple[str, ...]] = {
    "published": ("published", "final", "complete", "completed", "closed", "done", "accepted", "approved", "resolved"),
    "draft": ("draft", "wip", "in progress", "in review", "under review", "open", "pending", "proposed", "new"),
}

_HANDOFF_WORDS: dict[str, tuple[str, ...]] = {
    "open": ("open", "active", "in progress", "draft"),
    "completed": ("completed", "complete", "done", "closed"),
    "cancelled": ("cancelled", "canceled", "abandoned"),
}

WORDS_BY_KIND: dict[str, dict[str, tuple[str, ...]]] = {
    "decision": _DECISION_WORDS,
    "runbook": _RUNBOOK_WORDS,
    "postmortem": _POSTMORTEM_WORDS,
    "handoff": _HANDOFF_WORDS,
}

IMPORT_DEFAULT_STATUS: dict[str, str] = {
    "decision": "accepted", "runbook": "active", "postmortem": "published", "handoff": "open",
}
"""Status of an imported file that states none: a committed record without a status is taken to be in force."""


def _phrase_table(kind: str) -> list[tuple[str, str]]:
    """Return (phrase, status) pairs for kind, longest phrase first so the most specific wording wins."""
    words = WORDS_BY_KIND.get(kind, _DECISION_WORDS)
    pairs = [(phrase, status) for status, phrases in words.items() for phrase in phrases]
    pairs += [(status, status) for status in words]
    return sorted(set(pairs), key=lambda pair: -len(pair[0]))


_TABLES: dict[str, list[tuple[str, str]]] = {kind: _phrase_table(kind) for kind in WORDS_BY_KIND}


def plain_status_text(text: str) -> str:
    """Return text with Markdown links reduced to their text, emphasis and HTML comments removed, spaces collapsed."""
    without_comments = re.sub(r"<!--.*?-->", " ", text, flags=re.DOTALL)
    without_links = LINK_PATTERN.sub(lambda match: match.group(1), without_comments)
    without_marks = re.sub(r"[*_`]+", "", without_links)
    return " ".join(without_marks.split())


def references_in(text: str) -> list[str]:
    """Return the record references in text: relative link targets, else keys written in prose (``ADR 12``)."""
    targets = [match.group(2) for match in LINK_PATTERN.finditer(text)]
    refs = [target for target in targets if "://" not in target and not target.startswith(("mailto:", "#"))]
    if refs or targets:
        return refs
    return [f"{match.group(1).upper()}-{int(match.group(2)):04d}" for match in KEY_REF_PATTERN.finditer(text)]


def _starts_with_phrase(lowered: str, phrase: str) -> bool:
    """Return whether lowered starts with phrase as whole words."""
    if not lowered.startswith(phrase):
        return False
    rest = lowered[len(phrase):]
    return not rest or not (rest[0].isalnum() or rest[0] in "-_")


def normalise_status(text: str, kind: str) -> tuple[str, list[str], list[str]]:
    """Return (status on the kind's lifecycle, superseded-by references found in text, warnings).

    "Superseded by [20. User models](0020-user-models.md)" gives ``superseded`` and ``0020-user-models.md``;
    "Partly superseded" stays ``accepted`` (the record is still partly in force), with any references kept.
    """
    plain = plain_status_text(text)
    lowered = plain.lower().strip(" .:;,")
    if not lowered:
        return "", [], []
    table = _TABLES.get(kind, _TABLES["decision"])
    superseded_refs: list[str] = []
    if _PARTLY_SUPERSEDED.match(lowered):
        return IMPORT_DEFAULT_STATUS.get(kind, "accepted"), references_in(text), []
    if _SUPERSEDED_BY.match(lowered):
        superseded_refs = references_in(text)
    for phrase, status in table:
        if _starts_with_phrase(lowered, phrase):
            return status, superseded_refs, []
    kept = " ".join(lowered.split())
    return kept, superseded_refs, [f"unknown status '{plain}' kept as written"]

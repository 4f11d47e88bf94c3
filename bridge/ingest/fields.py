"""Field helpers shared by the parsers and the writer: keys, dates, lists, and what a path says about a record."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any

from bridge.domain import KEY_PREFIX_BY_KIND, RecordKind

GENERIC_FOLDERS: frozenset[str] = frozenset({
    "adr", "adrs", "decisions", "decision", "decision-records", "architecture", "architecture-decisions",
    "doc", "docs", "documentation", "root", "records", "runbooks", "runbook", "playbooks", "postmortems",
    "incidents", "content", "src", "notes", "peps", "neps", "rfcs", "proposals", "md", "markdown", "keps", "text",
    "examples",
})
"""Folder names that say what kind of record lives there, not what it is about: never topics."""

KIND_BY_FOLDER: dict[str, RecordKind] = {
    "adr": "decision", "adrs": "decision", "decisions": "decision", "decision-records": "decision",
    "architecture": "decision", "architecture-decisions": "decision", "peps": "decision", "neps": "decision",
    "rfcs": "decision", "keps": "decision", "runbooks": "runbook", "runbook": "runbook", "playbooks": "runbook",
    "postmortems": "postmortem", "incidents": "postmortem", "handoffs": "handoff",
}
"""Folder name → the kind of record it holds (the nearest such folder wins)."""

KIND_ALIASES: dict[str, RecordKind] = {
    "decision": "decision", "adr": "decision", "decision-record": "decision", "decisions": "decision",
    "runbook": "runbook", "runbooks": "runbook", "playbook": "runbook",
    "postmortem": "postmortem", "post-mortem": "postmortem", "incident": "postmortem",
    "handoff": "handoff", "handoff-plan": "handoff",
}

RUNBOOK_SECTIONS: frozenset[str] = frozenset({
    "meaning", "impact", "diagnosis", "mitigation", "symptoms", "resolution", "escalation", "remediation",
    "troubleshooting",
})
"""Headings of runbook-style documents; two or more of them make a file a runbook."""

_NUMBER_PREFIX = re.compile(r"^(\d{1,5})(?=[-_.\s]|$)")
_KEYED_NAME = re.compile(r"^(adr|rb|pm)[-_ ]?(\d{1,5})(?=[-_.\s]|$)", re.IGNORECASE)
_PROPOSAL_NAME = re.compile(r"^(pep|nep)[-_ ]?(\d{1,5})(?=[-_.\s]|$)", re.IGNORECASE)
_KEY_TEXT = re.compile(r"^([A-Za-z]+)[-_ ]?(\d{1,5})$")


def key_from_filename(name: str, kind: RecordKind, prefix: str | None = None) -> str:
    """Return the key a file name carries (``0007-x.md`` → ``ADR-0007``, ``pep-0008.rst`` → ``PEP-0008``), or "".

    Date-named files (``20200924-x.md``) carry no number: only 1–5 leading digits count. ``prefix`` replaces the
    kind's prefix for numbered names (``RFC`` for a Rust-style RFC: ``0001-x.md`` → ``RFC-0001``).
    """
    proposal = _PROPOSAL_NAME.match(name)
    if proposal:
        return f"{proposal.group(1).upper()}-{int(proposal.group(2)):04d}"
    prefix = prefix or KEY_PREFIX_BY_KIND[kind]
    keyed = _KEYED_NAME.match(name)
    if keyed:
        return f"{prefix}-{int(keyed.group(2)):04d}"
    numbered = _NUMBER_PREFIX.match(name)
    if numbered:
        return f"{prefix}-{int(numbered.group(1)):04d}"
    return ""


def normalise_key(value: Any, kind: RecordKind) -> str:
    """Return an explicit key in the usual form: ``7`` → ``ADR-0007``, ``adr-7`` → ``ADR-0007``; others as written."""
    text = str(value).strip()
    if text.isdigit():
        return f"{KEY_PREFIX_BY_KIND[kind]}-{int(text):04d}"
    match = _KEY_TEXT.match(text)
    if match:
        return f"{match.group(1).upper()}-{int(match.group(2)):04d}"
    return text


def kind_from_folders(folder_names: list[str]) -> RecordKind | None:
    """Return the kind named by the nearest folder (innermost first), or None."""
    for name in reversed(folder_names):
        kind = KIND_BY_FOLDER.get(name.lower())
        if kind:
            return kind
    return None


def topic_from_path(source_path: str) -> str:
    """Return the nearest non-generic parent folder of source_path (relative to the import root), or ""."""
    for folder in reversed(PurePosixPath(source_path).parts[:-1]):
        if folder.lower() not in GENERIC_FOLDERS and not folder.startswith((".", "_")):
            return folder
    return ""


_PLACEHOLDER_WORDS = re.compile(
    r"\b(?:insert|fill (?:me )?in|yyyy-mm-dd|yyyy|dd/mm|mm/dd|your name|author name|todo: )", re.IGNORECASE
)


def is_placeholder(text: str) -> bool:
    """Return whether a value is a template placeholder (``[proposed | accepted]``, ``{date}``, ``Insert Date``)."""
    stripped = text.strip().strip("`").strip()
    if not stripped:
        return False
    if stripped.startswith(("[", "{")) or (stripped.endswith("]") and "[" not in stripped) or (
        stripped.endswith("}") and "{" not in stripped
    ):
        return True
    return bool(_PLACEHOLDER_WORDS.search(stripped))


def title_from_name(name: str) -> str:
    """Return a title made from a file or folder name: ``2000-const-generics.md`` → ``Const generics``."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    words = re.sub(r"^(?:\d+|[a-z]+-\d+)[-_.\s]+", "", stem, flags=re.IGNORECASE)
    text = " ".join(re.split(r"[-_\s]+", words or stem)).strip()
    return text[:1].upper() + text[1:] if text else stem


def as_text(value: Any) -> str:
    """Return value as a stripped string ("" for None)."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def as_list(value: Any) -> list[str]:
    """Return value as a list of non-empty strings; a string is split on commas."""
    if value is None:
        return []
    if isinstance(value, list | tuple | set):
        items = [as_text(item) for item in value]
    else:
        items = [part.strip() for part in as_text(value).split(",")]
    seen: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return seen


_DATE_FORMATS = ("%Y-%m-%d", "%d-%b-%Y", "%d-%B-%Y", "%Y/%m/%d", "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y")


def as_date(value: Any) -> date | None:
    """Return value as a date (ISO, ``05-Jul-2001``, ``5 July 2001`` …), or None when it is not one."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = as_text(value)
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def jsonable(value: Any) -> Any:
    """Return value with dates turned into ISO strings, so extra fields fit a JSON column."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


def slugify(text: str, max_length: int = 60) -> str:
    """Return a lower-case file-name slug of text (letters, digits and single hyphens only)."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:max_length].rstrip("-")

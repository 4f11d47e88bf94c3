"""PEP/NEP-style reStructuredText records: an RFC 822 header block or a ``:Field:`` list, read and written.

PEPs become decision records keyed ``PEP-0008``; Replaces/Superseded-By/Requires become links; the topics are
the ``Topic`` header (``Packaging``, ``Typing``…) or, without one, the PEP type (``standards-track``, ``process``,
``informational``), so bus-factor questions can be asked per area of the language and per kind of PEP.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bridge.ingest.fields import as_date, slugify

_HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9-]*):(?:\s+(.*)|\s*)$")
_FIELD_LINE = re.compile(r"^:([A-Za-z][A-Za-z0-9 -]*):(?:\s+(.*)|\s*)$")
_ADORNMENT = re.compile(r"^([=\-`:'\"~^_*+#<>])\1{2,}\s*$")
_TITLE_NUMBER = re.compile(r"^(?:PEP|NEP)\s*\d+\s*(?:[:\u2014\u2013-]+\s*)", re.IGNORECASE)

HEADER_ORDER: tuple[str, ...] = (
    "PEP", "Id", "Title", "Kind", "Author", "Owners", "Reviewers", "Sponsor", "PEP-Delegate", "BDFL-Delegate",
    "Discussions-To", "Status", "Type", "Topic", "Tags", "Requires", "Related", "Amends", "Created", "Review-By",
    "Python-Version", "Post-History", "Replaces", "Superseded-By", "Resolution",
)
"""Header order of written files: PEP 12's order, with bridge's own fields beside their nearest PEP field."""


@dataclass
class RstHeader:
    """The header fields of a reST record, the body after them and the title found in the text."""

    fields: dict[str, str] = field(default_factory=dict)
    """Header name → value (continuation lines joined with one space), in file order."""
    body: str = ""
    title: str = ""
    style: str = "rfc822"
    """``rfc822`` (``PEP: 8`` block at the top), ``fields`` (``:Author:`` list) or ``none``."""


def _rfc822_header(text: str) -> RstHeader | None:
    """Return the header when text starts with an RFC 822 block that has a Title or PEP field."""
    lines = text.split("\n")
    fields: dict[str, str] = {}
    last = ""
    end = len(lines)
    for number, line in enumerate(lines):
        if not line.strip():
            end = number
            break
        match = _HEADER_LINE.match(line)
        if match:
            last = match.group(1)
            fields[last] = (match.group(2) or "").strip()
        elif line[:1] in " \t" and last:
            fields[last] = f"{fields[last]} {line.strip()}".strip()
        else:
            return None
    if not ({"Title", "PEP"} & set(fields)):
        return None
    body = "\n".join(lines[end + 1:])
    return RstHeader(fields=fields, body=body, title=fields.get("Title", ""), style="rfc822")


def _document_title(lines: list[str]) -> tuple[str, int]:
    """Return the first adorned reST title and the index of its last adornment line ("", -1 when none)."""
    for index in range(len(lines) - 1):
        line = lines[index].strip()
        if not line or _ADORNMENT.match(line):
            continue
        if _ADORNMENT.match(lines[index + 1].strip()):
            return _TITLE_NUMBER.sub("", line).strip() or line, index + 1
        if lines[index + 1].strip():
            continue
        return "", -1
    return "", -1


def _field_list_header(text: str) -> RstHeader:
    """Return the ``:Field:`` list that follows the document title, removed from the body."""
    lines = text.split("\n")
    title, title_end = _document_title(lines)
    fields: dict[str, str] = {}
    start = title_end + 1
    while start < len(lines) and not lines[start].strip():
        start += 1
    index = start
    last = ""
    while index < len(lines):
        line = lines[index]
        match = _FIELD_LINE.match(line)
        if match:
            last = match.group(1).strip()
            fields[last] = (match.group(2) or "").strip()
        elif line[:1] in " \t" and line.strip() and last:
            fields[last] = f"{fields[last]} {line.strip()}"
        else:
            break
        index += 1
    if not fields:
        return RstHeader(body=text, title=title, style="none")
    body = "\n".join(lines[:start] + lines[index:])
    if "Title" in fields:
        title = fields["Title"]
    return RstHeader(fields=fields, body=body, title=title, style="fields")


def read_rst_header(text: str) -> RstHeader:
    """Return the header fields, body and title of a reST record (any of the three styles)."""
    return _rfc822_header(text) or _field_list_header(text)


def split_names(value: str) -> list[str]:
    """Return the names in a PEP Author header: ``A <a@x>, B (b at x), C`` → [A, B, C]."""
    parts: list[str] = []
    depth = 0
    current = ""
    for char in value:
        if char in "<(":
            depth += 1
        elif char in ">)":
            depth = max(0, depth - 1)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    names = []
    for part in parts:
        text = part.strip()
        name = re.sub(r"<[^>]*>", "", text).strip()
        if "@" in name or " at " in name:
            inner = re.search(r"\(([^)]*)\)", name)
            name = inner.group(1).strip() if inner else name
        name = re.sub(r"\([^)]*\)", "", name).strip() if "(" in name and not name.startswith("(") else name
        name = " ".join(name.split())
        if name and name not in names:
            names.append(name)
    return names


def proposal_refs(value: str, prefix: str) -> list[str]:
    """Return keys from a header listing numbers: ``Replaces: 245, 246`` → [PEP-0245, PEP-0246]."""
    refs = []
    for token in re.split(r"[,\s]+", value):
        digits = token.strip().lstrip("#")
        if digits.isdigit():
            refs.append(f"{prefix}-{int(digits):04d}")
        elif token.strip():
            refs.append(token.strip())
    return refs


def proposal_numbers(keys: list[str], prefix: str) -> str | None:
    """Return keys written as a PEP header value (``245, 246``), or None when one is not a ``PREFIX-N`` key."""
    numbers = []
    for key in keys:
        match = re.fullmatch(rf"{prefix}-(\d+)", key)
        if not match:
            return None
        numbers.append(str(int(match.group(1))))
    return ", ".join(numbers)


def topics_from_header(fields: dict[str, str]) -> list[str]:
    """Return the topics a PEP header gives: its Topic values, else its Type, as lower-case slugs."""
    topic = fields.get("Topic", "")
    if topic:
        return [slugify(part) for part in topic.split(",") if slugify(part)]
    kind = slugify(fields.get("Type", ""))
    return [kind] if kind else []


def created_text(value: str) -> str:
    """Return a date in PEP style (``05-Jul-2001``), or value unchanged when it is not a date."""
    parsed = as_date(value)
    return parsed.strftime("%d-%b-%Y") if parsed else value

"""What a Markdown body says about its record: title, headings, status, date, people, tags and links.

Read with markdown-it-py so code blocks never count: adr-tools' ``## Status`` section, MADR/log4brains
``* Status:`` bullets before the first section, RFC-style ``- Feature Name:`` / ``- Start Date:`` header
bullets, and nats-style ``|Metadata|Value|`` tables are all understood. A Status section counts only at the top
section level (a ``### Status`` deep inside a design is an API field, not the record's status), and template
placeholders (``[proposed | accepted]``, ``{date}``, ``Insert Date``) are read as empty.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bridge.ingest.fields import as_date, as_list, is_placeholder
from bridge.ingest.status import LINK_PATTERN, plain_status_text, references_in

_TITLE_PREFIX = re.compile(
    r"^(?:(?:architecture\s+decision\s+record|adr|rb|runbook|kep|rfc)\b[\s#-]*\d*\s*[:.\u2013\u2014-]\s*"
    r"|(?:\d+|[a-z])\.\s+)",
    re.IGNORECASE,
)
_META_LINE = re.compile(
    r"^\W{0,3}(status|date|deciders|decision-makers|decision makers|authors?|tags|owners?|reviewers?|feature name"
    r"|start date|rfc pr|tracking issues?|rust issue)\W{0,3}:[\s*_]{0,3}(.*)$",
    re.IGNORECASE,
)
SECTION_NAMES: frozenset[str] = frozenset({
    "summary", "abstract", "motivation", "context", "overview", "introduction", "background", "status",
    "description", "problem", "problem statement", "table of contents", "contents", "toc", "meaning", "impact",
    "diagnosis", "mitigation", "decision", "consequences", "proposal", "goals",
})
"""Headings that name a section, never the record: a body whose first heading is one of these has no title."""
_EXTRA_META: dict[str, str] = {
    "feature name": "feature_name", "rfc pr": "rfc_pr", "tracking issue": "tracking_issue",
    "tracking issues": "tracking_issue", "rust issue": "tracking_issue",
}
"""RFC-style header bullets kept as extra fields."""
_LINK_VERBS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(?:superseded|superceded|replaced)\s+by\b", re.IGNORECASE), "superseded_by"),
    (re.compile(r"^(?:supersedes|supercedes|replaces)\b", re.IGNORECASE), "supersedes"),
    (re.compile(r"^amended\s+by\b", re.IGNORECASE), "related"),
    (re.compile(r"^amends\b", re.IGNORECASE), "amends"),
    (re.compile(r"^(?:related\s+to|relates\s+to|see\s+also)\b", re.IGNORECASE), "related"),
)

_LINK_ROWS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("supersedes", "replaces"), "supersedes"),
    (("superseded by", "superseded-by", "replaced by"), "superseded_by"),
    (("amends", "updates"), "amends"),
    (("amended by", "updated by"), "related"),
    (("related", "related to", "see also"), "related"),
)
"""Metadata-table or preamble rows naming other records (nats-io's ``| Updates | ADR-8 |``) → the link field."""


@dataclass
class Heading:
    """A heading of the body: its level (1–6), plain text and 0-based line."""

    level: int
    text: str
    line: int


@dataclass
class MarkdownFacts:
    """Record fields a Markdown body states, each empty when the body does not say."""

    title: str = ""
    headings: list[Heading] = field(default_factory=list)
    status_text: str = ""
    date_text: str = ""
    authors: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    supersedes: list[str] = field(default_factory=list)
    superseded_by: list[str] = field(default_factory=list)
    amends: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)
    """Header bullets bridge keeps as written (``feature_name``, ``rfc_pr``, ``tracking_issue``)."""

    @property
    def stated_date(self) -> datetime.date | None:
        """Return the stated date parsed, or None."""
        return as_date(self.date_text)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """Return the shared CommonMark parser with tables enabled."""
    return MarkdownIt("commonmark").enable("table")


def clean_title(text: str) -> str:
    """Return a heading as a title: links reduced to text, adr-tools' ``2.`` and ``ADR-7:`` prefixes removed."""
    plain = LINK_PATTERN.sub(lambda match: match.group(1), text).strip()
    stripped = _TITLE_PREFIX.sub("", plain, count=1).strip()
    return stripped or plain


def _source_lines(body: str, token: Token) -> str:
    """Return the raw source text of a block token."""
    if not token.map:
        return token.content
    lines = body.splitlines()
    return "\n".join(lines[token.map[0]:token.map[1]]).strip()


def _split_people(text: str) -> list[str]:
    """Return names from a comma-separated list, without HTML comments or placeholder brackets."""
    plain = plain_status_text(text)
    return [name for name in as_list(plain) if not is_placeholder(name)]


def _split_tags(text: str) -> list[str]:
    """Return tags from a comma- or space-separated list."""
    plain = plain_status_text(text)
    return as_list(plain) if "," in plain else as_list(plain.split())


def _table_rows(tokens: list[Token], start: int) -> tuple[list[list[str]], int]:
    """Return the cell texts of the table opening at tokens[start], row by row, and the index after it."""
    rows: list[list[str]] = []
    index = start
    while index < len(tokens) and tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and rows:
            rows[-1].append(token.content.strip())
        index += 1
    return rows, index


def markdown_facts(body: str) -> MarkdownFacts:
    """Return what body states about its record (title, status, date, people, tags, links)."""
    tokens = _parser().parse(body)
    facts = MarkdownFacts()
    meta: dict[str, str] = {}
    table_meta: dict[str, str] = {}
    status_section_level = 0
    status_blocks: list[str] = []
    seen_section = False
    top_section_level = 0
    """Level of the first heading that is not the title: a Status section counts only at this level or above."""
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open":
            level = int(token.tag[1])
            text = clean_title(tokens[index + 1].content) if level == 1 else tokens[index + 1].content.strip()
            plain = plain_status_text(text)
            facts.headings.append(Heading(level, plain, token.map[0] if token.map else 0))
            if level == 1 and not facts.title and plain.lower().rstrip(":") not in SECTION_NAMES:
                facts.title = text
            else:
                seen_section = True
                top_section_level = top_section_level or level
            if status_section_level and level <= status_section_level:
                status_section_level = 0
            is_status = plain_status_text(tokens[index + 1].content).lower().rstrip(":") == "status"
            if not status_blocks and is_status and (not top_section_level or level <= top_section_level):
                status_section_level = level
            index += 3
            continue
        if token.type == "table_open" and not seen_section and not table_meta:
            rows, index = _table_rows(tokens, index)
            if rows and len(rows[0]) >= 2:
                pairs = {row[0].lower(): row[1] for row in rows if len(row) >= 2}
                if rows[0][0].lower() == "metadata" or "status" in pairs:
                    table_meta = pairs
            index += 1
            continue
        if status_section_level and token.type in ("paragraph_open",) and token.map:
            status_blocks.append(_source_lines(body, token))
        if token.type == "inline" and not seen_section and not status_section_level:
            for line in token.content.splitlines():
                match = _META_LINE.match(line.strip())
                if match:
                    meta.setdefault(match.group(1).lower(), match.group(2).strip())
        index += 1
    _apply_meta(facts, table_meta, meta, status_blocks)
    if not facts.title and facts.headings and facts.headings[0].text.lower().rstrip(":") not in SECTION_NAMES:
        facts.title = clean_title(facts.headings[0].text)
    return facts


def _apply_meta(facts: MarkdownFacts, table: dict[str, str], meta: dict[str, str], status_blocks: list[str]) -> None:
    """Fill facts from the metadata table (first), preamble lines (second) and the status section (last)."""

    def pick(*names: str) -> str:
        for source in (table, meta):
            for name in names:
                value = source.get(name, "")
                if value and not is_placeholder(plain_status_text(value)):
                    return value
        return ""

    section_status = next((block for block in status_blocks if not is_placeholder(plain_status_text(block))), "")
    facts.status_text = pick("status") or section_status
    facts.date_text = plain_status_text(pick("date", "start date"))
    for name, extra_name in _EXTRA_META.items():
        raw = pick(name)
        value = raw.strip().strip("`").strip() if extra_name == "feature_name" else plain_status_text(raw)
        if value and extra_name not in facts.extra:
            facts.extra[extra_name] = value
    facts.authors = _split_people(pick("author", "authors", "deciders", "decision-makers", "decision makers"))
    facts.owners = _split_people(pick("owner", "owners"))
    facts.reviewers = _split_people(pick("reviewer", "reviewers"))
    facts.tags = _split_tags(pick("tags"))
    for names, relation in _LINK_ROWS:
        linked: list[str] = getattr(facts, relation)
        for ref in references_in(pick(*names)):
            if ref not in linked:
                linked.append(ref)
    lines = [line.strip() for block in status_blocks for line in block.splitlines()]
    if facts.status_text and facts.status_text not in status_blocks:
        lines.insert(0, facts.status_text)
    for line in lines:
        plain = plain_status_text(line)
        for pattern, relation in _LINK_VERBS:
            if pattern.match(plain):
                target: list[str] = getattr(facts, relation)
                for ref in references_in(line):
                    if ref not in target:
                        target.append(ref)
                break

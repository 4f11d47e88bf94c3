"""Domain objects shared by every layer: records, revisions, people, links, chunks and search hits.

These are plain dataclasses with no I/O so that the store, the importers, the index, the knowledge
analysis and both front ends can exchange them without importing each other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

RecordKind = Literal["decision", "runbook", "postmortem", "handoff"]
"""The kinds of record bridge knows."""

RECORD_KINDS: tuple[RecordKind, ...] = ("decision", "runbook", "postmortem", "handoff")
META_KINDS: frozenset[str] = frozenset({"handoff"})
"""Kinds about the knowledge base itself (departure handoff plans), left out of the bus-factor analysis."""

BodyFormat = Literal["markdown", "rst"]
"""The markup of a record body."""

Role = Literal["author", "editor", "reviewer", "owner"]
"""How a person contributed to a record."""

LinkKind = Literal["supersedes", "amends", "relates"]
"""The kinds of link from one record to another."""

RevisionSource = Literal["bridge", "git", "import"]
"""Where a revision came from: a save in bridge, a git commit, or a plain file import."""

DECISION_STATUSES: tuple[str, ...] = ("proposed", "accepted", "rejected", "deprecated", "superseded")
RUNBOOK_STATUSES: tuple[str, ...] = ("draft", "active", "needs-review", "retired")
POSTMORTEM_STATUSES: tuple[str, ...] = ("draft", "published")
HANDOFF_STATUSES: tuple[str, ...] = ("open", "completed", "cancelled")
STATUSES_BY_KIND: dict[str, tuple[str, ...]] = {
    "decision": DECISION_STATUSES,
    "runbook": RUNBOOK_STATUSES,
    "postmortem": POSTMORTEM_STATUSES,
    "handoff": HANDOFF_STATUSES,
}
ALL_STATUSES: tuple[str, ...] = tuple(dict.fromkeys(status for kind in STATUSES_BY_KIND.values() for status in kind))
"""Every status of every kind, each once, in lifecycle order."""
INACTIVE_STATUSES: frozenset[str] = frozenset({"superseded", "deprecated", "retired", "rejected"})
"""Statuses that rank below current records in search."""

KEY_PREFIX_BY_KIND: dict[str, str] = {"decision": "ADR", "runbook": "RB", "postmortem": "PM", "handoff": "HO"}


_BOT_WORDS = frozenset({"bot", "bots", "robot"})


def looks_like_bot(name: str, email: str = "") -> bool:
    """Return whether an identity is a bot by its words: ``bot``/``robot`` in the name or the email's user.

    ``hco-bot``, ``k8s-ci-robot``, ``renovate[bot]``, ``bot@ci.example.com`` and
    ``71450783+hco-bot@users.noreply.github.com`` are bots; ``Anna Bottger`` and ``botond@…`` are not.
    """
    user = email.lower().split("@", 1)[0].split("+", 1)[-1]
    words = set(re.findall(r"[a-z0-9]+", name.lower())) | set(re.findall(r"[a-z0-9]+", user))
    return bool(words & _BOT_WORDS)


def content_hash(text: str) -> str:
    """Return the sha256 hex digest of text, used to detect unchanged content."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Record:
    """One runbook or decision record: its file fields plus, once stored, its store metadata."""

    key: str
    """Stable human key such as ``ADR-0007`` or ``RB-0012``."""
    kind: RecordKind
    title: str
    status: str
    """Status normalised onto the kind's lifecycle (or the original wording, lower-cased, when unknown)."""
    body: str
    """The record's text without front matter; the truth from which chunks are derived."""
    status_text: str = ""
    """The status exactly as written in the source."""
    body_format: BodyFormat = "markdown"
    topics: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    """Authors named in the file itself (front matter or header), not derived from history."""
    reviewers: list[str] = field(default_factory=list)
    consulted: list[str] = field(default_factory=list)
    informed: list[str] = field(default_factory=list)
    supersedes: list[str] = field(default_factory=list)
    """Keys (or, before resolution, file references) of records this one supersedes."""
    superseded_by: list[str] = field(default_factory=list)
    amends: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    date: dt.date | None = None
    """The date the record gives itself (decision date, creation date)."""
    review_by: dt.date | None = None
    source_path: str = ""
    """Path of the source file relative to its import root, with forward slashes."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Front-matter fields bridge does not model, kept so export loses nothing."""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0
    """Optimistic-concurrency counter: a save must name the version it edited."""
    deleted: bool = False

    def fingerprint(self) -> str:
        """Return a hash of every file-level field, so an unchanged re-import can be detected."""
        parts = [
            self.key, self.kind, self.title, self.status, self.status_text, self.body, self.body_format,
            "|".join(self.topics), "|".join(self.tags), "|".join(self.owners), "|".join(self.authors),
            "|".join(self.reviewers), "|".join(self.consulted), "|".join(self.informed),
            "|".join(self.supersedes), "|".join(self.superseded_by), "|".join(self.amends),
            "|".join(self.related), str(self.date), str(self.review_by), repr(sorted(self.extra.items())),
        ]
        return content_hash("\x1f".join(parts))


@dataclass
class Person:
    """Someone who writes, owns or reviews records; git identities map to one person through aliases."""

    handle: str
    """Stable slug identifying the person (e.g. ``jane-doe``)."""
    name: str
    emails: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    """Other names and emails that mean this person."""
    team: str = ""
    left_on: date | None = None
    """The day the person left; None while they are active."""

    @property
    def active(self) -> bool:
        """Return whether the person has not left."""
        return self.left_on is None


@dataclass
class Revision:
    """One version of a record, append-only: a save in bridge or a commit in git."""

    record_key: str
    number: int
    """1-based position in the record's history."""
    author: str
    """Handle of the person who made this version."""
    at: datetime
    message: str = ""
    body: str | None = None
    """Full text for bridge saves; None for git revisions, whose text stays in git."""
    source: RevisionSource = "bridge"
    commit: str | None = None
    path: str | None = None
    """For git revisions: the file's path at that commit, relative to the import root."""
    lines_added: int = 0
    lines_removed: int = 0
    coauthors: list[str] = field(default_factory=list)
    """Handles from Co-authored-by trailers."""


@dataclass
class Contribution:
    """A person's part in a record: author, editor, reviewer or owner, at a time."""

    person: str
    """Person handle."""
    record_key: str
    role: Role
    at: datetime | None = None


@dataclass
class Link:
    """A typed link between two records."""

    source_key: str
    target_key: str
    kind: LinkKind


@dataclass
class Chunk:
    """A section or part of a section of a record body, the unit of search."""

    record_key: str
    ordinal: int
    heading_path: list[str]
    text: str
    """The chunk's own text, shown as snippet source."""
    embed_text: str = ""
    """The text that is embedded: record title and heading path prefixed to the chunk text."""
    id: int | None = None

    @property
    def hash(self) -> str:
        """Return the content hash of the embedded text."""
        return content_hash(self.embed_text or self.text)

    @property
    def section(self) -> str:
        """Return the heading path joined for display (``Diagnosis › Logs``)."""
        return " › ".join(self.heading_path)


@dataclass
class SearchHit:
    """One record found by a search, with its best-matching section."""

    key: str
    title: str
    kind: str
    status: str
    score: float
    section: str = ""
    snippet: str = ""
    source_path: str = ""
    superseded_by: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form used by ``--json`` and MCP."""
        return {
            "key": self.key, "title": self.title, "kind": self.kind, "status": self.status,
            "score": round(self.score, 6), "section": self.section, "snippet": self.snippet,
            "source_path": self.source_path, "superseded_by": list(self.superseded_by),
            "topics": list(self.topics),
        }


@dataclass
class ImportFailure:
    """A file that could not be imported, with a reason a person can act on."""

    path: str
    error: str
    line: int | None = None


@dataclass
class ImportReport:
    """Counts and failures of one import run."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[ImportFailure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Files deliberately not imported (templates, images, section index pages, OWNERS, LICENSE…)."""
    skip_reasons: dict[str, str] = field(default_factory=dict)
    """Skipped file → why it is not a record."""
    alert_rules: int = 0
    """Alerting rules read from Prometheus rule files (stored as rules, not records)."""
    kept: dict[str, str] = field(default_factory=dict)
    """File → key of records edited in bridge since their last sync (or in conflict): their files were not read."""

    def skipped_by_reason(self) -> dict[str, int]:
        """Return how many files were skipped for each reason, most common first."""
        counts: dict[str, int] = {}
        for path in self.skipped:
            reason = self.skip_reasons.get(path, "not a record")
            counts[reason] = counts.get(reason, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form printed by ``bridge import --json``."""
        return {
            "imported": self.imported, "updated": self.updated, "unchanged": self.unchanged,
            "failed": [{"path": f.path, "error": f.error, "line": f.line} for f in self.failed],
            "warnings": list(self.warnings), "skipped": list(self.skipped),
            "skip_reasons": {path: self.skip_reasons.get(path, "not a record") for path in self.skipped},
            "alert_rules": self.alert_rules,
            "kept": [{"path": path, "key": key} for path, key in self.kept.items()],
        }


@dataclass
class FileChange:
    """One git commit touching one record file, read from history (the text stays in git)."""

    path: str
    """The file's path at that commit, relative to the import root."""
    commit: str
    author_name: str
    author_email: str
    at: datetime
    message: str = ""
    lines_added: int = 0
    lines_removed: int = 0
    coauthors: list[tuple[str, str]] = field(default_factory=list)
    """(name, email) pairs from Co-authored-by trailers."""
    blob: str = ""
    """git blob id of the file after the commit (empty when not read)."""


@dataclass
class SourceFile:
    """A parsed record file with its git history (oldest first; empty outside git)."""

    record: Record
    history: list[FileChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Contributor:
    """A person's contributions to one record, for ``show`` and the record screen."""

    person: Person
    roles: list[str]
    edits: int = 0
    first_at: str = ""
    last_at: str = ""


@dataclass
class KnowledgeInputs:
    """Everything the knowledge analysis reads, loaded in one go."""

    records: list[Record] = field(default_factory=list)
    revisions: list[Revision] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


KEY_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,19}-[A-Za-z0-9][A-Za-z0-9._-]{0,79}\Z")
"""Keys look like ADR-0007, RB-0012 or PEP-0008: ASCII letters, digits, '.', '_' and '-' only (no '/', no NUL, no
newline), so a key is always safe as a file name and in a terminal."""


def validate_record(record: Record, stored_status: str | None = None) -> None:
    """Raise ValidationError naming the first invalid field of record (an unchanged stored status is kept)."""
    from bridge.errors import ValidationError

    if not KEY_PATTERN.match(record.key or ""):
        raise ValidationError(
            f"key {record.key!r} must look like ADR-0007: a letter prefix, a dash, then letters, digits, '.', '_' "
            f"or '-' (at most 100 characters)", field="key",
        )
    if record.kind not in RECORD_KINDS:
        raise ValidationError(f"kind '{record.kind}' must be one of {', '.join(RECORD_KINDS)}", field="kind")
    if not record.title.strip():
        raise ValidationError("title must not be empty", field="title")
    allowed = STATUSES_BY_KIND[record.kind]
    if record.status not in allowed and record.status != stored_status:
        raise ValidationError(
            f"status '{record.status}' is not a {record.kind} status: use one of {', '.join(allowed)}", field="status"
        )
    if record.review_by and record.date and record.review_by < record.date:
        raise ValidationError("review_by must not be before the record's date", field="review_by")
    for field_name in ("supersedes", "superseded_by", "amends", "related"):
        if any(ref.strip().upper() == record.key.upper() for ref in getattr(record, field_name)):
            raise ValidationError(f"a record cannot list itself in {field_name}", field=field_name)


@dataclass
class HealthCheck:
    """One result of ``bridge doctor``: what was checked, whether it is fine, and what was found or done."""

    name: str
    ok: bool
    detail: str = ""

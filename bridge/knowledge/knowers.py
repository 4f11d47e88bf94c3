"""Who knows each record: authorship (DOA), named owners and recorded reviews, weighed and filtered by date.

A person knows a record when the weights of their evidence add up to the threshold (all weights 1 by default:
any one kind of evidence is enough). Teams named as owners or reviewers count only through their members. People
who left on or before the analysis day, or who are simulated as departed, are kept apart as ``left`` knowers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from bridge.config import KnowledgeSettings
from bridge.domain import Contribution, Link, Person, Record, Revision, looks_like_bot
from bridge.knowledge.doa import AUTHORSHIP_SOURCES, AuthorshipScore, authorship_scores


class KnowledgeSource(Protocol):
    """What the analysis reads (``bridge.domain.KnowledgeInputs`` has this shape)."""

    records: list[Record]
    revisions: list[Revision]
    contributions: list[Contribution]
    people: list[Person]
    links: list[Link]


@dataclass
class RecordKnowers:
    """The knowers of one record and what the rest of the analysis needs about it."""

    record: Record
    knowers: list[str]
    """Active knowers' handles, strongest first."""
    left_knowers: list[str] = field(default_factory=list)
    """Knowers who left or are simulated as departed, strongest first."""
    touched: set[str] = field(default_factory=set)
    """Active people who edited or reviewed the record without (necessarily) knowing it."""
    team_only: bool = False
    """The record's only owner evidence is a team with no known members, and it has no knower."""
    last_reviewed: date | None = None
    """The latest edit or dated review on or before the analysis day."""
    scores: list[AuthorshipScore] = field(default_factory=list)


def day_of(moment: datetime | date) -> date:
    """Return the calendar day of a datetime or date."""
    return moment.date() if isinstance(moment, datetime) else moment


class People:
    """Looks people up by handle, name, alias or email, and tells teams from persons."""

    def __init__(self, people: Iterable[Person], settings: KnowledgeSettings) -> None:
        self.by_handle: dict[str, Person] = {}
        """Every known person by handle."""
        self._by_alias: dict[str, str] = {}
        for person in people:
            self.by_handle[person.handle] = person
            for alias in [person.handle, person.name, *person.emails, *person.aliases]:
                if alias:
                    self._by_alias.setdefault(alias.strip().lower(), person.handle)
        self._settings = settings
        self._bots: dict[str, bool] = {}
        self._members: dict[str, set[str]] = defaultdict(set)
        for person in self.by_handle.values():
            if person.team:
                team_handle = self.resolve(person.team) or person.team
                self._members[team_handle.lower()].add(person.handle)
        for team, member_names in settings.teams.items():
            team_handle = self.resolve(team) or team
            for member in member_names:
                handle = self.resolve(member)
                if handle:
                    self._members[team_handle.lower()].add(handle)

    def resolve(self, name: str) -> str | None:
        """Return the handle meaning name (handle, display name, alias or email), or None."""
        return self._by_alias.get(name.strip().lower())

    def display(self, handle: str) -> str:
        """Return the display name for a handle (the handle itself for unknown people)."""
        person = self.by_handle.get(handle)
        return person.name if person and person.name else handle

    def is_team(self, handle: str) -> bool:
        """Return whether handle names a team: configured, someone's team, or a name with a team suffix."""
        lowered = handle.lower()
        if lowered in self._members or any(team.lower() == lowered for team in self._settings.teams):
            return True
        person = self.by_handle.get(handle)
        names = [lowered] + ([person.name.lower()] if person else [])
        return any(name.endswith(suffix) for name in names for suffix in self._settings.team_suffixes)

    def members(self, team_handle: str) -> set[str]:
        """Return the handles of a team's members (empty when none are known)."""
        return set(self._members.get(team_handle.lower(), set()))

    def is_bot(self, handle: str) -> bool:
        """Return whether a handle is a bot by its name or emails (history imported before bots were recognised)."""
        if handle not in self._bots:
            person = self.by_handle.get(handle)
            identities = [(person.name, email) for email in person.emails or [""]] if person else [(handle, "")]
            self._bots[handle] = any(looks_like_bot(name, email) for name, email in identities)
        return self._bots[handle]

    def has_left(self, handle: str, as_of: date) -> bool:
        """Return whether the person left on or before as_of."""
        person = self.by_handle.get(handle)
        return bool(person and person.left_on and person.left_on <= as_of)


@dataclass
class _Evidence:
    """The weights one person has towards knowing one record."""

    author: float = 0.0
    owner: float = 0.0
    reviewer: float = 0.0
    doa: float = 0.0

    @property
    def total(self) -> float:
        return self.author + self.owner + self.reviewer


class KnowerRules:
    """The settings, day and departures one analysis applies to every record."""

    def __init__(self, settings: KnowledgeSettings, as_of: date, without: Collection[str] = ()) -> None:
        self.settings = settings
        """Weights, windows and team rules."""
        self.as_of = as_of
        """The analysis day: later revisions, reviews and records are ignored."""
        self.without = frozenset(without)
        """Handles simulated as departed."""

    def in_window(self, moment: datetime | date | None) -> bool:
        """Return whether evidence from moment is neither in the future nor dropped by the recency window."""
        return self._counts_at(moment, expires_under_decay=False)

    def revision_weight(self, revision: Revision) -> float:
        """Return a revision's weight: 1, or halved every recency window under decay."""
        window = self.settings.recency_days
        if window is None or self.settings.recency_mode != "decay" or window <= 0:
            return 1.0
        age = max(0, (self.as_of - day_of(revision.at)).days)
        return 0.5 ** (age / window)

    def review_counts(self, moment: datetime | date | None) -> bool:
        """Return whether a review still counts: undated reviews always do, dated ones expire after the window."""
        return self._counts_at(moment, expires_under_decay=True)

    def _counts_at(self, moment: datetime | date | None, expires_under_decay: bool) -> bool:
        """Return whether evidence from moment counts on the analysis day under the recency window.

        Under decay mode revisions are weighted instead of dropped, so only evidence that expires_under_decay drops.
        """
        if moment is None:
            return True
        day = day_of(moment)
        if day > self.as_of:
            return False
        window = self.settings.recency_days
        if window is None or (self.settings.recency_mode == "decay" and not expires_under_decay):
            return True
        return (self.as_of - day).days <= window


def record_exists(record: Record, as_of: date) -> bool:
    """Return whether the record existed on the analysis day (it is live and was created by then)."""
    if record.deleted:
        return False
    created = record.created_at or record.date
    return created is None or day_of(created) <= as_of


def knowers_by_record(
    source: KnowledgeSource, settings: KnowledgeSettings, as_of: date, without: Collection[str] = ()
) -> dict[str, RecordKnowers]:
    """Return, for every record that existed on as_of, who knows it (see the module docstring)."""
    rules = KnowerRules(settings, as_of, without)
    people = People(source.people, settings)
    revisions_by_key: dict[str, list[Revision]] = defaultdict(list)
    for revision in source.revisions:
        revisions_by_key[revision.record_key].append(revision)
    contributions_by_key: dict[str, list[Contribution]] = defaultdict(list)
    for contribution in source.contributions:
        contributions_by_key[contribution.record_key].append(contribution)
    result: dict[str, RecordKnowers] = {}
    for record in source.records:
        if record_exists(record, as_of):
            result[record.key] = _record_knowers(
                record, revisions_by_key.get(record.key, []), contributions_by_key.get(record.key, []), people, rules
            )
    return result


def _record_knowers(
    record: Record,
    revisions: Sequence[Revision],
    contributions: Sequence[Contribution],
    people: People,
    rules: KnowerRules,
) -> RecordKnowers:
    """Weigh every person's evidence on one record and split knowers into active and left."""
    settings = rules.settings
    usable = [revision for revision in revisions if rules.in_window(revision.at) and not people.is_bot(revision.author)]
    scores = authorship_scores(usable, with_coauthors=settings.coauthors_count, weight_of=rules.revision_weight)
    evidence: dict[str, _Evidence] = defaultdict(_Evidence)
    touched: set[str] = set()
    for score in scores:
        touched.add(score.handle)
        evidence[score.handle].doa = score.doa
        if score.is_author:
            evidence[score.handle].author = settings.author_weight
    last_reviewed = max(
        (day_of(revision.at) for revision in usable if revision.source in AUTHORSHIP_SOURCES), default=None
    )
    team_without_members = False
    owner_handles = _owner_handles(record, contributions, people, settings)
    if settings.owners_count:
        for handle in owner_handles:
            expanded, memberless = _expand(handle, people)
            team_without_members |= memberless
            for member in expanded:
                evidence[member].owner = settings.owner_weight
    for contribution in contributions:
        if contribution.role != "reviewer" or not rules.review_counts(contribution.at):
            continue
        if contribution.at is not None:
            day = day_of(contribution.at)
            last_reviewed = day if last_reviewed is None else max(last_reviewed, day)
        expanded, _ = _expand(contribution.person, people)
        for member in expanded:
            touched.add(member)
            if settings.reviewers_count:
                evidence[member].reviewer = settings.reviewer_weight
    ranked = sorted(evidence.items(), key=lambda item: (-item[1].total, -item[1].doa, item[0]))
    knowing = [handle for handle, weights in ranked if weights.total > 0 and weights.total >= settings.knower_threshold]
    departed = {handle for handle in knowing if handle in rules.without or people.has_left(handle, rules.as_of)}
    active_touched = {
        handle for handle in touched if handle not in rules.without and not people.has_left(handle, rules.as_of)
    }
    active_knowers = [handle for handle in knowing if handle not in departed]
    return RecordKnowers(
        record=record,
        knowers=active_knowers,
        left_knowers=[handle for handle in knowing if handle in departed],
        touched=active_touched,
        team_only=team_without_members and not knowing,
        last_reviewed=last_reviewed,
        scores=scores,
    )


def _owner_handles(
    record: Record, contributions: Sequence[Contribution], people: People, settings: KnowledgeSettings
) -> list[str]:
    """Return the handles named as owners (and, when they count, as authors in the file).

    Declared people arrive as undated contributions; records loaded without them fall back to resolving names.
    """
    declared_authors = [c.person for c in contributions if c.role == "author" and c.at is None]
    handles = [contribution.person for contribution in contributions if contribution.role == "owner"]
    names = list(record.owners) if not handles else []
    if settings.named_authors_count:
        handles.extend(handle for handle in declared_authors if handle not in handles)
        if not declared_authors:
            names.extend(record.authors)
    for name in names:
        handle = people.resolve(name)
        if handle and handle not in handles:
            handles.append(handle)
    return handles


def _expand(handle: str, people: People) -> tuple[set[str], bool]:
    """Return the people a handle stands for (a team's members, or the person) and whether it is a memberless team."""
    if not people.is_team(handle):
        return {handle}, False
    members = people.members(handle)
    return members, not members

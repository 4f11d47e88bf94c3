"""The editor's front-matter form as plain strings, and its conversion to and from a Record with validation.

Pure and Textual-free: the editor screen reads its inputs into ``FormValues`` and calls ``apply_form``, so the
rules for what a valid record is (as far as the form can tell before the workspace checks the rest) are unit-tested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import date

from bridge.domain import STATUSES_BY_KIND, Record

LIST_FIELDS: tuple[str, ...] = ("topics", "owners", "reviewers", "tags", "supersedes", "related")
"""Form fields holding comma-separated lists."""

DATE_FIELDS: tuple[str, ...] = ("date", "review_by")
"""Form fields holding ISO dates (empty allowed)."""

KEY_FIELDS: tuple[str, ...] = ("supersedes", "related")
"""List fields whose items must look like record keys."""

FIELD_LABELS: dict[str, str] = {
    "title": "Title",
    "status": "Status",
    "topics": "Topics (services, systems)",
    "owners": "Owners",
    "reviewers": "Reviewers",
    "tags": "Tags",
    "supersedes": "Supersedes (keys)",
    "related": "Related (keys)",
    "date": "Date (YYYY-MM-DD)",
    "review_by": "Review by (YYYY-MM-DD)",
    "message": "Change message",
}
"""The form's fields in display order, with their labels."""

_KEY_PATTERN = re.compile(r"^[A-Za-z]{1,10}-?\d{1,6}$")


@dataclass(frozen=True)
class FormValues:
    """What the editor form holds, every field as typed."""

    title: str = ""
    status: str = ""
    topics: str = ""
    owners: str = ""
    reviewers: str = ""
    tags: str = ""
    supersedes: str = ""
    related: str = ""
    date: str = ""
    review_by: str = ""
    message: str = ""
    body: str = ""


@dataclass(frozen=True)
class FormResult:
    """The record built from a form and the problems found, by field name."""

    record: Record
    errors: dict[str, str]

    @property
    def valid(self) -> bool:
        """Return whether the form had no problems."""
        return not self.errors


def status_options(kind: str, current: str = "") -> list[str]:
    """Return the statuses offered for kind, keeping an unusual current status selectable."""
    statuses = list(STATUSES_BY_KIND.get(kind, ()))
    if current and current not in statuses:
        statuses.append(current)
    return statuses


def form_from_record(record: Record, message: str = "") -> FormValues:
    """Return the form values showing record."""
    return FormValues(
        title=record.title,
        status=record.status,
        topics=", ".join(record.topics),
        owners=", ".join(record.owners),
        reviewers=", ".join(record.reviewers),
        tags=", ".join(record.tags),
        supersedes=", ".join(record.supersedes),
        related=", ".join(record.related),
        date=record.date.isoformat() if record.date else "",
        review_by=record.review_by.isoformat() if record.review_by else "",
        message=message,
        body=record.body,
    )


def split_list(text: str) -> list[str]:
    """Split a comma-separated field into trimmed, non-empty, de-duplicated items in order."""
    items: list[str] = []
    for part in text.split(","):
        item = part.strip()
        if item and item not in items:
            items.append(item)
    return items


def apply_form(record: Record, values: FormValues) -> FormResult:
    """Return record updated from the form, with an error message per invalid field."""
    errors: dict[str, str] = {}
    title = " ".join(values.title.split())
    if not title:
        errors["title"] = "A title is required."
    allowed = status_options(record.kind, record.status)
    status = values.status.strip().lower()
    if status not in allowed:
        errors["status"] = f"Status must be one of: {', '.join(allowed)}."
    lists = {name: split_list(getattr(values, name)) for name in LIST_FIELDS}
    for name in KEY_FIELDS:
        bad_keys = [item for item in lists[name] if not _KEY_PATTERN.match(item)]
        if bad_keys:
            errors[name] = f"Not a record key: {', '.join(bad_keys)} (expected e.g. ADR-0007)."
        elif record.key and record.key.lower() in (item.lower() for item in lists[name]):
            errors[name] = f"{record.key} cannot link to itself."
    dates: dict[str, date | None] = {}
    for name in DATE_FIELDS:
        text = getattr(values, name).strip()
        try:
            dates[name] = date.fromisoformat(text) if text else None
        except ValueError:
            errors[name] = f"'{text}' is not a date; use YYYY-MM-DD."
            dates[name] = getattr(record, name)
    if not values.body.strip():
        errors["body"] = "The body is empty."
    updated = replace(
        record,
        title=title or record.title,
        status=status if status in allowed else record.status,
        body=values.body,
        topics=lists["topics"],
        owners=lists["owners"],
        reviewers=lists["reviewers"],
        tags=lists["tags"],
        supersedes=lists["supersedes"],
        related=lists["related"],
        date=dates["date"],
        review_by=dates["review_by"],
    )
    return FormResult(record=updated, errors=errors)


def form_field_names() -> list[str]:
    """Return every field of the form, body last."""
    return [item.name for item in fields(FormValues)]

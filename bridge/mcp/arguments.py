"""Argument models of the MCP tools: their JSON schemas are what clients see, their validation what clients get.

Each model forbids unknown fields, so a misspelt argument is an error the agent can fix rather than a filter
silently ignored.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

KindName = Literal["decision", "runbook", "postmortem", "handoff"]
StatusName = Literal[
    "proposed", "accepted", "rejected", "deprecated", "superseded",
    "draft", "active", "needs-review", "retired", "published", "open", "completed", "cancelled",
]
"""Every status of every kind (decision, runbook, postmortem, handoff lifecycles)."""

MAX_PAGE = 50
"""The largest page any list tool returns."""

RecordKey = Annotated[
    str,
    Field(
        min_length=3, max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="A record key such as ADR-0007 or RB-0012 (case-insensitive).",
    ),
]
Cursor = Annotated[
    str | None,
    Field(
        max_length=200,
        description="The next_cursor of a previous result of the same call, to get the next page.",
    ),
]
TopicName = Annotated[str, Field(min_length=1, max_length=100, description="A topic (service or system) name.")]


class ToolArguments(BaseModel):
    """Base of every tool's arguments: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SearchRecordsArguments(ToolArguments):
    """Arguments of search_records."""

    query: str = Field(
        min_length=1, max_length=2000,
        description="What to look for: a question, an alert text or error message, or keywords.",
    )
    k: int = Field(default=5, ge=1, le=20, description="How many records per page (1-20).")
    kind: KindName | None = Field(default=None, description="Only records of this kind.")
    status: StatusName | None = Field(default=None, description="Only records with this status.")
    topic: str | None = Field(default=None, max_length=100, description="Only records about this topic.")
    cursor: Cursor = None


class GetRecordArguments(ToolArguments):
    """Arguments of get_record."""

    key: RecordKey
    section: str | None = Field(
        default=None, min_length=1, max_length=300,
        description=(
            "Return only this section (with its subsections): a heading such as 'Mitigation' or a path such as "
            "'Diagnosis › Logs'. Omit for the whole record."
        ),
    )
    max_chars: int = Field(
        default=12_000, ge=500, le=50_000,
        description="Most characters of text to return; longer text continues with next_cursor.",
    )
    cursor: Cursor = None


class AnswerContextArguments(ToolArguments):
    """Arguments of answer_context."""

    question: str = Field(min_length=1, max_length=2000, description="The question to gather evidence for.")
    max_tokens: int = Field(
        default=2000, ge=100, le=8000, description="Token budget of the returned passages (about 4 characters each)."
    )


class ListTopicsArguments(ToolArguments):
    """Arguments of list_topics."""

    limit: int = Field(default=50, ge=1, le=MAX_PAGE, description="How many topics per page.")
    cursor: Cursor = None


class HandoffPlanArguments(ToolArguments):
    """Arguments of handoff_plan."""

    person: str = Field(min_length=1, max_length=200, description="Name, email or handle of the person leaving.")


class UnansweredQuestionsArguments(ToolArguments):
    """Arguments of unanswered_questions."""

    since_days: int | None = Field(
        default=None, ge=1, le=3650, description="Only searches of the last N days (default: all kept ones)."
    )
    limit: int = Field(default=20, ge=1, le=MAX_PAGE, description="How many clusters to return.")


class WhoKnowsArguments(ToolArguments):
    """Arguments of who_knows."""

    topic_or_key: str = Field(
        min_length=1, max_length=100,
        description="A topic name (see list_topics) or a record key such as RB-0012.",
    )
    limit: int = Field(default=10, ge=1, le=MAX_PAGE, description="How many people per page.")
    cursor: Cursor = None


class BusFactorArguments(ToolArguments):
    """Arguments of bus_factor."""

    topic: str | None = Field(
        default=None, min_length=1, max_length=100,
        description="One topic in detail (knowers, flags, suggested second person); omit for the table of topics.",
    )
    limit: int = Field(default=20, ge=1, le=MAX_PAGE, description="How many rows (topics or knowers) per page.")
    cursor: Cursor = None


class OnboardingPathArguments(ToolArguments):
    """Arguments of onboarding_path."""

    topic: TopicName
    limit: int = Field(default=20, ge=1, le=MAX_PAGE, description="How many reading steps per page.")
    cursor: Cursor = None


class CreateRecordArguments(ToolArguments):
    """Arguments of create_record."""

    kind: KindName = Field(description="decision, runbook, postmortem or handoff.")
    title: str = Field(min_length=3, max_length=200, description="The record's title.")
    body: str | None = Field(
        default=None, max_length=200_000,
        description="Markdown body without front matter; omit to start from the kind's template.",
    )
    template: str | None = Field(
        default=None, max_length=50, description="Template name when no body is given (e.g. nygard, madr)."
    )
    topics: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=20, description="Topics (services or systems) the record is about."
    )
    owners: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=20, description="People or teams who own the record."
    )
    supersedes: list[RecordKey] = Field(
        default_factory=list, max_length=20, description="Keys of records this one replaces."
    )
    status: StatusName | None = Field(
        default=None, description="Initial status; defaults to proposed (decision) or draft (runbook, postmortem)."
    )


class MarkReviewedArguments(ToolArguments):
    """Arguments of mark_reviewed."""

    key: RecordKey


class UpdateStatusArguments(ToolArguments):
    """Arguments of update_status."""

    key: RecordKey
    status: StatusName = Field(description="The new status; it must belong to the record's kind.")
    expected_version: int | None = Field(
        default=None, ge=1,
        description="The version you read (get_record's front_matter.version); the change is refused if it moved.",
    )


class RunbookForAlertArguments(ToolArguments):
    """Arguments of runbook_for_alert: exactly one of name, labels or text."""

    name: str | None = Field(default=None, min_length=1, max_length=200,
                             description="An alert name, e.g. KubeletDown.")
    labels: dict[str, str] | None = Field(
        default=None, description="A firing alert's labels; must include alertname (severity helps pick the rule).")
    annotations: dict[str, str] | None = Field(
        default=None, description="The alert's annotations, used with labels (runbook_url, summary, description).")
    text: str | None = Field(
        default=None, min_length=1, max_length=200_000,
        description="An Alertmanager webhook payload (JSON) or pasted alert notification text.")

    @model_validator(mode="after")
    def one_input(self) -> RunbookForAlertArguments:
        """Refuse calls that give none, or more than one, of name, labels and text."""
        given = [field for field in ("name", "labels", "text") if getattr(self, field) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of name, labels or text")
        if self.annotations is not None and self.labels is None:
            raise ValueError("annotations go with labels")
        return self

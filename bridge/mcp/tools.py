"""The MCP tools: what each one is called, says, accepts and does over the Workspace facade.

Handlers are plain synchronous functions of (context, validated arguments) returning a JSON-ready dict; the
server runs them in worker threads and turns BridgeError into tool errors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import mcp_types as types

from bridge.mcp import alert_tools, knowledge_tools, record_tools, usage_tools
from bridge.mcp.arguments import (
    AnswerContextArguments,
    BusFactorArguments,
    CreateRecordArguments,
    GetRecordArguments,
    HandoffPlanArguments,
    ListTopicsArguments,
    MarkReviewedArguments,
    OnboardingPathArguments,
    RunbookForAlertArguments,
    SearchRecordsArguments,
    ToolArguments,
    UnansweredQuestionsArguments,
    UpdateStatusArguments,
    WhoKnowsArguments,
)

if TYPE_CHECKING:
    from bridge.mcp.context import ToolContext

ToolHandler = Callable[["ToolContext", Any], dict[str, Any]]
"""A tool's body: validated arguments in, JSON-ready result out."""


@dataclass(frozen=True)
class ToolSpec:
    """One tool: its name, description, argument model, handler and behaviour hints."""

    name: str
    title: str
    description: str
    arguments: type[ToolArguments]
    handler: ToolHandler
    read_only: bool = True
    destructive: bool = False
    idempotent: bool = True

    def to_tool(self) -> types.Tool:
        """Return the tool as listed by ``tools/list``, with its JSON schema and annotations."""
        schema = self.arguments.model_json_schema()
        schema.pop("title", None)
        schema.pop("description", None)
        return types.Tool(
            name=self.name,
            title=self.title,
            description=self.description,
            input_schema=schema,
            annotations=types.ToolAnnotations(
                title=self.title,
                read_only_hint=self.read_only,
                destructive_hint=self.destructive,
                idempotent_hint=self.idempotent,
                open_world_hint=False,
            ),
        )


READ_TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(
        name="search_records",
        title="Search runbooks and decisions",
        description=(
            "Find the runbooks and decision records that match a question, an alert or error text, or keywords. "
            "Returns one hit per record, best first: key, title, kind, status, the best-matching section and a "
            "snippet. Superseded or retired records rank lower and list superseded_by: follow it to the current "
            "record. Filter by kind, status or topic. Results are paged: pass next_cursor back as cursor with "
            "the same arguments for more. Read a hit with get_record(key, section)."
        ),
        arguments=SearchRecordsArguments,
        handler=record_tools.search_records,
    ),
    ToolSpec(
        name="get_record",
        title="Read a record or one section",
        description=(
            "Return one record's front matter (key, kind, title, status, topics, owners, dates, supersedes / "
            "superseded_by, version) and its text, or only one section of it (the heading from a search hit's "
            "section field, subsections included). Also lists the record's sections. Long text is cut at "
            "max_chars; pass next_cursor back as cursor for the rest. A warning says when the record is "
            "superseded, so it is not mistaken for the current decision."
        ),
        arguments=GetRecordArguments,
        handler=record_tools.get_record,
    ),
    ToolSpec(
        name="answer_context",
        title="Gather cited passages for a question",
        description=(
            "Return the best passages for answering a question, fitted to a token budget, each with a citation "
            "tag like [RB-0012 § Mitigation]. Answer from these passages only and cite their tags; passages from "
            "superseded records carry superseded_by."
        ),
        arguments=AnswerContextArguments,
        handler=record_tools.answer_context,
    ),
    ToolSpec(
        name="list_topics",
        title="List topics",
        description=(
            "List the topics (services and systems) records are filed under, with how many live records each "
            "has, by name. Paged with cursor."
        ),
        arguments=ListTopicsArguments,
        handler=record_tools.list_topics,
    ),
    ToolSpec(
        name="who_knows",
        title="Who knows a topic or record",
        description=(
            "Name the people who know a topic (their number of records and share of the topic's records) or one "
            "record, strongest first; status says whether each is active or has left. Knowing comes from "
            "authorship in history, ownership and recorded reviews. Paged with cursor."
        ),
        arguments=WhoKnowsArguments,
        handler=knowledge_tools.who_knows,
    ),
    ToolSpec(
        name="bus_factor",
        title="Bus factor and knowledge risks",
        description=(
            "Without a topic: the knowledge table, one row per topic, riskiest first — bus factor (how many "
            "people must leave before most of the topic's records have no one who knows them), record and "
            "knower counts, the top knower's share and risk flags (e.g. single-person). With a topic: its "
            "knowers, flagged records and the suggested second person. Paged with cursor."
        ),
        arguments=BusFactorArguments,
        handler=knowledge_tools.bus_factor,
    ),
    ToolSpec(
        name="onboarding_path",
        title="Reading path for a topic",
        description=(
            "Return a new person's reading path through one topic: current decisions oldest first, then active "
            "runbooks, then open proposals, plus which old decisions were superseded by which and who to ask. "
            "Paged with cursor."
        ),
        arguments=OnboardingPathArguments,
        handler=knowledge_tools.onboarding_path,
    ),
    ToolSpec(
        name="handoff_plan",
        title="Handoff plan for a departure",
        description=(
            "For a person who is leaving: every record whose knowledge would be orphaned or left with one knower "
            "without them, most important first, each with suggested successors, the action (review, co-edit, "
            "write the missing runbook) and whether it is done — measured, not ticked: done once a successor "
            "reviewed or edited the record after the plan was made and now counts as knowing it."
        ),
        arguments=HandoffPlanArguments,
        handler=usage_tools.handoff_plan,
    ),
    ToolSpec(
        name="unanswered_questions",
        title="Questions the records do not answer",
        description=(
            "Searches that found nothing useful (low best match, nothing opened, or reworded soon after), grouped "
            "by meaning: each with a representative question, how often it was asked, its wordings and the best "
            "match score (0–1). The most asked first: candidates for new runbooks."
        ),
        arguments=UnansweredQuestionsArguments,
        handler=usage_tools.unanswered_questions,
    ),
    ToolSpec(
        name="runbook_for_alert",
        title="Runbook for a firing alert",
        description=(
            "Given exactly one of: an alert name, a firing alert's labels (with alertname; annotations "
            "optional), or text (an Alertmanager webhook payload or pasted notification), return one entry per "
            "firing alert: the runbook key and file, the section to start with (Diagnosis, Mitigation…), who "
            "knows it, and guess=true when it is the best search hit rather than the runbook the alert rule "
            "links to. Read the runbook with get_record(key, section)."
        ),
        arguments=RunbookForAlertArguments,
        handler=alert_tools.runbook_for_alert,
    ),
)
"""Tools every server has."""

WRITE_TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(
        name="create_record",
        title="Create a record",
        description=(
            "Create a new decision, runbook, postmortem or handoff from a body or the kind's template, saved as revision 1 "
            "attributed to the person this server acts as. Returns the new key and version."
        ),
        arguments=CreateRecordArguments,
        handler=record_tools.create_record,
        read_only=False,
        idempotent=False,
    ),
    ToolSpec(
        name="mark_reviewed",
        title="Mark a record reviewed",
        description=(
            "Record that the person this server acts as has read and checked a record now. Reviews count "
            "towards who knows the record and reset its review clock."
        ),
        arguments=MarkReviewedArguments,
        handler=record_tools.mark_reviewed,
        read_only=False,
        idempotent=False,
    ),
    ToolSpec(
        name="update_status",
        title="Change a record's status",
        description=(
            "Set a record's status (e.g. accept a proposed decision, retire a runbook) as a new revision "
            "attributed to the person this server acts as. Refused when expected_version is given and the "
            "record has changed since; a status the record already has changes nothing."
        ),
        arguments=UpdateStatusArguments,
        handler=record_tools.update_status,
        read_only=False,
        destructive=True,
    ),
)
"""Tools only a server started with writing allowed has."""


def tool_specs(allow_write: bool) -> dict[str, ToolSpec]:
    """Return the tools a server offers, by name: the read tools, plus the write tools when writing is allowed."""
    specs = READ_TOOLS + (WRITE_TOOLS if allow_write else ())
    return {spec.name: spec for spec in specs}

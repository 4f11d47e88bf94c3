"""Handlers of the usage tools: a departure's handoff plan and the questions the knowledge base does not answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bridge.mcp.arguments import HandoffPlanArguments, UnansweredQuestionsArguments

if TYPE_CHECKING:
    from bridge.mcp.context import ToolContext


def handoff_plan(context: ToolContext, arguments: HandoffPlanArguments) -> dict[str, Any]:
    """Return the person's handoff plan with measured progress (the saved plan, or a preview; nothing is written)."""
    plan = context.workspace.handoff(arguments.person, save=False)
    result = plan.to_dict()
    if not plan.record_key:
        result["note"] = "a preview: run `bridge handoff PERSON` to save the plan as a handoff record"
    return result


def unanswered_questions(context: ToolContext, arguments: UnansweredQuestionsArguments) -> dict[str, Any]:
    """Return clusters of searches that found nothing useful, most asked first."""
    since = datetime.now(UTC) - timedelta(days=arguments.since_days) if arguments.since_days else None
    clusters = context.workspace.gaps(since)
    return {
        "questions": [cluster.to_dict() for cluster in clusters[: arguments.limit]],
        "total": len(clusters),
    }

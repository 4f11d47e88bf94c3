"""Handler of the on-call tool: the runbook of a firing alert, given by name, labels or payload text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bridge.mcp.arguments import RunbookForAlertArguments

if TYPE_CHECKING:
    from bridge.mcp.context import ToolContext


def runbook_for_alert(context: ToolContext, arguments: RunbookForAlertArguments) -> dict[str, Any]:
    """Return one entry per firing alert: its runbook (linked, else a marked guess), section and knowers."""
    workspace = context.workspace
    if arguments.labels is not None:
        answers = workspace.runbooks_for_labels(arguments.labels, arguments.annotations)
    else:
        answers = workspace.runbooks_for_alert(arguments.name or arguments.text or "")
    return {"alerts": [answer.to_dict() for answer in answers]}

"""What every tool handler gets: the workspace, the model warmer and the person writes are attributed to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bridge.mcp.warmup import ModelWarmer
    from bridge.workspace import Workspace

SEMANTIC_WAIT_SECONDS = 20.0
"""How long a search waits for the model before answering with keyword results only."""


@dataclass
class ToolContext:
    """The server's state shared by every tool call."""

    workspace: Workspace
    warmer: ModelWarmer
    author: str | None = None
    """Handle of the person write tools are attributed to (None on a read-only server)."""
    semantic_wait_seconds: float = SEMANTIC_WAIT_SECONDS

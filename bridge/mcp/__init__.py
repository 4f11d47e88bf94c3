"""The MCP server: bridge's runbooks and decisions as tools and resources for AI agents, read-only by default."""

from __future__ import annotations

__all__ = ["BridgeMCPServer"]


def __getattr__(name: str) -> object:
    """Import the server lazily, so importing the package does not load the MCP SDK."""
    if name == "BridgeMCPServer":
        from bridge.mcp.server import BridgeMCPServer

        return BridgeMCPServer
    raise AttributeError(name)

"""The facade both front ends use: open, import, search, ask, save, knowledge map, report."""

from bridge.workspace.core import Workspace

__all__ = ["Workspace"]

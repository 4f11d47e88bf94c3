"""The facade both front ends use: open, import, search, ask, save, knowledge map, report."""

from bridge.workspace.core import Workspace, damaged_store_checks

__all__ = ["Workspace", "damaged_store_checks"]

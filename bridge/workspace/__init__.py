"""The facade both front ends use: open, import, search, ask, save, knowledge map, report."""

from bridge.workspace.core import Workspace, backup_store, damaged_store_checks, restore_store

__all__ = ["Workspace", "backup_store", "damaged_store_checks", "restore_store"]

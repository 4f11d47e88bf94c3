"""Reusable widgets of the TUI: the hit list, the status line, the record header and link rows."""

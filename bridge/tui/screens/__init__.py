"""Screens of the TUI, one per module: search (home), record, editor, help and the modal dialogs."""

"""Helpers shared by the CLI command modules: opening the workspace, errors, JSON output."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console

from bridge.errors import BridgeError

if TYPE_CHECKING:
    from bridge.workspace import Workspace

console = Console()
"""Rich console for human output on stdout."""
err_console = Console(stderr=True)
"""Rich console for errors and progress on stderr."""


def escape_markup(text: str) -> str:
    """Return text safe to print through rich: markup brackets and terminal control characters escaped."""
    from rich.markup import escape

    from bridge.terminal import safe_text

    return escape(safe_text(text))


def esc(text: object) -> str:
    """Return a user-supplied value (title, key, path…) as one line safe for rich markup and the terminal."""
    from rich.markup import escape

    from bridge.terminal import safe_line

    return escape(safe_line(str(text)))


def check_filters(kind: str | None, status: str | None) -> None:
    """Exit with code 2 naming the choices when a --kind or --status filter names nothing bridge knows."""
    from bridge.domain import ALL_STATUSES, RECORD_KINDS, STATUSES_BY_KIND

    if kind is not None and kind not in RECORD_KINDS:
        fail(f"unknown kind '{kind}': use one of {', '.join(RECORD_KINDS)}", code=2)
    if status is not None:
        allowed = STATUSES_BY_KIND[kind] if kind else ALL_STATUSES
        if status not in allowed:
            fail(f"unknown status '{status}'{f' for a {kind}' if kind else ''}: use one of {', '.join(allowed)}",
                 code=2)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one clear error line on stderr and exit with code."""
    err_console.print(f"[bold red]error:[/] {escape_markup(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def open_workspace(*, raise_damaged: bool = False) -> Iterator[Workspace]:
    """Open the configured workspace, turning BridgeError anywhere inside into a clean exit.

    With raise_damaged, a damaged database is raised (``StoreDamagedError``) for the caller to report on.
    """
    from bridge.errors import StoreDamagedError
    from bridge.workspace import Workspace

    try:
        workspace = Workspace.open()
    except BridgeError as exc:
        if raise_damaged and isinstance(exc, StoreDamagedError):
            raise
        fail(str(exc))
    try:
        yield workspace
    except BridgeError as exc:
        if raise_damaged and isinstance(exc, StoreDamagedError):
            raise
        fail(str(exc))
    finally:
        workspace.close()


def print_json(data: Any) -> None:
    """Print data as JSON on stdout (dates and paths as strings)."""
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")

"""Helpers for Pilot tests: start the app on a workspace and wait for workers instead of sleeping."""

from __future__ import annotations

from typing import TypeVar

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input
from textual.worker import WorkerCancelled

from bridge.config import Settings
from bridge.tui.app import BridgeApp

ScreenT = TypeVar("ScreenT", bound=Screen)


def make_app(settings: Settings) -> BridgeApp:
    """Return the app on settings' workspace with no demo import and no model warm-up (keyword search)."""
    return BridgeApp(settings, load_demo=False, warm_up=False)


async def settle(pilot: Pilot) -> None:
    """Wait until no worker runs and every message they posted was handled."""
    app = pilot.app
    for _ in range(50):
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:  # a worker that ends the app (quit, discard and exit) is cancelled by the exit
            pass
        await pilot.pause()
        if not any(worker.is_running for worker in app.workers):
            await pilot.pause()
            if not any(worker.is_running for worker in app.workers):
                return
    raise AssertionError("workers kept running")


async def started(pilot: Pilot) -> BridgeApp:
    """Wait for the workspace to open and the first search to show."""
    app = pilot.app
    assert isinstance(app, BridgeApp)
    for _ in range(200):
        await settle(pilot)
        if app.workspace is not None:
            break
    assert app.workspace is not None, "workspace did not open"
    await settle(pilot)
    return app


async def type_text(pilot: Pilot, text: str, *, key_by_key: bool = False) -> None:
    """Type text into the focused input and let the searches settle.

    By default all but the last character are inserted at once and the last is a real key press, which keeps
    tests fast; key_by_key presses every key as a person would.
    """
    if not key_by_key and len(text) > 1:
        focused = pilot.app.focused
        assert isinstance(focused, Input), f"focus is on {focused!r}, not an input"
        focused.insert_text_at_cursor(text[:-1])
        text = text[-1]
    keys = ["space" if char == " " else char for char in text]
    await pilot.press(*keys)
    await settle(pilot)


def screen_of(app: BridgeApp, screen_type: type[ScreenT]) -> ScreenT:
    """Return the active screen, asserting its type."""
    assert isinstance(app.screen, screen_type), f"expected {screen_type.__name__}, got {type(app.screen).__name__}"
    return app.screen


def colleague_saves(settings: Settings, key: str) -> None:
    """Save a note on key's body as Carol, from another workspace, as a colleague's process would."""
    from bridge.workspace import Workspace

    with Workspace.open(settings) as colleague:
        theirs = colleague.get_record(key)
        theirs.body += "\nColleague note.\n"
        colleague.save_record(theirs, expected_version=theirs.version, author="Carol <carol@example.com>")

"""Warm-up runs behind the UI: keyword search meanwhile, hybrid after, and quitting interrupts it between batches."""

from __future__ import annotations

import threading
import time

from bridge.config import Settings
from bridge.tui.app import BridgeApp
from bridge.tui.screens.search import SearchScreen
from bridge.tui.widgets.status_line import StatusLine
from bridge.workspace import Workspace
from tests.tui.pilot_helpers import settle, started


async def wait_until(pilot, condition, seconds: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until condition() holds, failing after seconds."""
    deadline = time.perf_counter() + seconds
    while not condition():
        assert time.perf_counter() < deadline, "condition not reached"
        await pilot.pause(0.02)


class SlowEmbedding:
    """Stands in for embedding many pending sections: one progress call per 20 ms batch, for up to 4 s."""

    def __init__(self) -> None:
        self.batches = 0
        self.stopped_by: BaseException | None = None
        self.running = threading.Event()
        self.finished = threading.Event()
        self.finished_at = 0.0

    def __call__(self, progress) -> None:  # type: ignore[no-untyped-def]
        self.running.set()
        try:
            while self.batches < 200:
                time.sleep(0.02)
                self.batches += 1
                progress(self.batches, 10_000, "embedding")
        except BaseException as exc:
            self.stopped_by = exc
            raise
        finally:
            self.finished_at = time.perf_counter()
            self.finished.set()


async def test_quitting_interrupts_a_long_warm_up(kb_settings: Settings) -> None:
    workspace = Workspace.open(kb_settings)
    slow = SlowEmbedding()
    workspace.warm_up = slow  # type: ignore[method-assign,assignment]
    app = BridgeApp(kb_settings, load_demo=False, workspace=workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        for _ in range(250):
            if slow.batches >= 3:
                break
            await pilot.pause(0.02)
        assert slow.running.is_set() and slow.batches >= 3
        status = app.screen.query_one(StatusLine)
        await wait_until(pilot, lambda: status.index_text.startswith("keyword search · semantic index loading"))
        assert isinstance(app.screen, SearchScreen)
        quit_started = time.perf_counter()
    assert slow.finished.wait(timeout=10)
    workspace.close()
    assert type(slow.stopped_by).__name__ == "WorkCancelled"
    assert slow.finished_at - quit_started < 1.0
    assert slow.batches < 200


async def test_hybrid_search_takes_over_when_warm_up_finishes(kb_settings: Settings) -> None:
    workspace = Workspace.open(kb_settings)
    modes: list[str] = []
    real_search = workspace.search

    def recording_search(query: str, **kwargs):  # type: ignore[no-untyped-def]
        modes.append(kwargs["mode"])
        return real_search(query, **{**kwargs, "mode": "keyword"})

    workspace.warm_up = lambda progress: progress(1, 1, "ready")  # type: ignore[method-assign,assignment,misc]
    workspace.semantic_ready = lambda: True  # type: ignore[method-assign]
    workspace.search = recording_search  # type: ignore[method-assign]
    app = BridgeApp(kb_settings, load_demo=False, workspace=workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        await started(pilot)
        await wait_until(pilot, lambda: app.semantic_ready)
        await settle(pilot)
        await pilot.press("l", "a", "g")
        await settle(pilot)
        assert modes[-1] == "hybrid"
        assert app.screen.query_one(StatusLine).index_text.startswith("hybrid search · 14 sections indexed")
    workspace.close()


async def test_progress_reaching_a_status_line_being_torn_down_is_ignored(kb_settings: Settings) -> None:
    workspace = Workspace.open(kb_settings)
    app = BridgeApp(kb_settings, load_demo=False, workspace=workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        status = app.screen.query_one(StatusLine)
        await status.remove_children()  # what quitting does while a warm-up still reports progress
        status.set_index("keyword search · semantic index loading 3/10")
        status.set_results("2 records")
        status.set_progress(3, 10)
        await pilot.pause()
    workspace.close()

"""Load the search model once, in a background thread, so the server answers at once while it warms up."""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from bridge.workspace import Workspace

logger = logging.getLogger(__name__)

WarmState = Literal["idle", "loading", "ready", "failed"]
"""Where the model is: not started, loading, loaded with every chunk embedded, or failed to load."""


class ModelWarmer:
    """Runs ``Workspace.warm_up`` at most once, in a daemon thread, and lets tool calls wait for it with a limit."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._catching_up: threading.Thread | None = None
        self.error: str | None = None
        """Why the warm-up failed, when it did."""
        self.seconds: float | None = None
        """How long the warm-up took, once finished."""

    @property
    def state(self) -> WarmState:
        """Return where the warm-up is."""
        if self._thread is None:
            return "idle"
        if not self._done.is_set():
            return "loading"
        return "failed" if self.error else "ready"

    def start(self) -> None:
        """Start the warm-up thread unless it was started before."""
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="bridge-model-warm-up", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        """Load the model and embed pending chunks, recording failure instead of raising."""
        started = time.perf_counter()
        try:
            self._workspace.warm_up()
        except Exception as exc:  # a model that cannot load must not take the server down
            self.error = f"{type(exc).__name__}: {exc}"
            logger.warning("search model warm-up failed; semantic search is off: %s", self.error)
        finally:
            self.seconds = time.perf_counter() - started
            self._done.set()

    def catch_up(self) -> None:
        """Embed chunks written since the warm-up, in a background thread (one at a time; never blocks a call)."""
        with self._lock:
            if self._catching_up is not None and self._catching_up.is_alive():
                return
            self._catching_up = threading.Thread(target=self._embed_backlog, name="bridge-catch-up", daemon=True)
            self._catching_up.start()

    def _embed_backlog(self) -> None:
        """Embed pending chunks and refresh the index, logging a failure instead of raising."""
        try:
            self._workspace.warm_up()
        except Exception as exc:  # searches keep answering with keyword results
            logger.warning("embedding new sections failed: %s: %s", type(exc).__name__, exc)

    def wait_ready(self, timeout_seconds: float) -> bool:
        """Start the warm-up if needed, wait up to timeout_seconds, and return whether semantic search can run."""
        self.start()
        self._done.wait(timeout_seconds)
        return self.state == "ready"

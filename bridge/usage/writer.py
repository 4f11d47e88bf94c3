"""A background writer: front ends hand events to a queue and a daemon thread stores them in batches.

Searching never waits for the database: ``put`` is a queue append. ``flush`` (called when the workspace closes,
and at interpreter exit) blocks until every queued event is stored, so a normal exit loses nothing.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
from collections.abc import Callable, Sequence

from bridge.usage_types import UsageEvent

BATCH_SIZE = 256
"""Events stored per transaction at most."""

log = logging.getLogger(__name__)


class EventWriter:
    """Stores queued usage events through ``sink`` on one daemon thread."""

    def __init__(self, sink: Callable[[Sequence[UsageEvent]], None]) -> None:
        self._sink = sink
        self._queue: queue.Queue[UsageEvent] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.failures = 0
        """Batches the sink refused (logged; the events of those batches are lost)."""

    def put(self, event: UsageEvent) -> None:
        """Queue an event (starting the thread on first use); never blocks on the database."""
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="bridge-usage-writer", daemon=True)
                    self._thread.start()
                    atexit.register(self.flush)
        self._queue.put(event)

    def flush(self) -> None:
        """Block until every queued event has been handed to the sink."""
        if self._thread is not None:
            self._queue.join()

    def _run(self) -> None:
        """Store events as they come, in batches of what has queued up meanwhile."""
        while True:
            batch = [self._queue.get()]
            while len(batch) < BATCH_SIZE:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._sink(batch)
            except Exception:  # the writer must outlive a locked or unreachable database
                self.failures += 1
                log.warning("could not store %d usage events", len(batch), exc_info=True)
            finally:
                for _ in batch:
                    self._queue.task_done()

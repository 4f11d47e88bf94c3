"""A file of usage events that could not be stored at once (the database was busy), stored by a later process.

A search must not wait behind another process's long write just to log itself: the writer tries the database with
a short lock wait and, when it is busy, appends the events to this file as JSON lines. The next store takes the
whole file (renamed to a private name first, so two processes never store the same events) and stores its events
with its own.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import IO

from bridge.usage_types import UsageEvent

try:
    import fcntl
except ImportError:  # not POSIX: appends and takes are not serialised
    fcntl = None  # type: ignore[assignment]


def _lock(handle: IO[str]) -> None:
    """Hold an exclusive lock on the open file until it is closed (where the platform has file locks)."""
    if fcntl is not None:
        fcntl.flock(handle, fcntl.LOCK_EX)


def append_to_spool(spool: Path, events: Sequence[UsageEvent]) -> None:
    """Append events to the spool file, one JSON line each, under its lock.

    When another process moved the file aside while this one waited for the lock, the events go to a new file at
    the spool's path instead of into the moved one, which that process is reading.
    """
    lines = "".join(json.dumps({**asdict(event), "at": event.at.isoformat()}) + "\n" for event in events)
    while True:
        with spool.open("a", encoding="utf-8") as handle:
            _lock(handle)
            try:
                if os.fstat(handle.fileno()).st_ino != spool.stat().st_ino:
                    continue
            except FileNotFoundError:
                continue
            handle.write(lines)
            return


def take_spool(spool: Path) -> tuple[list[UsageEvent], Path | None]:
    """Move the spool file aside and return its events with the moved file (None when there was none).

    The caller deletes the moved file once the events are stored, or appends them to the spool again.
    Unreadable lines are skipped: one damaged event must not hold back the rest.
    """
    taken = spool.with_name(f"{spool.name}.{os.getpid()}")
    while True:
        try:
            with spool.open("r", encoding="utf-8") as handle:
                _lock(handle)  # no append is half-written when the file moves
                if os.fstat(handle.fileno()).st_ino != spool.stat().st_ino:
                    continue  # another process took this file while we waited: look again
                os.replace(spool, taken)
                break
        except FileNotFoundError:
            return [], None
    events: list[UsageEvent] = []
    for line in taken.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            data = json.loads(line)
            events.append(UsageEvent(**{**data, "at": datetime.fromisoformat(data["at"])}))
        except (ValueError, TypeError, KeyError):
            continue
    return events, taken

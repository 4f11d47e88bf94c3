"""Editor drafts autosaved to ``bridge.paths.drafts_dir()`` so typed text survives a crash.

One JSON file per record key, written atomically; the TUI calls these functions only from thread workers.
Textual-free, so the file format is tested without an app.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

from bridge.domain import Record
from bridge.errors import BridgeError
from bridge.paths import drafts_dir

DRAFT_FORMAT = 1
"""Version of the draft file layout, stored in each file."""

_DATE_FIELDS = ("date", "review_by")
_DATETIME_FIELDS = ("created_at", "updated_at")


class DraftError(BridgeError):
    """A draft file cannot be read or written."""


@dataclass
class Draft:
    """An unsaved edit of a record: the edited record and the version it was based on."""

    record: Record
    """The record as it stands in the editor, body and front matter."""
    base_version: int
    """The stored version the edit started from (0 for a record not saved yet)."""
    saved_at: datetime
    """When the draft was written."""

    @property
    def is_new(self) -> bool:
        """Return whether the draft is of a record that has never been saved."""
        return self.base_version == 0


def draft_path(key: str, directory: Path | None = None) -> Path:
    """Return the draft file for a record key (keys are slugged so a hostile key cannot leave the folder)."""
    safe_key = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in key) or "_"
    return (directory or drafts_dir()) / f"{safe_key}.json"


def save_draft(draft: Draft, directory: Path | None = None) -> Path:
    """Write draft atomically (temp file then rename) and return its path."""
    path = draft_path(draft.record.key, directory)
    payload = {
        "format": DRAFT_FORMAT,
        "base_version": draft.base_version,
        "saved_at": draft.saved_at.isoformat(),
        "record": _record_to_json(draft.record),
    }
    text = json.dumps(payload, indent=1, default=str)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".draft-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as temp_file:
            temp_file.write(text)
            temp_file.flush()
            os.fsync(temp_file.fileno())
        os.replace(temp_name, path)
    except OSError as exc:
        Path(temp_name).unlink(missing_ok=True)
        raise DraftError(f"cannot write draft {path}: {exc}") from exc
    return path


def load_draft(path: Path) -> Draft:
    """Read one draft file; raises DraftError naming the file when it is unreadable."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        record = _record_from_json(payload["record"])
        return Draft(
            record=record,
            base_version=int(payload["base_version"]),
            saved_at=datetime.fromisoformat(payload["saved_at"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DraftError(f"draft {path} is unreadable: {exc}") from exc


def list_drafts(directory: Path | None = None) -> tuple[list[Draft], list[str]]:
    """Return every readable draft (newest first) and a message for each unreadable file."""
    folder = directory or drafts_dir()
    drafts: list[Draft] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*.json")):
        try:
            drafts.append(load_draft(path))
        except DraftError as exc:
            problems.append(str(exc))
    drafts.sort(key=lambda draft: draft.saved_at, reverse=True)
    return drafts, problems


def discard_draft(key: str, directory: Path | None = None) -> bool:
    """Delete the draft of key; return whether there was one."""
    path = draft_path(key, directory)
    existed = path.exists()
    path.unlink(missing_ok=True)
    return existed


def new_draft(record: Record, base_version: int) -> Draft:
    """Return a draft of record stamped with the current time."""
    return Draft(record=record, base_version=base_version, saved_at=datetime.now(UTC))


class DraftKeeper:
    """Writes and discards one editor's draft from worker threads, so a late autosave cannot revive a discarded draft."""

    def __init__(self, key: str, directory: Path | None = None) -> None:
        self.key = key
        """The record key whose draft this keeper owns."""
        self.directory = directory
        """Drafts folder (None: ``bridge.paths.drafts_dir()``)."""
        self._lock = threading.Lock()
        self._closed = False

    def write(self, draft: Draft) -> bool:
        """Write draft unless the keeper was closed; return whether it wrote."""
        with self._lock:
            if self._closed:
                return False
            save_draft(draft, self.directory)
            return True

    def close(self) -> None:
        """Delete the draft and ignore any later write (the edit was saved or discarded)."""
        with self._lock:
            self._closed = True
            discard_draft(self.key, self.directory)


def _record_to_json(record: Record) -> dict[str, Any]:
    """Return record's fields in JSON-ready form (dates as ISO strings)."""
    data = asdict(record)
    for name in (*_DATE_FIELDS, *_DATETIME_FIELDS):
        value = data.get(name)
        data[name] = value.isoformat() if value is not None else None
    return data


def _record_from_json(data: dict[str, Any]) -> Record:
    """Rebuild a Record from its JSON form, ignoring fields this version does not know."""
    known = {item.name for item in fields(Record)}
    values = {name: value for name, value in data.items() if name in known}
    for name in _DATE_FIELDS:
        if values.get(name):
            values[name] = date.fromisoformat(values[name])
    for name in _DATETIME_FIELDS:
        if values.get(name):
            values[name] = datetime.fromisoformat(values[name])
    return Record(**values)


CONFLICTS_FOLDER = "conflicts"
"""Subfolder of the drafts folder holding the texts of saves that lost a conflict, one file per conflict."""

_CONFLICT_NAME = re.compile(r"^(?P<key>.+)-v(?P<version>\d+)-(?P<stamp>\d{8}T\d{12}Z)-\d+(?:-\d+)?\.(?:md|rst)$")


@dataclass
class ConflictText:
    """The text of one save that lost a conflict, kept as a record file until it is recovered or discarded."""

    key: str
    path: Path
    base_version: int
    """The version the losing edit started from."""
    saved_at: datetime


def conflicts_dir(directory: Path | None = None) -> Path:
    """Return the folder of conflict texts (created if missing)."""
    folder = (directory or drafts_dir()) / CONFLICTS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_conflict_text(key: str, text: str, base_version: int, suffix: str = ".md",
                       directory: Path | None = None) -> Path:
    """Keep text in a new file of its own (never overwriting another) and return its path."""
    folder = conflicts_dir(directory)
    safe_key = draft_path(key, folder).stem
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    base = f"{safe_key}-v{base_version}-{stamp}-{os.getpid()}"
    handle, temp_name = tempfile.mkstemp(dir=folder, prefix=".conflict-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as temp_file:
            temp_file.write(text)
            temp_file.flush()
            os.fsync(temp_file.fileno())
        for attempt in range(1000):
            target = folder / (f"{base}{suffix}" if attempt == 0 else f"{base}-{attempt}{suffix}")
            try:
                os.link(temp_name, target)
                return target
            except FileExistsError:
                continue
        raise DraftError(f"cannot find a free name for a conflict text in {folder}")
    except OSError as exc:
        raise DraftError(f"cannot keep the conflicting text in {folder}: {exc}") from exc
    finally:
        Path(temp_name).unlink(missing_ok=True)


def list_conflict_texts(directory: Path | None = None) -> list[ConflictText]:
    """Return every kept conflict text, oldest first."""
    found: list[ConflictText] = []
    for path in sorted(conflicts_dir(directory).iterdir()):
        match = _CONFLICT_NAME.match(path.name)
        if match is None:
            continue
        saved_at = datetime.strptime(match.group("stamp"), "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
        found.append(ConflictText(match.group("key"), path, int(match.group("version")), saved_at))
    found.sort(key=lambda item: (item.saved_at, item.path.name))
    return found


def find_conflict_text(name: str, directory: Path | None = None) -> ConflictText:
    """Return the kept conflict text whose file name (or path) is name; raises DraftError when there is none."""
    wanted = Path(name).name
    for item in list_conflict_texts(directory):
        if item.path.name == wanted:
            return item
    raise DraftError(f"no kept conflict text named {wanted}: see `bridge drafts`")


class RecordTextSaver(Protocol):
    """The part of the workspace that recovering a conflict text needs."""

    def get_record(self, key: str) -> Record: ...
    def save_record_text(self, key: str, text: str, *, expected_version: int, author: str | None = None,
                         message: str = "") -> Record: ...


def recover_conflict_text(workspace: RecordTextSaver, item: ConflictText, message: str = "") -> Record:
    """Save a kept conflict text on top of its record's current version, then delete the file; return the save."""
    current = workspace.get_record(item.key)
    saved = workspace.save_record_text(
        current.key, item.path.read_text(encoding="utf-8"), expected_version=current.version,
        message=message or f"recovered a conflicting edit made on version {item.base_version}",
    )
    item.path.unlink(missing_ok=True)
    return saved

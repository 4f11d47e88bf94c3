"""Errors bridge raises; front ends turn them into one clear line (CLI) or a notification (TUI)."""

from __future__ import annotations


class BridgeError(Exception):
    """Base of every error bridge reports to a user."""


class ConfigError(BridgeError):
    """The configuration file or an environment variable is invalid."""


class RecordNotFound(BridgeError):
    """No record has the given key."""


class ParseError(BridgeError):
    """A record file could not be parsed; carries the path and, where known, the line."""

    def __init__(self, message: str, path: str = "", line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = f"{path}:{line}" if path and line else path
        super().__init__(f"{where}: {message}" if where else message)
        self.reason = message


class ValidationError(BridgeError):
    """A record's fields are invalid; ``field`` names the offending field."""

    def __init__(self, message: str, field: str = "") -> None:
        self.field = field
        super().__init__(message)


class ConflictError(BridgeError):
    """A save was based on a stale version: someone saved the record first."""

    def __init__(self, key: str, expected_version: int, actual_version: int) -> None:
        self.key = key
        self.expected_version = expected_version
        self.actual_version = actual_version
        if expected_version > actual_version >= 0:
            message = (f"{key} has no version {expected_version} yet: it is at version {actual_version}; "
                       f"give the version you read (`bridge show {key}`), nothing was saved")
        else:
            message = (f"{key} was changed by someone else (you edited version {expected_version}, "
                       f"it is now at version {actual_version}); your text was not saved over theirs")
        super().__init__(message)


class SearchIndexError(BridgeError):
    """The search index is missing, corrupt or cannot be built."""


class ModelError(BridgeError):
    """The embedding model cannot be loaded."""


class StoreLockedError(BridgeError):
    """The database stayed locked by another process's write for longer than bridge waits."""


class StoreDamagedError(BridgeError):
    """The database file is damaged or not a database at all (see RB-0017)."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.path = path

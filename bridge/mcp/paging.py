"""Opaque cursors for paginated tool results: an offset bound to the arguments of the query it continues."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from bridge.errors import BridgeError

ItemT = TypeVar("ItemT")


class CursorError(BridgeError):
    """A cursor is malformed or belongs to another tool or query."""


def query_fingerprint(tool: str, arguments: Mapping[str, Any]) -> str:
    """Return a short hash of a tool name and the arguments that define its result list."""
    canonical = json.dumps({"tool": tool, "arguments": arguments}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def encode_cursor(tool: str, arguments: Mapping[str, Any], offset: int) -> str:
    """Return the cursor that continues tool's result list for arguments at offset."""
    payload = json.dumps({"q": query_fingerprint(tool, arguments), "o": offset}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(tool: str, arguments: Mapping[str, Any], cursor: str | None) -> int:
    """Return the offset a cursor points at (0 without one); raises CursorError for a foreign or broken cursor."""
    if not cursor:
        return 0
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        fingerprint, offset = payload["q"], int(payload["o"])
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeError) as exc:
        raise CursorError(f"cursor '{cursor[:40]}' is not a cursor this server issued") from exc
    if fingerprint != query_fingerprint(tool, arguments):
        raise CursorError(
            f"cursor belongs to a different {tool} call: pass the same arguments as the call that returned it"
        )
    if offset < 0:
        raise CursorError(f"cursor '{cursor[:40]}' points before the first result")
    return offset


@dataclass
class Page(Generic[ItemT]):
    """One page of a result list, with the cursor of the next page when there is one."""

    items: list[ItemT]
    offset: int
    total: int | None
    """How many results there are in all, when known."""
    next_cursor: str | None = None


def paginate(
    tool: str, arguments: Mapping[str, Any], items: Sequence[ItemT], cursor: str | None, limit: int
) -> Page[ItemT]:
    """Return the page of items that cursor points at, at most limit long."""
    offset = decode_cursor(tool, arguments, cursor)
    page_items = list(items[offset : offset + limit])
    has_more = offset + limit < len(items)
    next_cursor = encode_cursor(tool, arguments, offset + limit) if has_more else None
    return Page(items=page_items, offset=offset, total=len(items), next_cursor=next_cursor)

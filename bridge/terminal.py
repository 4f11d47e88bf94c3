"""Make untrusted text safe to print on a terminal: control characters and escape sequences become visible."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""C0 (except tab and newline), DEL, C1, line/paragraph separators and bidi overrides."""
_CONTROL_OR_NEWLINE = re.compile(_CONTROL.pattern[:-1] + r"\t\n]")


def _visible(match: re.Match[str]) -> str:
    """Return the visible form of one control character (``\\x1b``, ``\\u202e``)."""
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(text: str) -> str:
    """Return text with every terminal control character (ESC, BEL, CR, C1, bidi overrides…) shown escaped.

    Tabs and newlines are kept, so a body stays readable; nothing else can move the cursor or change colours.
    """
    return _CONTROL.sub(_visible, text)


def safe_line(text: str) -> str:
    """Return text as one safe line: like safe_text, and tabs and newlines escaped too (for titles, keys, cells)."""
    return _CONTROL_OR_NEWLINE.sub(_visible, text)

"""Resolve a rule's ``runbook_url`` to an imported runbook by its source path.

URLs come in three shapes: a GitHub blob (or raw) URL of the Markdown file, a docs-site URL whose last segment is
the lower-cased file name without extension, and a relative path. All are reduced to lower-case path segments
without extension and matched against each runbook's source path the same way: the runbook whose path shares
the longest tail of segments with the URL wins; a tie between runbooks (same file name in two folders and
nothing else to tell them apart) resolves to none.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from urllib.parse import unquote, urlsplit

from bridge.alert_types import RunbookRef

_DOC_SUFFIXES = (".md", ".markdown", ".rst", ".html", ".htm", ".txt")
_GITHUB_VIEWS = frozenset({"blob", "tree", "raw", "edit"})
_INDEX_NAMES = frozenset({"index", "_index", "readme"})


def _strip_suffix(name: str) -> str:
    """Return a file name without a document extension."""
    for suffix in _DOC_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def path_segments(path: str) -> list[str]:
    """Return a path as lower-case segments, the last without a document extension, index pages folded away."""
    parts = [part for part in posixpath.normpath(path.replace("\\", "/").lower()).split("/")
             if part not in ("", ".", "..")]
    if parts:
        parts[-1] = _strip_suffix(parts[-1])
        if parts[-1] in _INDEX_NAMES and len(parts) > 1:
            parts.pop()
    return parts


def url_segments(url: str) -> list[str]:
    """Return the path segments a runbook URL names (GitHub owner, repository, view and branch dropped)."""
    parsed = urlsplit(url.strip())
    path = unquote(parsed.path)
    host = parsed.netloc.lower()
    parts = [part for part in path.split("/") if part]
    if host in ("github.com", "www.github.com", "gitlab.com") and len(parts) >= 4:
        rest = parts[2:]
        if rest and rest[0] == "-":
            rest = rest[1:]
        if rest and rest[0] in _GITHUB_VIEWS:
            parts = rest[2:]
    elif host == "raw.githubusercontent.com" and len(parts) >= 3:
        parts = parts[3:]
    return path_segments("/".join(parts))


def _shared_tail(left: Sequence[str], right: Sequence[str]) -> int:
    """Return how many trailing segments two paths share."""
    count = 0
    for a, b in zip(reversed(left), reversed(right), strict=False):
        if a != b:
            break
        count += 1
    return count


class RunbookResolver:
    """Resolves runbook URLs against a fixed set of imported runbooks."""

    def __init__(self, runbooks: Sequence[RunbookRef]) -> None:
        self.by_name: dict[str, list[tuple[list[str], RunbookRef]]] = {}
        """Last path segment → (segments, runbook) of every runbook with that file name."""
        for ref in runbooks:
            segments = path_segments(ref.source_path)
            if segments:
                self.by_name.setdefault(segments[-1], []).append((segments, ref))

    def resolve(self, url: str) -> RunbookRef | None:
        """Return the runbook the URL names, or None when no imported runbook (or more than one) matches."""
        wanted = url_segments(url)
        if not wanted:
            return None
        candidates = self.by_name.get(wanted[-1], [])
        if not candidates:
            return None
        scored = sorted(((_shared_tail(segments, wanted), ref.key, ref) for segments, ref in candidates),
                        key=lambda item: (-item[0], item[1]))
        if len(scored) > 1 and scored[0][0] == scored[1][0]:
            return None
        return scored[0][2]

    def by_alert_name(self, alert: str) -> RunbookRef | None:
        """Return the one runbook whose file is named after the alert (``KubeletDown.md``), if exactly one is."""
        candidates = self.by_name.get(alert.lower(), [])
        return candidates[0][1] if len(candidates) == 1 else None

"""Folder-per-record layouts: a ``README.md``/``index.md`` named by its folder, with metadata from a file beside it.

Kubernetes KEPs are the model: ``keps/<sig>/<number>-<slug>/README.md`` with ``kep.yaml`` holding the title,
number, status, authors, owning SIG, reviewers and approvers. Their fields are translated into front-matter
fields; keys bridge does not model go to ``extra`` when they are plain values.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bridge.errors import ParseError
from bridge.ingest.discover import METADATA_FILES
from bridge.ingest.fields import as_list, as_text, jsonable

KEP_STATUSES: dict[str, str] = {
    "provisional": "proposed",
    "implementable": "accepted",
    "implemented": "accepted",
    "deferred": "proposed",
    "rejected": "rejected",
    "withdrawn": "rejected",
    "replaced": "superseded",
}
"""KEP lifecycle (kep.yaml ``status``) → decision lifecycle; ``replaced`` links to ``superseded-by``."""

_RENAMED: dict[str, str] = {
    "title": "title",
    "authors": "authors",
    "author": "authors",
    "approvers": "owners",
    "owners": "owners",
    "reviewers": "reviewers",
    "creation-date": "date",
    "date": "date",
    "replaces": "supersedes",
    "supersedes": "supersedes",
    "superseded-by": "superseded_by",
    "replaced-by": "superseded_by",
    "superseded_by": "superseded_by",
    "see-also": "related",
    "related": "related",
    "participating-sigs": "tags",
    "tags": "tags",
}
"""Metadata key → the front-matter field it sets."""

_PEOPLE_FIELDS = frozenset({"authors", "owners", "reviewers"})
_KEPT_AS_EXTRA = frozenset({"stage", "latest-milestone", "last-updated", "prr-approvers", "editor", "kep-number"})


def metadata_file(folder: Path) -> Path | None:
    """Return the metadata file beside a folder's README/index page, or None."""
    for name in METADATA_FILES:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def _person(value: str) -> str:
    """Return a person as written in metadata, without a GitHub ``@``."""
    return value.strip().lstrip("@").strip()


def read_metadata(path: Path, display_path: str) -> dict[str, Any]:
    """Return the front-matter fields a metadata file states; raises ParseError naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ParseError(f"cannot read {path.name}: {exc}", display_path) from exc
    try:
        data = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ParseError(f"malformed YAML in {path.name}: {problem}", display_path,
                         mark.line + 1 if mark is not None else None) from exc
    if not isinstance(data, dict):
        raise ParseError(f"{path.name} is not a mapping of 'field: value' lines", display_path)
    return metadata_fields(data)


def metadata_fields(data: dict[Any, Any]) -> dict[str, Any]:
    """Translate a KEP-style metadata mapping into front-matter fields (``id``, ``title``, ``status``, …)."""
    fields: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for raw_key, value in data.items():
        key = str(raw_key).lower()
        target = _RENAMED.get(key)
        if target in _PEOPLE_FIELDS:
            fields[target] = [_person(item) for item in as_list(value) if _person(item)]
        elif target is not None:
            fields[target] = value
        elif key in _KEPT_AS_EXTRA and not isinstance(value, dict):
            extra[key] = jsonable(value)
    number = as_text(data.get("kep-number"))
    if re.fullmatch(r"\d{1,5}", number):
        fields["id"] = f"KEP-{int(number)}"
    sig = as_text(data.get("owning-sig"))
    if sig:
        fields["topics"] = [sig]
    status = as_text(data.get("status")).lower()
    if status:
        fields["status"] = KEP_STATUSES.get(status, status)
        fields["status_text"] = as_text(data.get("status"))
    fields["extra"] = extra
    return fields

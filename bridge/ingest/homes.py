"""Give a record made in bridge a file in an import root, following the root's own conventions.

The convention is learnt from the files already there: the folder most records of the kind sit in, their suffix,
and their name pattern (``NNNN-slug.md`` with the next number, ``pep-NNNN.rst``, ``YYYYMMDD-slug.md``, or a
slug). The text is the record's body alone when the body already says everything the record holds (as adr-tools
files do), else front matter followed by the body (or a PEP-style header for reST).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath

from bridge.domain import Record
from bridge.errors import ParseError
from bridge.ingest.fields import slugify
from bridge.ingest.parse import parse_record_text
from bridge.ingest.status_links import LinkTarget, resolve_link_refs, state_links
from bridge.ingest.writer import FILE_FIELDS, render_front_matter, render_record

_NUMBERED = re.compile(r"^(\d+)([-_])(.+)$")
_PREFIXED = re.compile(r"^([A-Za-z]+)-(\d+)$")
_DATED = re.compile(r"^(\d{8})-(.+)$")


def new_file_path(record: Record, siblings: Sequence[tuple[str, str]], taken: set[str]) -> str:
    """Return where record's new file goes, relative to the root, given (path, kind) of the root's records."""
    same_kind = [path for path, kind in siblings if kind == record.kind] or [path for path, _ in siblings]
    folder = Counter(str(PurePosixPath(path).parent) for path in same_kind).most_common(1)
    parent = folder[0][0] if folder else "."
    in_folder = [PurePosixPath(path) for path in same_kind if str(PurePosixPath(path).parent) == parent]
    suffixes = Counter(path.suffix for path in in_folder).most_common(1)
    suffix = suffixes[0][0] if suffixes and suffixes[0][0] else (".rst" if record.body_format == "rst" else ".md")
    stems = [path.stem for path in in_folder]
    slug = slugify(record.title) or record.key.lower()
    numbered = [m for m in map(_NUMBERED.match, stems) if m]
    prefixed = [m for m in map(_PREFIXED.match, stems) if m]
    dated = [m for m in map(_DATED.match, stems) if m]
    if dated and len(dated) * 2 >= len(stems):
        name = f"{dt.date.today():%Y%m%d}-{slug}"
    elif numbered and len(numbered) * 2 >= len(stems):
        width = len(numbered[0].group(1))
        name = f"{max(int(m.group(1)) for m in numbered) + 1:0{width}d}{numbered[0].group(2)}{slug}"
    elif prefixed and len(prefixed) * 2 >= len(stems):
        width = len(prefixed[0].group(2))
        name = f"{prefixed[0].group(1)}-{max(int(m.group(2)) for m in prefixed) + 1:0{width}d}"
    else:
        name = slug
    candidate = str(PurePosixPath(parent) / f"{name}{suffix}") if parent != "." else f"{name}{suffix}"
    counter = 2
    while candidate.lower() in taken:
        stem = f"{name}-{counter}"
        candidate = str(PurePosixPath(parent) / f"{stem}{suffix}") if parent != "." else f"{stem}{suffix}"
        counter += 1
    return candidate


def new_file_text(record: Record, path: str, siblings_use_front_matter: bool,
                  folder_names: Sequence[str] | None = None, links: Mapping[str, LinkTarget] | None = None) -> str:
    """Return the text of record's new file at path: its body alone when that says everything, else rendered.

    The body alone may gain a ``Date:`` line, adr-tools link lines in its Status section (``Supersedes [1. Title]
    (0001-title.md)``, for the linked files in links) and state the status in its own capitalisation: the caller
    reads the file back and takes its wording into the record.
    """
    if record.body_format == "markdown" and not siblings_use_front_matter:
        body = state_links(_with_date_line(record.body, record.date), record, links or {})
        try:
            parsed = parse_record_text(body, path, kind=record.kind, folder_names=folder_names).record
            resolve_link_refs(parsed, links or {})
        except ParseError:
            parsed = None
        checked = [name for name in FILE_FIELDS if name not in ("key", "extra", "body", "status_text")]
        if (parsed is not None and all(getattr(parsed, name) == getattr(record, name) for name in checked)
                and parsed.status_text.lower() == (record.status_text or record.status).lower()):
            return body
    if record.body_format == "rst":
        return render_record(record)
    return render_front_matter(record)


def _with_date_line(body: str, date: dt.date | None) -> str:
    """Return body with an adr-tools ``Date:`` line under its title when it states no date of its own."""
    if date is None or re.search(r"^\W{0,3}date\W{0,3}:", body, re.IGNORECASE | re.MULTILINE):
        return body
    lines = body.split("\n")
    heading = next((number for number, line in enumerate(lines) if line.startswith("# ")), None)
    if heading is None:
        return body
    return "\n".join([*lines[:heading + 1], "", f"Date: {date.isoformat()}", *lines[heading + 1:]])

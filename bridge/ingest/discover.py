"""Which files under an import path are records, and why the others are skipped.

Records are ``.md``/``.markdown``/``.rst`` files, ``.txt`` files with a PEP-style header, and files without an
extension that are UTF-8 text looking like Markdown. Skipped: dotfiles and dot-folders, symlinks, images and
other non-record files, templates, and README/index pages (including Hugo's ``_index.md``) unless their front
matter declares them a record with ``id``, ``kind`` or ``status``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bridge.domain import Record

RECORD_SUFFIXES: frozenset[str] = frozenset({".md", ".markdown", ".rst"})
INDEX_STEMS: frozenset[str] = frozenset({"readme", "index", "_index", "toc", "summary", "contents"})
"""Names of pages that describe or list a folder's records rather than being one."""

_TEMPLATE_NAME = re.compile(
    r"^(?:[a-z]+[-_])?template(?:[-_](?:bare|minimal|bare-minimal|lite|short|long|full|simple|example))?$"
)
_TEMPLATE_TITLES = frozenset({"template", "adr template", "decision template", "runbook template", "postmortem template"})
_RECORD_DECLARING_KEYS = re.compile(r"^(?:id|key|kind|status)\s*:", re.MULTILINE)
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+\S", re.MULTILINE)
_PEP_HEADER_START = re.compile(r"^(?:PEP|Title):\s", re.IGNORECASE)


@dataclass
class Candidate:
    """A file found under an import path and what to do with it."""

    path: Path
    skip_reason: str = ""
    """Why the file is not a record; empty when it should be parsed."""


def _number_stripped(stem: str) -> str:
    """Return a lower-case file stem without its leading record number (``0000-TEMPLATE`` → ``template``)."""
    return re.sub(r"^\d+[-_]", "", stem.lower())


def is_template_name(name: str) -> bool:
    """Return whether a file name says the file is a template (``template.md``, ``adr-template-bare.md``…)."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return bool(_TEMPLATE_NAME.match(_number_stripped(stem)))


def is_template_record(record: Record) -> bool:
    """Return whether a parsed file is a template: a template title, placeholder title or template status."""
    title = record.title.strip().lower()
    if title in _TEMPLATE_TITLES or title.startswith(("[", "{", "<")):
        return True
    if record.status_text.strip().lower() == "template" or record.extra.get("template") is True:
        return True
    return False


def _head(path: Path, size: int = 4096) -> bytes:
    """Return the first bytes of a file (empty when unreadable)."""
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


def _declares_record(head: bytes) -> bool:
    """Return whether a file's front matter names an id, kind or status (so a README can be a record)."""
    text = head.decode("utf-8", "replace").replace("\r\n", "\n")
    if not text.startswith("---\n"):
        return False
    end = text.find("\n---", 4)
    return bool(_RECORD_DECLARING_KEYS.search(text[4:end if end > 0 else len(text)]))


def classify(path: Path) -> Candidate:
    """Return whether path should be parsed as a record, or the reason it is skipped."""
    name = path.name
    suffix = path.suffix.lower() if "." in name.lstrip(".") else ""
    stem = (name[: -len(path.suffix)] if suffix else name).lower()
    if path.is_symlink():
        return Candidate(path, "symbolic link")
    if not path.is_file():
        return Candidate(path, "not a regular file (a FIFO, socket or device)")
    if suffix in RECORD_SUFFIXES or suffix == ".txt":
        if stem in INDEX_STEMS and not _declares_record(_head(path)):
            return Candidate(path, "index or README page")
        if is_template_name(name):
            return Candidate(path, "template")
        if suffix == ".txt" and not _PEP_HEADER_START.match(_head(path, 256).decode("utf-8", "replace")):
            return Candidate(path, "text file without a PEP-style header")
        return Candidate(path)
    if suffix:
        return Candidate(path, f"not a record file ({suffix})")
    head = _head(path)
    if b"\x00" in head:
        return Candidate(path, "binary file without an extension")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:
            return Candidate(path, "not UTF-8 text")
        text = head[: exc.start].decode("utf-8")
    if text.startswith("---\n") or _MARKDOWN_HEADING.search(text):
        if is_template_name(name):
            return Candidate(path, "template")
        return Candidate(path)
    return Candidate(path, "file without an extension that does not look like Markdown")


def walk_files(folder: Path) -> Iterator[Path]:
    """Yield the non-folder entries under folder in sorted order, leaving out dotfiles, dot-folders and symlinks to
    folders; FIFOs and sockets are yielded so the import can report them as skipped."""
    try:
        entries = sorted(folder.iterdir(), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and not entry.is_symlink():
            yield from walk_files(entry)
        else:
            yield entry

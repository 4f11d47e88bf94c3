"""Which files under an import path are records, and why the others are skipped.

Records are ``.md``/``.markdown``/``.rst`` files, ``.txt`` files with a PEP-style header, and files without an
extension that are UTF-8 text looking like Markdown. Skipped: dotfiles and dot-folders, symlinks, images and
other non-record files, project files (OWNERS, Makefile, LICENSE, CONTRIBUTING…), templates, and README/index
pages (including Hugo's ``_index.md``) unless their front matter declares them a record with ``id``, ``kind`` or
``status``, or their folder is a record folder (see ``record_folders``).
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
_TEMPLATE_TITLE = re.compile(r"^(?:[\w-]+\s+){0,2}template$")
"""A title such as ``Template``, ``ADR Template`` or ``KEP Template``."""
_RECORD_DECLARING_KEYS = re.compile(r"^(?:id|key|kind|status)\s*:", re.MULTILINE)
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+\S", re.MULTILINE)
_PEP_HEADER_START = re.compile(r"^(?:PEP|Title):\s", re.IGNORECASE)


@dataclass
class Candidate:
    """A file found under an import path and what to do with it."""

    path: Path
    skip_reason: str = ""
    """Why the file is not a record; empty when it should be parsed."""


PROJECT_FILES: dict[str, str] = {
    "owners": "Kubernetes OWNERS file (read for owners, not a record)",
    "owners_aliases": "Kubernetes OWNERS_ALIASES file (read for owners, not a record)",
    "codeowners": "CODEOWNERS file (read for owners, not a record)",
    "makefile": "Makefile, not a record",
    "gnumakefile": "Makefile, not a record",
    "license": "license file, not a record",
    "licence": "license file, not a record",
    "copying": "license file, not a record",
    "notice": "license file, not a record",
    "code_of_conduct": "code of conduct, not a record",
    "code-of-conduct": "code of conduct, not a record",
    "contributing": "contributing guide, not a record",
    "security": "security policy, not a record",
    "security_contacts": "security contacts, not a record",
    "changelog": "changelog, not a record",
    "authors": "authors list, not a record",
    "maintainers": "maintainers list, not a record",
    "dockerfile": "Dockerfile, not a record",
}
"""File stem (lower case, any extension) → why such a project file is never a record."""

_ANY_CASE_PROJECT_FILES = frozenset({
    "makefile", "gnumakefile", "dockerfile", "license", "licence", "copying", "code_of_conduct", "code-of-conduct",
    "contributing",
})
"""Project files recognised in any case; the others only in the conventional upper case (``SECURITY.md``,
``OWNERS``), so a runbook called ``security.md`` stays a record."""

METADATA_FILES: tuple[str, ...] = ("kep.yaml", "kep.yml", "metadata.yaml", "metadata.yml")
"""Files that, beside a ``README.md``/``index.md``, make its folder one record (KEP-style)."""

FOLDER_RECORD_STEMS: tuple[str, ...] = ("readme", "index")
"""Pages that can be the record of their folder (Hugo's ``_index.md`` is a section page, never)."""

_DOCUMENT_SUFFIXES = frozenset({".md", ".markdown", ".rst"})


def _number_stripped(stem: str) -> str:
    """Return a lower-case file stem without its leading record number (``0000-TEMPLATE`` → ``template``).

    Number placeholders count as numbers too: ``NNNN-kep-template`` → ``kep-template``.
    """
    return re.sub(r"^(?:\d+|n+|x+)[-_]", "", stem.lower())


def is_template_name(name: str) -> bool:
    """Return whether a file name says the file is a template (``template.md``, ``adr-template-bare.md``…)."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return bool(_TEMPLATE_NAME.match(_number_stripped(stem)))


def is_template_record(record: Record) -> bool:
    """Return whether a parsed file is a template: a template title, placeholder title or template status."""
    title = record.title.strip().lower()
    if _TEMPLATE_TITLE.match(title) or title.startswith(("[", "{", "<")):
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


def _in_template_folder(path: Path, stem: str, root: Path | None) -> bool:
    """Return whether path sits in a ``templates`` folder under root, or is the page of a folder named as a template."""
    inside = [folder for folder in path.parents if root is not None and root in folder.parents]
    if any(folder.name.lower() in ("template", "templates") for folder in inside):
        return True
    words = re.split(r"[-_.\s]+", path.parent.name.lower())
    return stem in FOLDER_RECORD_STEMS and (is_template_name(path.parent.name) or "template" in words)


def project_file_reason(name: str) -> str:
    """Return why a file named name is a project file and not a record (OWNERS, Makefile, LICENSE…), or ""."""
    stem = name.split(".", 1)[0]
    for candidate in (stem, stem.split("-", 1)[0]):
        lowered = candidate.lower()
        if lowered in PROJECT_FILES and (lowered in _ANY_CASE_PROJECT_FILES or candidate.isupper()):
            return PROJECT_FILES[lowered]
    return ""


def classify(
    path: Path, *, folder_records: frozenset[Path] = frozenset(), named: bool = False, root: Path | None = None
) -> Candidate:
    """Return whether path should be parsed as a record, or the reason it is skipped.

    root (the import root) bounds the folders whose names can make a file a template (``templates/``).
    folder_records are the folders whose README/index page is the folder's record; a file the user named
    (named=True) is parsed even when its name says index page or template, but never when it is a project file
    (OWNERS, LICENSE…) or not a record file at all.
    """
    name = path.name
    suffix = path.suffix.lower() if "." in name.lstrip(".") else ""
    stem = (name[: -len(path.suffix)] if suffix else name).lower()
    if path.is_symlink():
        return Candidate(path, "symbolic link" if path.exists() else "broken symbolic link")
    if not path.is_file():
        return Candidate(path, "not a regular file (a FIFO, socket or device)")
    project_reason = project_file_reason(name)
    if project_reason:
        return Candidate(path, project_reason)
    if suffix in RECORD_SUFFIXES or suffix == ".txt":
        if named and suffix != ".txt":
            return Candidate(path)
        if stem in INDEX_STEMS and path.parent not in folder_records and not _declares_record(_head(path)):
            return Candidate(path, "index or README page")
        if is_template_name(name) or _in_template_folder(path, stem, root):
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


def record_folders(files: list[Path], root: Path) -> frozenset[Path]:
    """Return the folders under root whose ``README.md``/``index.md`` is one record named by the folder.

    A folder is a record folder when a metadata file (``kep.yaml``, ``metadata.yaml``) sits beside its page, or
    when the page is the only document in the folder and below it (a leaf folder, like Hugo's leaf bundles and
    ``<slug>/index.md`` decision records). The import root itself never is.
    """
    documents_under: dict[Path, int] = {}
    pages: dict[Path, Path] = {}
    metadata: set[Path] = set()
    for path in files:
        name = path.name.lower()
        if name in METADATA_FILES:
            metadata.add(path.parent)
            continue
        suffix = path.suffix.lower()
        if suffix not in _DOCUMENT_SUFFIXES:
            continue
        if name.rsplit(".", 1)[0] in FOLDER_RECORD_STEMS:
            pages.setdefault(path.parent, path)
        for folder in path.parents:
            documents_under[folder] = documents_under.get(folder, 0) + 1
            if folder == root:
                break
    return frozenset(
        folder for folder in pages
        if folder != root and (folder in metadata or documents_under.get(folder, 0) == 1)
    )


def folder_record_page(path: Path) -> bool:
    """Return whether path is a README/index page (the kind of page that can stand for its folder)."""
    return path.suffix.lower() in _DOCUMENT_SUFFIXES and path.name.lower().rsplit(".", 1)[0] in FOLDER_RECORD_STEMS


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

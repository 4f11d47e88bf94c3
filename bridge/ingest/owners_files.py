"""Owners declared beside the records: Kubernetes ``OWNERS``/``OWNERS_ALIASES`` files and ``CODEOWNERS``.

An ``OWNERS`` file's approvers own the records in its folder and below, its reviewers review them; the nearest
file that names approvers (or reviewers) wins, so a root file's approvers, who may approve anything, are not made
owners of every record. ``options: no_parent_owners: true`` stops the search upwards, ``filters:`` entries apply
when their pattern matches the record's file name, and alias names from ``OWNERS_ALIASES`` are expanded to their
members. ``CODEOWNERS`` (root, ``.github/`` or ``docs/``) is read as git does: the last matching line wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

CODEOWNERS_PLACES: tuple[str, ...] = ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")


@dataclass
class DeclaredOwners:
    """Who owns and reviews one record, and which file said so."""

    owners: list[str] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)
    source: str = ""
    """The owners file (relative to the import root, ``../`` when above it) that named the owners."""


@dataclass
class _OwnersFile:
    """One parsed OWNERS file."""

    approvers: list[str]
    reviewers: list[str]
    no_parent: bool
    filters: list[tuple[re.Pattern[str], list[str], list[str]]]


def _names(value: Any) -> list[str]:
    """Return the handles of a YAML list (``@`` dropped), ignoring anything that is not a plain name."""
    if not isinstance(value, list):
        return []
    return [str(item).strip().lstrip("@") for item in value if isinstance(item, str | int) and str(item).strip()]


def _load_yaml(path: Path) -> dict[str, Any]:
    """Return a YAML mapping file's content, or {} when it is unreadable or not a mapping."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def _parse_owners(path: Path) -> _OwnersFile:
    """Return the approvers, reviewers, options and filters of an OWNERS file."""
    data = _load_yaml(path)
    options = data.get("options") if isinstance(data.get("options"), dict) else {}
    filters: list[tuple[re.Pattern[str], list[str], list[str]]] = []
    raw_filters = data.get("filters")
    if isinstance(raw_filters, dict):
        for pattern, entry in raw_filters.items():
            if not isinstance(entry, dict):
                continue
            try:
                compiled = re.compile(str(pattern))
            except re.error:
                continue
            filters.append((compiled, _names(entry.get("approvers")), _names(entry.get("reviewers"))))
    return _OwnersFile(_names(data.get("approvers")), _names(data.get("reviewers")),
                       bool(options and options.get("no_parent_owners")), filters)


class OwnersFiles:
    """The OWNERS and CODEOWNERS files that apply to records under an import root."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        """The import root; records' paths are relative to it."""
        self.top = self._top_folder(self.root)
        """Where the upward search stops: the git work tree holding root, else root itself."""
        self._cache: dict[Path, _OwnersFile | None] = {}
        self.aliases = self._read_aliases()
        """Alias name (lower case) → member handles, from OWNERS_ALIASES."""
        self.codeowners = self._read_codeowners()

    @staticmethod
    def _top_folder(root: Path) -> Path:
        for folder in (root, *root.parents):
            if (folder / ".git").exists():
                return folder
        return root

    def _folders_up(self, folder: Path) -> list[Path]:
        """Return folder and its parents up to the top folder, nearest first."""
        chain = [folder]
        while chain[-1] != self.top and self.top in chain[-1].parents:
            chain.append(chain[-1].parent)
        return chain

    def _read_aliases(self) -> dict[str, list[str]]:
        aliases: dict[str, list[str]] = {}
        for folder in reversed(self._folders_up(self.root)):
            data = _load_yaml(folder / "OWNERS_ALIASES") if (folder / "OWNERS_ALIASES").is_file() else {}
            entries = data.get("aliases")
            if isinstance(entries, dict):
                for name, members in entries.items():
                    aliases[str(name).lower()] = _names(members)
        return aliases

    def _read_codeowners(self) -> list[tuple[re.Pattern[str], list[str]]]:
        for place in CODEOWNERS_PLACES:
            path = self.top / place
            if path.is_file():
                return _parse_codeowners(path)
        return []

    def _owners_file(self, folder: Path) -> _OwnersFile | None:
        if folder not in self._cache:
            path = folder / "OWNERS"
            self._cache[folder] = _parse_owners(path) if path.is_file() else None
        return self._cache[folder]

    def _expand(self, names: list[str]) -> list[str]:
        expanded: list[str] = []
        for name in names:
            for member in self.aliases.get(name.lower(), [name]):
                if member not in expanded:
                    expanded.append(member)
        return expanded

    def _relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            depth = len(self.root.relative_to(path.parent).parts)
            return "../" * depth + path.name

    def for_record(self, source_path: str) -> DeclaredOwners:
        """Return the owners and reviewers the owners files declare for the record file at source_path."""
        record_path = self.root / source_path
        declared = DeclaredOwners()
        for folder in self._folders_up(record_path.parent):
            owners_file = self._owners_file(folder)
            if owners_file is None:
                continue
            approvers, reviewers = list(owners_file.approvers), list(owners_file.reviewers)
            relative = record_path.relative_to(folder).as_posix()
            for pattern, filter_approvers, filter_reviewers in owners_file.filters:
                if pattern.search(relative):
                    approvers += filter_approvers
                    reviewers += filter_reviewers
            if approvers and not declared.owners:
                declared.owners = self._expand(approvers)
                declared.source = self._relative(folder / "OWNERS")
            if reviewers and not declared.reviewers:
                declared.reviewers = self._expand(reviewers)
            if (declared.owners and declared.reviewers) or owners_file.no_parent:
                break
        if not declared.owners and self.codeowners:
            repo_path = record_path.relative_to(self.top).as_posix()
            for pattern, owners in reversed(self.codeowners):
                if pattern.match(repo_path):
                    declared.owners = owners
                    declared.source = self._relative(self.top / "CODEOWNERS")
                    break
        return declared


def _codeowners_pattern(pattern: str) -> re.Pattern[str]:
    """Return a regex for a CODEOWNERS (gitignore-style) pattern matched against a repository-relative path."""
    anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
    body = pattern.strip("/")
    parts: list[str] = []
    index = 0
    while index < len(body):
        if body.startswith("**/", index):
            parts.append("(?:.*/)?")
            index += 3
        elif body.startswith("**", index):
            parts.append(".*")
            index += 2
        elif body[index] == "*":
            parts.append("[^/]*")
            index += 1
        elif body[index] == "?":
            parts.append("[^/]")
            index += 1
        else:
            parts.append(re.escape(body[index]))
            index += 1
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(f"^{prefix}{''.join(parts)}(?:/.*)?$")


def _parse_codeowners(path: Path) -> list[tuple[re.Pattern[str], list[str]]]:
    """Return (pattern, owners) per line of a CODEOWNERS file, in file order."""
    rules: list[tuple[re.Pattern[str], list[str]]] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return rules
    for line in lines:
        text = line.split("#", 1)[0].strip()
        if not text or text.startswith("["):
            continue
        pattern, *owners = text.split()
        rules.append((_codeowners_pattern(pattern), [owner.lstrip("@") for owner in owners]))
    return rules


def apply_declared_owners(owners_files: OwnersFiles, source_path: str, owners: list[str],
                          reviewers: list[str]) -> tuple[list[str], list[str], str]:
    """Return (owners, reviewers, owners file) for a record: what the record names itself wins."""
    if owners and reviewers:
        return owners, reviewers, ""
    declared = owners_files.for_record(PurePosixPath(source_path).as_posix())
    new_owners = owners or declared.owners
    new_reviewers = reviewers or declared.reviewers
    return new_owners, new_reviewers, declared.source if not owners and declared.owners else ""

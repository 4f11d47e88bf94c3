"""Find the files that changed under a root since a base commit: committed, uncommitted and untracked."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from bridge.gitsync.git import run_git


@dataclass
class RootChanges:
    """Paths (relative to the import root) that changed since the base, by what happened to them."""

    changed: set[str] = field(default_factory=set)
    """Added or modified, in a commit or in the work tree (untracked files included)."""
    committed: set[str] = field(default_factory=set)
    """The subset of changed paths whose change is in a commit after the base (their history needs reading)."""
    deleted: set[str] = field(default_factory=set)
    renamed: dict[str, str] = field(default_factory=dict)
    """Old path → new path."""


def _name_status(output: str) -> list[tuple[str, str, str]]:
    """Return (status letter, old path, new path) entries of ``git diff --name-status -z`` output."""
    tokens = output.split("\x00")
    entries: list[tuple[str, str, str]] = []
    index = 0
    while index < len(tokens) and tokens[index]:
        status = tokens[index][:1]
        if status in ("R", "C"):
            entries.append((status, tokens[index + 1], tokens[index + 2]))
            index += 3
        else:
            entries.append((status, tokens[index + 1], tokens[index + 1]))
            index += 2
    return entries


def changes_since(git_root: Path, source_root: Path, base_commit: str) -> RootChanges:
    """Return what changed under source_root since base_commit, from ``git diff`` and ``git status``.

    ``git diff --name-status -M BASE`` compares the base with the work tree (committed and uncommitted edits of
    tracked files); ``git diff BASE HEAD`` tells which of those are committed; ``git status --porcelain`` adds
    untracked files. Nothing else is read: the cost follows the number of changed files, not the root's size.
    """
    prefix = source_root.resolve().relative_to(git_root.resolve()).as_posix()
    prefix = "" if prefix == "." else prefix
    pathspec = ["--", prefix] if prefix else ["--", "."]

    def relative(repo_path: str) -> str | None:
        if not prefix:
            return repo_path
        if not repo_path.startswith(prefix + "/"):
            return None
        return os.path.relpath(repo_path, prefix).replace(os.sep, "/")

    found = RootChanges()
    worktree = run_git(git_root, ["diff", "--name-status", "-M", "-z", base_commit, *pathspec])
    for status, old, new in _name_status(worktree):
        old_rel, new_rel = relative(old), relative(new)
        if status == "D" and old_rel:
            found.deleted.add(old_rel)
        elif status == "R" and old_rel and new_rel:
            found.renamed[old_rel] = new_rel
            found.changed.add(new_rel)
        elif new_rel:
            found.changed.add(new_rel)
    committed = run_git(git_root, ["diff", "--name-only", "-M", "-z", base_commit, "HEAD", *pathspec])
    found.committed = {rel for path in committed.split("\x00") if path and (rel := relative(path))}
    untracked = run_git(git_root, ["status", "--porcelain", "-z", "--untracked-files=all", *pathspec])
    for entry in untracked.split("\x00"):
        if entry.startswith("?? ") and (rel := relative(entry[3:])):
            found.changed.add(rel)
    return found

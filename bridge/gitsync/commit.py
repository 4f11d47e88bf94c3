"""Commit files on a branch through a temporary index: the user's checked-out branch and index stay as they were."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bridge.gitsync.git import GitError, current_branch, hash_files, head_commit, run_git

_BRANCH_UNSAFE = re.compile(r"[^A-Za-z0-9._/-]+")


@dataclass
class FileCommit:
    """One commit to make: files (relative to the repository root), author and message."""

    paths: list[str]
    message: str
    author_name: str
    author_email: str


def branch_name(user: str, label: str) -> str:
    """Return ``bridge/<user>/<label>`` made safe as a git branch name."""
    parts = [_BRANCH_UNSAFE.sub("-", part).strip("-./").lower() or "x" for part in (user, label)]
    return f"bridge/{parts[0]}/{parts[1]}"


def branch_tip(git_root: Path, branch: str) -> str | None:
    """Return the commit a local branch points at, or None when it does not exist."""
    try:
        return run_git(git_root, ["rev-parse", "--verify", "-q", f"refs/heads/{branch}^{{commit}}"]).strip() or None
    except GitError:
        return None


def commit_files(
    git_root: Path, commits: Sequence[FileCommit], *, branch: str | None, committer: tuple[str, str],
) -> tuple[str, list[str]]:
    """Commit each FileCommit in turn on branch (None: the checked-out branch); return (branch, commits made).

    The tree is built in a temporary index from the branch tip (or HEAD for a new branch) plus the work-tree
    bytes of the given files, so nothing else in the work tree or the user's index is read or changed. Committing
    on the checked-out branch also updates those paths (only those) in the user's index, so ``git status`` stays
    truthful. Raises GitError for a detached HEAD or a repository without commits.
    """
    checked_out = current_branch(git_root)
    if checked_out is None:
        raise GitError(f"HEAD is detached in {git_root}: check out a branch first, or sync with --no-commit")
    head = head_commit(git_root)
    if head is None:
        raise GitError(f"{git_root} has no commits yet: make a first commit, or sync with --no-commit")
    target = branch or checked_out
    parent = branch_tip(git_root, target) or head
    original_parent = branch_tip(git_root, target)
    with tempfile.TemporaryDirectory(prefix="bridge-sync-") as scratch:
        env = {"GIT_INDEX_FILE": os.path.join(scratch, "index")}
        run_git(git_root, ["read-tree", parent], env=env)
        made: list[str] = []
        for item in commits:
            blobs = hash_files(git_root, [git_root / path for path in item.paths], write=True)
            cache = "".join(f"100644 {blob}\t{path}\n" for blob, path in zip(blobs, item.paths, strict=True))
            run_git(git_root, ["update-index", "--add", "--index-info"], stdin=cache.encode("utf-8"), env=env)
            tree = run_git(git_root, ["write-tree"], env=env).strip()
            identity = {
                "GIT_AUTHOR_NAME": item.author_name, "GIT_AUTHOR_EMAIL": item.author_email,
                "GIT_COMMITTER_NAME": committer[0] or item.author_name,
                "GIT_COMMITTER_EMAIL": committer[1] or item.author_email,
            }
            parent = run_git(git_root, ["commit-tree", tree, "-p", parent, "-F", "-"],
                             stdin=item.message.encode("utf-8"), env=identity).strip()
            made.append(parent)
        old = original_parent or "0" * 40
        run_git(git_root, ["update-ref", "-m", "bridge sync", f"refs/heads/{target}", parent, old])
    if target == checked_out:
        paths = sorted({path for item in commits for path in item.paths})
        blobs = hash_files(git_root, [git_root / path for path in paths])
        cache = "".join(f"100644 {blob}\t{path}\n" for blob, path in zip(blobs, paths, strict=True))
        run_git(git_root, ["update-index", "--add", "--index-info"], stdin=cache.encode("utf-8"))
    return target, made


def push_branch(git_root: Path, remote: str, branch: str) -> None:
    """Push branch to remote (never forced)."""
    run_git(git_root, ["push", "--quiet", remote, f"refs/heads/{branch}:refs/heads/{branch}"])

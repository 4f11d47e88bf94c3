"""Run git for sync: one helper that fails with a one-line message, and the repository facts sync needs."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from bridge import git_command
from bridge.git_command import GitCommandError


class GitError(GitCommandError):
    """git could not be run, or refused what sync asked of it."""


def run_git(repo: Path, args: Sequence[str], *, stdin: bytes | None = None,
            env: Mapping[str, str] | None = None) -> str:
    """Return git's standard output for args run in repo; raises GitError with git's last error line."""
    return git_command.run_git(repo, args, stdin=stdin, env=env, error=GitError)


def git_root_of(path: Path) -> Path | None:
    """Return the top folder of the git work tree holding path, or None outside git."""
    return git_command.work_tree_top(path)


def head_commit(git_root: Path) -> str | None:
    """Return the commit HEAD points at, or None in a repository without commits."""
    try:
        return run_git(git_root, ["rev-parse", "--verify", "-q", "HEAD^{commit}"]).strip() or None
    except GitError:
        return None


def current_branch(git_root: Path) -> str | None:
    """Return the checked-out branch name, or None when HEAD is detached."""
    try:
        return run_git(git_root, ["symbolic-ref", "-q", "--short", "HEAD"]).strip() or None
    except GitError:
        return None


def hash_files(folder: Path, paths: Sequence[Path], *, write: bool = False) -> list[str]:
    """Return the git blob id of each file's bytes (one git process).

    write=True stores the blobs as ``git add`` would (with the repository's filters); otherwise the raw bytes are
    hashed, which works outside a repository too.
    """
    if not paths:
        return []
    args = ["hash-object", "-w", "--stdin-paths"] if write else ["hash-object", "--no-filters", "--stdin-paths"]
    output = run_git(folder, args, stdin="".join(f"{path}\n" for path in paths).encode("utf-8"))
    blobs = output.split()
    if len(blobs) != len(paths):
        raise GitError(f"git hash-object returned {len(blobs)} ids for {len(paths)} files in {folder}")
    return blobs


def blob_text(git_root: Path, blob: str) -> bytes:
    """Return the bytes of a stored blob."""
    full_env = {**os.environ, "LC_ALL": "C"}
    result = subprocess.run(["git", "-C", str(git_root), "cat-file", "blob", blob], capture_output=True,
                            env=full_env, check=False)
    if result.returncode != 0:
        raise GitError(f"blob {blob} is not in {git_root}")
    return result.stdout


def identity(git_root: Path | None) -> tuple[str, str]:
    """Return git config's user.name and user.email for the repository (empty strings when unset)."""
    values: list[str] = []
    for key in ("user.name", "user.email"):
        try:
            values.append(run_git(git_root or Path.cwd(), ["config", "--get", key]).strip())
        except GitError:
            values.append("")
    return values[0], values[1]

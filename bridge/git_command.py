"""Run git as a subprocess: the one place that turns git's failures into one-line errors and finds a work tree's top."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from bridge.errors import BridgeError


class GitCommandError(BridgeError):
    """git could not be run, or failed; the message names the git command, the folder and git's last error line."""


def run_git(repo: Path, args: Sequence[str], *, stdin: bytes | None = None, env: Mapping[str, str] | None = None,
            config: Sequence[str] = (), error: type[GitCommandError] = GitCommandError) -> str:
    """Return git's standard output for args run in repo, with ``-c`` config settings; raises error when git fails."""
    full_env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}
    settings = [part for setting in ("core.quotepath=off", *config) for part in ("-c", setting)]
    try:
        result = subprocess.run(["git", "-C", str(repo), *settings, *args], capture_output=True, env=full_env,
                                check=False, input=stdin)
    except OSError as exc:
        raise error(f"cannot run git in {repo}: {exc}") from exc
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise error(f"git {args[0]} failed in {repo}: {lines[-1] if lines else result.returncode}")
    return result.stdout.decode("utf-8", "replace")


def work_tree_top(path: Path) -> Path | None:
    """Return the top folder of the git work tree holding path, or None outside git (or without git)."""
    folder = path if path.is_dir() else path.parent
    try:
        top = run_git(folder, ["rev-parse", "--show-toplevel"]).strip()
    except GitCommandError:
        return None
    return Path(top).resolve() if top else None

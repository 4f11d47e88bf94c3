"""Read the git history of every record file under a folder in one ``git log`` pass.

One ``git log -M --raw --numstat`` over the folder, walked newest first, follows each current file back through
its renames (PEPs went from ``.txt`` to ``.rst``), so a whole repository's history costs one process instead of
one ``git log --follow`` per file. Authors come from ``%aN``/``%aE``, which honour ``.mailmap``.

Commits that are nobody's knowledge are not attributed (their renames are still followed): commits by bots, and
bulk mechanical commits — listed in an ignore-revs file or setting, or changing far more files than the
repository's commits usually do (see ``HistoryRules``). A bulk commit that adds a file still counts for that file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from bridge.domain import FileChange, looks_like_bot
from bridge.git_command import GitCommandError, run_git, work_tree_top

_FORMAT = "%x1eC%H%x1f%aN%x1f%aE%x1f%aI%x1f%B%x1f"
_NUMSTAT = re.compile(r"^(\d+|-)\t(\d+|-)\t(.*)$", re.DOTALL)
_CO_AUTHOR = re.compile(r"^\s*co-authored-by:\s*(.*?)\s*<([^>]*)>\s*$", re.IGNORECASE | re.MULTILINE)


class GitHistoryError(GitCommandError):
    """git could not be run or could not read the repository's history."""


@dataclass
class _Commit:
    """One commit's author, date, subject and file entries, as git log printed them."""

    sha: str
    author_name: str
    author_email: str
    at: datetime
    subject: str
    coauthors: list[tuple[str, str]]
    entries: list[tuple[str, str, str]] = field(default_factory=list)
    """(status letter, old path, new path) per file; old == new unless renamed."""
    numstat: dict[str, tuple[int, int]] = field(default_factory=dict)
    """New path → (lines added, lines removed)."""
    blobs: dict[str, str] = field(default_factory=dict)
    """New path → the file's blob id after the commit."""


def _run_git(repo: Path, args: Sequence[str], stdin: str | None = None) -> str:
    """Return git's standard output for args run in repo; raises GitHistoryError when git fails."""
    return run_git(repo, args, stdin=stdin.encode("utf-8") if stdin is not None else None,
                   config=("log.showSignature=false",), error=GitHistoryError)


def find_git_root(path: Path) -> Path | None:
    """Return the top folder of the git work tree holding path, or None outside git (or without git)."""
    return work_tree_top(path)


def repo_relative_path(root: Path, change_path: str, git_root: Path | None = None) -> str:
    """Return a FileChange path (relative to the import root) as a path relative to the repository root."""
    top = (git_root or find_git_root(root) or root).resolve()
    prefix = root.resolve().relative_to(top).as_posix()
    joined = os.path.normpath(os.path.join(prefix, change_path)) if prefix != "." else os.path.normpath(change_path)
    return PurePosixPath(joined.replace(os.sep, "/")).as_posix()


def show_file(repo_root: Path, commit: str, path: str) -> str:
    """Return the text of path (relative to the repository root) at commit, via ``git show commit:path``."""
    return _run_git(repo_root, ["show", f"{commit}:{path}"])


def _parse_log(output: str) -> list[_Commit]:
    """Return the commits of ``git log -z --raw --numstat`` output printed with _FORMAT, newest first."""
    commits: list[_Commit] = []
    for chunk in output.split("\x1eC")[1:]:
        sha, name, email, when, message, rest = chunk.split("\x1f", 5)
        at = datetime.fromisoformat(when).astimezone(UTC).replace(tzinfo=None)
        subject = message.strip().splitlines()[0] if message.strip() else ""
        coauthors = [(co_name.strip(), co_email.strip()) for co_name, co_email in _CO_AUTHOR.findall(message)]
        commit = _Commit(sha, name, email, at, subject, coauthors)
        tokens = [token.lstrip("\n") for token in rest.split("\x00")]
        index = 0
        while index < len(tokens):
            token = tokens[index]
            index += 1
            if token.startswith(":"):
                fields = token.split()
                status = fields[-1][:1]
                if status in ("R", "C"):
                    commit.entries.append((status, tokens[index], tokens[index + 1]))
                    new_path = tokens[index + 1]
                    index += 2
                else:
                    commit.entries.append((status, tokens[index], tokens[index]))
                    new_path = tokens[index]
                    index += 1
                if len(fields) >= 5:
                    commit.blobs[new_path] = fields[3]
                continue
            match = _NUMSTAT.match(token)
            if match:
                added, removed, path = match.groups()
                if not path:
                    path = tokens[index + 1]
                    index += 2
                counts = (int(added) if added != "-" else 0, int(removed) if removed != "-" else 0)
                commit.numstat[path] = counts
        commits.append(commit)
    return commits


def _map_coauthors(git_root: Path, commits: list[_Commit]) -> None:
    """Rewrite Co-authored-by identities through .mailmap, as %aN/%aE already are for authors."""
    pairs = sorted({pair for commit in commits for pair in commit.coauthors})
    if not pairs:
        return
    lines = "".join(f"{name} <{email}>\n" for name, email in pairs)
    try:
        output = _run_git(git_root, ["check-mailmap", "--stdin"], stdin=lines)
    except GitHistoryError:
        return
    mapped: dict[tuple[str, str], tuple[str, str]] = {}
    for pair, line in zip(pairs, output.splitlines(), strict=False):
        match = re.match(r"^(.*?)\s*<([^>]*)>$", line.strip())
        if match:
            mapped[pair] = (match.group(1), match.group(2))
    for commit in commits:
        commit.coauthors = [mapped.get(pair, pair) for pair in commit.coauthors]


IGNORE_REVS_FILES: tuple[str, ...] = (".git-blame-ignore-revs",)
"""Files at the repository root listing commits to ignore, one hash per line (git's ``blame.ignoreRevsFile``)."""



@dataclass(frozen=True)
class HistoryRules:
    """Which commits make nobody a knower: bots, listed revisions and bulk mechanical commits."""

    bot_patterns: tuple[str, ...] = ("[bot]",)
    """Extra patterns: a name or email containing one of these (case-insensitive) is a bot."""
    ignore_revs: tuple[str, ...] = ()
    """Commit hashes (full or at least 7 characters) never attributed, besides the repository's ignore-revs file."""
    bulk_min_files: int = 50
    """A commit touching fewer files than this is never bulk."""
    bulk_median_factor: float = 20.0
    """A commit touching more than this many times the median files per commit (and ``bulk_min_files``) is bulk."""

    def bulk_threshold(self, file_counts: Sequence[int]) -> int:
        """Return the number of files above which a commit counts as bulk, given every commit's file count."""
        if not file_counts:
            return self.bulk_min_files
        ordered = sorted(file_counts)
        median = ordered[len(ordered) // 2]
        return max(self.bulk_min_files, int(self.bulk_median_factor * median))


def is_bot(name: str, email: str, bot_patterns: Sequence[str] = ()) -> bool:
    """Return whether a git identity is a bot.

    A bot has the word ``bot`` or ``robot`` in its name or email user (``hco-bot``, ``k8s-ci-robot``,
    ``bot@example.com``, ``renovate[bot]``, ``1234+hco-bot@users.noreply.github.com``), or contains one of
    bot_patterns (case-insensitive).
    """
    haystack = f"{name}\n{email}".lower()
    if any(pattern.lower() in haystack for pattern in bot_patterns if pattern):
        return True
    return looks_like_bot(name, email)


class _HistoryWalk:
    """Follows current files back through renames while commits are fed newest first."""

    def __init__(self, root_prefix: str, bot_patterns: Sequence[str], ignored: frozenset[str] = frozenset(),
                 bulk_threshold: int | None = None) -> None:
        self.root_prefix = root_prefix
        self.bot_patterns = bot_patterns
        self.ignored = ignored
        """Full hashes of commits never attributed (ignore-revs and bulk commits)."""
        self.bulk_threshold = bulk_threshold
        """Commits touching more files than this are not attributed, except for the files they add."""
        self.alias: dict[str, str] = {}
        """Repository path at the point reached in the walk → the file's current repository path."""
        self.changes: dict[str, list[FileChange]] = {}
        self.added_in: dict[str, tuple[str, str]] = {}
        """Current path → (commit, repository path) where the file was added under its oldest name seen so far."""

    def relative(self, repo_path: str) -> str:
        """Return a repository path relative to the import root."""
        if not self.root_prefix:
            return repo_path
        return os.path.relpath(repo_path, self.root_prefix).replace(os.sep, "/")

    def feed(self, commit: _Commit) -> None:
        """Attribute one commit's entries to the current files they touch."""
        human = not is_bot(commit.author_name, commit.author_email, self.bot_patterns)
        coauthors = [pair for pair in commit.coauthors if not is_bot(*pair, self.bot_patterns)]
        bulk = commit.sha in self.ignored or (
            self.bulk_threshold is not None and len(commit.entries) > self.bulk_threshold
        )
        for status, old_path, new_path in commit.entries:
            if status == "D":
                self.alias.pop(new_path, None)
                continue
            current = self.alias.get(new_path)
            if current is None:
                continue
            if human and (not bulk or status == "A"):
                added, removed = commit.numstat.get(new_path, (0, 0))
                self.changes[current].append(FileChange(
                    path=self.relative(new_path), commit=commit.sha, author_name=commit.author_name,
                    author_email=commit.author_email, at=commit.at, message=commit.subject,
                    lines_added=added, lines_removed=removed, coauthors=coauthors,
                    blob=commit.blobs.get(new_path, ""),
                ))
            if status == "R":
                self.alias[old_path] = current
            elif status == "A":
                # Keep following the path: the same file may also have been added on a branch merged later.
                self.added_in[current] = (commit.sha, new_path)
            elif status == "C":
                self.alias.pop(new_path, None)
                self.added_in[current] = (commit.sha, new_path)


def _renames_into(git_root: Path, commit: str, added_paths: set[str]) -> dict[str, str]:
    """Return new path → old path for files of added_paths that commit renamed from outside the import root."""
    output = _run_git(git_root, ["diff-tree", "-r", "-M", "--raw", "-z", "--no-commit-id", "--root", commit])
    tokens = output.split("\x00")
    renames: dict[str, str] = {}
    index = 0
    while index < len(tokens):
        token = tokens[index].lstrip("\n")
        index += 1
        if token.startswith(":"):
            status = token.split()[-1][:1]
            if status in ("R", "C"):
                old_path, new_path = tokens[index], tokens[index + 1]
                index += 2
                if status == "R" and new_path in added_paths:
                    renames[new_path] = old_path
            else:
                index += 1
    return renames


def _ignored_revisions(git_root: Path, listed: Sequence[str], commits: Sequence[_Commit]) -> set[str]:
    """Return the full hashes of the commits listed in settings or in the repository's ignore-revs file."""
    prefixes = [rev.strip().lower() for rev in listed if len(rev.strip()) >= 7]
    for name in IGNORE_REVS_FILES:
        path = git_root / name
        if path.is_file():
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                rev = line.split("#", 1)[0].strip().lower()
                if len(rev) >= 7:
                    prefixes.append(rev)
    if not prefixes:
        return set()
    return {commit.sha for commit in commits if any(commit.sha.startswith(prefix) for prefix in prefixes)}


def read_history(
    root: Path, bot_patterns: Sequence[str] = ("[bot]",), rules: HistoryRules | None = None,
    since: str | None = None,
) -> dict[str, list[FileChange]]:
    """Return each tracked file's commits (oldest first), keyed by its current path relative to root.

    Renames are followed backwards to the current name, also from outside root; commits by bots are left out, as
    are bot co-authors, ignored revisions and bulk commits (rules; by default ``HistoryRules`` with bot_patterns).
    With since (a commit), only the commits after it are read (``since..HEAD``), as an incremental sync needs.
    Raises GitHistoryError when git fails.
    """
    rules = rules or HistoryRules(bot_patterns=tuple(bot_patterns))
    root = root.resolve()
    git_root = find_git_root(root)
    if git_root is None:
        return {}
    prefix = root.relative_to(git_root).as_posix()
    prefix = "" if prefix == "." else prefix
    pathspec = ["--", prefix] if prefix else []
    listed = _run_git(git_root, ["ls-files", "-z", *pathspec]).split("\x00")
    walk = _HistoryWalk(prefix, rules.bot_patterns)
    for path in filter(None, listed):
        walk.alias[path] = path
        walk.changes[path] = []
    if not walk.changes:
        return {}
    try:
        log_args = ["log", "-M", "--raw", "--no-abbrev", "--numstat", "-z", "--topo-order", f"--format={_FORMAT}"]
        output = _run_git(git_root, [*log_args, *([f"{since}..HEAD"] if since else []), *pathspec])
    except GitHistoryError as exc:
        if "does not have any commits" in str(exc):
            return {}
        raise
    commits = _parse_log(output)
    _map_coauthors(git_root, commits)
    walk.ignored = frozenset(_ignored_revisions(git_root, rules.ignore_revs, commits))
    walk.bulk_threshold = rules.bulk_threshold([len(commit.entries) for commit in commits if commit.entries])
    for commit in commits:
        walk.feed(commit)
    if prefix and since is None:
        _follow_outside_renames(git_root, walk, log_args)
    return {walk.relative(path): list(reversed(changes)) for path, changes in walk.changes.items()}


def _follow_outside_renames(git_root: Path, walk: _HistoryWalk, log_args: list[str]) -> None:
    """Continue the walk for files that were renamed into the import root from elsewhere in the repository."""
    pending = dict(walk.added_in)
    checked: set[str] = set()
    while pending:
        by_commit: dict[str, dict[str, str]] = {}
        for current, (commit, added_path) in pending.items():
            by_commit.setdefault(commit, {})[added_path] = current
        pending = {}
        for commit, current_by_added in by_commit.items():
            if commit in checked:
                continue
            checked.add(commit)
            renames = _renames_into(git_root, commit, set(current_by_added))
            if not renames:
                continue
            for new_path, old_path in renames.items():
                walk.alias[old_path] = current_by_added[new_path]
            try:
                output = _run_git(git_root, [*log_args, f"{commit}^", "--", *sorted(set(renames.values()))])
            except GitHistoryError:
                continue
            walk.added_in = {}
            for parent_commit in _parse_log(output):
                walk.feed(parent_commit)
            pending.update(walk.added_in)

"""Record operations that need more than the store: templates, git-backed revision text, the current user."""

from __future__ import annotations

import getpass
import subprocess
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bridge.domain import KEY_PREFIX_BY_KIND, RECORD_KINDS, Person, Record, RecordKind
from bridge.errors import BridgeError, ValidationError
from bridge.store.records import ensure_person, next_key

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from bridge.config import Settings

DEFAULT_STATUS_BY_KIND: dict[str, str] = {
    "decision": "proposed", "runbook": "draft", "postmortem": "draft", "handoff": "open",
}


def draft_record(
    engine: Engine,
    kind: RecordKind,
    title: str,
    *,
    template: str | None = None,
    topics: Sequence[str] = (),
    owners: Sequence[str] = (),
    body: str | None = None,
    supersedes: Sequence[str] = (),
    status: str | None = None,
) -> Record:
    """Return an unsaved record (version 0) with the next free key and a template body."""
    if kind not in RECORD_KINDS:
        raise ValidationError(f"unknown kind '{kind}': use one of {', '.join(RECORD_KINDS)}", field="kind")
    assert kind in KEY_PREFIX_BY_KIND
    status = status or DEFAULT_STATUS_BY_KIND[kind]
    if body is None:
        from bridge.ingest.templates import template_body

        body = template_body(kind, template, title)
    return Record(
        key=next_key(engine, kind), kind=kind, title=title, status=status, status_text=status,
        body=body,
        topics=list(topics), owners=list(owners), supersedes=list(supersedes), date=date.today(),
    )


def revision_text(engine: Engine, key: str, number: int) -> str:
    """Return the full body of one revision; git revisions are read from the repository on demand."""
    from bridge.store.records import revision_row

    revision, source_root, body_format = revision_row(engine, key, number)
    if revision.body is not None:
        return revision.body
    if revision.commit and revision.path and source_root:
        from bridge.workspace.import_ops import git_revision_body

        return git_revision_body(Path(source_root), revision.commit, revision.path, body_format)
    raise BridgeError(f"{key} revision {number}: its text is not stored and its git repository is not available")


def git_identity() -> tuple[str, str]:
    """Return git config's user.name and user.email (empty strings when unset or git is missing)."""
    values = []
    for key in ("user.name", "user.email"):
        try:
            result = subprocess.run(["git", "config", "--get", key], capture_output=True, text=True, timeout=5)
            values.append(result.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            values.append("")
    return values[0], values[1]


def current_user(engine: Engine, settings: Settings) -> Person:
    """Return the current user from settings, else git config, else the OS account."""
    name, email = settings.user_name or "", settings.user_email or ""
    if not name and not email:
        name, email = git_identity()
    if not name and not email:
        name = getpass.getuser()
    return ensure_person(engine, f"{name or email} <{email}>" if email else name)

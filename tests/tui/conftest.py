"""TUI fixtures: a small knowledge base in a real git repository, imported into a real SQLite workspace."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge.config import Settings, load_settings
from bridge.workspace import Workspace

RECORDS: dict[str, str] = {
    "decisions/0001-keep-ledger-events-in-postgres.md": """---
id: ADR-0001
kind: decision
title: Keep ledger events in PostgreSQL
status: superseded
date: 2025-03-01
topics: [ledger]
owners: [ledger-team]
superseded_by: [ADR-0002]
---
# Keep ledger events in PostgreSQL

## Context

The ledger service writes one row per balance change and reads them back for statements.

## Decision

Store every ledger event in the main PostgreSQL cluster, partitioned by month.

## Consequences

Statement queries stay simple; the cluster grows by forty gigabytes a month.
""",
    "decisions/0002-append-only-event-log.md": """---
id: ADR-0002
kind: decision
title: Move ledger events to an append-only log
status: accepted
date: 2025-09-14
topics: [ledger]
owners: [ledger-team]
supersedes: [ADR-0001]
---
# Move ledger events to an append-only log

## Context

Monthly partitions made vacuum slow and statement rebuilds took hours.

## Decision

Write ledger events to an append-only log and project balances into PostgreSQL.

## Consequences

Replays rebuild any projection; operators must watch consumer lag.
""",
    "runbooks/0001-ledger-replication-lag.md": """---
id: RB-0001
kind: runbook
title: Ledger replica replication lag is high
status: active
topics: [ledger, postgres]
owners: [ledger-oncall]
review_by: 2030-01-01
---
# Ledger replica replication lag is high

## Meaning

The streaming replica of the ledger database is more than thirty seconds behind the primary.

## Impact

Balance reads served by the replica are stale; statements may miss recent payments.

## Diagnosis

Check the replay delay with `SELECT now() - pg_last_xact_replay_timestamp();` on the replica.

## Mitigation

Route statement reads to the primary until the replica catches up.
""",
    "runbooks/0002-ingest-disk-full.md": """---
id: RB-0002
kind: runbook
title: Ingest node disk almost full
status: active
topics: [ingest]
owners: [ingest-oncall]
review_by: 2030-06-01
---
# Ingest node disk almost full

## Meaning

An ingest node's spool volume is above ninety percent.

## Mitigation

Delete spool segments older than the retention window with `ingestctl spool prune --older-than 72h`.
""",
    "runbooks/0003-edge-certificate-expiry.md": """---
id: RB-0003
kind: runbook
title: Edge proxy certificate expires soon
status: needs-review
topics: [edge]
owners: [edge-oncall]
review_by: 2030-02-01
---
# Edge proxy certificate expires soon

## Meaning

The TLS certificate served by the edge proxy expires within fourteen days.

## Mitigation

Renew it with `certctl renew edge-proxy` and reload the proxy.
""",
}
"""A fictional team's records, written for these tests."""

SECOND_COMMIT_ADDITION = (
    "\nIf the lag keeps growing, pause the nightly statement batch with `ledgerctl batch pause`.\n"
)
"""What a second author appends to RB-0001, so it has two revisions with a diff between them."""


def git(repo: Path, *args: str, author: str = "Alice Smith <alice@example.com>", when: str = "2026-01-05T10:00:00") -> None:
    """Run git in repo as author at a fixed time."""
    name, email = author[:-1].split(" <")
    env = {
        **os.environ, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
    }
    subprocess.run(["git", *args], cwd=repo, check=True, env=env, capture_output=True)


def make_kb_repo(root: Path) -> Path:
    """Write RECORDS into a git repository with two commits by two people and return its path."""
    repo = root / "team-kb"
    for relative, text in RECORDS.items():
        path = repo / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "Add the team's records")
    runbook = repo / "runbooks/0001-ledger-replication-lag.md"
    runbook.write_text(runbook.read_text(encoding="utf-8") + SECOND_COMMIT_ADDITION, encoding="utf-8")
    git(repo, "commit", "-q", "-am", "Say how to pause the batch", author="Bob Jones <bob@example.com>",
        when="2026-02-10T09:30:00")
    return repo


@pytest.fixture
def kb_settings(tmp_path: Path, bridge_home: Path) -> Iterator[Settings]:
    """Return settings of a workspace holding the team records (imported with their git history)."""
    repo = make_kb_repo(tmp_path)
    settings = load_settings()
    with Workspace.open(settings) as workspace:
        report = workspace.import_paths([repo])
        assert not report.failed, report.failed
    yield settings


@pytest.fixture(autouse=True)
def _no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep inputs and text areas from blinking, so snapshots are stable."""
    from textual.widgets import Input, TextArea

    monkeypatch.setattr(Input, "cursor_blink", False, raising=False)
    monkeypatch.setattr(TextArea, "cursor_blink", False, raising=False)

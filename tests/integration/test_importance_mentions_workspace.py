"""Mentions through the real import: two git repos (import roots) whose ADRs share numbers, and the real corpora.

NATS writes ``ADR-8`` for the record bridge keys ADR-0008; MADR, imported second into the same home, has its own
0008 (keyed ADR-0068 because NATS took ADR-0008) and writes ``[ADR-0008](0008-add-status-field.md)`` for it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from bridge.store.sync_state import sync_bases
from bridge.usage.importance import mentions
from bridge.usage.key_mentions import MentionResolver
from bridge.workspace import Workspace
from tests.conftest import write_file


def git(repo: Path, *args: str, author: str = "Ann Author <ann@example.com>") -> None:
    """Run git in repo as author."""
    name, email = author[:-1].split(" <")
    env = {**os.environ, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name,
           "GIT_COMMITTER_EMAIL": email, "GIT_AUTHOR_DATE": "2024-01-01T10:00:00",
           "GIT_COMMITTER_DATE": "2024-01-01T10:00:00"}
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)


def repo_with(path: Path, files: dict[str, str], author: str) -> Path:
    """Return a git repo at path holding files, committed by author."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    for relative, text in files.items():
        write_file(path, relative, text)
    git(path, "add", ".")
    git(path, "commit", "-q", "-m", "add decisions", author=author)
    return path


NATS_ADR = ("# {title}\n\n| Metadata | Value |\n|----------|-------|\n| Date     | 2021-06-30 |\n"
            "| Status   | Approved |\n{extra}\n## Context\n\n{body}\n")
MADR_ADR = "---\nstatus: accepted\ndate: 2018-01-01\n---\n# {title}\n\n## Context and Problem Statement\n\n{body}\n"


@pytest.fixture
def two_roots(tmp_path: Path) -> tuple[Path, Path]:
    """Return (NATS-like adr folder, MADR-like decisions folder), each in its own git repo."""
    nats = repo_with(tmp_path / "nats", {
        "adr/ADR-1.md": NATS_ADR.format(title="JetStream JSON API Design", extra="", body="The API."),
        "adr/ADR-8.md": NATS_ADR.format(title="JetStream based Key-Value Stores", extra="", body="Buckets."),
        "adr/ADR-48.md": NATS_ADR.format(title="TTL Support for Key-Value Buckets", extra="| Updates  | ADR-8 |\n",
                                         body="Per-key TTLs, building on ADR-1 as well."),
        "adr/ADR-57.md": NATS_ADR.format(title="KV Subject Transforms", extra="",
                                         body="This ADR is a refinement to [ADR-8](ADR-8.md)."),
    }, author="R.I.Pienaar <ri@example.com>")
    madr = repo_with(tmp_path / "madr", {
        "docs/decisions/0001-use-CC0-or-MIT-as-license.md": MADR_ADR.format(title="Dual License the Work", body="CC0."),
        "docs/decisions/0005-use-dashes-in-filenames.md": MADR_ADR.format(
            title="Use Dashes in Filenames", body="We want to write `ADR-0001` in plain text."),
        "docs/decisions/0008-add-status-field.md": MADR_ADR.format(title="Add Status Field", body="A status."),
        "docs/decisions/0009-support-links-between-adrs-inside-an-adrs.md": MADR_ADR.format(
            title="Support Links To Other ADRs", body="[ADR-0008](0008-add-status-field.md) reasons on meta data."),
    }, author="Oliver Kopp <ok@example.com>")
    return nats / "adr", madr / "docs/decisions"


def test_mentions_follow_numbers_links_and_roots_through_the_import(two_roots: tuple[Path, Path]) -> None:
    nats, madr = two_roots
    with Workspace.open() as workspace:
        workspace.import_paths([nats])
        workspace.import_paths([madr])
        keys = {record.source_path: record.key.upper() for record in workspace.list_records()}
        madr_0001, madr_0008 = keys["0001-use-CC0-or-MIT-as-license.md"], keys["0008-add-status-field.md"]
        assert keys["ADR-8.md"] == "ADR-0008" and madr_0008 != "ADR-0008", "MADR's 0008 was given another key"

        terms = {key: {term.name: term.value for term in value.terms}
                 for key, value in workspace.importance_map().items()}
        assert terms["ADR-0008"]["mentions"] == 2, "ADR-48 and ADR-57 write ADR-8; MADR's ADR-0008 is not this one"
        assert terms[madr_0008]["mentions"] == 1, "MADR's link goes to its own 0008"
        why = workspace.why_risk("ADR-0008")
        assert "mentions: 2" in why.importance.explain()

        inputs = workspace.knowledge_inputs()
        roots = {base.key.upper(): base.source_root for base in sync_bases(workspace.engine)}
        assert set(roots.values()) == {str(nats), str(madr)}
        counts = mentions(inputs.records, roots)
        assert counts["ADR-0008"] == 2 and counts[madr_0008] == 1
        assert counts[madr_0001] == 1 and counts["ADR-0001"] == 1, "`ADR-0001` in MADR is MADR's own 0001"
        assert terms[madr_0001]["mentions"] == 1, "importance_map resolves bare keys by import root too"


def test_real_nats_and_madr_in_one_home(corpus) -> None:
    nats, madr = corpus("adr-nats") / "adr", corpus("adr-madr") / "docs/decisions"
    with Workspace.open() as workspace:
        workspace.import_paths([nats])
        workspace.import_paths([madr])
        inputs = workspace.knowledge_inputs()
        keys = {record.source_path: record.key.upper() for record in inputs.records}
        roots = {base.key.upper(): base.source_root for base in sync_bases(workspace.engine)}
        madr_0008 = keys["0008-add-status-field.md"]

        resolver = MentionResolver(inputs.records, roots)
        named_by: dict[str, set[str]] = {}
        for record in inputs.records:
            for key in resolver.named_in(record):
                named_by.setdefault(key, set()).add(record.key.upper())
        assert named_by["ADR-0008"] == {keys[f"ADR-{n}.md"] for n in (48, 54, 57, 58, 59)}
        assert named_by[madr_0008] == {keys["0009-support-links-between-adrs-inside-an-adrs.md"],
                                       keys["0013-use-yaml-front-matter-for-meta-data.md"]}
        assert named_by["ADR-0001"] == {keys["ADR-2.md"]}, "MADR's `ADR-0001` examples are MADR's own 0001"

        importance = workspace.importance_map(inputs)
        assert {term.name: term.value for term in importance["ADR-0008"].terms}["mentions"] == 5
        assert {term.name: term.value for term in importance[madr_0008].terms}["mentions"] == 2

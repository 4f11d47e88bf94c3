"""Import through the workspace into a real SQLite store: real corpora, real git repos, bad files, round trips."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from bridge.workspace import Workspace
from tests.conftest import clone_corpus, write_file


def git(repo: Path, *args: str, author: str = "Ann Author <ann@example.com>", date: str = "2024-01-01T10:00:00") -> None:
    """Run git in repo as author at date."""
    name, email = author[:-1].split(" <")
    env = {**os.environ, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name,
           "GIT_COMMITTER_EMAIL": email, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)


def write(path: Path, text: str) -> None:
    """Write text to path, creating folders."""
    write_file(path.parent, path.name, text)


ADR = "# {n}. {title}\n\nDate: 2024-01-01\n\n## Status\n\n{status}\n\n## Context\n\n{body}\n"


@pytest.fixture
def adr_repo(tmp_path: Path) -> Path:
    """Return a git repo of adr-tools records with a rename, a mailmap, a co-author and a bot commit."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo / "doc/adr/0001-record-decisions.md", ADR.format(n=1, title="Record decisions", status="Accepted", body="We record."))
    write(repo / "doc/adr/0002-use-postgres.txt", ADR.format(n=2, title="Use Postgres", status="Proposed", body="Maybe."))
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "first")
    git(repo, "mv", "doc/adr/0002-use-postgres.txt", "doc/adr/0002-use-postgres.md")
    write(repo / "doc/adr/0002-use-postgres.md", ADR.format(n=2, title="Use Postgres", status="Accepted", body="Yes."))
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "accept postgres\n\nCo-authored-by: Bob Builder <bob@example.com>",
        author="Ann Old <ann.old@example.org>", date="2024-02-01T10:00:00")
    write(repo / "doc/adr/0001-record-decisions.md", ADR.format(n=1, title="Record decisions", status="Accepted", body="Bumped."))
    git(repo, "commit", "-q", "-am", "bump", author="dependabot[bot] <bot@example.com>", date="2024-03-01T10:00:00")
    write(repo / ".mailmap", "Ann Author <ann@example.com> Ann Old <ann.old@example.org>\n")
    git(repo, "add", ".mailmap")
    git(repo, "commit", "-q", "-m", "mailmap", date="2024-03-02T10:00:00")
    return repo


def test_git_history_becomes_revisions_and_contributors(adr_repo: Path) -> None:
    with Workspace.open() as ws:
        report = ws.import_paths([adr_repo / "doc/adr"])
        assert (report.imported, report.failed) == (2, [])
        postgres = ws.get_record("ADR-0002")
        assert postgres.kind == "decision" and postgres.status == "accepted"
        history = ws.history("ADR-0002")
        assert [r.source for r in history] == ["git", "git"]
        assert {r.author for r in history} == {"ann-author"}, "mailmap should merge Ann's two identities"
        assert history[1].coauthors == ["bob-builder"]
        roles = {c.person.name: c.roles for c in ws.contributors("ADR-0002")}
        assert roles == {"Ann Author": ["author", "editor"], "Bob Builder": ["editor"]}
        assert "Proposed" in ws.revision_text("ADR-0002", 1)
        assert all("bot" not in r.author for r in ws.history("ADR-0001"))
        again = ws.import_paths([adr_repo / "doc/adr"])
        assert (again.imported, again.updated, again.unchanged) == (0, 0, 2)


def test_changed_file_becomes_a_new_revision(adr_repo: Path) -> None:
    with Workspace.open() as ws:
        ws.import_paths([adr_repo / "doc/adr"])
        write(adr_repo / "doc/adr/0001-record-decisions.md",
              ADR.format(n=1, title="Record decisions", status="Accepted", body="Edited later."))
        git(adr_repo, "commit", "-q", "-am", "edit", author="Carol <carol@example.com>", date="2024-04-01T10:00:00")
        report = ws.import_paths([adr_repo / "doc/adr"])
        assert (report.updated, report.unchanged) == (1, 1)
        record = ws.get_record("ADR-0001")
        assert "Edited later." in record.body and record.version == 2
        assert ws.history("ADR-0001")[-1].author == "carol"


def test_bad_files_are_named_and_the_rest_imported(tmp_path: Path) -> None:
    folder = tmp_path / "runbooks"
    write(folder / "good.md", "---\ntitle: Good one\nkind: runbook\n---\n# Good one\n\n## Meaning\n\nFine.\n")
    write(folder / "bad-yaml.md", "---\ntitle: [unclosed\n---\n# Bad\n")
    (folder / "latin1.md").write_bytes("# Caf\xe9\n".encode("latin-1"))
    (folder / "binary.md").write_bytes(b"\x00\x01\x02PNG\x00")
    write(folder / "empty.md", "")
    write(folder / "huge.md", "# Huge\n\n" + "x" * 2_100_000)
    write(folder / "dup-a.md", "---\nid: RB-0042\ntitle: A\n---\n# A\n")
    write(folder / "dup-b.md", "---\nid: RB-0042\ntitle: B\n---\n# B\n")
    with Workspace.open() as ws:
        report = ws.import_paths([folder])
        failed = {f.path: f.error for f in report.failed}
        assert set(failed) == {"bad-yaml.md", "latin1.md", "binary.md", "empty.md", "huge.md", "dup-b.md"}
        assert "dup-a.md" in failed["dup-b.md"]
        assert report.imported == 2
        assert sorted(r.title for r in ws.list_records()) == ["A", "Good one"]


def test_prometheus_runbooks_import_with_real_authors_and_is_idempotent(tmp_path: Path) -> None:
    repo = clone_corpus("prometheus-runbooks", tmp_path / "rb")
    with Workspace.open() as ws:
        report = ws.import_paths([repo])
        assert report.imported >= 108, report.failed
        records = ws.list_records(kind="runbook")
        kube_job = next(r for r in records if r.source_path == "kubernetes/KubeJobFailed.md")
        assert kube_job.topics == ["kubernetes"]
        history = ws.history(kube_job.key)
        assert history and all(r.source == "git" for r in history)
        authors = {p.name for p in ws.people()}
        log = subprocess.run(["git", "log", "--format=%aN", "--", "kubernetes/KubeJobFailed.md"], cwd=repo,
                             capture_output=True, text=True, check=True).stdout.split("\n")
        assert {name for name in log if name and "[bot]" not in name} <= authors
        again = ws.import_paths([repo])
        assert (again.imported, again.updated, again.unchanged) == (0, 0, report.imported)


@pytest.mark.parametrize("bundle", ["adr-madr", "adr-nats", "adr-govuk-aws", "adr-adr-tools", "adr-log4brains",
                                    "adr-arachne", "adr-manage-get-gov", "adr-govuk-infrastructure",
                                    "prometheus-runbooks", "python-peps"])
def test_import_export_import_is_lossless(bundle: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = clone_corpus(bundle, tmp_path / bundle)
    with Workspace.open() as ws:
        ws.import_paths([repo])
        before = {r.key: r for r in ws.list_records()}
        exported = ws.export(tmp_path / "export")
    assert exported == len(before) > 0
    monkeypatch.setenv("BRIDGE_HOME", str(tmp_path / "second-home"))
    with Workspace.open() as ws:
        report = ws.import_paths([tmp_path / "export"])
        assert report.failed == []
        after = {r.key: r for r in ws.list_records()}
    assert after.keys() == before.keys()
    for key, record in before.items():
        again = after[key]
        for field in ("kind", "title", "status", "status_text", "body", "body_format", "topics", "tags", "owners",
                      "authors", "reviewers", "supersedes", "superseded_by", "related", "amends", "date",
                      "review_by", "extra"):
            assert getattr(again, field) == getattr(record, field), f"{key}.{field}"

"""Record layouts strangers have, as small real git repositories: KEPs, RFCs, folder-per-record ADRs, non-records."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bridge.cli import _register_commands, app
from bridge.config import Settings
from bridge.ingest.scan import ScannedRoot, scan_paths
from bridge.workspace import Workspace
from tests.conftest import write_file

_register_commands()


def commit_all(repo: Path, author: str = "Ann Author <ann@example.com>", message: str = "add") -> None:
    """Commit everything in repo (initialising it first when needed) as author."""
    name, email = author.rstrip(">").split(" <")
    env = {**os.environ, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name,
           "GIT_COMMITTER_EMAIL": email, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo)}
    if not (repo / ".git").exists():
        subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True, env=env)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(repo), "-c", "commit.gpgsign=false", "commit", "-q", "-m", message],
                   check=True, env=env)


def scan_one(path: Path) -> ScannedRoot:
    [scanned] = scan_paths([path]).roots
    return scanned


KEP_README = """# KEP-688: Pod Overhead

## Release Signoff Checklist

- [ ] e2e tests

## Summary

Account for the resources a pod's sandbox uses.

## Design Details

### API

#### Status

Implemented is a field of the API here, not the KEP's status.
"""

KEP_YAML = """title: Pod Overhead
kep-number: 688
authors:
  - "@egernst"
owning-sig: sig-node
participating-sigs:
  - sig-scheduling
status: implemented
creation-date: 2019-02-26
reviewers:
  - "@tallclair"
approvers:
  - "@dchen1107"
see-also:
  - "/keps/sig-node/585-runtime-class"
stage: stable
latest-milestone: "v1.24"
"""

OLD_KEP_YAML = """title: Old Overhead Accounting
kep-number: 100
authors: ["@someone"]
owning-sig: sig-node
status: replaced
superseded-by:
  - "/keps/sig-node/688-pod-overhead"
creation-date: 2018-01-01
"""


@pytest.fixture
def kep_repo(tmp_path: Path) -> Path:
    """Return a kubernetes/enhancements-shaped repository: KEP folders with kep.yaml, OWNERS, a template."""
    repo = tmp_path / "enhancements"
    write_file(repo, "keps/sig-node/688-pod-overhead/README.md", KEP_README)
    write_file(repo, "keps/sig-node/688-pod-overhead/kep.yaml", KEP_YAML)
    write_file(repo, "keps/sig-node/688-pod-overhead/overhead.png", b"\x89PNG\x00")
    write_file(repo, "keps/sig-node/100-old-overhead/README.md", "# KEP-100: Old overhead\n\n## Summary\n\nOld.\n")
    write_file(repo, "keps/sig-node/100-old-overhead/kep.yaml", OLD_KEP_YAML)
    write_file(repo, "keps/sig-node/585-runtime-class/README.md", "# KEP-585: Runtime Class\n\n## Summary\n\nClasses.\n")
    write_file(repo, "keps/sig-node/585-runtime-class/kep.yaml", "kep-number: 585\nstatus: provisional\n")
    write_file(repo, "keps/sig-node/OWNERS", "approvers:\n  - sig-node-leads\nreviewers:\n  - mrunalp\n")
    write_file(repo, "keps/NNNN-kep-template/README.md", "# KEP-NNNN: Your short, descriptive title\n\n## Summary\n")
    write_file(repo, "keps/NNNN-kep-template/kep.yaml", "title: KEP Template\nkep-number: NNNN\nstatus: provisional\n")
    write_file(repo, "keps/README.md", "# Kubernetes Enhancement Proposals\n\nSee the folders.\n")
    write_file(repo, "OWNERS", "approvers:\n  - enhancements-leads\n")
    write_file(repo, "OWNERS_ALIASES", "aliases:\n  sig-node-leads:\n    - dchen1107\n    - derekwaynecarr\n")
    write_file(repo, "Makefile", "all:\n\techo hi\n")
    commit_all(repo)
    return repo


def test_keps_are_one_record_per_folder_with_kep_yaml_fields(kep_repo: Path) -> None:
    scanned = scan_one(kep_repo)
    assert scanned.failures == []
    records = {source.record.key: source.record for source in scanned.files}
    assert sorted(records) == ["KEP-0100", "KEP-0585", "KEP-0688"]
    overhead = records["KEP-0688"]
    assert overhead.title == "Pod Overhead"
    assert overhead.source_path == "keps/sig-node/688-pod-overhead/README.md"
    assert (overhead.status, overhead.status_text) == ("accepted", "implemented")
    assert overhead.topics == ["sig-node"]
    assert overhead.authors == ["egernst"] and overhead.owners == ["dchen1107"] and overhead.reviewers == ["tallclair"]
    assert overhead.date is not None and overhead.date.isoformat() == "2019-02-26"
    assert overhead.related == ["KEP-0585"]
    assert overhead.extra["stage"] == "stable"
    old = records["KEP-0100"]
    assert (old.status, old.superseded_by) == ("superseded", ["KEP-0688"])
    runtime = records["KEP-0585"]
    assert runtime.status == "proposed", "a provisional KEP is proposed, not accepted"
    assert (runtime.title, runtime.topics) == ("Runtime Class", ["sig-node"]), "heading and folder above speak"
    # kep.yaml names no approvers here: the nearest OWNERS file does, with its alias expanded.
    assert runtime.owners == ["dchen1107", "derekwaynecarr"] and runtime.reviewers == ["mrunalp"]
    assert runtime.extra["owners_file"] == "keps/sig-node/OWNERS"
    reasons = scanned.skip_reasons
    assert reasons["keps/NNNN-kep-template/README.md"] == "template"
    assert reasons["keps/README.md"] == "index or README page"
    assert reasons["OWNERS"].startswith("Kubernetes OWNERS file")
    assert reasons["keps/sig-node/OWNERS"].startswith("Kubernetes OWNERS file")
    assert reasons["OWNERS_ALIASES"].startswith("Kubernetes OWNERS_ALIASES file")
    assert reasons["Makefile"] == "Makefile, not a record"
    assert all(source.history for source in scanned.files)


def test_owners_files_count_as_declared_owners_in_the_knowledge_map(kep_repo: Path) -> None:
    with Workspace.open() as ws:
        report = ws.import_paths([kep_repo])
        assert (report.imported, report.failed) == (3, [])
        assert report.skipped_by_reason()["template"] == 1
        runtime = {detail.key: detail for detail in ws.knowledge_map().record_details}["KEP-0585"]
        assert {"dchen1107", "derekwaynecarr", "mrunalp"} <= set(runtime.knowers)
        assert "enhancements-leads" not in runtime.knowers, "a root OWNERS file does not own every record"
        roles = {(c.person.handle, tuple(c.roles)) for c in ws.contributors("KEP-0585")}
        assert ("dchen1107", ("owner",)) in roles and ("mrunalp", ("reviewer",)) in roles


RFC_CONST = """- Feature Name: `const_generics`
- Start Date: 2017-09-10
- RFC PR: [rust-lang/rfcs#2000](https://github.com/rust-lang/rfcs/pull/2000)
- Rust Issue: [rust-lang/rust#44580](https://github.com/rust-lang/rust/issues/44580)

# Summary
[summary]: #summary

Allow types to be generic over constant values.

# Motivation
[motivation]: #motivation

Arrays.
"""

RFC_NO_FEATURE = """- Start Date: 2014-03-11
- RFC PR: [rust-lang/rfcs#1](https://github.com/rust-lang/rfcs/pull/1)

## Summary

Private fields by default.

## Status

[proposed, approved, rejected]
"""


def test_rfc_text_folder_titles_dates_and_header_bullets(tmp_path: Path) -> None:
    repo = tmp_path / "rfcs"
    write_file(repo, "text/2000-const-generics.md", RFC_CONST)
    write_file(repo, "text/0001-private-fields.md", RFC_NO_FEATURE)
    write_file(repo, "0000-template.md", "- Feature Name: (fill me in with a unique ident, `my_awesome_feature`)\n"
               "- Start Date: (fill me in with today's date, YYYY-MM-DD)\n\n# Summary\n")
    write_file(repo, "LICENSE-MIT", "MIT License\n")
    write_file(repo, "README.md", "# Rust RFCs\n\nHow to write one.\n")
    commit_all(repo)
    scanned = scan_one(repo)
    assert scanned.failures == []
    records = {source.record.source_path: source.record for source in scanned.files}
    assert sorted(records) == ["text/0001-private-fields.md", "text/2000-const-generics.md"]
    const = records["text/2000-const-generics.md"]
    assert const.title == "Const generics" and const.key == "RFC-2000", "an RFC header makes an RFC key"
    assert const.date is not None and const.date.isoformat() == "2017-09-10"
    assert const.extra["rfc_pr"] == "rust-lang/rfcs#2000" and const.extra["tracking_issue"] == "rust-lang/rust#44580"
    assert const.status == "accepted" and const.topics == [], "text/ is a layout folder, not a topic"
    private = records["text/0001-private-fields.md"]
    assert private.title == "Private fields", "the file name, never the first section's heading"
    assert private.key == "RFC-0001", "an RFC PR bullet alone is an RFC header"
    assert private.status_text == "", "a template placeholder is no status"
    assert scanned.skip_reasons["0000-template.md"] == "template"
    assert scanned.skip_reasons["LICENSE-MIT"] == "license file, not a record"


def test_rfc_titles_are_searchable_by_keyword(tmp_path: Path) -> None:
    repo = tmp_path / "rfcs"
    write_file(repo, "text/2000-const-generics.md", RFC_CONST)
    write_file(repo, "text/0001-private-fields.md", RFC_NO_FEATURE)
    commit_all(repo)
    with Workspace.open() as ws:
        ws.import_paths([repo])
        hits = ws.search("const generics", mode="keyword")
        assert hits and hits[0].title == "Const generics"
        assert hits[0].key == "RFC-2000"


def test_rfc_keys_beside_numbered_adrs_and_through_export(tmp_path: Path) -> None:
    repo = tmp_path / "rfcs"
    write_file(repo, "text/2000-const-generics.md", RFC_CONST)
    write_file(repo, "text/0001-private-fields.md", RFC_NO_FEATURE)
    write_file(repo, "decisions/0001-use-rust.md", "# Use Rust\n\n## Status\n\nAccepted\n\n## Decision\n\nRust.\n")
    commit_all(repo)
    with Workspace.open() as ws:
        report = ws.import_paths([repo])
        assert report.failed == []
        keys = {record.source_path: record.key for record in ws.list_records()}
        assert keys == {"text/2000-const-generics.md": "RFC-2000", "text/0001-private-fields.md": "RFC-0001",
                        "decisions/0001-use-rust.md": "ADR-0001"}, "RFC-0001 and ADR-0001 do not clash"
        exported = tmp_path / "export"
        ws.export(exported)
    names = sorted(path.relative_to(exported).as_posix() for path in exported.rglob("*.md"))
    assert "decisions/0001-private-fields.md" in names and "decisions/2000-const-generics.md" in names, names
    with Workspace.open(Settings(database_url=f"sqlite:///{tmp_path / 'again.db'}")) as again:
        again.import_paths([exported])
        assert {record.key for record in again.list_records()} == {"RFC-2000", "RFC-0001", "ADR-0001"}


ADR_INDEX = "# {title}\n\nDate: 2021-0{n}-01\n\n## Status\n\n{status}\n\n## Context\n\nWhy.\n\n## Decision\n\nWhat.\n"


@pytest.fixture
def adr_folders(tmp_path: Path) -> Path:
    """Return a joelparkerhenderson-shaped repository: ``examples/<slug>/index.md`` decisions and project files."""
    repo = tmp_path / "architecture-decision-record"
    write_file(repo, "examples/programming-languages/index.md",
               ADR_INDEX.format(title="Programming languages", n=1, status="Accepted"))
    write_file(repo, "examples/css-framework/index.md", ADR_INDEX.format(title="CSS framework", n=2, status="Proposed"))
    write_file(repo, "examples/css-framework/diagram.png", b"\x89PNG\x00")
    write_file(repo, "templates/decision-record-template-by-michael-nygard/index.md",
               "# Title\n\n## Status\n\nWhat is the status, such as proposed, accepted, rejected?\n")
    write_file(repo, "LICENSE.md", "# License\n\nMIT or Apache-2.0 or GPL-2.0 or GPL-3.0 or contact us.\n")
    write_file(repo, "CODE_OF_CONDUCT.md", "# Code of conduct\n\nBe kind.\n")
    write_file(repo, "CONTRIBUTING.md", "# Contributing\n\nSend PRs.\n")
    write_file(repo, "Makefile", "all:\n\techo hi\n")
    write_file(repo, "README.md", "# Architecture decision record (ADR)\n\nExamples below.\n")
    commit_all(repo)
    (repo / "examples/gone.md").symlink_to(repo / "examples/does-not-exist.md")
    return repo


def test_folder_per_record_decisions_and_project_files(adr_folders: Path) -> None:
    scanned = scan_one(adr_folders)
    assert scanned.failures == [], "a broken symlink is skipped, not a failure"
    records = {source.record.source_path: source.record for source in scanned.files}
    assert sorted(records) == ["examples/css-framework/index.md", "examples/programming-languages/index.md"]
    css = records["examples/css-framework/index.md"]
    assert (css.title, css.status, css.kind) == ("CSS framework", "proposed", "decision")
    assert css.topics == [], "the record's own folder is not its topic"
    assert records["examples/programming-languages/index.md"].status == "accepted"
    reasons = scanned.skip_reasons
    assert reasons["LICENSE.md"] == "license file, not a record"
    assert reasons["CODE_OF_CONDUCT.md"] == "code of conduct, not a record"
    assert reasons["CONTRIBUTING.md"] == "contributing guide, not a record"
    assert reasons["Makefile"] == "Makefile, not a record"
    assert reasons["README.md"] == "index or README page"
    assert reasons["examples/gone.md"] == "broken symbolic link", "the link's own relative path is reported"
    assert reasons["templates/decision-record-template-by-michael-nygard/index.md"] == "template"


def test_a_named_folder_record_file_imports_with_kind(adr_folders: Path) -> None:
    runner = CliRunner()
    named = adr_folders / "examples/css-framework/index.md"
    result = runner.invoke(app, ["import", str(named), "--kind", "decision", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["imported"], report["skipped"]) == (1, [])
    shown = runner.invoke(app, ["list", "--json"])
    [record] = json.loads(shown.output)
    assert record["title"] == "CSS framework"


def test_the_import_report_gives_each_skipped_file_its_reason(adr_folders: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["import", str(adr_folders), "--json"])
    report = json.loads(result.output)
    assert report["skip_reasons"]["LICENSE.md"] == "license file, not a record"
    assert set(report["skipped"]) == set(report["skip_reasons"])
    text = runner.invoke(app, ["import", str(adr_folders / "LICENSE.md"), str(adr_folders / "Makefile")])
    assert "skipped 1: license file, not a record" in text.output
    assert "skipped 1: Makefile, not a record" in text.output
    assert "Nothing imported" in text.output


def test_codeowners_owns_records_when_no_owners_file_does(tmp_path: Path) -> None:
    repo = tmp_path / "runbooks"
    write_file(repo, "db/DiskFull.md", "# Disk full\n\n## Meaning\n\nx\n\n## Impact\n\ny\n")
    write_file(repo, "web/Down.md", "# Web down\n\n## Meaning\n\nx\n\n## Impact\n\ny\n")
    write_file(repo, ".github/CODEOWNERS", "* @org/sre\n/db/ @dana @erik\n")
    commit_all(repo)
    records = {source.record.source_path: source.record for source in scan_one(repo).files}
    assert records["db/DiskFull.md"].owners == ["dana", "erik"]
    assert records["web/Down.md"].owners == ["org/sre"]
    assert records["db/DiskFull.md"].extra["owners_file"] == "CODEOWNERS"

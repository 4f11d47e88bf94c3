"""Scanning folders: what is a record, bad files reported beside good ones, keys, links and git history."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from bridge.ingest.scan import scan_paths
from tests.conftest import write_file


def adr(number: int, title: str, status: str = "Accepted") -> str:
    """Return an adr-tools style record."""
    return f"# {number}. {title}\n\nDate: 2024-01-0{number % 9 + 1}\n\n## Status\n\n{status}\n\n## Context\n\nText.\n"


def test_bad_files_are_reported_with_reasons_while_the_good_files_parse(tmp_path: Path) -> None:
    root = tmp_path / "decisions"
    write_file(root, "0001-good.md", adr(1, "Good"))
    write_file(root, "0002-also-good.md", adr(2, "Also good"))
    write_file(root, "0003-bad-yaml.md", "---\ntitle: [oops\nstatus: x\n---\n# T\n")
    write_file(root, "0004-latin1.md", "# Caf\xe9\n".encode("latin-1"))
    write_file(root, "0005-binary.md", b"\x89PNG\r\n\x1a\n\x00\x00")
    write_file(root, "0006-empty.md", "")
    write_file(root, "0007-huge.md", "# Huge\n\n" + "word " * 400)
    write_file(root, "0008-dup-a.md", "---\nid: ADR-0001\n---\n# Claims one\n")
    result = scan_paths([root], max_file_bytes=1000)
    [scanned] = result.roots
    assert scanned.root == root.resolve()
    assert [source.record.key for source in scanned.files] == ["ADR-0001", "ADR-0002"]
    reasons = {failure.path: failure.error for failure in scanned.failures}
    assert set(reasons) == {"0003-bad-yaml.md", "0004-latin1.md", "0005-binary.md", "0006-empty.md",
                            "0007-huge.md", "0008-dup-a.md"}
    assert "malformed YAML" in reasons["0003-bad-yaml.md"]
    assert "not UTF-8" in reasons["0004-latin1.md"]
    assert "binary" in reasons["0005-binary.md"]
    assert "empty" in reasons["0006-empty.md"]
    assert "over the 1,000-byte limit" in reasons["0007-huge.md"]
    assert "ADR-0001" in reasons["0008-dup-a.md"] and "0001-good.md" in reasons["0008-dup-a.md"]
    assert next(f for f in scanned.failures if f.path == "0003-bad-yaml.md").line == 3


def test_non_records_are_skipped(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write_file(root, "docs/adr/0001-use-adrs.md", adr(1, "Use ADRs"))
    write_file(root, "docs/adr/0001-diagram.png", b"\x89PNG\x00")
    write_file(root, "docs/adr/template.md", "# [short title]\n\n- Status: [draft | accepted]\n")
    write_file(root, "docs/adr/0000-TEMPLATE.md", adr(0, "Template", "Pending"))
    write_file(root, "docs/adr/adr-template-bare.md", "# {title}\n")
    write_file(root, "docs/adr/0009-use-jinja-template-engine.md", adr(9, "Use the Jinja template engine"))
    write_file(root, "docs/adr/README.md", "# Decisions\n\nSee the list.\n")
    write_file(root, "docs/adr/index.md", "---\nnav_order: 1\n---\n# Decisions\n")
    write_file(root, "docs/adr/.markdownlint.yml", "MD013: false\n")
    write_file(root, ".hidden/0002-x.md", adr(2, "Hidden"))
    write_file(root, "runbooks/_index.md", "---\ntitle: runbooks\n---\n")
    write_file(root, "runbooks/readme.md", "---\nid: RB-0005\nkind: runbook\n---\n# How we run things\n")
    write_file(root, "runbooks/notes.txt", "just notes\n")
    write_file(root, "runbooks/EtcdNoLeader", "# EtcdNoLeader\n\n## Meaning\n\nx\n\n## Impact\n\ny\n")
    write_file(root, "runbooks/script", "#!/bin/sh\necho hi\n")
    scanned = scan_paths([root]).roots[0]
    assert [source.record.source_path for source in scanned.files] == [
        "docs/adr/0001-use-adrs.md", "docs/adr/0009-use-jinja-template-engine.md", "runbooks/EtcdNoLeader",
        "runbooks/readme.md",
    ]
    assert sorted(scanned.skipped) == sorted([
        "docs/adr/0001-diagram.png", "docs/adr/template.md", "docs/adr/0000-TEMPLATE.md",
        "docs/adr/adr-template-bare.md", "docs/adr/README.md", "docs/adr/index.md", "runbooks/_index.md",
        "runbooks/notes.txt", "runbooks/script",
    ])
    assert scanned.failures == []


def test_keys_kept_own_or_allocated_in_path_order(tmp_path: Path) -> None:
    root = tmp_path / "runbooks"
    write_file(root, "etcd/NoLeader.md", "# No leader\n")
    write_file(root, "etcd/HighFsync.md", "# High fsync\n")
    write_file(root, "0007-restart.md", "# Restart\n")
    write_file(root, "node/DiskFull.md", "# Disk full\n")
    existing = {(str(root.resolve()), "node/DiskFull.md"): "RB-0003"}
    scanned = scan_paths([root], existing_keys=existing, taken_keys={"RB-0003", "RB-0009"}).roots[0]
    keys = {source.record.source_path: source.record.key for source in scanned.files}
    assert keys == {"0007-restart.md": "RB-0007", "etcd/HighFsync.md": "RB-0010", "etcd/NoLeader.md": "RB-0011",
                    "node/DiskFull.md": "RB-0003"}
    assert {source.record.topics[0] for source in scanned.files if source.record.topics} == {"etcd", "node"}


def test_a_key_used_elsewhere_gets_a_new_key_with_a_warning(tmp_path: Path) -> None:
    first = tmp_path / "team-a" / "adr"
    second = tmp_path / "team-b" / "adr"
    write_file(first, "0001-use-adrs.md", adr(1, "Use ADRs"))
    write_file(second, "0001-use-adrs.md", adr(1, "Use ADRs too"))
    write_file(second, "0002-use-go.md", adr(2, "Use Go"))
    result = scan_paths([first, second], taken_keys={"ADR-0002"})
    keys = [[source.record.key for source in scanned.files] for scanned in result.roots]
    assert keys == [["ADR-0001"], ["ADR-0003", "ADR-0004"]]
    assert result.roots[0].failures == [] and result.roots[1].failures == []
    assert any("key ADR-0001 is already used" in warning and "ADR-0003" in warning
               for warning in result.roots[1].warnings)


def test_a_renamed_file_keeps_the_key_its_old_path_had(tmp_path: Path) -> None:
    root = tmp_path / "adr"
    write_file(root, "0004-renamed.md", adr(4, "Renamed"))
    existing = {(str(root.resolve()), "0004-old-name.md"): "ADR-0004"}
    scanned = scan_paths([root], existing_keys=existing, taken_keys={"ADR-0004"}).roots[0]
    assert [source.record.key for source in scanned.files] == ["ADR-0004"]
    assert scanned.warnings == []


def test_references_resolve_to_keys(tmp_path: Path) -> None:
    root = tmp_path / "adr"
    write_file(root, "0001-first.md", adr(1, "First", "Superseded by [3. Third](./0003-third.md)"))
    write_file(root, "0003-third.md", adr(3, "Third") + "\n")
    write_file(root, "20200926-by-date.md",
          "# Dated\n\n- Status: superseded by [x](20201016-slug)\n\n## Context\n\nx\n")
    write_file(root, "20201016-slug.md", "# Slug\n\n- Status: accepted\n")
    write_file(root, "sub/ADR-5.md", "---\nrelated: [../0001-first.md, ADR-3, missing.md, RFC-7]\n---\n# Five\n")
    scanned = scan_paths([root]).roots[0]
    records = {source.record.source_path: source.record for source in scanned.files}
    assert records["0001-first.md"].superseded_by == ["ADR-0003"]
    dated, slug = records["20200926-by-date.md"], records["20201016-slug.md"]
    assert dated.superseded_by == [slug.key]
    assert records["sub/ADR-5.md"].related == ["ADR-0001", "ADR-0003", "missing.md", "RFC-7"]
    assert any("missing.md" in warning for warning in scanned.warnings)


def test_single_files_take_their_parent_as_root(tmp_path: Path) -> None:
    folder = tmp_path / "adr"
    one = write_file(folder, "0001-one.md", adr(1, "One"))
    two = write_file(folder, "0002-two.md", adr(2, "Two"))
    write_file(folder, "0003-three.md", adr(3, "Three"))
    [scanned] = scan_paths([one, two]).roots
    assert scanned.root == folder.resolve()
    assert [source.record.source_path for source in scanned.files] == ["0001-one.md", "0002-two.md"]


def test_missing_path_is_a_failure(tmp_path: Path) -> None:
    [scanned] = scan_paths([tmp_path / "nope.md"]).roots
    assert scanned.files == []
    assert scanned.failures[0].error == "no such file or folder"


def test_a_runbook_tree_types_its_sectionless_files_as_runbooks(tmp_path: Path) -> None:
    root = tmp_path / "content"
    section = "# {0}\n\n## Meaning\n\nm\n\n## Mitigation\n\nfix\n"
    for name in ("etcd/A.md", "etcd/B.md", "node/C.md"):
        write_file(root, name, section.format(name))
    write_file(root, "node/D.md", "# NodeRAIDDiskFailure\n\nCheck the disk.\n")
    write_file(root, "node/E.md", "---\nkind: decision\n---\n# Decided\n")
    scanned = scan_paths([root]).roots[0]
    kinds = {source.record.source_path: source.record.kind for source in scanned.files}
    assert kinds == {"etcd/A.md": "runbook", "etcd/B.md": "runbook", "node/C.md": "runbook",
                     "node/D.md": "runbook", "node/E.md": "decision"}


def test_history_is_attached_inside_git(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write_file(root, "adr/0001-one.md", adr(1, "One"))
    env = {**os.environ, "GIT_AUTHOR_NAME": "Alice Adams", "GIT_AUTHOR_EMAIL": "alice@example.com",
           "GIT_AUTHOR_DATE": "2024-02-01T10:00:00Z", "GIT_COMMITTER_NAME": "Alice Adams",
           "GIT_COMMITTER_EMAIL": "alice@example.com", "GIT_COMMITTER_DATE": "2024-02-01T10:00:00Z"}
    for args in (["init", "-q"], ["add", "-A"], ["-c", "commit.gpgsign=false", "commit", "-q", "-m", "Add"]):
        subprocess.run(["git", "-C", str(root), *args], check=True, env=env, capture_output=True)
    write_file(root, "adr/0002-two.md", adr(2, "Two"))
    scanned = scan_paths([root / "adr"]).roots[0]
    assert scanned.git_root == root.resolve()
    histories = {source.record.source_path: source.history for source in scanned.files}
    assert [change.author_name for change in histories["0001-one.md"]] == ["Alice Adams"]
    assert histories["0001-one.md"][0].path == "0001-one.md"
    assert histories["0002-two.md"] == []

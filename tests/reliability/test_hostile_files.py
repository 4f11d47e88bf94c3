"""Hostile files in an import folder: each is reported on its own line and the good files beside it import."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bridge.config import load_settings
from bridge.ingest.scan import scan_paths
from bridge.workspace import Workspace
from tests.conftest import write_file

GOOD = "---\ntitle: Good one\n---\n# Good\n\nThe good file beside the hostile ones.\n"


def hostile_folder(root: Path) -> Path:
    """Write a folder with one good record and a symlink loop, deep nesting, a FIFO and unsafe keys."""
    write_file(root, "good.md", GOOD)
    (root / "sub").mkdir()
    (root / "sub" / "loop").symlink_to(root)
    (root / "loopa").symlink_to("loopb.md")
    (root / "loopb.md").symlink_to("loopa")
    write_file(root, "deep.md", "---\nx: " + "[" * 10_000 + "]" * 10_000 + "\n---\n# Deep\n\nbody\n")
    os.mkfifo(root / "x.md")
    write_file(root, "evil1.md", "---\nid: ../../evil\ntitle: Evil one\n---\nbody\n")
    write_file(root, "evil2.md", "---\nid: /etc/evil\ntitle: Evil two\n---\nbody\n")
    write_file(root, "evil3.md", '---\nid: "ADR-9\\0x"\ntitle: Evil three\n---\nbody\n')
    write_file(root, "evil4.md", '---\nid: "ADR-\\x1b[31mred"\ntitle: Evil four\n---\nbody\n')
    return root


def test_hostile_files_never_abort_the_scan_and_each_is_reported(tmp_path: Path) -> None:
    root = hostile_folder(tmp_path / "records")
    [scanned] = scan_paths([root]).roots
    titles = {source.record.title: source.record.key for source in scanned.files}
    assert set(titles) == {"Good one", "Evil one", "Evil two", "Evil three", "Evil four"}
    assert all("/" not in key and "\0" not in key and "\n" not in key for key in titles.values())
    failures = {failure.path: failure.error for failure in scanned.failures}
    assert failures == {"deep.md": "front matter is nested too deeply to read"}
    assert {"x.md", "loopa", "loopb.md", "sub/loop"} <= set(scanned.skipped)
    unsafe = [warning for warning in scanned.warnings if "is not allowed" in warning]
    assert len(unsafe) == 4 and any("'../../evil'" in warning for warning in unsafe)


def test_a_record_with_an_unsafe_key_is_refused_on_save() -> None:
    from bridge.domain import Record
    from bridge.errors import ValidationError

    with Workspace.open(load_settings()) as workspace:
        for key in ("../../evil", "/etc/evil", "ADR-1\x00", "ADR-1\n", "ADR-1/../x", "ADR-\x1b[31m"):
            with pytest.raises(ValidationError, match="must look like ADR-0007"):
                workspace.save_record(Record(key=key, kind="decision", title="t", status="proposed", body="b"),
                                      expected_version=0)
        assert workspace.count_records() == 0


def test_import_of_a_hostile_folder_imports_the_good_files(tmp_path: Path) -> None:
    root = hostile_folder(tmp_path / "records")
    with Workspace.open(load_settings()) as workspace:
        report = workspace.import_paths([root])
        assert report.imported == 5
        assert [failure.path for failure in report.failed] == ["deep.md"]
        assert "x.md" in report.skipped
        keys = {record.key for record in workspace.list_records()}
        assert len(keys) == 5 and all(key.startswith("ADR-") for key in keys)


def test_a_body_with_many_headings_is_split_by_lines_and_every_heading_is_searchable() -> None:
    from bridge.domain import Record
    from bridge.ingest.chunking import MAX_HEADINGS, chunk_record

    count = MAX_HEADINGS * 3
    body = "".join(f"# h{number}\n" for number in range(count)) + "\nclosing paragraph\n"
    chunks = chunk_record(Record(key="ADR-0001", kind="decision", title="Many headings", status="accepted",
                                 body=body))
    text = "\n".join(chunk.text for chunk in chunks)
    assert all(f"h{number}" in text.split() for number in (0, MAX_HEADINGS - 1, MAX_HEADINGS, count - 1))
    assert "closing paragraph" in text
    assert len({tuple(chunk.heading_path) for chunk in chunks}) <= MAX_HEADINGS + 1
    assert len(chunks) > MAX_HEADINGS

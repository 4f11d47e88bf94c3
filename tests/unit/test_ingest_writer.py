"""Writing records back: parse → render → parse gives the same record; export paths stay inside the export dir."""

from __future__ import annotations

from datetime import date
from pathlib import PurePosixPath

import pytest

from bridge.domain import Record
from bridge.ingest.parse import parse_record_text
from bridge.ingest.writer import export_relative_path, file_fields, render_record

SAMPLES = {
    "doc/adr/0002-shell.md": (
        "# 2. Implement as shell scripts\n\nDate: 2016-02-12\n\n## Status\n\n"
        "Superseded by [3. Python](0003-python.md)\n\nAmends [1. R](0001-r.md)\n\n## Context\n\nText.\n"
    ),
    "docs/decisions/0013-yaml.md": (
        "---\nstatus: Approved\ndate: 2024-03-01\ndecision-makers: [Jane Doe]\nparent: Decisions\n"
        "when: 2024-01-02\n---\n# Use YAML\n\nText.\n"
    ),
    "docs/adr/20200926-number.md": (
        "# Use the number\n\n- Status: superseded by [slug](20201016-slug.md)\n- Deciders: A, B\n"
        "- Date: 2020-09-26\n\n## Context\n\nText.\n"
    ),
    "adr/ADR-7.md": "# Codes\n\n|Metadata|Value|\n|--|--|\n|Status|Implemented|\n|Tags|a, b|\n\n## Context\n\nx\n",
    "etcd/EtcdNoLeader.md": "---\ntitle: Etcd No Leader\nweight: 20\n---\n\n# EtcdNoLeader\n\n## Meaning\n\nx\n\n## Impact\n\ny\n",
    "docs/adr/0009-no-status.md": "# No status\n\nDate: yesterday\n\n## Context\n\nText.\n",
    "pep-3124.rst": (
        "PEP: 3124\nTitle: Overloading\nAuthor: P. Eby <pje@example.com>,\n  Guido <g@example.com>\nStatus: Deferred\n"
        "Type: Standards Track\nTopic: Typing\nRequires: 3107\nCreated: 2007-04-28\nReplaces: 245, 246\n\n\nBody\n====\n"
    ),
    "pep-0008.rst": "PEP: 8\nTitle: Style\nAuthor: Guido\nStatus: Active\nType: Process\nCreated: 05-Jul-2001\n\nBody\n",
    "nep-0029.rst": "=======\nNEP 29 — Support\n=======\n\n:Author: Ross\n:Status: Final\n\nAbstract\n--------\n",
}


def reparse(record: Record) -> Record:
    """Return the record read back from its rendered text at its export path (as a re-import would)."""
    return parse_record_text(render_record(record), export_relative_path(record).as_posix()).record


@pytest.mark.parametrize("source_path", sorted(SAMPLES))
def test_render_then_parse_gives_the_same_record(source_path: str) -> None:
    record = parse_record_text(SAMPLES[source_path], source_path).record
    record.key = record.key or "ADR-0042"
    assert file_fields(reparse(record)) == file_fields(record)


def test_records_edited_in_bridge_round_trip_too() -> None:
    record = Record(
        key="RB-0003", kind="runbook", title="Restart: the etcd/member", status="needs-review", status_text="",
        body="## Meaning\n\nx\n", topics=["etcd", "storage"], owners=["sre"], reviewers=["db-team"],
        review_by=date(2027, 1, 1), related=["ADR-0001"], extra={"weight": 3, "nested": {"a": [1, 2]}},
    )
    assert file_fields(reparse(record)) == file_fields(record)


def test_rst_record_that_a_pep_header_cannot_hold_falls_back_to_front_matter() -> None:
    record = parse_record_text(SAMPLES["pep-0008.rst"], "pep-0008.rst").record
    record.status = "superseded"
    record.owners = ["python-steering-council"]
    record.extra["Weird"] = {"not": "a header"}
    text = render_record(record)
    assert text.startswith("---\n") and "format: rst" in text
    assert file_fields(reparse(record)) == file_fields(record)


def test_pep_written_back_keeps_its_header_style_and_wording() -> None:
    record = parse_record_text(SAMPLES["pep-3124.rst"], "pep-3124.rst").record
    text = render_record(record)
    assert text.startswith("PEP: 3124\nTitle: Overloading\nAuthor: P. Eby <pje@example.com>, Guido <g@example.com>\n")
    assert "Topic: Typing\n" in text and "Replaces: 245, 246\n" in text and "Created: 2007-04-28\n" in text


def test_front_matter_states_what_the_body_cannot() -> None:
    record = parse_record_text(SAMPLES["doc/adr/0002-shell.md"], "doc/adr/0002-shell.md").record
    record.superseded_by = ["ADR-0003"]
    text = render_record(record)
    assert text.startswith("---\nid: ADR-0002\nkind: decision\ntitle: Implement as shell scripts\nstatus: superseded\n")
    assert "superseded_by: [ADR-0003]" in text
    assert text.endswith(record.body)


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (Record("ADR-0007", "decision", "Use FAISS", "accepted", "", source_path="doc/adr/0007-use-faiss.md"),
         "decisions/0007-use-faiss.md"),
        (Record("RB-0012", "runbook", "Etcd", "active", "", topics=["etcd"], source_path="etcd/EtcdNoLeader.md"),
         "runbooks/etcd/0012-EtcdNoLeader.md"),
        (Record("PEP-0008", "decision", "Style", "accepted", "", body_format="rst", source_path="pep-0008.txt"),
         "decisions/pep-0008.rst"),
        (Record("ADR-0040", "decision", "Record decisions", "accepted", "",
                source_path="docs/0001-record-decisions.md"), "decisions/0040-0001-record-decisions.md"),
        (Record("ADR-0005", "decision", "../../etc/passwd", "accepted", "", topics=[".."]),
         "decisions/0005-etc-passwd.md"),
        (Record("RB-0001", "runbook", "x", "active", "", topics=["../up"], source_path="../up/../../evil.md"),
         "runbooks/0001-evil.md"),
        (Record("../../KEY", "decision", "/abs/title", "accepted", "", source_path="/etc/passwd"),
         "decisions/key-passwd.md"),
    ],
)
def test_export_paths_are_slugs_inside_the_export_dir(record: Record, expected: str) -> None:
    path = export_relative_path(record)
    assert path == PurePosixPath(expected)
    assert not path.is_absolute() and ".." not in path.parts

"""Parsing record files: each real-world format from a small inline sample, keys, kinds, topics, bad files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bridge.errors import ParseError
from bridge.ingest.fields import key_from_filename
from bridge.ingest.parse import parse_record_file, parse_record_text
from tests.conftest import write_file

NYGARD = """# 2. Implement as shell scripts

Date: 2016-02-12

## Status

Superseded by [3. Use Python](0003-use-python.md)

Amends [1. Record decisions](0001-record-decisions.md)

## Context

Text.
"""


def test_adr_tools_nygard_file(tmp_path: Path) -> None:
    path = write_file(tmp_path, "doc/adr/0002-implement-as-shell-scripts.md", NYGARD)
    source = parse_record_file(path, tmp_path)
    record = source.record
    assert record.key == "ADR-0002"
    assert record.kind == "decision"
    assert record.title == "Implement as shell scripts"
    assert record.status == "superseded"
    assert record.status_text == "Superseded by [3. Use Python](0003-use-python.md)"
    assert record.superseded_by == ["0003-use-python.md"]
    assert record.amends == ["0001-record-decisions.md"]
    assert record.date == date(2016, 2, 12)
    assert record.topics == []
    assert record.source_path == "doc/adr/0002-implement-as-shell-scripts.md"
    assert record.body == NYGARD
    assert source.history == []


MADR = """---
status: Approved
date: 2024-03-01
decision-makers: [Jane Doe, John Roe]
consulted: Ops Team
informed: [Everyone]
parent: Decisions
nav_order: 8
---
# Use YAML front matter

## Context and Problem Statement

Should the status be tracked?
"""


def test_madr_front_matter_maps_fields_and_keeps_unknown_keys(tmp_path: Path) -> None:
    record = parse_record_file(write_file(tmp_path, "docs/decisions/0013-use-yaml.md", MADR), tmp_path).record
    assert record.title == "Use YAML front matter"
    assert (record.status, record.status_text) == ("accepted", "Approved")
    assert record.date == date(2024, 3, 1)
    assert record.authors == ["Jane Doe", "John Roe"]
    assert record.consulted == ["Ops Team"]
    assert record.informed == ["Everyone"]
    assert record.extra == {"parent": "Decisions", "nav_order": 8}
    assert record.body.startswith("# Use YAML front matter")


LOG4BRAINS = """# Use the ADR number as its unique ID

- Status: superseded by [20201016-use-the-slug](20201016-use-the-slug.md)
- Deciders: Thomas Vaillant, Jane Doe
- Date: 2020-09-26
- Tags: ids, cli

## Context and Problem Statement

Status: this line is in a section, not the preamble.
"""


def test_log4brains_bullets_and_date_named_file(tmp_path: Path) -> None:
    source = parse_record_file(write_file(tmp_path, "docs/adr/20200926-use-the-adr-number.md", LOG4BRAINS), tmp_path)
    record = source.record
    assert record.key == ""
    assert record.status == "superseded"
    assert record.superseded_by == ["20201016-use-the-slug.md"]
    assert record.authors == ["Thomas Vaillant", "Jane Doe"]
    assert record.tags == ["ids", "cli"]
    assert record.date == date(2020, 9, 26)


NATS = """# NATS Server Error Codes

|Metadata|Value|
|--------|-----|
|Date    |2021-05-12|
|Author  |@ripienaar, @derek|
|Status  |Partially Implemented|
|Tags    |server, client|

## Status

Partially Implemented in [#1811](https://github.com/nats-io/nats-server/issues/1811)

## Context

Text.
"""


def test_nats_metadata_table(tmp_path: Path) -> None:
    record = parse_record_file(write_file(tmp_path, "adr/ADR-7.md", NATS), tmp_path).record
    assert record.key == "ADR-0007"
    assert (record.status, record.status_text) == ("accepted", "Partially Implemented")
    assert record.authors == ["@ripienaar", "@derek"]
    assert record.tags == ["server", "client"]
    assert record.date == date(2021, 5, 12)
    assert record.superseded_by == []


def test_link_rows_of_a_metadata_table_are_links(tmp_path: Path) -> None:
    table = ("# JetStream KV\n\n| Metadata | Value |\n|---|---|\n| Date | 2024-01-01 |\n| Status | Approved |\n"
             "| Updates  | ADR-8 |\n| Superseded By | [ADR-61](ADR-61.md) |\n| Related | ADR-3, ADR-9 |\n\n## Context\n\nX.\n")
    record = parse_record_file(write_file(tmp_path, "adr/ADR-48.md", table), tmp_path).record
    assert record.amends == ["ADR-0008"]
    assert record.superseded_by == ["ADR-61.md"]
    assert record.related == ["ADR-0003", "ADR-0009"]


RUNBOOK = """---
title: Etcd No Leader
weight: 20
---

# EtcdNoLeader

## Meaning

The cluster has no leader.

## Impact

Writes fail.

## Diagnosis

```
## Status
Accepted
```

## Mitigation

Restart a member.
"""


def test_prometheus_runbook_with_hugo_front_matter(tmp_path: Path) -> None:
    record = parse_record_file(write_file(tmp_path, "etcd/EtcdNoLeader.md", RUNBOOK), tmp_path).record
    assert record.kind == "runbook"
    assert record.title == "Etcd No Leader"
    assert record.topics == ["etcd"]
    assert record.key == ""
    assert (record.status, record.status_text) == ("active", "")
    assert record.extra == {"weight": 20}


PEP = """PEP: 3124
Title: Overloading, Generic Functions
Author: Phillip J. Eby <pje@example.com>,
        Guido van Rossum <guido@example.com>
Status: Superseded
Type: Standards Track
Topic: Typing, Packaging
Requires: 3107, 3115
Created: 28-Apr-2007
Post-History: 30-Apr-2007
Replaces: 245, 246
Superseded-By: 3200


Abstract
========

This PEP proposes things.
"""


def test_pep_header(tmp_path: Path) -> None:
    source = parse_record_file(write_file(tmp_path, "pep-3124.rst", PEP), tmp_path)
    record = source.record
    assert record.key == "PEP-3124"
    assert record.kind == "decision"
    assert record.body_format == "rst"
    assert record.title == "Overloading, Generic Functions"
    assert record.authors == ["Phillip J. Eby", "Guido van Rossum"]
    assert (record.status, record.status_text) == ("superseded", "Superseded")
    assert record.topics == ["typing", "packaging"]
    assert record.supersedes == ["PEP-0245", "PEP-0246"]
    assert record.superseded_by == ["PEP-3200"]
    assert record.related == ["PEP-3107", "PEP-3115"]
    assert record.date == date(2007, 4, 28)
    assert record.extra["Type"] == "Standards Track"
    assert record.extra["Post-History"] == "30-Apr-2007"
    assert record.body.startswith("\nAbstract\n========")


def test_pep_without_topic_uses_its_type_and_txt_files_parse(tmp_path: Path) -> None:
    text = "PEP: 8\nTitle: Style Guide\nAuthor: Guido van Rossum\nStatus: Active\nType: Process\nCreated: 2001-07-05\n\nBody\n"
    record = parse_record_file(write_file(tmp_path, "pep-0008.txt", text), tmp_path).record
    assert record.key == "PEP-0008"
    assert record.topics == ["process"]
    assert record.status == "accepted"
    assert record.body == "Body\n"


NEP = """=====================================
NEP 29 — Recommend Python support
=====================================

:Author: Ross Barnowski, Stephan Hoyer
:Status: Final
:Type: Informational
:Created: 2019-07-13


Abstract
--------

Text.
"""


def test_nep_field_list(tmp_path: Path) -> None:
    record = parse_record_file(write_file(tmp_path, "nep-0029-deprecation_policy.rst", NEP), tmp_path).record
    assert record.key == "NEP-0029"
    assert record.title == "Recommend Python support"
    assert record.authors == ["Ross Barnowski", "Stephan Hoyer"]
    assert record.status == "accepted"
    assert record.date == date(2019, 7, 13)
    assert ":Author:" not in record.body
    assert "Abstract" in record.body


@pytest.mark.parametrize(
    ("name", "kind", "key"),
    [("0007-use-faiss.md", "decision", "ADR-0007"), ("0007-restart-etcd.md", "runbook", "RB-0007"),
     ("ADR-1.md", "decision", "ADR-0001"), ("adr-001-use-adrs.md", "decision", "ADR-0001"),
     ("pep-0008.rst", "decision", "PEP-0008"), ("20200924-use-markdown.md", "decision", ""),
     ("use-markdown.md", "decision", ""), ("0000-use-markdown.md", "decision", "ADR-0000")],
)
def test_key_from_file_name(name: str, kind: str, key: str) -> None:
    assert key_from_filename(name, kind) == key  # type: ignore[arg-type]


def test_explicit_id_wins_and_numbers_are_normalised() -> None:
    assert parse_record_text("---\nid: 7\n---\n# T\n", "0003-x.md").record.key == "ADR-0007"
    assert parse_record_text("---\nkey: OPS-12\n---\n# T\n", "0003-x.md").record.key == "OPS-0012"


@pytest.mark.parametrize(
    ("source_path", "kind"),
    [("docs/adr/x.md", "decision"), ("decisions/x.md", "decision"), ("runbooks/etcd/x.md", "runbook"),
     ("notes/x.md", "decision")],
)
def test_kind_from_folders(source_path: str, kind: str) -> None:
    assert parse_record_text("# Title\n\nText.\n", source_path).record.kind == kind


def test_kind_order_explicit_then_front_matter_then_folder() -> None:
    text = "---\nkind: runbook\n---\n# T\n"
    assert parse_record_text(text, "adr/x.md").record.kind == "runbook"
    assert parse_record_text(text, "adr/x.md", kind="decision").record.kind == "decision"
    with pytest.raises(ParseError, match="unknown kind 'playlist'"):
        parse_record_text("---\nkind: playlist\n---\n# T\n", "adr/x.md")


@pytest.mark.parametrize(
    ("source_path", "topics"),
    [("runbooks/etcd/X.md", ["etcd"]), ("etcd/X.md", ["etcd"]), ("docs/adr/x.md", []), ("x.md", []),
     ("docs/architecture/decisions/x.md", [])],
)
def test_topic_from_the_parent_folder_but_not_generic_ones(source_path: str, topics: list[str]) -> None:
    assert parse_record_text("# T\n", source_path).record.topics == topics


def test_front_matter_topics_win_over_the_folder() -> None:
    assert parse_record_text("---\ntopics: [storage]\n---\n# T\n", "etcd/x.md").record.topics == ["storage"]


def test_title_prefixes_are_stripped() -> None:
    assert parse_record_text("# Architecture Decision Record: Configuration\n", "a.md").record.title == "Configuration"
    assert parse_record_text("# ADR-0012: Use SQLite\n", "a.md").record.title == "Use SQLite"
    assert parse_record_text("# 10. Django Templates\n", "a.md").record.title == "Django Templates"


def test_front_matter_status_text_keeps_the_original_wording() -> None:
    record = parse_record_text("---\nstatus: superseded\nstatus_text: Replaced by X\n---\n# T\n", "a.md").record
    assert (record.status, record.status_text) == ("superseded", "Replaced by X")


def test_unknown_status_and_bad_date_warn_but_parse() -> None:
    source = parse_record_text("---\nstatus: Waiting\ndate: someday\n---\n# T\n", "a.md")
    assert source.record.status == "waiting"
    assert source.record.date is None
    assert source.record.extra == {"date": "someday"}
    assert len(source.warnings) == 2


def test_a_status_that_is_a_mapping_or_list_warns_and_the_default_is_used() -> None:
    for value, shape in (("{a: b}", "mapping"), ("[accepted, rejected]", "list")):
        source = parse_record_text(f"---\nstatus: {value}\n---\n# T\n", "adr-0001-t.md")
        assert source.record.status == "accepted"
        assert [warning for warning in source.warnings if f"status is a {shape}" in warning], source.warnings


def test_crlf_and_byte_order_mark_are_normalised(tmp_path: Path) -> None:
    path = write_file(tmp_path, "a.md", "\ufeff---\r\ntitle: Hello\r\n---\r\n# Body\r\n".encode())
    record = parse_record_file(path, tmp_path).record
    assert record.title == "Hello"
    assert record.body == "# Body\n"


@pytest.mark.parametrize(
    ("content", "reason", "line"),
    [
        ("---\ntitle: ok\nstatus: [unclosed\nowner: x\n---\n# T\n", "malformed YAML front matter", 4),
        ("---\ntitle: x\n# T\n", "never closed", 1),
        ("---\n- a\n- b\n---\n# T\n", "not a mapping", 2),
        (b"# Title\n\nbad \xff byte\n", "not UTF-8", 3),
        (b"# Title\n\x00\x01binary", "binary file", 2),
        (b"", "file is empty", None),
        ("   \n\n", "file is empty", None),
        ("Just some text without a heading.\n", "no title", None),
    ],
)
def test_bad_files_raise_parse_error_with_path_reason_and_line(
    tmp_path: Path, content: str | bytes, reason: str, line: int | None
) -> None:
    path = write_file(tmp_path, "docs/adr/0001-bad.md", content)
    with pytest.raises(ParseError) as caught:
        parse_record_file(path, tmp_path)
    assert reason in caught.value.reason
    assert caught.value.path == "docs/adr/0001-bad.md"
    assert caught.value.line == line


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = write_file(tmp_path, "big.md", "# Big\n" + "x" * 5000)
    with pytest.raises(ParseError, match="over the 1,000-byte limit"):
        parse_record_file(path, tmp_path, max_bytes=1000)


def test_yaml_alias_bombs_are_refused() -> None:
    lines = ["---", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 8)]
    lines += ["topics: *a7", "---", "# Boom", ""]
    with pytest.raises(ParseError, match="more than 50,000 values"):
        parse_record_text("\n".join(lines), "boom.md")


def test_status_comes_only_from_a_top_level_status_section() -> None:
    deep = "# Design\n\n## Summary\n\nText.\n\n## API\n\n### Status\n\nImplemented\n"
    top = "# Design\n\n## Summary\n\nText.\n\n## Status\n\nRejected\n"
    assert parse_record_text(deep, "0001-design.md").record.status_text == ""
    assert parse_record_text(top, "0001-design.md").record.status == "rejected"


def test_template_placeholders_are_empty() -> None:
    text = "# Use queues\n\n- Status: [proposed | accepted | rejected]\n- Date: [Insert Date]\n\n## Context\n\nx\n"
    source = parse_record_text(text, "0002-use-queues.md")
    assert (source.record.status_text, source.record.date, source.warnings) == ("", None, [])
    front = "---\nstatus: '{proposed | accepted}'\n---\n# Use queues\n"
    assert parse_record_text(front, "0003-x.md").record.status == "accepted"


def test_a_body_of_sections_takes_its_title_from_the_feature_name_or_file_name() -> None:
    rfc = "- Feature Name: `try_blocks`\n- Start Date: 2018-01-01\n\n# Summary\n\nTry.\n\n# Motivation\n\nWhy.\n"
    assert parse_record_text(rfc, "text/0243-trait-based-exception-handling.md").record.title == "Try blocks"
    plain = "## Summary\n\nx\n\n## Motivation\n\ny\n"
    assert parse_record_text(plain, "text/0016-more-attributes.md").record.title == "More attributes"


def test_rfc_header_bullets_make_rfc_keys_and_other_numbered_files_keep_adr_keys() -> None:
    rfc = "- Feature Name: `try_blocks`\n- Start Date: 2018-01-01\n\n# Summary\n\nTry.\n"
    assert parse_record_text(rfc, "text/0243-trait-based-exception-handling.md").record.key == "RFC-0243"
    pr_only = "- Start Date: 2014-03-11\n- RFC PR: [rust-lang/rfcs#1](https://github.com/rust-lang/rfcs/pull/1)\n\n## Summary\n\nx\n"
    assert parse_record_text(pr_only, "text/0001-private-fields.md").record.key == "RFC-0001"
    dated_only = "# Use queues\n\n- Date: 2018-01-01\n\n## Context\n\nx\n"
    assert parse_record_text(dated_only, "0243-use-queues.md").record.key == "ADR-0243"
    explicit = "---\nkey: ADR-9\n---\n" + rfc
    assert parse_record_text(explicit, "text/0243-x.md").record.key == "ADR-0009", "front matter wins"


def test_a_bracketed_reference_is_not_a_placeholder() -> None:
    text = "# Old way\n\n## Status\n\nSuperseded by [ADR-5]\n\n## Context\n\nx\n"
    record = parse_record_text(text, "0004-old-way.md").record
    assert (record.status, record.superseded_by) == ("superseded", ["ADR-0005"])

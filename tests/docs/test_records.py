"""The project's own knowledge base (records/) is valid: it is the demo every new user sees first."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bridge.domain import STATUSES_BY_KIND
from bridge.ingest.scan import scan_paths

RECORDS_DIR = Path(__file__).resolve().parents[2] / "records"


@pytest.fixture(scope="module")
def scanned():
    """Scan records/ once."""
    [root] = scan_paths([RECORDS_DIR]).roots
    return root


def test_every_record_parses_without_failure_or_warning(scanned) -> None:
    assert scanned.failures == []
    assert [w for f in scanned.files for w in f.warnings] == []
    assert len(scanned.files) >= 25


def test_keys_match_file_numbers_and_kinds(scanned) -> None:
    for source in scanned.files:
        record = source.record
        number = re.match(r"(\d{4})-", Path(record.source_path).name)
        assert number, f"{record.source_path}: file name should start with its 4-digit number"
        prefix = {"decision": "ADR", "runbook": "RB"}[record.kind]
        assert record.key == f"{prefix}-{number.group(1)}", record.source_path
        assert record.status in STATUSES_BY_KIND[record.kind], f"{record.key}: status {record.status}"


def test_links_resolve_and_superseded_decisions_name_their_successor(scanned) -> None:
    by_key = {source.record.key: source.record for source in scanned.files}
    for record in by_key.values():
        for target in [*record.supersedes, *record.superseded_by, *record.related, *record.amends]:
            assert target in by_key, f"{record.key} links to missing {target}"
        if record.status == "superseded":
            assert record.superseded_by, f"{record.key} is superseded but names no successor"
            for successor in record.superseded_by:
                assert record.key in by_key[successor].supersedes


def test_demo_covers_topics_owners_and_reviews(scanned) -> None:
    records = [source.record for source in scanned.files]
    assert len({topic for r in records for topic in r.topics}) >= 5
    assert all(r.owners for r in records), "every demo record names its owners"
    assert any(r.kind == "runbook" and r.review_by for r in records)

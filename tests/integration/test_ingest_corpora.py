"""Scan every real corpus in ../shared/corpora (cloned into tmp) and round-trip every record through export."""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

import pytest

from bridge.domain import STATUSES_BY_KIND
from bridge.ingest.scan import ScannedRoot, scan_paths
from bridge.ingest.writer import export_relative_path, file_fields, render_record

ADR_BUNDLES: dict[str, int] = {
    "adr-adr-tools": 9,
    "adr-arachne": 17,
    "adr-govuk-aws": 38,
    "adr-govuk-infrastructure": 24,
    "adr-manage-get-gov": 32,
    "adr-nats": 52,
    "adr-madr": 19,
    "adr-log4brains": 9,
}
"""Bundle → number of decision records in it (templates, images and index pages excluded)."""

ALL_BUNDLES = [*ADR_BUNDLES, "prometheus-runbooks", "python-peps", "openshift-runbooks"]


def scan_one(path: Path) -> ScannedRoot:
    """Return the single scanned root of path."""
    [scanned] = scan_paths([path]).roots
    return scanned


def test_prometheus_runbooks(corpus) -> None:
    scanned = scan_one(corpus("prometheus-runbooks"))
    records = {source.record.source_path: source for source in scanned.files}
    assert scanned.failures == []
    assert len(records) == 109
    assert "prometheus-operator/PrometheusOperatorSyncFailed" in records
    assert any("PrometheusOperatorSyncFailed" in warning for warning in scanned.warnings)
    assert sorted(path for path in scanned.skipped if path.endswith("_index.md")) == sorted(scanned.skipped)
    assert len(scanned.skipped) == 9
    assert {source.record.kind for source in records.values()} == {"runbook"}
    for path, source in records.items():
        assert source.record.topics == [path.split("/")[0]]
        assert source.record.key.startswith("RB-")
        assert source.history, f"{path} has no history"
    authors = {change.author_name for source in records.values() for change in source.history}
    assert len(authors) >= 15
    no_leader = records["etcd/etcdNoLeader.md"].record
    assert no_leader.title and "## Meaning" in no_leader.body and no_leader.status == "active"


def test_python_peps(corpus) -> None:
    root = corpus("python-peps")
    started = time.perf_counter()
    scanned = scan_one(root)
    elapsed = time.perf_counter() - started
    assert elapsed < 30, f"scanning 736 PEPs with their history took {elapsed:.1f}s"
    assert scanned.failures == [] and scanned.skipped == []
    records = {source.record.key: source for source in scanned.files}
    assert len(records) == 736
    for key, source in records.items():
        record = source.record
        assert record.source_path == f"pep-{key[4:]}.rst"
        assert record.kind == "decision" and record.body_format == "rst"
        assert record.authors, key
        assert record.status in STATUSES_BY_KIND["decision"], (key, record.status_text)
        assert record.topics, key
        assert record.date is not None, key
        assert source.history, key
        assert source.warnings == [], key
    statuses = Counter(source.record.status for source in records.values())
    assert statuses["superseded"] >= 20 and statuses["rejected"] >= 100 and statuses["accepted"] >= 300
    linked = [(key, target) for key, source in records.items() for target in source.record.superseded_by]
    assert len(linked) >= 25
    assert all(target in records for _, target in linked)
    assert ("PEP-0102", "PEP-0101") in linked
    assert "PEP-0245" in records["PEP-3124"].record.supersedes
    pep8 = records["PEP-0008"]
    assert pep8.record.authors[0] == "Guido van Rossum"
    assert pep8.history[0].path == "pep-0008.txt"
    assert pep8.history[-1].path == "pep-0008.rst"
    assert pep8.history[0].at.year == 2001
    assert {"typing", "packaging", "standards-track", "process"} <= {t for s in records.values() for t in s.record.topics}


def test_openshift_runbooks_owners_files_and_bots(corpus) -> None:
    scanned = scan_one(corpus("openshift-runbooks"))
    assert scanned.failures == []
    records = {source.record.source_path: source.record for source in scanned.files}
    assert len(records) == 272
    assert not [path for path in records if "OWNERS" in path or path.startswith(("LICENSE", "README"))]
    reasons = Counter(scanned.skip_reasons.values())
    assert reasons["Kubernetes OWNERS file (read for owners, not a record)"] == 18
    assert reasons["license file, not a record"] == 1
    assert {source.record.kind for source in scanned.files} == {"runbook"}
    authors = {change.author_name for source in scanned.files for change in source.history}
    assert "hco-bot" not in authors and not [name for name in authors if "bot" in name.lower()]
    assert all(record.owners for record in records.values())
    cmo = [record for path, record in records.items() if path.startswith("alerts/cluster-monitoring-operator/")]
    assert cmo and all(record.extra["owners_file"] == "alerts/cluster-monitoring-operator/OWNERS" for record in cmo)
    assert "simonpasquier" in cmo[0].owners and "jan--f" in cmo[0].owners


def test_openshift_owners_are_knowers_and_the_bot_is_nobody(corpus) -> None:
    from bridge.workspace import Workspace

    with Workspace.open() as ws:
        report = ws.import_paths([corpus("openshift-runbooks")])
        assert (report.imported, report.failed) == (272, [])
        people = ws.people()
        assert not [person for person in people if "hco-bot" in " ".join([person.name, *person.emails])]
        simon = ws.find_person("simonpasquier")
        assert simon.name == "Simon Pasquier", "the OWNERS handle is the committer Simon Pasquier"
        details = {detail.key: detail for detail in ws.knowledge_map().record_details}
        cmo = [detail for detail in details.values() if "Simon Pasquier" in detail.knowers]
        assert len(cmo) >= 30


@pytest.mark.parametrize(("bundle", "count"), sorted(ADR_BUNDLES.items()))
def test_adr_bundles(corpus, bundle: str, count: int) -> None:
    root = corpus(bundle)
    scanned = scan_one(root)
    assert scanned.failures == []
    assert len(scanned.files) == count
    for source in scanned.files:
        record = source.record
        assert record.kind == "decision", record.source_path
        assert record.status in STATUSES_BY_KIND["decision"], (record.source_path, record.status_text)
        assert record.title and not record.title.lower().startswith(("template", "[", "{"))
        assert source.history, record.source_path
    assert not [path for path in scanned.skipped if path.endswith(".md") and "template" not in path.lower()
                and Path(path).stem.lower() not in ("readme", "index")]
    images = [path for path in scanned.skipped if path.endswith((".png", ".jpg"))]
    if bundle in ("adr-govuk-aws", "adr-nats", "adr-madr"):
        assert images
    if bundle != "adr-log4brains":
        for source in scanned.files:
            number = int(re.search(r"\d+", Path(source.record.source_path).name).group())
            assert source.record.key == f"ADR-{number:04d}", source.record.source_path


def test_adr_links_and_templates(corpus) -> None:
    gov = {source.record.source_path.rsplit("/", 1)[-1]: source.record for source in scan_one(corpus("adr-manage-get-gov")).files}
    assert gov["0012-user-models.md"].status == "superseded"
    assert gov["0012-user-models.md"].superseded_by == ["ADR-0020"]
    infra = scan_one(corpus("adr-govuk-infrastructure"))
    assert "docs/architecture/decisions/0000-TEMPLATE.md" in infra.skipped
    log4brains = scan_one(corpus("adr-log4brains"))
    assert {"docs/adr/template.md", "docs/adr/README.md", "docs/adr/index.md"} <= set(log4brains.skipped)
    by_name = {source.record.source_path.rsplit("/", 1)[-1]: source.record for source in log4brains.files}
    old = by_name["20200926-use-the-adr-number-as-its-unique-id.md"]
    assert old.superseded_by == [by_name["20201016-use-the-adr-slug-as-its-unique-id.md"].key]
    madr = scan_one(corpus("adr-madr"))
    assert "docs/decisions/adr-template.md" in madr.skipped
    assert "docs/decisions/.markdownlint.yml" not in madr.skipped


@pytest.mark.parametrize("bundle", ALL_BUNDLES)
def test_export_then_reimport_gives_identical_records(corpus, tmp_path: Path, bundle: str) -> None:
    scanned = scan_one(corpus(bundle))
    export_dir = tmp_path / "export"
    written: set[Path] = set()
    for source in scanned.files:
        relative = export_relative_path(source.record)
        target = export_dir / relative
        assert target not in written, f"two records export to {relative}"
        written.add(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_record(source.record), encoding="utf-8")
    again = scan_one(export_dir)
    assert again.failures == [] and again.skipped == []
    before = {source.record.key: file_fields(source.record) for source in scanned.files}
    after = {source.record.key: file_fields(source.record) for source in again.files}
    assert after.keys() == before.keys()
    different = [key for key in before if before[key] != after[key]]
    assert different == [], {key: {name: (before[key][name], after[key][name]) for name in before[key]
                                   if before[key][name] != after[key][name]} for key in different[:3]}

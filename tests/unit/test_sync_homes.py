"""New files for records made in bridge follow the root's naming convention."""

from __future__ import annotations

import datetime as dt

from bridge.domain import Record
from bridge.ingest.homes import new_file_path


def record(title: str, kind: str = "decision", body_format: str = "markdown") -> Record:
    return Record(key="ADR-0042", kind=kind, title=title, status="proposed", body=f"# {title}\n",  # type: ignore[arg-type]
                  body_format=body_format)  # type: ignore[arg-type]


def test_numbered_names_get_the_next_number_with_the_same_width_and_folder() -> None:
    siblings = [("doc/adr/0001-record.md", "decision"), ("doc/adr/0007-use-x.md", "decision"),
                ("runbooks/disk.md", "runbook")]
    assert new_file_path(record("Use Redis!"), siblings, set()) == "doc/adr/0008-use-redis.md"


def test_pep_style_names_get_the_next_number_and_rst() -> None:
    siblings = [("pep-0008.rst", "decision"), ("pep-3000.rst", "decision")]
    assert new_file_path(record("Anything", body_format="rst"), siblings, set()) == "pep-3001.rst"


def test_date_named_files_get_todays_date() -> None:
    siblings = [("20200101-first.md", "decision"), ("20210202-second.md", "decision")]
    assert new_file_path(record("Third one"), siblings, set()) == f"{dt.date.today():%Y%m%d}-third-one.md"


def test_plain_names_become_a_slug_and_a_taken_name_gets_a_counter() -> None:
    siblings = [("kubernetes/KubePodCrashLooping.md", "runbook"), ("kubernetes/KubeQuotaExceeded.md", "runbook")]
    made = record("Kube node not ready", kind="runbook")
    assert new_file_path(made, siblings, set()) == "kubernetes/kube-node-not-ready.md"
    assert new_file_path(made, siblings, {"kubernetes/kube-node-not-ready.md"}) == "kubernetes/kube-node-not-ready-2.md"

"""Status normalisation: real-world wording onto each kind's lifecycle, original wording never rejected."""

from __future__ import annotations

import pytest

from bridge.domain import STATUSES_BY_KIND
from bridge.ingest.status import normalise_status

DECISION_TABLE = [
    ("Accepted", "accepted"),
    ("Approved", "accepted"),
    ("Implemented", "accepted"),
    ("Partially Implemented", "accepted"),
    ("Partially Implemented in [#1811](https://github.com/x/y/issues/1811)", "accepted"),
    ("Final", "accepted"),
    ("Active", "accepted"),
    ("Provisional", "accepted"),
    ("Draft", "proposed"),
    ("Pending", "proposed"),
    ("In Review", "proposed"),
    ("Under Review", "proposed"),
    ("PROPOSED", "proposed"),
    ("Deferred", "proposed"),
    ("on hold", "proposed"),
    ("Rejected", "rejected"),
    ("Withdrawn", "rejected"),
    ("April Fool!", "rejected"),
    ("Deprecated", "deprecated"),
    ("Deprecated (no superseding ADR)", "deprecated"),
    ("Superseded", "superseded"),
    ("Partly superseded", "accepted"),
    ("**Accepted**", "accepted"),
]


@pytest.mark.parametrize(("text", "expected"), DECISION_TABLE)
def test_decision_wording_maps_onto_the_lifecycle(text: str, expected: str) -> None:
    status, refs, warnings = normalise_status(text, "decision")
    assert status == expected
    assert warnings == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Active", "active"), ("Draft", "draft"), ("needs-review", "needs-review"), ("Needs Review", "needs-review"),
     ("Retired", "retired"), ("Deprecated", "retired"), ("Approved", "active")],
)
def test_runbook_wording_maps_onto_the_runbook_lifecycle(text: str, expected: str) -> None:
    assert normalise_status(text, "runbook")[0] == expected


@pytest.mark.parametrize("kind", ["decision", "runbook", "postmortem"])
def test_lifecycle_values_normalise_to_themselves(kind: str) -> None:
    for status in STATUSES_BY_KIND[kind]:
        assert normalise_status(status, kind) == (status, [], [])


def test_superseded_by_a_markdown_link_gives_the_link_target() -> None:
    status, refs, warnings = normalise_status("Superseded by [20. User models](0020-user-models.md)", "decision")
    assert (status, refs, warnings) == ("superseded", ["0020-user-models.md"], [])


def test_superseded_by_a_key_in_prose_gives_the_key() -> None:
    assert normalise_status("superseded by ADR 12", "decision") == ("superseded", ["ADR-0012"], [])


def test_superseded_by_an_external_url_keeps_the_status_but_no_reference() -> None:
    assert normalise_status("Superseded by [new](https://example.com/adr/7)", "decision") == ("superseded", [], [])


def test_partly_superseded_keeps_its_references() -> None:
    status, refs, _ = normalise_status("Partly superseded by [5](0005-x.md)", "decision")
    assert (status, refs) == ("accepted", ["0005-x.md"])


def test_unknown_wording_is_kept_lower_cased_with_a_warning() -> None:
    status, refs, warnings = normalise_status("Waiting  For Legal", "decision")
    assert status == "waiting for legal"
    assert refs == []
    assert warnings and "Waiting For Legal" in warnings[0]


def test_a_word_that_only_starts_like_a_status_is_not_that_status() -> None:
    assert normalise_status("Accepts nothing", "decision")[0] == "accepts nothing"


def test_empty_status_is_empty() -> None:
    assert normalise_status("  ", "decision") == ("", [], [])

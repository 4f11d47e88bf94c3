"""adr-tools link paragraphs in a Status section: where they go, and how they come out again."""

from __future__ import annotations

from bridge.domain import Record
from bridge.ingest.status_links import (
    LinkTarget,
    add_status_link,
    heading_text,
    link_line,
    remove_status_link,
    resolve_link_refs,
)

BODY = "# 2. Second\n\nDate: 1992-01-12\n\n## Status\n\nAccepted\n\n## Context\n\nWhy.\n"


def test_a_link_goes_before_the_next_section_followed_by_a_blank_line() -> None:
    line = link_line("supersedes", LinkTarget("0001-first.md", "1. First"))
    assert line == "Supersedes [1. First](0001-first.md)"
    assert add_status_link(BODY, line) == (
        "# 2. Second\n\nDate: 1992-01-12\n\n## Status\n\nAccepted\n\nSupersedes [1. First](0001-first.md)\n\n"
        "## Context\n\nWhy.\n"
    )


def test_a_status_section_at_the_end_gets_the_link_after_a_blank_line() -> None:
    assert add_status_link("# T\n\n## Status\n\nAccepted\n", "Amends [1. A](0001-a.md)") == (
        "# T\n\n## Status\n\nAccepted\n\nAmends [1. A](0001-a.md)\n"
    )


def test_no_status_section_means_no_place_for_a_link() -> None:
    assert add_status_link("# T\n\nStatus: accepted\n", "Amends [1. A](0001-a.md)") is None


def test_removing_a_link_takes_its_paragraph_out_and_nothing_else() -> None:
    linked = add_status_link(BODY, "Supersedes [1. First](0001-first.md)")
    assert linked is not None
    assert remove_status_link(linked, "./0001-first.md") == BODY
    assert remove_status_link(BODY, "0001-first.md") is None


def test_link_text_is_the_first_heading_and_references_resolve_to_keys() -> None:
    assert heading_text("\ufeff# 7. Invoke adr-config\r\n\r\nDate: x\r\n", "ADR-0007") == "7. Invoke adr-config"
    assert heading_text("no heading\n", "ADR-0007") == "ADR-0007"
    record = Record(key="ADR-0002", kind="decision", title="Second", status="accepted", body="",
                    supersedes=["0001-first.md", "elsewhere.md"])
    resolve_link_refs(record, {"ADR-0001": LinkTarget("0001-First.md", "1. First")})
    assert record.supersedes == ["ADR-0001", "elsewhere.md"]

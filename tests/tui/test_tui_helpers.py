"""Textual-free helpers of the TUI: diffs, drafts, preview cutting and the editor form's validation."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from bridge.domain import Record
from bridge.paths import drafts_dir
from bridge.tui.diffing import diff_texts
from bridge.tui.drafts import Draft, DraftKeeper, draft_path, list_drafts, load_draft, new_draft, save_draft
from bridge.tui.editor_form import FormValues, apply_form, form_from_record, split_list
from bridge.tui.preview import build_preview, find_heading_line, section_heading


def make_record(**overrides: object) -> Record:
    values: dict[str, object] = {
        "key": "ADR-0042", "kind": "decision", "title": "Use a queue", "status": "proposed",
        "body": "# Use a queue\n\n## Context\n\nWe need one.\n", "topics": ["billing"], "owners": ["ops"],
        "date": date(2026, 1, 2),
    }
    values.update(overrides)
    return Record(**values)  # type: ignore[arg-type]


# -- diffs ----------------------------------------------------------------------------------------------------


def test_diff_counts_and_classifies_lines() -> None:
    diff = diff_texts("a\nb\nc\n", "a\nB\nc\nd\n", old_label="revision 1", new_label="revision 2")
    assert (diff.added, diff.removed) == (2, 1)
    kinds = [line.kind for line in diff.lines]
    assert kinds[:2] == ["header", "header"] and "hunk" in kinds
    assert any(line.kind == "removed" and line.text == "-b" for line in diff.lines)
    assert any(line.kind == "added" and line.text == "+d" for line in diff.lines)
    assert not diff.identical


def test_diff_of_identical_texts_is_empty() -> None:
    diff = diff_texts("same\n", "same\n", old_label="a", new_label="b")
    assert diff.identical and diff.lines == []


def test_diff_line_starting_with_dashes_in_body_is_a_removal() -> None:
    diff = diff_texts("x\n--- rule\n", "x\n", old_label="a", new_label="b")
    assert [line.kind for line in diff.lines if line.text == "---- rule"] == ["removed"]


# -- drafts ---------------------------------------------------------------------------------------------------


def test_draft_round_trips_every_field(tmp_path: Path) -> None:
    record = make_record(review_by=date(2027, 3, 1), extra={"custom": "x"}, version=3,
                         updated_at=datetime(2026, 5, 1, 12, 0, tzinfo=UTC))
    path = save_draft(Draft(record, 3, datetime(2026, 6, 1, tzinfo=UTC)), tmp_path)
    loaded = load_draft(path)
    assert loaded.record == record
    assert loaded.base_version == 3 and not loaded.is_new


def test_drafts_default_to_the_data_dir_and_list_newest_first() -> None:
    save_draft(Draft(make_record(key="ADR-0001"), 0, datetime(2026, 1, 1, tzinfo=UTC)))
    save_draft(Draft(make_record(key="ADR-0002"), 1, datetime(2026, 2, 1, tzinfo=UTC)))
    assert draft_path("ADR-0001").parent == drafts_dir()
    drafts, problems = list_drafts()
    assert [draft.record.key for draft in drafts] == ["ADR-0002", "ADR-0001"]
    assert problems == []


def test_unreadable_draft_is_reported_and_others_still_listed(tmp_path: Path) -> None:
    save_draft(new_draft(make_record(), 0), tmp_path)
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    drafts, problems = list_drafts(tmp_path)
    assert [draft.record.key for draft in drafts] == ["ADR-0042"]
    assert len(problems) == 1 and "broken.json" in problems[0]


def test_hostile_key_cannot_leave_the_drafts_folder(tmp_path: Path) -> None:
    path = draft_path("../../etc/passwd", tmp_path)
    assert path.parent == tmp_path


def test_keeper_ignores_writes_after_close(tmp_path: Path) -> None:
    keeper = DraftKeeper("ADR-0042", tmp_path)
    assert keeper.write(new_draft(make_record(), 0))
    assert draft_path("ADR-0042", tmp_path).exists()
    keeper.close()
    assert not draft_path("ADR-0042", tmp_path).exists()
    assert not keeper.write(new_draft(make_record(), 0))
    assert not draft_path("ADR-0042", tmp_path).exists()


def test_draft_file_is_json_with_a_format_number(tmp_path: Path) -> None:
    path = save_draft(new_draft(make_record(), 0), tmp_path)
    payload = json.loads(path.read_text(encoding="utf-8"))
    assert payload["format"] == 1 and payload["record"]["key"] == "ADR-0042"


# -- preview --------------------------------------------------------------------------------------------------

LONG_BODY = "# Title\n\nintro\n\n## Diagnosis\n\n```\n## Not a heading\n```\n\n### Logs\n\n" + ("word " * 4000) + "\n"


def test_section_heading_is_the_innermost_part() -> None:
    assert section_heading("Diagnosis › Logs") == "Logs"
    assert section_heading("") is None


def test_heading_inside_code_fence_is_ignored() -> None:
    assert find_heading_line(LONG_BODY, "Not a heading") is None
    assert find_heading_line(LONG_BODY, "logs") == 10


def test_short_body_is_shown_whole_with_heading_to_scroll_to() -> None:
    preview = build_preview("# T\n\n## Impact\n\ntext\n", "Impact")
    assert preview.markdown.startswith("# T") and preview.heading == "Impact" and not preview.truncated


def test_long_body_is_cut_to_the_matching_section() -> None:
    preview = build_preview(LONG_BODY, "Diagnosis › Logs", limit=2000)
    assert preview.markdown.startswith("### Logs")
    assert preview.truncated and "Preview shortened" in preview.markdown
    assert len(preview.markdown) < 2200


# -- editor form ----------------------------------------------------------------------------------------------


def test_form_round_trip_keeps_the_record() -> None:
    record = make_record(supersedes=["ADR-0007"], review_by=date(2027, 1, 1))
    result = apply_form(record, form_from_record(record))
    assert result.valid and result.record == record


def test_form_reports_each_bad_field() -> None:
    record = make_record()
    values = FormValues(title="  ", status="bogus", supersedes="ADR-0007, not a key", review_by="next week",
                        body="")
    result = apply_form(record, values)
    assert set(result.errors) == {"title", "status", "supersedes", "review_by", "body"}
    assert "not a key" in result.errors["supersedes"]
    assert "YYYY-MM-DD" in result.errors["review_by"]


def test_form_refuses_a_self_link() -> None:
    record = make_record()
    values = form_from_record(record)
    result = apply_form(record, FormValues(**{**values.__dict__, "supersedes": "adr-0042"}))
    assert "itself" in result.errors["supersedes"]


def test_form_parses_lists_and_dates() -> None:
    record = make_record()
    values = FormValues(title="New  title", status="accepted", topics="etcd, , billing, etcd", owners="a",
                        date="2026-03-04", review_by="", body="text")
    result = apply_form(record, values)
    assert result.valid
    assert result.record.title == "New title"
    assert result.record.topics == ["etcd", "billing"]
    assert result.record.date == date(2026, 3, 4) and result.record.review_by is None


def test_split_list_trims_and_dedupes() -> None:
    assert split_list(" a, b ,a,, c ") == ["a", "b", "c"]


# -- reST display ---------------------------------------------------------------------------------------------


def test_rst_titles_become_headings_in_order_of_appearance() -> None:
    from bridge.tui.rst_view import rst_as_markdown

    body = "Abstract\n========\n\nText.\n\nDetails\n-------\n\nMore.\n\nRationale\n=========\n\nWhy.\n"
    markdown = rst_as_markdown(body)
    assert "# Abstract" in markdown.splitlines()
    assert "## Details" in markdown.splitlines()
    assert "# Rationale" in markdown.splitlines()
    assert "=====" not in markdown


def test_rst_literal_blocks_are_fenced() -> None:
    from bridge.tui.rst_view import rst_as_markdown

    body = "Example::\n\n  x = 1\n  y = 2\n\nAfter.\n\n.. code-block:: python\n\n   print(x)\n"
    lines = rst_as_markdown(body).splitlines()
    assert lines[:6] == ["Example:", "", "```", "x = 1", "y = 2", "```"]
    assert "```python" in lines and "print(x)" in lines
    assert "After." in lines


def test_bare_code_fences_are_labelled_but_closing_fences_are_not() -> None:
    from bridge.tui.preview import label_bare_fences

    text = "```\ncode\n```\n\n~~~python\nx\n~~~\n\n````\n```\ninner\n````\n"
    assert label_bare_fences(text) == "```text\ncode\n```\n\n~~~python\nx\n~~~\n\n````text\n```\ninner\n````\n"


def test_snippet_highlighting_marks_whole_words_by_prefix_and_skips_stopwords() -> None:
    from rich.text import Text

    from bridge.tui.widgets.hit_list import highlight_terms, query_terms

    terms = query_terms("index is corrupt")
    assert terms == ["corrupt", "index"]
    text = Text("This index is missing; the file was corrupted in reindexing.")
    highlight_terms(text, terms)
    marked = [text.plain[span.start:span.end] for span in text.spans]
    assert marked == ["index", "corrupted"]


def test_record_links_resolve_only_to_known_keys() -> None:
    from bridge.tui.widgets.record_links import resolve_record_link

    keys = ["ADR-0007", "RB-0012", "PEP-0008"]
    assert resolve_record_link("ADR-0007", keys) == "ADR-0007"
    assert resolve_record_link("https://peps.python.org/pep-0008/", keys) == "PEP-0008"
    assert resolve_record_link("pep-8", keys) == "PEP-0008"
    assert resolve_record_link("../runbooks/0012-rotate-keys.md#steps", keys) == "RB-0012"
    assert resolve_record_link("https://example.com/utf-8/guide", keys) is None
    assert resolve_record_link("0099-unknown.md", keys) is None

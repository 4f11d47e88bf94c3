"""Chunking: sections by heading, window-sized parts with overlap, blocks kept whole, reST headings."""

from __future__ import annotations

from bridge.domain import Record
from bridge.ingest.chunking import (
    MAX_CHUNK_TOKENS,
    chunk_record,
    embed_text_for,
    estimate_tokens,
    split_rst_sections,
)


def make_record(body: str, *, title: str = "Disk full", body_format: str = "markdown") -> Record:
    """Return a runbook record with body."""
    return Record(key="RB-0001", kind="runbook", title=title, status="active", body=body,
                  body_format=body_format)  # type: ignore[arg-type]


def test_sections_carry_heading_paths_and_the_title_heading_is_dropped() -> None:
    body = "# Disk full\n\nIntro text.\n\n## Diagnosis\n\nCheck df.\n\n### Logs\n\nRead the logs.\n\n## Mitigation\n\nDelete old files.\n"
    chunks = chunk_record(make_record(body))
    assert [chunk.heading_path for chunk in chunks] == [[], ["Diagnosis"], ["Diagnosis", "Logs"], ["Mitigation"]]
    assert [chunk.ordinal for chunk in chunks] == [0, 1, 2, 3]
    assert chunks[2].text == "Read the logs."
    assert chunks[2].section == "Diagnosis › Logs"
    assert chunks[2].embed_text == "Disk full › Diagnosis › Logs\n\nRead the logs."


def test_a_heading_that_differs_from_the_title_stays_in_the_path() -> None:
    chunks = chunk_record(make_record("# Something else\n\nText.\n", title="Disk full"))
    assert chunks[0].heading_path == ["Something else"]


def test_heading_only_sections_make_no_chunk_but_name_their_children() -> None:
    chunks = chunk_record(make_record("## Diagnosis\n\n### Logs\n\nRead them.\n"))
    assert len(chunks) == 1
    assert chunks[0].heading_path == ["Diagnosis", "Logs"]


def test_long_section_is_cut_into_window_sized_parts_with_overlap() -> None:
    sentences = [f"Sentence number {n} explains step {n} of the recovery procedure in detail." for n in range(120)]
    chunks = chunk_record(make_record("## Steps\n\n" + " ".join(sentences) + "\n"))
    assert len(chunks) > 3
    for chunk in chunks:
        assert estimate_tokens(chunk.text) <= MAX_CHUNK_TOKENS
        assert chunk.heading_path == ["Steps"]
    for previous, following in zip(chunks, chunks[1:], strict=False):
        first_sentence = following.text.split(". ", 1)[0] + "."
        assert previous.text.endswith(first_sentence) or f"{first_sentence} " in previous.text, (
            "the next part starts by repeating the previous part's tail")
        assert previous.text[-40:] in following.text
    joined = " ".join(chunk.text for chunk in chunks)
    for sentence in sentences:
        assert sentence in joined


def test_code_block_that_fits_is_never_cut() -> None:
    code = "```bash\n" + "\n".join(f"kubectl get pods -n ns{n}" for n in range(20)) + "\n```"
    filler = " ".join(["Some words about the problem."] * 40)
    chunks = chunk_record(make_record(f"## Fix\n\n{filler}\n\n{code}\n\n{filler}\n"))
    holders = [chunk for chunk in chunks if "kubectl get pods -n ns0" in chunk.text]
    assert holders and all(code in chunk.text for chunk in holders)


def test_oversized_list_is_cut_between_items_not_inside_one() -> None:
    items = [f"- item {n}: restart the service number {n} and then wait for it to report healthy" for n in range(60)]
    chunks = chunk_record(make_record("## Steps\n\n" + "\n".join(items) + "\n"))
    assert len(chunks) > 1
    for chunk in chunks:
        for line in chunk.text.splitlines():
            if line.startswith("- item"):
                assert line in items


def test_empty_body_gives_one_title_chunk() -> None:
    chunks = chunk_record(make_record("   \n"))
    assert len(chunks) == 1
    assert chunks[0].text == "Disk full"


def test_giant_unbroken_text_is_cut_and_every_part_fits() -> None:
    chunks = chunk_record(make_record("x" * 50_000))
    assert len(chunks) > 10
    assert sum(len(chunk.text) for chunk in chunks) >= 50_000


def test_rst_headings_with_and_without_overline_nest() -> None:
    body = (
        "Abstract\n========\n\nThis PEP proposes a thing.\n\n"
        "Specification\n=============\n\nThe rules.\n\n"
        "Details\n-------\n\nA detail::\n\n    code line 1\n    code line 2\n\n"
        "Rejected Ideas\n==============\n\nNone.\n"
    )
    sections = split_rst_sections(body)
    assert [section.heading_path for section in sections] == [
        ["Abstract"], ["Specification"], ["Specification", "Details"], ["Rejected Ideas"]]
    detail_blocks = sections[2].blocks
    assert len(detail_blocks) == 1 and "code line 2" in detail_blocks[0].text, "literal block stays with its intro"
    chunks = chunk_record(make_record(body, title="PEP 9999", body_format="rst"))
    assert chunks[2].section == "Specification › Details"


def test_estimate_tokens_grows_with_text_and_counts_punctuation() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("restart the pod") == 3
    assert estimate_tokens("a, b.") == 4
    assert estimate_tokens("internationalisation") > 1


def test_embed_text_prefixes_title_and_path() -> None:
    assert embed_text_for("T", ["A", "B"], "body") == "T › A › B\n\nbody"
    assert embed_text_for("T", [], "") == "T"

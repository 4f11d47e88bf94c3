"""Extractive answers: the sentences closest to the question, each passage cited, inactive records marked."""

from __future__ import annotations

from bridge.answer import answer, best_sentences, extractive_answer
from bridge.config import LLMSettings
from bridge.search_types import Passage


def test_best_sentences_keeps_the_closest_sentences_in_order() -> None:
    text = "Backups run nightly. The disk fills up on Sundays. Rotate the logs weekly. Nothing else matters."
    assert best_sentences(text, "why does the disk fill up and when to rotate logs?", 2) == (
        "The disk fills up on Sundays. Rotate the logs weekly.")


def test_list_items_are_joined_readably_without_markdown() -> None:
    text = "- See [Debugging Pods](https://example.com)\n- restart the job"
    assert best_sentences(text, "job", 3) == "See Debugging Pods; restart the job"


def test_extractive_answer_cites_every_passage_and_marks_superseded_ones() -> None:
    passages = [
        Passage("ADR-0002", "Use an operator", "Decision", "Backups run in the operator.", status="accepted"),
        Passage("ADR-0001", "Use cron", "Decision", "Backups run with cron.", status="superseded",
                superseded_by=["ADR-0002"]),
    ]
    result = extractive_answer("how do backups run?", passages)
    assert not result.generated
    assert [citation.tag for citation in result.citations] == ["[ADR-0002 § Decision]", "[ADR-0001 § Decision]"]
    assert "[ADR-0002 § Decision] Use an operator\n  Backups run in the operator." in result.text
    assert "(superseded by ADR-0002)" in result.text


def test_no_passages_says_so_and_no_endpoint_means_extractive() -> None:
    assert extractive_answer("anything?", []).citations == []
    passage = Passage("RB-0001", "Disk full", "", "Grow the volume.")
    assert answer("disk?", [passage], LLMSettings()).generated is False
    assert answer("disk?", [passage], None).citations[0].tag == "[RB-0001]"

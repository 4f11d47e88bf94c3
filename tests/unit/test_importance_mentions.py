"""Mentions count the record a reader of the body would open: unpadded numbers, links, and the body's own import root.

Records are shaped like the real ones: nats-io's ADRs (``adr/ADR-8.md``, keyed ADR-0008, written ``ADR-8``) and
MADR's own decisions (``0008-add-status-field.md``, keyed ADR-0068 when NATS was imported first, written
``[ADR-0008](0008-add-status-field.md)``).
"""

from __future__ import annotations

import time

from bridge.domain import Record
from bridge.usage.importance import importance, mentions
from bridge.usage.key_mentions import MentionResolver, file_name, mention_name

NATS = "/repos/nats/adr"
MADR = "/repos/madr/docs/decisions"
GOV = "/repos/gov/docs/architecture/decisions"


def adr(key: str, path: str, body: str = "") -> Record:
    return Record(key=key, kind="decision", title=key, status="accepted", body=body, source_path=path)


def nats_records() -> list[Record]:
    return [
        adr("ADR-0001", "ADR-1.md", "# JetStream JSON API Design\n"),
        adr("ADR-0008", "ADR-8.md", "# JetStream based Key-Value Stores\n\nSee ADR-8 itself.\n"),
        adr("ADR-0048", "ADR-48.md", "| Updates  | ADR-8                                   |\n"),
        adr("ADR-0054", "ADR-54.md", "| Updates  | ADR-8                                          |\n"),
        adr("ADR-0057", "ADR-57.md", "This ADR is a refinement to [ADR-8](ADR-8.md), documenting sourcing.\n"),
        adr("ADR-0058", "ADR-58.md", "| 1 | 2026-01-06 | @piotrpio | Moved roadmap items from ADR-8 |\n"
                                     "The contents of this document were moved from ADR-8.\n"),
        adr("ADR-0059", "ADR-59.md", "sources for aggregating buckets (see [ADR-8](ADR-8.md)).\n"),
    ]


def madr_records() -> list[Record]:
    return [
        adr("ADR-0061", "0001-use-CC0-or-MIT-as-license.md", "# Dual License the Work\n"),
        adr("ADR-0065", "0005-use-dashes-in-filenames.md", "* `ADR-0001` in plain text and\n"),
        adr("ADR-0068", "0008-add-status-field.md", "# Add Status Field\n\n"
                                                    "See [ADR-0013](0013-use-yaml-front-matter-for-meta-data.md).\n"),
        adr("ADR-0069", "0009-support-links-between-adrs-inside-an-adrs.md",
            "[ADR-0008](0008-add-status-field.md) reasons on adding meta data (such as status).\n"),
        adr("ADR-0073", "0013-use-yaml-front-matter-for-meta-data.md",
            "![adr-013 rendered output](0013-example.png)\n\n"
            "[ADR-0008](0008-add-status-field.md) reasons on adding metadata (such as status).\n"),
    ]


def roots_of(**groups: list[Record]) -> dict[str, str]:
    return {record.key.upper(): root for root, records in groups.items() for record in records}


def test_a_key_is_named_by_its_number_without_padding_in_any_case() -> None:
    assert mention_name("ADR-0008") == mention_name("ADR-8") == mention_name("adr-08") == "ADR-8"
    assert mention_name("ADR-0") == "ADR-0" and mention_name("RB-12a") == "RB-12A"
    counts = mentions(nats_records())
    assert counts["ADR-0008"] == 5, "ADR-48, 54, 57, 58 and 59 write ADR-8"
    assert mentions([adr("ADR-0008", "ADR-8.md"), adr("ADR-0009", "ADR-9.md", "like adr-08 and Adr-0008")]) == {
        "ADR-0008": 1}


def test_a_key_written_with_a_space_or_as_a_rest_role_is_a_mention() -> None:
    def pep(number: int, body: str = "") -> Record:
        return Record(key=f"PEP-{number:04d}", kind="decision", title=f"PEP {number}", status="accepted",
                      body=body, source_path=f"peps/pep-{number:04d}.rst")

    records = [pep(8), pep(20), pep(257, "Follow PEP 8 and :pep:`20`; see also :pep:`8`."),
               pep(484, "Unlike PEP\u00a08, this is about types. Step 2 of 3, pep 20 in lower case, ADR 5.")]

    counts = mentions(records)

    assert counts == {"PEP-0008": 2, "PEP-0020": 1}, "each other record counts once; lower-case prose does not"


def test_file_names_give_the_name_their_folder_uses() -> None:
    assert file_name(adr("ADR-0008", "ADR-8.md")) == "ADR-8"
    assert file_name(adr("ADR-0068", "0008-add-status-field.md")) == "ADR-8"
    assert file_name(adr("ADR-0168", "adr-002-configuration.md")) == "ADR-2"
    assert file_name(adr("ADR-0003", "20200924-use-markdown.md")) is None, "a date is not a number"
    assert file_name(adr("ADR-0004", "v2-migration.md")) is None
    assert file_name(adr("ADR-0005", "0012-disk-full/README.md")) == "ADR-12"
    assert file_name(adr("ADR-0006", "2024/plain.md")) is None
    assert file_name(adr("ADR-0007", "")) is None


def test_the_same_key_text_in_two_import_roots_counts_for_the_record_of_the_bodys_root() -> None:
    nats, madr = nats_records(), madr_records()
    counts = mentions([*nats, *madr], roots_of(**{NATS: nats, MADR: madr}))
    assert counts["ADR-0008"] == 5, "only NATS's own ADRs name NATS's ADR-8"
    assert counts["ADR-0068"] == 2, "MADR's ADR-0008 is MADR's 0008-add-status-field.md"
    assert counts["ADR-0061"] == 1, "plain `ADR-0001` in MADR is MADR's 0001"
    assert counts["ADR-0073"] == 1 and "ADR-0001" not in counts and "ADR-0013" not in counts
    value = importance("ADR-0008", reads={}, inbound={}, mentioned=counts, alerts={})
    assert value.explain() == "1 (base) + 2.5 (mentions: 5) = 3.5"


def test_without_roots_a_link_still_goes_where_it_points() -> None:
    counts = mentions([*nats_records(), *madr_records()])
    assert counts["ADR-0008"] == 5 and counts["ADR-0068"] == 2 and counts["ADR-0073"] == 1
    # Plain text cannot be told apart without roots: it goes to the record keyed so, as before.
    assert counts["ADR-0001"] == 1 and "ADR-0061" not in counts


def test_a_record_made_in_bridge_names_records_by_their_keys() -> None:
    nats, madr = nats_records(), madr_records()
    made = Record(key="ADR-0100", kind="decision", title="Ours", status="proposed",
                  body="Builds on ADR-0008 and adr-68; see ADR-0999 too.")
    counts = mentions([*nats, *madr, made], roots_of(**{NATS: nats, MADR: madr}))
    assert counts["ADR-0008"] == 6 and counts["ADR-0068"] == 3 and "ADR-0999" not in counts


def test_another_roots_record_counts_only_when_one_root_could_own_the_text() -> None:
    nats, madr = nats_records(), madr_records()
    gov = [
        adr("ADR-0200", "0001-record-architecture-decisions.md", "Unlike ADR-8 and ADR-48 elsewhere."),
        adr("ADR-0201", "0002-use-terraform.md", "The picture: ![flow](../../img/adr-0048-flow.png)"),
    ]
    counts = mentions([*nats, *madr, *gov], roots_of(**{NATS: nats, MADR: madr, GOV: gov}))
    assert counts["ADR-0008"] == 5, "ADR-8 could be NATS's or MADR's: it counts for neither"
    assert counts["ADR-0048"] == 1, "only NATS has an ADR-48"
    assert "ADR-0200" not in counts


def test_key_text_inside_a_link_target_names_only_the_record_the_link_goes_to() -> None:
    records = [
        adr("ADR-0168", "adr-002-configuration.md", "# Configuration"),
        adr("ADR-0170", "adr-004-module-loading.md",
            "[modules](adr-002-configuration.md) and [ADR-002](<adr-002-configuration.md#top>)"),
        adr("ADR-0018", "0018-use-concourse.md", "![CI](../../img/adr-0018-existing-cicd.png)"),
        adr("ADR-0019", "0019-x.md", "![CI](../../img/adr-0018-existing-cicd.png) [ADR-18](https://example.com/ADR-18.md)"),
    ]
    resolver = MentionResolver(records)
    assert [(text, inside) for text, _target, inside in resolver.key_texts(records[1].body)] == [
        ("adr-002", True), ("ADR-002", False), ("adr-002", True)]
    assert mentions(records) == {"ADR-0168": 1, "ADR-0018": 1}, "a picture's file name is no mention"


def test_only_other_records_count_once_each() -> None:
    records = [adr("ADR-0008", "ADR-8.md", "ADR-8, ADR-0008, [ADR-8](ADR-8.md)"),
               adr("ADR-0009", "ADR-9.md", "ADR-8 twice: ADR-8")]
    assert mentions(records) == {"ADR-0008": 1}


def test_a_large_knowledge_base_is_one_pass() -> None:
    records = [
        adr(f"ADR-{number:04d}", f"{number:04d}-decision.md",
            ("Some words about the decision, with a list - 1 and 2-3 ranges. " * 30)
            + f"See ADR-{(number * 7) % 4000 + 1} and [ADR-{number % 4000 + 1:04d}]({number % 4000 + 1:04d}-decision.md)."
        )
        for number in range(1, 4001)
    ]
    roots = {record.key.upper(): "/repo" for record in records}
    started = time.perf_counter()
    counts = mentions(records, roots)
    elapsed = time.perf_counter() - started
    assert sum(counts.values()) >= 7000
    assert elapsed < 5, f"{elapsed:.2f} s for 4,000 records"

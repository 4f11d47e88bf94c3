"""Grouping git identities into people and making handles."""

from __future__ import annotations

from bridge.ingest.identities import group_identities, slug_handle


def test_same_email_or_same_normalised_name_is_one_person() -> None:
    people = group_identities([
        ("Alyssa Coghlan", "ncoghlan@gmail.com"),
        ("Alyssa Coghlan", "ncoghlan@gmail.com"),
        ("ncoghlan", "NCoghlan@gmail.com"),
        ("alyssa  coghlan", "alyssa@example.org"),
        ("Barry Warsaw", "barry@python.org"),
    ])
    assert len(people) == 2
    alyssa = next(person for person in people if "ncoghlan@gmail.com" in person.emails)
    assert alyssa.name == "Alyssa Coghlan"
    assert alyssa.emails == ["alyssa@example.org", "ncoghlan@gmail.com"]
    assert set(alyssa.names) == {"Alyssa Coghlan", "ncoghlan", "alyssa  coghlan"}


def test_a_chain_of_shared_emails_and_names_joins_transitively() -> None:
    people = group_identities([("A One", "a@x"), ("A One", "a@y"), ("Alias", "a@y"), ("alias", "z@z")])
    assert len(people) == 1
    assert people[0].emails == ["a@x", "a@y", "z@z"]


def test_generic_names_do_not_merge_different_people() -> None:
    people = group_identities([("root", "alice@x"), ("root", "bob@x"), ("", "carol@x")])
    assert len(people) == 3
    assert {person.name for person in people} == {"root", "carol@x"}


def test_the_most_used_full_name_is_the_display_name() -> None:
    people = group_identities([("rip", "r@x")] * 5 + [("R.I. Pienaar", "r@x")] * 2 + [("R.I.Pienaar", "r@x")])
    assert people[0].name == "R.I. Pienaar"


def test_slug_handle() -> None:
    assert slug_handle("Łukasz Langa") == "lukasz-langa"
    assert slug_handle("Hugo van Kemenade") == "hugo-van-kemenade"
    assert slug_handle("jane.doe@example.com") == "jane-doe"
    assert slug_handle("@ripienaar") == "ripienaar"
    assert slug_handle("dependabot[bot]") == "dependabot-bot"
    assert slug_handle("!!!") == "unknown"


def test_bots_by_word_pattern_and_noreply_account() -> None:
    from bridge.ingest.git_history import is_bot

    assert is_bot("hco-bot", "71450783+hco-bot@users.noreply.github.com")
    assert is_bot("Somebody", "71450783+hco-bot@users.noreply.github.com")
    assert is_bot("k8s-ci-robot", "k8s-ci-robot@example.com")
    assert is_bot("CI", "bot@example.com")
    assert is_bot("github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com")
    assert is_bot("Release Helper", "release@example.com", ["release@"])
    assert not is_bot("Anna Bottger", "anna-bottger@example.com")
    assert not is_bot("Abbott Botond", "botond@example.com")


def test_declared_handles_join_the_people_they_name() -> None:
    people = group_identities(
        [("Avital Pinnick", "apinnick@redhat.com")] * 3 + [("Lukas Metzner", "lm@example.com")],
        declared=["apinnick", "@lukasmetzner", "someone-else"],
    )
    by_name = {person.name: person for person in people}
    assert set(by_name) == {"Avital Pinnick", "Lukas Metzner", "someone-else"}
    assert "apinnick" in by_name["Avital Pinnick"].names and "lukasmetzner" in by_name["Lukas Metzner"].names

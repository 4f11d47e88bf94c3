"""People from real git repositories: identities merged or kept apart, display names, bots and bulk commits."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from bridge.domain import Person
from bridge.workspace import Workspace
from tests.unit.test_ingest_git_history import Repo


class HourlyRepo(Repo):
    """A throwaway repository whose commits are an hour apart (so hundreds fit in a month)."""

    def commit(self, author: str, message: str = "change", *paths: str) -> str:
        name, email = author.rstrip(">").split(" <")
        self.day += 1
        when = (datetime(2024, 1, 1, 0, 0) + timedelta(hours=self.day)).isoformat() + "+00:00"
        self.git("add", "-A", *paths)
        env = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": when,
               "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email, "GIT_COMMITTER_DATE": when}
        self.git("commit", "-q", "-m", message, env=env)
        return self.git("rev-parse", "HEAD").strip()


RUNBOOK = "# {title}\n\n## Meaning\n\n{text}\n\n## Impact\n\nSome.\n"


def runbook(title: str, text: str = "Something is wrong.") -> str:
    return RUNBOOK.format(title=title, text=text)


def people_by_name(ws: Workspace) -> dict[str, Person]:
    return {person.name: person for person in ws.people()}


def test_noreply_handles_and_squeezed_names_merge_and_the_most_used_spelling_shows(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "runbooks")
    repo.write("db/DiskFull.md", runbook("Disk full"))
    repo.commit("Lukas Metzner <lukas@example.com>")
    for number in range(3):
        repo.write("db/DiskFull.md", runbook("Disk full", f"Edit {number}."))
        repo.commit("lukasmetzner <1234567+lukasmetzner@users.noreply.github.com>")
    for number in range(2):
        repo.write("web/Down.md", runbook("Web down", f"Edit {number}."))
        repo.commit("Jubilee <46493976+workingjubilee@users.noreply.github.com>")
    repo.write("web/Down.md", runbook("Web down", "More."))
    repo.commit("workingjubilee <jubilee@example.org>")
    repo.write("web/Down.md", runbook("Web down", "Even more."))
    repo.commit("Jubilee Young <workingjubilee@mail.example.net>")
    for number in range(4):
        repo.write("web/Slow.md", runbook("Web slow", f"Edit {number}."))
        repo.commit("Peter Hunt <phunt@example.com>")
    repo.write("web/Slow.md", runbook("Web slow", "Typo."))
    repo.commit("Peter Hunt~ <phunt@example.com>")
    with Workspace.open() as ws:
        report = ws.import_paths([repo.path])
        assert report.failed == []
        people = people_by_name(ws)
    assert set(people) == {"Lukas Metzner", "Jubilee Young", "Peter Hunt"}
    lukas = people["Lukas Metzner"]
    assert {"lukas@example.com", "1234567+lukasmetzner@users.noreply.github.com"} <= set(lukas.emails)
    jubilee = people["Jubilee Young"]
    assert {"jubilee@example.org", "46493976+workingjubilee@users.noreply.github.com",
            "workingjubilee@mail.example.net"} <= set(jubilee.emails)
    assert "jubilee" in jubilee.aliases


def test_similar_people_are_kept_apart(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "runbooks")
    repo.write("a/One.md", runbook("One"))
    repo.commit("Alex Chen <alex@company-a.com>")
    repo.write("a/One.md", runbook("One", "Changed."))
    repo.commit("Alex Cheng <alex@company-b.com>")
    repo.write("a/Two.md", runbook("Two"))
    repo.commit("Li Wei <li@example.com>")
    repo.write("a/Two.md", runbook("Two", "Changed."))
    repo.commit("li <999+li@users.noreply.github.com>")
    with Workspace.open() as ws:
        ws.import_paths([repo.path])
        names = set(people_by_name(ws))
    assert {"Alex Chen", "Alex Cheng"} <= names, "the same email user at two domains is not one person"
    assert {"Li Wei", "li"} <= names, "a handle shorter than four characters merges nobody"


def test_bots_by_pattern_and_setting_make_no_knowers(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "runbooks")
    repo.write("vm/Down.md", runbook("VM down"))
    repo.commit("Dana Diaz <dana@example.com>")
    for number, bot in enumerate([
        "hco-bot <71450783+hco-bot@users.noreply.github.com>",
        "openshift-merge-robot <openshift-merge-robot@users.noreply.github.com>",
        "renovate[bot] <29139614+renovate[bot]@users.noreply.github.com>",
        "CI <bot@ci.example.com>",
        "Release Helper <release@example.com>",
    ]):
        repo.write("vm/Down.md", runbook("VM down", f"Bump {number}."))
        repo.commit(bot)
    from bridge.config import load_settings

    settings = load_settings()
    settings.bot_patterns = [*settings.bot_patterns, "release@example.com"]
    with Workspace.open(settings) as ws:
        ws.import_paths([repo.path])
        assert set(people_by_name(ws)) == {"Dana Diaz"}
        assert [revision.author for revision in ws.history("RB-0001")] == ["dana-diaz"]


def test_bulk_and_ignored_commits_make_no_knowers(tmp_path: Path) -> None:
    repo = HourlyRepo(tmp_path / "runbooks")
    for number in range(60):
        repo.write(f"svc/Alert{number:02d}.md", runbook(f"Alert {number}"))
        repo.commit("Dana Diaz <dana@example.com>")
    repo.write("svc/Alert00.md", runbook("Alert 0", "Real fix."))
    repo.commit("Erik Eng <erik@example.com>")
    for number in range(60):
        repo.write(f"svc/Alert{number:02d}.md", runbook(f"Alert {number}", "Reformatted."))
    bulk = repo.commit("Fran Formatter <fran@example.com>", "reformat every runbook")
    repo.write("svc/Alert01.md", runbook("Alert 1", "Mechanical rename of a term."))
    ignored = repo.commit("Gus Gofer <gus@example.com>", "rename a term")
    repo.write(".git-blame-ignore-revs", f"# mechanical\n{ignored}\n")
    repo.commit("Dana Diaz <dana@example.com>", "ignore revs", ".git-blame-ignore-revs")
    with Workspace.open() as ws:
        ws.import_paths([repo.path / "svc"])
        knowers = {detail.key: detail.knowers for detail in ws.knowledge_map().record_details}
        everyone = {name for names in knowers.values() for name in names}
        first = ws.history("RB-0001")
    assert "Fran Formatter" not in everyone, f"bulk commit {bulk[:8]} touched 60 files against a median of 1"
    assert "Gus Gofer" not in everyone, "a commit in .git-blame-ignore-revs makes nobody a knower"
    assert "Erik Eng" in everyone and "Dana Diaz" in everyone
    assert [revision.author for revision in first] == ["dana-diaz", "erik-eng"]


def test_an_author_written_as_a_handle_in_a_metadata_table_is_the_committer(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "adr")
    decision = ("# Server error codes\n\n|Metadata|Value|\n|--------|-----|\n|Date    |2021-05-12|\n"
                "|Author  |@jkdoe|\n|Status  |Approved|\n\n## Context\n\nErrors need stable codes{}.\n")
    repo.write("adr/ADR-7.md", decision.format(""))
    repo.commit("J.K.Doe <jk@example.org>")
    repo.write("adr/ADR-7.md", decision.format(" across releases"))
    repo.commit("J.K.Doe <jk@example.org>")
    with Workspace.open() as ws:
        assert ws.import_paths([repo.path]).failed == []
        people = people_by_name(ws)
        contributors = {c.person.name: c.roles for c in ws.contributors("ADR-0007")}
        found = ws.find_person("@jkdoe")

    assert set(people) == {"J.K.Doe"}, "the handle is not a second, nameless person"
    assert list(contributors) == ["J.K.Doe"] and "author" in contributors["J.K.Doe"]
    assert found.name == "J.K.Doe"


def test_doctor_repair_merges_a_nameless_person_left_by_an_older_import(tmp_path: Path) -> None:
    from sqlmodel import Session, select

    from bridge.store.models import AliasRow, ContributionRow, PersonRow, RecordRow

    repo = Repo(tmp_path / "adr")
    repo.write("adr/ADR-7.md", "# Server error codes\n\n|Metadata|Value|\n|---|---|\n|Author|@jkdoe|\n\n## Context\n\nX.\n")
    repo.commit("J.K.Doe <jk@example.org>")
    with Workspace.open() as ws:
        ws.import_paths([repo.path])
        with Session(ws.engine) as session:  # what importing '@jkdoe' made before it was read as a login
            record = session.exec(select(RecordRow).where(RecordRow.key == "ADR-0007")).one()
            ghost = PersonRow(handle="jkdoe-2", name="")
            session.add(ghost)
            session.flush()
            session.add(AliasRow(person_id=ghost.id, alias="@jkdoe"))
            session.add(ContributionRow(person_id=ghost.id, record_id=record.id, role="author"))
            session.add(ContributionRow(person_id=ghost.id, record_id=record.id, role="owner"))
            session.commit()

        found = {check.name: check for check in ws.doctor()}
        repaired = {check.name: check for check in ws.doctor(repair=True)}
        after = {check.name: check for check in ws.doctor()}
        people = people_by_name(ws)
        roles = {c.person.name: c.roles for c in ws.contributors("ADR-0007")}

    assert not found["people"].ok and "jkdoe-2" in found["people"].detail
    assert repaired["people"].ok and "1 people with no name merged" in repaired["people"].detail
    assert after["people"].ok and set(people) == {"J.K.Doe"}
    assert list(roles) == ["J.K.Doe"] and {"author", "owner"} <= set(roles["J.K.Doe"])
    assert "@jkdoe" not in people["J.K.Doe"].emails + people["J.K.Doe"].aliases, "the '@' spelling is not kept"

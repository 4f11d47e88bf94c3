"""The knowledge workspace over a real git import: reviews and departures move the bus factor, the TUI view model,
and ``--without`` on the runbook corpus's top author."""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path

import pytest

from bridge.workspace import Workspace

AS_OF = date(2026, 6, 1)
PEOPLE = {"alice": ("Alice Ames", "alice@example.com"), "bob": ("Bob Burns", "bob@example.com"),
          "carol": ("Carol Cole", "carol@example.com")}


def commit(repo: Path, who: str, day: str, files: dict[str, str], message: str) -> None:
    """Write files and commit them as who on day."""
    for relative, text in files.items():
        path = repo / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    name, email = PEOPLE[who]
    stamp = f"{day}T10:00:00+00:00"
    env = {**os.environ, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": stamp,
           "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email, "GIT_COMMITTER_DATE": stamp}
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", message], check=True, env=env)


def runbook(title: str, extra: str = "") -> str:
    """Return a runbook file's text."""
    return f"---\ntitle: {title}\nkind: runbook\nstatus: active\n{extra}---\n# {title}\n\n## Meaning\n\n{title}.\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Return a git repo: etcd/ written by Alice (Bob edited one), node/ by Bob and Carol, an owned runbook."""
    repo = tmp_path / "runbooks"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    commit(repo, "alice", "2026-01-05", {"etcd/EtcdDown.md": runbook("Etcd down"),
                                         "etcd/EtcdSlow.md": runbook("Etcd slow"),
                                         "etcd/EtcdQuota.md": runbook("Etcd quota")}, "etcd runbooks")
    commit(repo, "bob", "2026-01-06", {"etcd/EtcdQuota.md": runbook("Etcd quota") + "\nMore.\n"}, "quota detail")
    commit(repo, "bob", "2026-01-07", {"node/NodeDisk.md": runbook("Node disk")}, "node disk")
    commit(repo, "carol", "2026-01-08", {"node/NodeNet.md": runbook("Node net", "owners: [Bob Burns]\n")}, "net")
    return repo


def keys_by_path(workspace: Workspace) -> dict[str, str]:
    """Return source path → record key."""
    return {record.source_path: record.key for record in workspace.list_records()}


def test_reviews_and_departures_move_the_bus_factor(repo: Path) -> None:
    with Workspace.open() as workspace:
        workspace.import_paths([repo])
        keys = keys_by_path(workspace)
        etcd = workspace.knowledge_map(as_of=AS_OF).topic("etcd")
        assert etcd is not None
        # Alice knows all three; Bob's one edit of EtcdQuota gives 3.457 vs Alice's 4.169 (0.83): he knows it too.
        assert etcd.bus_factor == 1 and [(k.person, k.records) for k in etcd.knowers] == [
            ("Alice Ames", 3), ("Bob Burns", 1)]
        assert etcd.suggestion is not None and etcd.suggestion.person == "Bob Burns"
        node = workspace.knowledge_map(as_of=AS_OF).topic("node")
        assert node is not None and sorted(k.person for k in node.knowers) == ["Bob Burns", "Carol Cole"]
        # Carol reads and checks EtcdDown: removing Alice now orphans only EtcdSlow (1 of 3).
        workspace.mark_reviewed(keys["etcd/EtcdDown.md"], "carol@example.com")
        etcd = workspace.knowledge_map().topic("etcd")
        assert etcd is not None and etcd.bus_factor == 2
        # Alice leaves: EtcdSlow's only knower left.
        workspace.set_left("Alice Ames", date(2026, 5, 1))
        after = workspace.knowledge_map().topic("etcd")
        assert after is not None and after.orphaned_records == [keys["etcd/EtcdSlow.md"]]
        left_flag = next(flag for flag in after.flags if flag.kind == "knowers-left")
        assert left_flag.records == [keys["etcd/EtcdSlow.md"]]
        people = {summary.person: summary for summary in workspace.people_summary()}
        assert people["Alice Ames"].status == "left" and people["Alice Ames"].records_known == 3
        # As of before she left, she still counts.
        before = workspace.knowledge_map(as_of=date(2026, 4, 1)).topic("etcd")
        assert before is not None and before.knowers[0].person == "Alice Ames"


def test_bus_factor_screen_view_model_toggles_departures(repo: Path) -> None:
    with Workspace.open() as workspace:
        workspace.import_paths([repo])
        screen = workspace.bus_factor_screen(as_of=AS_OF)
    rows = screen.rows()
    assert [row.topic for row in rows] == ["etcd", "node"]  # riskiest first
    assert (rows[0].bus_factor, rows[0].baseline, rows[0].top_knower) == (1, 1, "Alice Ames")
    toggles = {toggle.person: toggle for toggle in screen.people()}
    assert toggles["Alice Ames"].records_known == 3 and not toggles["Alice Ames"].departed
    screen.toggle("bob-burns")
    node = next(row for row in screen.rows() if row.topic == "node")
    assert (node.baseline, node.bus_factor) == (2, 1)
    assert screen.overall()[0] >= screen.overall()[1]
    assert [toggle.person for toggle in screen.people() if toggle.departed] == ["Bob Burns"]
    records = screen.topic_records("node")
    assert [detail.knowers for detail in records] == [[], ["Carol Cole"]]  # NodeDisk was Bob's alone
    screen.reset()
    assert next(row for row in screen.rows() if row.topic == "node").bus_factor == 2


@pytest.mark.slow
def test_without_the_runbook_corpus_top_author_shows_what_is_orphaned(corpus) -> None:
    repo = corpus("prometheus-runbooks")
    with Workspace.open() as workspace:
        workspace.import_paths([repo])
        before = workspace.knowledge_map()
        top = before.overall.knowers[0]
        impact = workspace.departure_impact([top.person])
        sole = [detail.key for detail in before.record_details if detail.knowers == [top.person]]
    assert impact.departed == [top.person]
    assert impact.orphaned_records == sorted(sole) and len(sole) > before.overall.records // 2
    assert impact.after.overall.bus_factor == 0 < impact.before.overall.bus_factor
    assert set().union(*(change.newly_orphaned for change in impact.changes)) == set(sole)

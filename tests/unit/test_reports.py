"""Report renderers: the HTML's figures match the JSON, Markdown and CSV carry the same numbers, HTML feeds --since."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bridge.config import KnowledgeSettings
from bridge.domain import KnowledgeInputs, Person, Record, Revision
from bridge.errors import BridgeError
from bridge.knowledge.report import build_report
from bridge.knowledge_types import KnowledgeReport
from bridge.reports import render_report
from bridge.workspace.knowledge import load_previous_report

AS_OF = date(2026, 11, 24)


def make_report(previous: dict | None = None, fail_under: int | None = None) -> KnowledgeReport:
    """Return a report over 3 topics: api (bus factor 2), db (1, a <script> in its name), ops (orphaned)."""
    start = datetime(2026, 1, 5, 10)
    records, revisions = [], []
    plan = {
        "RB-1": (["api"], ["ann", "ben"] * 2), "RB-2": (["api"], ["ben"]), "RB-3": (["api"], ["ann"]),
        "RB-4": (["db<script>"], ["cat"]), "RB-5": (["db<script>"], ["cat"]), "RB-6": (["db<script>"], ["cat", "ann"]),
        "RB-7": (["ops"], ["dan"]), "RB-8": (["ops"], ["dan"]),
    }
    for key, (topics, authors) in plan.items():
        records.append(Record(key=key, kind="runbook", title=f"{key} & co", status="active", body="", topics=topics,
                              created_at=start, review_by=date(2026, 6, 1) if key == "RB-2" else None))
        revisions += [Revision(record_key=key, number=n, author=a, at=start + timedelta(days=n * 40), source="git")
                      for n, a in enumerate(authors, start=1)]
    people = [Person(handle=h, name=h.capitalize()) for h in ("ann", "ben", "cat")]
    people.append(Person(handle="dan", name="Dan", left_on=date(2026, 10, 1)))
    inputs = KnowledgeInputs(records=records, revisions=revisions, people=people)
    return build_report(inputs, KnowledgeSettings(), as_of=AS_OF, generated_at=datetime(2026, 11, 24, 9),
                        previous=previous, fail_under=fail_under)


class FigureParser(HTMLParser):
    """Collects table cells marked with data-field, chart bars, and summary figures from the report HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.table: dict[str, dict[str, str]] = {}
        self.bars: dict[tuple[str, str], str] = {}
        self.figures: dict[str, str] = {}
        self.row_topic: str | None = None
        self.field: str | None = None
        self.text = ""
        self.scripts: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            self.in_script = True
            self.scripts.append(attributes.get("src") or "")
        if tag == "tr" and attributes.get("data-topic"):
            self.row_topic = attributes["data-topic"]
            self.table[self.row_topic] = {}
        if tag == "td" and attributes.get("data-field") and self.row_topic is not None:
            self.field, self.text = attributes["data-field"], ""
        if tag == "rect" and attributes.get("data-chart"):
            self.bars[(attributes["data-chart"], attributes["data-topic"])] = attributes["data-value"]
        if attributes.get("id", "").startswith("overall-"):
            self.figures[attributes["id"]] = attributes["data-value"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self.field is not None and self.row_topic is not None:
            self.table[self.row_topic][self.field] = self.text.strip()
            self.field = None
        if tag == "tr":
            self.row_topic = None
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.field is not None:
            self.text += data


def test_html_figures_match_the_json_report() -> None:
    report = make_report(fail_under=2)
    data = json.loads(render_report(report, "json"))
    page = render_report(report, "html")
    parser = FigureParser()
    parser.feed(page)
    assert parser.figures == {"overall-bus-factor": str(data["overall"]["bus_factor"]),
                              "overall-records": str(data["overall"]["records"])}
    assert [topic["topic"] for topic in data["topics"]] == list(parser.table)
    for topic in data["topics"]:
        row = parser.table[topic["topic"]]
        assert row == {
            "bus_factor": str(topic["bus_factor"]), "records": str(topic["records"]),
            "knowers": str(len(topic["knowers"])), "single_knower_records": str(len(topic["single_knower_records"])),
            "orphaned_records": str(len(topic["orphaned_records"])),
        }
        assert parser.bars[("bus-factor", topic["topic"])] == str(topic["bus_factor"])
        assert float(parser.bars[("concentration", topic["topic"])]) == pytest.approx(topic["concentration"], abs=1e-4)
    for bucket in data["review_freshness"]:
        assert parser.bars[("freshness", bucket["label"])] == str(bucket["count"])
    # The figures themselves are what the fixture implies: ops orphaned (Dan left), db on Cat alone, api shared.
    assert {t["topic"]: t["bus_factor"] for t in data["topics"]} == {"ops": 0, "db<script>": 1, "api": 2}
    assert data["failing_topics"] == ["ops", "db<script>"]
    # Self-contained: no external scripts, styles or images; the hostile topic name is escaped.
    assert parser.scripts == [""] and "<link" not in page and "src=" not in page
    assert "<script>" not in page.replace('<script type="application/json" id="bridge-report-data">', "")


def test_markdown_and_csv_carry_the_same_figures() -> None:
    report = make_report()
    markdown = render_report(report, "md")
    assert "**bus factor 2** over 8 records" in markdown  # ann (tied with cat, first by handle), then cat
    assert "| ops | 0 | 2 | 0 | — | 0 | 2 | orphaned, knowers-left |" in markdown
    assert "### db&lt;script&gt; — bus factor 1" in markdown and "<script>" not in markdown
    rows = list(csv.DictReader(io.StringIO(render_report(report, "csv"))))
    assert rows[0]["topic"] == "(whole knowledge base)" and rows[0]["bus_factor"] == "2"
    by_topic = {row["topic"]: row for row in rows[1:]}
    assert by_topic["db<script>"]["top_knower"] == "Cat" and by_topic["db<script>"]["concentration"] == "1.0000"
    assert by_topic["ops"]["orphaned_records"] == "RB-7 RB-8"


def test_html_report_works_as_previous_report(tmp_path: Path) -> None:
    first = make_report()
    path = tmp_path / "last-month.html"
    path.write_text(render_report(first, "html"), encoding="utf-8")
    previous = load_previous_report(path)
    assert previous["overall"]["bus_factor"] == first.map.overall.bus_factor
    previous["topics"] = [dict(topic, bus_factor=topic["bus_factor"] + 1) for topic in previous["topics"]]
    second = make_report(previous=previous)
    assert {change.topic: change.trend for change in second.trends if change.topic != "(whole knowledge base)"} == {
        "api": "worse", "db<script>": "worse", "ops": "worse"}
    assert "## Since the previous report (2026-11-24)" in render_report(second, "md")


def test_unreadable_previous_report_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "notes.json"
    bad.write_text("[1, 2", encoding="utf-8")
    with pytest.raises(BridgeError, match="notes.json: not valid JSON"):
        load_previous_report(bad)
    page = tmp_path / "other.html"
    page.write_text("<html><body>hello</body></html>", encoding="utf-8")
    with pytest.raises(BridgeError, match="without bridge report data"):
        load_previous_report(page)
    with pytest.raises(BridgeError, match="unknown report format 'pdf'"):
        render_report(make_report(), "pdf")

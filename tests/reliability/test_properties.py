"""Property-based tests (Hypothesis): parsers, keys and export paths, query-to-MATCH, MCP arguments, escaping."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pydantic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.domain import KEY_PATTERN, Record
from bridge.errors import BridgeError
from bridge.ingest.parse import parse_record_text
from bridge.ingest.writer import export_relative_path, render_record
from bridge.store.chunks import match_expression
from bridge.terminal import safe_line, safe_text
from bridge.tui.drafts import draft_path

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")

front_matter_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@FAST
@given(st.text(max_size=2000))
def test_parsing_any_text_gives_a_record_or_a_parse_error(text: str) -> None:
    try:
        source = parse_record_text(text, "decisions/0007-x.md")
    except BridgeError:
        return
    assert source.record.kind in ("decision", "runbook", "postmortem")
    assert isinstance(source.record.body, str)


@FAST
@given(st.dictionaries(st.sampled_from(["id", "title", "status", "owners", "topics", "date", "supersedes", "x"]),
                       front_matter_values, max_size=6), st.text(max_size=300))
def test_any_front_matter_gives_a_record_or_a_parse_error(front: dict, body: str) -> None:
    import yaml

    text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + body
    try:
        parse_record_text(text, "runbooks/disk.md")
    except BridgeError:
        return


@FAST
@given(st.text(max_size=40))
def test_a_key_that_passes_validation_is_a_safe_file_name(key: str) -> None:
    if not KEY_PATTERN.match(key):
        return
    assert "/" not in key and "\\" not in key and not CONTROL.search(key) and key not in (".", "..")
    assert re.fullmatch(r"[A-Za-z0-9._-]+", key)
    folder = Path("/tmp/drafts")
    assert draft_path(key, folder).parent == folder


@FAST
@given(
    key=st.text(min_size=1, max_size=30),
    title=st.text(max_size=60),
    source_path=st.text(max_size=60),
    topics=st.lists(st.text(max_size=15), max_size=3),
    kind=st.sampled_from(["decision", "runbook", "postmortem"]),
)
def test_export_paths_never_leave_the_export_folder(key: str, title: str, source_path: str, topics: list[str],
                                                    kind: str) -> None:
    record = Record(key=key, kind=kind, title=title or "t", status="accepted", body="b",  # type: ignore[arg-type]
                    source_path=source_path, topics=topics)
    relative = export_relative_path(record)
    assert not relative.is_absolute()
    assert ".." not in relative.parts and all(part not in ("", ".") for part in relative.parts)
    assert all("\x00" not in part and "/" not in part for part in relative.parts)
    assert (Path("/export") / relative).resolve().is_relative_to(Path("/export"))


@FAST
@given(st.text(max_size=300))
def test_match_expressions_are_quoted_words_that_fts5_always_accepts(query: str) -> None:
    expression = match_expression(query)
    if expression is None:
        return
    for term in expression.split(" OR "):
        assert re.fullmatch(r'"\w+"', term), term
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(text)")
    connection.execute("INSERT INTO t VALUES ('some text')")
    connection.execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,)).fetchall()


@FAST
@given(st.text(max_size=200))
def test_escaped_text_has_no_terminal_controls_and_keeps_everything_else(text: str) -> None:
    line = safe_line(text)
    body = safe_text(text)
    assert not CONTROL.search(line) and "\n" not in line and "\t" not in line
    assert not CONTROL.search(body)
    if not CONTROL.search(text):
        assert body == text
    assert body.replace("\\x", "").count("\n") == text.count("\n")


@FAST
@given(st.text(max_size=60), st.integers(min_value=0, max_value=10))
def test_rendered_records_parse_back_to_the_same_title(title: str, number: int) -> None:
    title = " ".join(title.split())
    if not title or CONTROL.search(title):
        return
    record = Record(key=f"ADR-{number:04d}", kind="decision", title=title, status="accepted", body="# Context\n\nx\n")
    parsed = parse_record_text(render_record(record), "decisions/x.md").record
    assert parsed.title == title


def mcp_argument_models() -> list[type[pydantic.BaseModel]]:
    """Return every MCP tool's argument model."""
    from bridge.mcp.tools import tool_specs

    return [spec.arguments for spec in tool_specs(allow_write=True).values()]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=10,
)


@FAST
@given(st.data())
def test_mcp_arguments_are_validated_or_refused_never_crash(data: st.DataObject) -> None:
    model = data.draw(st.sampled_from(mcp_argument_models()))
    names = list(model.model_fields) + ["unknown"]
    payload = data.draw(st.dictionaries(st.sampled_from(names), json_values, max_size=5))
    try:
        parsed = model.model_validate(payload)
    except pydantic.ValidationError:
        return
    for name, value in parsed.model_dump().items():
        if name == "key" or (name == "supersedes" and value):
            for key in [value] if isinstance(value, str) else value:
                assert KEY_PATTERN.match(key.strip())


def test_the_key_pattern_is_anchored_at_the_very_end() -> None:
    assert not KEY_PATTERN.match("ADR-1\n")
    assert KEY_PATTERN.match("ADR-0001") and not KEY_PATTERN.match("ADR-" + "1" * 200)

"""Record templates: the names per kind, bodies with their sections, and unknown names."""

from __future__ import annotations

import pytest

from bridge.errors import BridgeError
from bridge.ingest.markdown import markdown_facts
from bridge.ingest.templates import UnknownTemplate, template_body, template_names


def test_template_names_per_kind() -> None:
    assert template_names("decision") == ["nygard", "madr"]
    assert template_names("runbook") == ["runbook"]
    assert template_names("postmortem") == ["postmortem"]


@pytest.mark.parametrize(
    ("kind", "name", "sections"),
    [
        ("decision", "nygard", ["Context", "Decision", "Status", "Consequences"]),
        ("decision", "madr", ["Context and Problem Statement", "Decision Drivers", "Considered Options",
                              "Decision Outcome", "Consequences", "Pros and Cons of the Options"]),
        ("runbook", None, ["Meaning", "Impact", "Diagnosis", "Mitigation", "Escalation"]),
        ("postmortem", None, ["Summary", "Impact", "Timeline", "Root Cause", "Resolution", "Action Items"]),
    ],
)
def test_template_bodies_have_their_sections_and_the_title(kind: str, name: str | None, sections: list[str]) -> None:
    facts = markdown_facts(template_body(kind, name, "Use SQLite"))
    assert facts.title == "Use SQLite"
    headings = [heading.text for heading in facts.headings if heading.level > 1]
    assert [heading for heading in headings if heading in sections] == sections


def test_unknown_template_lists_the_valid_names() -> None:
    with pytest.raises(UnknownTemplate, match="use one of nygard, madr") as caught:
        template_body("decision", "y-statement", "T")
    assert isinstance(caught.value, BridgeError)
    with pytest.raises(UnknownTemplate, match="no templates for kind 'memo'"):
        template_body("memo", None, "T")

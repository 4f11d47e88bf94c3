"""Renderers of knowledge results: Markdown, HTML, JSON and CSV."""

from __future__ import annotations

from collections.abc import Callable

from bridge.errors import BridgeError
from bridge.knowledge_types import KnowledgeReport

REPORT_FORMATS = ("md", "html", "json", "csv")
"""Formats ``bridge report --format`` accepts."""


def render_report(report: KnowledgeReport, report_format: str) -> str:
    """Return the report in one of REPORT_FORMATS; raises BridgeError for any other."""
    from bridge.reports.csv_report import render_csv
    from bridge.reports.html import render_html
    from bridge.reports.json_report import render_json
    from bridge.reports.markdown import render_markdown

    renderers: dict[str, Callable[[KnowledgeReport], str]] = {
        "md": render_markdown, "html": render_html, "json": render_json, "csv": render_csv,
    }
    if report_format not in renderers:
        raise BridgeError(f"unknown report format '{report_format}': use one of {', '.join(REPORT_FORMATS)}")
    return renderers[report_format](report)

"""HTML form of the knowledge report: one self-contained file with inline SVG charts that prints well.

The JSON report is embedded in a ``<script type="application/json" id="bridge-report-data">`` element, so an HTML
report can be passed to ``bridge report --since`` as well as a JSON one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from bridge.knowledge_types import KnowledgeReport
from bridge.reports.charts import bus_factor_chart, concentration_chart, freshness_chart, risk_colour

EMBEDDED_DATA_ID = "bridge-report-data"
"""Id of the script element holding the report's JSON."""
MAX_LISTED_RECORDS = 12


def _environment() -> Environment:
    """Return the Jinja2 environment loading templates from this package, autoescaping HTML."""
    return Environment(
        loader=PackageLoader("bridge.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def short_keys(records: Sequence[str]) -> Markup:
    """Return record keys, each kept on one line, joined with commas and elided past MAX_LISTED_RECORDS."""
    shown = Markup(", ").join(Markup('<span class="nowrap">{}</span>').format(key) for key in records[:MAX_LISTED_RECORDS])
    extra = len(records) - MAX_LISTED_RECORDS
    return shown + Markup(" and {} more").format(extra) if extra > 0 else shown


def embedded_json(report: KnowledgeReport) -> Markup:
    """Return the JSON report made safe to sit inside a script element."""
    text = json.dumps(report.to_dict(), ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def render_html(report: KnowledgeReport) -> str:
    """Return the report as one HTML document."""
    knowledge_map = report.map
    template = _environment().get_template("report.html.j2")
    return template.render(
        report=report,
        map=knowledge_map,
        risky=[topic for topic in knowledge_map.topics if topic.bus_factor <= 1],
        flagged=[topic for topic in knowledge_map.topics if topic.flags],
        failing=report.failing_topics(),
        people=[person for person in report.people if person.records_known or person.status == "left"],
        charts={
            "bus_factor": bus_factor_chart(knowledge_map.topics),
            "concentration": concentration_chart(knowledge_map.topics),
            "freshness": freshness_chart(report.freshness),
        },
        colour=risk_colour,
        short_keys=short_keys,
        data_json=embedded_json(report),
    )

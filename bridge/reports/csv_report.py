"""CSV form of the knowledge report: one row per topic (the whole knowledge base first), for spreadsheets.

Risk ranking, unanswered questions and handoff progress follow as further tables, each after a blank line.
"""

from __future__ import annotations

import csv
import io

from bridge.knowledge_types import OVERALL_TOPIC, KnowledgeReport
from bridge.reports.usage_sections import csv_section_rows

CSV_COLUMNS = (
    "topic", "bus_factor", "records", "knowers", "top_knower", "concentration",
    "single_knower_records", "orphaned_records", "flags", "suggested_second_holder", "trend",
)
"""Header of the CSV report."""


def render_csv(report: KnowledgeReport) -> str:
    """Return the report as CSV; lists inside a cell are joined with spaces."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    trends = {change.topic: change.trend for change in report.trends}
    overall = report.map.overall
    top = overall.knowers[0] if overall.knowers else None
    writer.writerow([
        OVERALL_TOPIC, overall.bus_factor, overall.records, len(overall.knowers), top.person if top else "",
        f"{top.records / overall.records:.4f}" if top and overall.records else "0.0000", "", "", "", "",
        trends.get(OVERALL_TOPIC, ""),
    ])
    for topic in report.map.topics:
        writer.writerow([
            topic.topic, topic.bus_factor, topic.records, len(topic.knowers),
            topic.knowers[0].person if topic.knowers else "", f"{topic.concentration:.4f}",
            " ".join(topic.single_knower_records), " ".join(topic.orphaned_records),
            " ".join(flag.kind for flag in topic.flags), topic.suggestion.person if topic.suggestion else "",
            trends.get(topic.topic, ""),
        ])
    writer.writerows(csv_section_rows(report))
    return buffer.getvalue()

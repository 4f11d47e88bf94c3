"""JSON form of the knowledge report, for dashboards and for ``bridge report --since``."""

from __future__ import annotations

import json

from bridge.knowledge_types import KnowledgeReport


def render_json(report: KnowledgeReport) -> str:
    """Return the report as indented JSON (the ``knowledge --json`` shape plus freshness, people and trends)."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"

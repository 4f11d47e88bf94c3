"""Inline SVG charts for the HTML report: bus factor per topic, knowledge concentration, review freshness.

Charts are plain SVG strings (no scripts, no external files) so the report stays one self-contained file that
prints; every bar carries ``data-topic`` / ``data-value`` so tests can check the figures.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from bridge.knowledge_types import FreshnessBucket, TopicKnowledge

WIDTH = 720
LABEL_WIDTH = 190
ROW_HEIGHT = 24
BAR_HEIGHT = 16
TOP = 26
FONT = "font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:12px"

RISK_COLOURS = {0: "#b91c1c", 1: "#ea580c", 2: "#ca8a04"}
"""Bar colour by bus factor; 3 and more use SAFE_COLOUR."""
SAFE_COLOUR = "#15803d"


def risk_colour(bus_factor: int) -> str:
    """Return the colour of a bus factor: red 0, orange 1, amber 2, green 3+."""
    return RISK_COLOURS.get(bus_factor, SAFE_COLOUR)


def _short(text: str, limit: int = 28) -> str:
    """Return text cut to limit characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg(height: int, title: str, body: list[str]) -> Markup:
    """Return an SVG element with a title and body, scaling to its container's width."""
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" style="{FONT}"><title>{escape(title)}</title>' + "".join(body) + "</svg>"
    )


def bus_factor_chart(topics: Sequence[TopicKnowledge]) -> Markup:
    """Return horizontal bars of each topic's bus factor, coloured by risk."""
    scale_max = max([3, *(topic.bus_factor for topic in topics)])
    plot = WIDTH - LABEL_WIDTH - 40
    body = [f'<text x="{LABEL_WIDTH}" y="14" fill="#444">bus factor (people who must leave before most records '
            f"are orphaned)</text>"]
    for row, topic in enumerate(topics):
        y = TOP + row * ROW_HEIGHT
        width = plot * topic.bus_factor / scale_max
        body.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 12}" text-anchor="end">{escape(_short(topic.topic))}</text>')
        body.append(
            f'<rect class="bar" data-chart="bus-factor" data-topic="{escape(topic.topic)}" '
            f'data-value="{topic.bus_factor}" x="{LABEL_WIDTH}" y="{y}" width="{max(width, 2):.1f}" '
            f'height="{BAR_HEIGHT}" fill="{risk_colour(topic.bus_factor)}"/>'
        )
        body.append(f'<text x="{LABEL_WIDTH + max(width, 2) + 6:.1f}" y="{y + 12}">{topic.bus_factor}</text>')
    height = TOP + len(topics) * ROW_HEIGHT + 6
    return _svg(height, "Bus factor per topic", body)


def concentration_chart(topics: Sequence[TopicKnowledge]) -> Markup:
    """Return horizontal bars of the top knower's share per topic, with a line at 50 %."""
    plot = WIDTH - LABEL_WIDTH - 170
    half = LABEL_WIDTH + plot / 2
    body = [f'<text x="{LABEL_WIDTH}" y="14" fill="#444">share of the topic\'s records its top knower knows</text>']
    for row, topic in enumerate(topics):
        y = TOP + row * ROW_HEIGHT
        share = topic.concentration
        width = plot * share
        who = topic.knowers[0].person if topic.knowers else "nobody"
        colour = "#b91c1c" if share >= 0.99 else "#ea580c" if share > 0.5 else "#2563eb"
        body.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 12}" text-anchor="end">{escape(_short(topic.topic))}</text>')
        body.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{plot}" height="{BAR_HEIGHT}" fill="#eee"/>')
        body.append(
            f'<rect class="bar" data-chart="concentration" data-topic="{escape(topic.topic)}" '
            f'data-value="{share:.4f}" x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{colour}"/>'
        )
        body.append(
            f'<text x="{LABEL_WIDTH + plot + 6}" y="{y + 12}">{share:.0%} {escape(_short(who, 18))}</text>'
        )
    bottom = TOP + len(topics) * ROW_HEIGHT
    body.append(f'<line x1="{half:.1f}" y1="{TOP - 4}" x2="{half:.1f}" y2="{bottom}" stroke="#555" '
                f'stroke-dasharray="3,3"/>')
    body.append(f'<text x="{half:.1f}" y="{bottom + 14}" text-anchor="middle" fill="#444">50 %</text>')
    return _svg(bottom + 20, "Knowledge concentration per topic", body)


def freshness_chart(buckets: Sequence[FreshnessBucket]) -> Markup:
    """Return columns counting runbooks by time since their last review or edit."""
    height, base, column = 220, 180, 90
    top = max([1, *(len(bucket.records) for bucket in buckets)])
    gap = (WIDTH - 60 - column * len(buckets)) / max(1, len(buckets))
    colours = ["#15803d", "#65a30d", "#ca8a04", "#ea580c", "#b91c1c"]
    body = ['<text x="40" y="14" fill="#444">runbooks by time since last review or edit</text>',
            f'<line x1="40" y1="{base}" x2="{WIDTH - 10}" y2="{base}" stroke="#999"/>']
    for index, bucket in enumerate(buckets):
        count = len(bucket.records)
        bar = (base - 40) * count / top
        x = 40 + gap / 2 + index * (column + gap)
        colour = colours[min(index, len(colours) - 1)]
        body.append(
            f'<rect class="bar" data-chart="freshness" data-topic="{escape(bucket.label)}" data-value="{count}" '
            f'x="{x:.1f}" y="{base - bar:.1f}" width="{column}" height="{bar:.1f}" fill="{colour}"/>'
        )
        body.append(f'<text x="{x + column / 2:.1f}" y="{base - bar - 5:.1f}" text-anchor="middle">{count}</text>')
        body.append(
            f'<text x="{x + column / 2:.1f}" y="{base + 16}" text-anchor="middle">{escape(bucket.label)}</text>'
        )
    return _svg(height, "Review freshness of runbooks", body)

"""``record://KEY`` resources: one per live record, listed in pages and read as Markdown with front matter."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mcp_types as types

from bridge.errors import BridgeError, RecordNotFound
from bridge.mcp.paging import paginate
from bridge.mcp.views import RECORD_URI_PREFIX, record_markdown, record_uri

if TYPE_CHECKING:
    from bridge.workspace import Workspace

RESOURCES_PER_PAGE = 100
"""Resources per ``resources/list`` page."""

MIME_TYPE_BY_FORMAT = {"markdown": "text/markdown", "rst": "text/x-rst"}

RECORD_TEMPLATE = types.ResourceTemplate(
    uri_template=f"{RECORD_URI_PREFIX}{{key}}",
    name="record",
    title="Runbook or decision record",
    description="One record by key (e.g. record://RB-0012), as Markdown with YAML front matter.",
    mime_type="text/markdown",
)


class UnknownResource(BridgeError):
    """A resource URI does not name a record."""


def list_record_resources(workspace: Workspace, cursor: str | None) -> types.ListResourcesResult:
    """Return one page of record resources, ordered by key."""
    records = workspace.list_records()
    page = paginate("resources/list", {}, records, cursor, RESOURCES_PER_PAGE)
    resources = [
        types.Resource(
            uri=record_uri(record.key),
            name=record.key,
            title=record.title,
            description=f"{record.kind}, {record.status}" + (
                f", superseded by {', '.join(record.superseded_by)}" if record.superseded_by else ""
            ),
            mime_type=MIME_TYPE_BY_FORMAT.get(record.body_format, "text/markdown"),
        )
        for record in page.items
    ]
    return types.ListResourcesResult(resources=resources, next_cursor=page.next_cursor)


def read_record_resource(workspace: Workspace, uri: str) -> types.ReadResourceResult:
    """Return the record a ``record://KEY`` URI names; raises UnknownResource or RecordNotFound."""
    if not uri.startswith(RECORD_URI_PREFIX):
        raise UnknownResource(f"unknown resource '{uri}': bridge serves record://KEY resources only")
    key = uri[len(RECORD_URI_PREFIX) :].strip("/")
    try:
        record = workspace.get_record(key)
    except RecordNotFound:
        raise RecordNotFound(f"no record with key '{key}' (resource {uri})") from None
    return types.ReadResourceResult(
        contents=[
            types.TextResourceContents(
                uri=record_uri(record.key),
                mime_type=MIME_TYPE_BY_FORMAT.get(record.body_format, "text/markdown"),
                text=record_markdown(record),
            )
        ]
    )

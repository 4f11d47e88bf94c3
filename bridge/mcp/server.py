"""The bridge MCP server: tools and ``record://`` resources over the Workspace, on stdio or loopback HTTP.

It is built on the SDK's low-level ``Server`` so that bridge owns the JSON schemas, the cursor pagination of
``resources/list`` and the translation of every failure into a tool error; nothing a client sends can end it.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import anyio
import anyio.to_thread
import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel.server import Server
from mcp.shared.exceptions import MCPError
from pydantic import ValidationError

from bridge import __version__
from bridge.errors import BridgeError, RecordNotFound
from bridge.mcp.context import SEMANTIC_WAIT_SECONDS, ToolContext
from bridge.mcp.resources import RECORD_TEMPLATE, UnknownResource, list_record_resources, read_record_resource
from bridge.mcp.tools import ToolSpec, tool_specs
from bridge.mcp.warmup import ModelWarmer

if TYPE_CHECKING:
    from bridge.workspace import Workspace

logger = logging.getLogger(__name__)

RESOURCE_NOT_FOUND = -32002
"""JSON-RPC error code the MCP specification gives to an unknown resource."""

INSTRUCTIONS = (
    "bridge holds this team's runbooks and decision records. Use search_records to find records for a question, "
    "alert or error text, get_record to read one (or one section), and answer_context to gather cited passages "
    "to answer from. Cite record keys and sections. A superseded decision is not current: follow superseded_by. "
    "who_knows, bus_factor and onboarding_path say who knows what and how to learn a topic."
)


def _error_result(message: str) -> types.CallToolResult:
    """Return a tool error carrying message."""
    return types.CallToolResult(content=[types.TextContent(type="text", text=message)], is_error=True)


def describe_validation_error(tool: str, error: ValidationError) -> str:
    """Return one line naming each bad argument of a tool call and what is wrong with it."""
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "arguments"
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "is not an argument of this tool"
        problems.append(f"{where}: {message}")
    return f"invalid arguments for {tool}: " + "; ".join(problems)


class BridgeMCPServer:
    """An MCP server over one workspace: read tools always, write tools only when allowed."""

    def __init__(
        self,
        workspace: Workspace,
        *,
        allow_write: bool = False,
        author: str | None = None,
        preload_model: bool = True,
        semantic_wait_seconds: float = SEMANTIC_WAIT_SECONDS,
    ) -> None:
        self.tools: dict[str, ToolSpec] = tool_specs(allow_write)
        """The tools this server offers, by name."""
        self.preload_model = preload_model
        """Start loading the model as soon as a client has initialized (else on the first search)."""
        workspace.front_end = "mcp"
        self.context = ToolContext(
            workspace=workspace, warmer=ModelWarmer(workspace), author=author if allow_write else None,
            semantic_wait_seconds=semantic_wait_seconds,
        )
        self.server: Server[Any] = Server(
            "bridge",
            version=__version__,
            title="bridge: runbooks and decision records",
            instructions=INSTRUCTIONS,
            on_list_tools=self._list_tools,
            on_call_tool=self._call_tool,
            on_list_resources=self._list_resources,
            on_list_resource_templates=self._list_resource_templates,
            on_read_resource=self._read_resource,
        )
        self.server.add_notification_handler(
            "notifications/initialized", types.NotificationParams, self._on_initialized
        )

    @property
    def workspace(self) -> Workspace:
        """Return the workspace the tools read and write."""
        return self.context.workspace

    async def _on_initialized(self, ctx: ServerRequestContext[Any], params: types.NotificationParams) -> None:
        """Start the model warm-up once a client is connected, after the handshake has been answered."""
        if self.preload_model:
            self.context.warmer.start()

    async def _list_tools(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        """Return every tool with its schema and annotations (a short list: one page)."""
        return types.ListToolsResult(tools=[spec.to_tool() for spec in self.tools.values()])

    async def call(self, name: str, arguments: dict[str, Any] | None) -> types.CallToolResult:
        """Run a tool in a worker thread and return its result, or a tool error saying what went wrong."""
        spec = self.tools.get(name)
        if spec is None:
            return _error_result(f"unknown tool '{name}'; this server has: {', '.join(self.tools)}")
        try:
            validated = spec.arguments.model_validate(arguments or {})
        except ValidationError as exc:
            return _error_result(describe_validation_error(name, exc))
        try:
            data = await anyio.to_thread.run_sync(spec.handler, self.context, validated)
        except BridgeError as exc:
            return _error_result(f"{name}: {exc}")
        except Exception as exc:  # the server must outlive any bug in one call
            logger.exception("tool %s failed", name)
            return _error_result(f"{name} failed unexpectedly ({type(exc).__name__}: {exc}); the server keeps running")
        text = json.dumps(data, ensure_ascii=False, default=str)
        return types.CallToolResult(content=[types.TextContent(type="text", text=text)], structured_content=data)

    async def _call_tool(
        self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        """Handle ``tools/call``."""
        return await self.call(params.name, params.arguments)

    async def _list_resources(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        """Handle ``resources/list``: one page of record resources."""
        cursor = params.cursor if params is not None else None
        try:
            return await anyio.to_thread.run_sync(list_record_resources, self.workspace, cursor)
        except BridgeError as exc:
            raise MCPError(code=types.INVALID_PARAMS, message=str(exc)) from exc

    async def _list_resource_templates(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourceTemplatesResult:
        """Handle ``resources/templates/list``: the ``record://{key}`` template."""
        return types.ListResourceTemplatesResult(resource_templates=[RECORD_TEMPLATE])

    async def _read_resource(
        self, ctx: ServerRequestContext[Any], params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        """Handle ``resources/read`` for ``record://KEY``."""
        uri = str(params.uri)
        try:
            return await anyio.to_thread.run_sync(read_record_resource, self.workspace, uri)
        except (RecordNotFound, UnknownResource) as exc:
            raise MCPError(code=RESOURCE_NOT_FOUND, message=str(exc), data={"uri": uri}) from exc
        except BridgeError as exc:
            raise MCPError(code=types.INTERNAL_ERROR, message=str(exc), data={"uri": uri}) from exc

    async def serve_stdio(self) -> None:
        """Serve one client over stdin and stdout until it disconnects."""
        from mcp.server.stdio import stdio_server

        async with stdio_server() as (read_stream, write_stream):
            await self.server.run(read_stream, write_stream, self.server.create_initialization_options())

    async def serve_http(self, port: int, host: str = "127.0.0.1") -> None:
        """Serve streamable HTTP at ``http://HOST:PORT/mcp`` until interrupted (loopback only by default)."""
        import uvicorn

        if self.preload_model:
            self.context.warmer.start()
        app = self.server.streamable_http_app(host=host)
        config = uvicorn.Config(app, host=host, port=port, log_level="warning")
        await uvicorn.Server(config).serve()

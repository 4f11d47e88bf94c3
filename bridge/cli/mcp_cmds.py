"""The ``mcp`` command: serve the knowledge base to AI agents over the Model Context Protocol."""

from __future__ import annotations

from typing import Annotated

import typer

from bridge.cli import app
from bridge.cli.common import err_console, open_workspace

DEFAULT_HTTP_PORT = 8765
"""Loopback port of ``bridge mcp --http`` unless ``--port`` says otherwise."""


@app.command("mcp")
def mcp(
    allow_write: Annotated[
        bool,
        typer.Option(
            "--allow-write",
            help="Also offer create_record, mark_reviewed and update_status (or set mcp_allow_write in bridge.toml).",
        ),
    ] = False,
    as_person: Annotated[
        str | None,
        typer.Option("--as", help="Name, email or handle write tools are attributed to (default: you)."),
    ] = None,
    http: Annotated[
        bool, typer.Option("--http", help="Serve streamable HTTP on 127.0.0.1 instead of stdio.")
    ] = False,
    port: Annotated[int, typer.Option(help="Port for --http.", min=1, max=65535)] = DEFAULT_HTTP_PORT,
    preload: Annotated[
        bool,
        typer.Option(
            "--preload/--no-preload",
            help="Load the search model in the background once a client connects (else on the first search).",
        ),
    ] = True,
) -> None:
    """Serve runbooks and decisions to AI agents over MCP (stdio by default; read-only unless --allow-write)."""
    # The SDK and its web stack are imported here, not at module level, so `bridge --help` stays fast.
    import anyio

    from bridge.mcp.server import BridgeMCPServer

    with open_workspace() as workspace:
        writable = allow_write or workspace.settings.mcp_allow_write
        author = workspace.resolve_author(as_person) if writable else None
        server = BridgeMCPServer(workspace, allow_write=writable, author=author, preload_model=preload)
        access = f"read and write as {author}" if writable else "read-only"
        where = f"http://127.0.0.1:{port}/mcp" if http else "stdio"
        err_console.print(
            f"bridge MCP server on {where} ({access}, {workspace.count_records()} records)", highlight=False
        )
        try:
            if http:
                anyio.run(server.serve_http, port)
            else:
                anyio.run(server.serve_stdio)
        except KeyboardInterrupt:
            pass

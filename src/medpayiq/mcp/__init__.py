"""MedPayIQ as a Model Context Protocol server: the services' answers as MCP tools for AI
assistants and agents (`medpayiq mcp`; docs/mcp.md).

    from medpayiq.mcp import create_server
    server = create_server(reference)      # the SDK's MCPServer with MedPayIQ's tools
    server.run()                           # stdio; `medpayiq.mcp.http_app` for HTTP

A thin interface like `api`, `web` and `cli`: the tools call `medpayiq.services` and hold
no rule. (The SDK is the top-level package `mcp`; this is `medpayiq.mcp`.)
"""

from __future__ import annotations

from medpayiq.mcp._http import http_app
from medpayiq.mcp._server import MedPayIQServer, create_server

__all__ = ["MedPayIQServer", "create_server", "http_app"]

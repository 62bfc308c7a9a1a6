"""Helpers for the MCP tests (a module of its own: `conftest` is not importable by name)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anyio.from_thread import BlockingPortal
from mcp import Client
from mcp.types import CallToolResult, Tool

MEDPAYIQ = Path(sys.executable).with_name("medpayiq")  # the installed console script
TOOLS = {"price", "code_page", "check_claim", "search", "changes", "remit", "data_status"}


def server_command(store: Path, *extra: str) -> list[str]:
    return [str(MEDPAYIQ), "mcp", "--db", str(store), *extra]


@dataclass
class Session:
    """A connected SDK client, called synchronously."""

    portal: BlockingPortal
    client: Client
    stderr: Path

    def tools(self) -> list[Tool]:
        return self.portal.call(self.client.list_tools).tools

    def call(self, tool: str, arguments: dict[str, Any]) -> CallToolResult:
        async def call() -> CallToolResult:
            return await self.client.call_tool(tool, arguments)

        return self.portal.call(call)

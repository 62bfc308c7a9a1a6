"""The MCP server: the SDK's `MCPServer` with MedPayIQ's tools registered, and arguments that
do not fit a tool's schema answered like every other input error."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from importlib import metadata
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, InputRequiredResult, ToolAnnotations
from pydantic import ValidationError

from medpayiq.mcp._answers import argument_problems
from medpayiq.mcp._tools import Tools
from medpayiq.reference import ReferenceData

__all__ = ["MedPayIQServer", "create_server"]

INSTRUCTIONS = (
    "MedPayIQ answers Medicare Physician Fee Schedule questions from CMS's own files: what "
    "Medicare allows for a CPT/HCPCS code at a place (ZIP, locality or state) on a date of "
    "service (price, code_page), what will get a claim denied and how to fix or appeal it "
    "(check_claim: a claim as JSON or an 837P file as text), which codes match words "
    "(search), what changed between two releases (changes), what a remittance (835) "
    "underpaid or denied and how to recover it, by when (remit) and which releases are "
    "loaded (data_status). Money is text with two decimals. Every answer names the release "
    "and file it came from and a confidence (high, medium, low); quote them with a figure. It "
    "is an estimate, not a payment determination: the MAC's adjudication is the authority."
)

# Every tool only reads the loaded reference data.
READ_ONLY = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)


def _version() -> str:
    try:
        return metadata.version("medpayiq")
    except metadata.PackageNotFoundError:  # a source tree without an install
        return "0"


class MedPayIQServer(MCPServer[Any]):
    """`MCPServer`, except that arguments failing the input schema come back as a tool error
    naming each argument and what is wrong with it: the SDK's own message repeats the value
    sent, and a `claim` may hold a patient's."""

    async def call_tool(
        self,
        name: str,
        arguments: dict[str, Any],
        context: Context[Any, Any] | None = None,
    ) -> CallToolResult | InputRequiredResult:
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                return argument_problems(exc.__cause__.errors(include_input=False))
            raise


def on_loop(tool: Callable[..., CallToolResult]) -> Callable[..., Awaitable[CallToolResult]]:
    """`tool` run on the event loop rather than on a worker thread (where the SDK runs a
    plain function). For the tools answered from memory once warm: the thread hop and the
    GIL hand-overs around it cost more than the answer (bench/mcp.py: about 10% of the calls
    per second of `price`). A first question about a release not asked yet prepares it on
    the loop, once (0.2 to 0.8 s)."""

    @functools.wraps(tool)  # the same signature: the same input schema
    async def run(*args: Any, **kwargs: Any) -> CallToolResult:
        return tool(*args, **kwargs)

    return run


def create_server(reference: ReferenceData) -> MedPayIQServer:
    """The server over `reference`, with every tool registered."""
    server = MedPayIQServer(
        "medpayiq",
        title="MedPayIQ",
        instructions=INSTRUCTIONS,
        version=_version(),
        log_level="WARNING",
    )
    for tool, title, from_memory in Tools(reference).registry():
        run = on_loop(tool) if from_memory else tool
        server.add_tool(run, name=tool.__name__, title=title, annotations=READ_ONLY)
    return server

"""`medpayiq mcp` as a real subprocess over the shared `store_db` (every shared file, loaded
once per test run), spoken to with the MCP SDK's own client.

The SDK's client is async; `Session` runs it in a blocking portal (an event loop in a thread
of its own, anyio's) so the tests read as plain calls. (No `__init__.py` in this folder: a
package named `mcp` would hide the SDK.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from anyio.from_thread import start_blocking_portal
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp_session import Session, server_command


@pytest.fixture(scope="module")
def stdio(store_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    """One `medpayiq mcp` over stdio for the module; its stderr is kept in a file."""
    command = server_command(store_db)
    params = StdioServerParameters(command=command[0], args=command[1:])
    stderr = tmp_path_factory.mktemp("mcp") / "stderr.txt"
    with (
        stderr.open("w", encoding="utf-8") as errlog,
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(
            Client(stdio_client(params, errlog=errlog), read_timeout_seconds=120)
        ) as client,
    ):
        yield Session(portal, client, stderr)

"""`medpayiq mcp --http` with API keys on: the API's key check guards the MCP endpoint (401
without a key, 403 with an unknown one, the API's problem+json), and with a key the SDK's
client works and `check_claim` names the key's tenant."""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import httpx2  # the MCP SDK's HTTP client: how it takes headers
import pytest
from anyio.from_thread import start_blocking_portal
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_session import TOOLS, Session, server_command

from medpayiq.api import hash_key

ROOT = Path(__file__).resolve().parents[2]
ESI_WITH_FLUOROSCOPY = ROOT / "docs" / "examples" / "esi-with-fluoroscopy.json"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "test", "version": "0"},
    },
}
ACCEPT = {"Accept": "application/json, text/event-stream"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int, server: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "medpayiq mcp --http exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listens on port {port} after {seconds} s")


@pytest.fixture(scope="module")
def url(store_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("mcp-http")
    keys = folder / "keys.txt"
    keys.write_text(f"practice-a {hash_key('key-of-a')}\n", encoding="utf-8")
    port = _free_port()
    command = server_command(store_db, "--http", "--port", str(port), "--api-keys", str(keys))
    with (folder / "stderr.txt").open("wb") as errlog:
        server = subprocess.Popen(command, stdout=errlog, stderr=errlog)
        try:
            _wait_for(port, server)
            yield f"http://127.0.0.1:{port}/mcp"
        finally:
            server.terminate()
            server.wait(timeout=30)


def test_no_key_401_unknown_key_403(url: str) -> None:
    missing = httpx.post(url, json=INITIALIZE, headers=ACCEPT)
    assert missing.status_code == 401
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert missing.headers["www-authenticate"] == "Bearer"
    assert missing.json()["detail"] == "an API key is required: send Authorization: Bearer KEY"
    wrong = httpx.post(url, json=INITIALIZE, headers={**ACCEPT, "Authorization": "Bearer nope"})
    assert wrong.status_code == 403 and wrong.json()["detail"] == "the API key is not valid"
    ok = httpx.post(url, json=INITIALIZE, headers={**ACCEPT, "X-API-Key": "key-of-a"})
    assert ok.status_code == 200 and ok.json()["result"]["serverInfo"]["name"] == "medpayiq"


def test_the_sdk_client_works_with_the_key(url: str) -> None:
    http = httpx2.AsyncClient(headers={"Authorization": "Bearer key-of-a"}, timeout=120)
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(
            Client(streamable_http_client(url, http_client=http))
        ) as client,
    ):
        session = Session(portal, client, Path("/dev/null"))
        assert {tool.name for tool in session.tools()} == TOOLS
        price = session.call("price", {"code": "62323", "date": "2026-08-03"})
        assert not price.is_error and price.structured_content["allowed"] == "273.22"
        claim = json.loads(ESI_WITH_FLUOROSCOPY.read_text(encoding="utf-8"))
        checked = session.call("check_claim", {"claim": claim})
        assert not checked.is_error
        assert checked.structured_content["tenant"] == "practice-a"
        rules = {f["rule"] for f in checked.structured_content["findings"]}
        assert "ncci.ptp" in rules
        portal.call(http.aclose)

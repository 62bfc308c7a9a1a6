"""An idle keep-alive connection outlives the 5 s a client pool (httpx's) keeps it: the server
must not close a connection at the moment a client reuses it."""

from __future__ import annotations

import http.client
import time
from collections.abc import Callable
from pathlib import Path

from .conftest import Server


def test_an_idle_connection_is_still_open_after_six_seconds(
    store_db: Path, serve: Callable[..., Server]
) -> None:
    server = serve(str(store_db), "--log-level", "warning")
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("GET", "/api/v1/health")
        first = conn.getresponse()
        assert first.status == 200
        first.read()
        assert conn.sock is not None
        port = conn.sock.getsockname()[1]
        time.sleep(6)  # past uvicorn's default of 5 s
        conn.request("GET", "/api/v1/health")  # on the same socket: raises if it was closed
        second = conn.getresponse()
        assert second.status == 200
        second.read()
        assert conn.sock is not None and conn.sock.getsockname()[1] == port
    finally:
        conn.close()

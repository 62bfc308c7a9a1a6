"""The app built on the `catalog` fixture (every shared file parsed in memory), and a client."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from medpayiq.reference import Catalog
from medpayiq.web import create_app


@pytest.fixture(scope="session")
def app(catalog: Catalog) -> FastAPI:
    return create_app(catalog)


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    # raise_server_exceptions=False: a bug must show up as the 500 the user would get.
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


# A real server on a free port, in a thread, for the browser tests (module-scoped: one per file).
@pytest.fixture(scope="module")
def base_url(catalog: Catalog) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(catalog), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started:
        if time.time() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)

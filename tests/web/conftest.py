"""The app built on the `catalog` fixture (every shared file parsed in memory), and a client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
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

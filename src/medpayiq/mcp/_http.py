"""Streamable HTTP for `medpayiq mcp --http`: the SDK's ASGI app, behind the API's key check.

In API-key mode (`--api-keys FILE`, the file `medpayiq serve` reads) every request to the MCP
endpoint must present a key, as `Authorization: Bearer KEY` or `X-API-Key: KEY`, exactly as
the API's claim endpoints ask (`medpayiq.api.auth.authorize`): 401 without one, 403 with an
unknown one, in the API's problem+json shape. The whole endpoint is guarded because any call
on it may carry a claim. The key's tenant goes with the request to `check_claim`, which
names it in its answer. Without a keys file the endpoint is open, on loopback only.

The server is stateless (`stateless_http`): no MCP session outlives its request, so nothing
of one tenant's claims is held between requests.
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from medpayiq.api.auth import NO_KEYS, ApiKeys, KeyRefused, authorize
from medpayiq.api.errors import problem_for, problem_response
from medpayiq.mcp._server import MedPayIQServer

__all__ = ["HOST", "PATH", "RequireApiKey", "http_app"]

HOST = "127.0.0.1"
PATH = "/mcp"


class RequireApiKey:
    """ASGI middleware: the API-key check of the claim endpoints, on every HTTP request."""

    def __init__(self, app: ASGIApp, keys: ApiKeys) -> None:
        self.app = app
        self.keys = keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan events start the session manager
            await self.app(scope, receive, send)
            return
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in scope.get("headers", ())
        }
        try:
            tenant = authorize(
                self.keys,
                authorization=headers.get("authorization"),
                x_api_key=headers.get("x-api-key"),
            )
        except KeyRefused as exc:
            refused = HTTPException(exc.status, str(exc), {"WWW-Authenticate": "Bearer"})
            await problem_response(problem_for(refused))(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        state["tenant"] = tenant
        await self.app(scope, receive, send)


def http_app(server: MedPayIQServer, keys: ApiKeys | None = None) -> ASGIApp:
    """The ASGI app serving `server` at /mcp on loopback, guarded when `keys` are given."""
    app = server.streamable_http_app(
        streamable_http_path=PATH, stateless_http=True, json_response=True, host=HOST
    )
    return RequireApiKey(app, keys or NO_KEYS)

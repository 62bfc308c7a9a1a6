"""The application factory: `create_app(reference)` builds the web app and the JSON API over
one `ReferenceData` (the store's in `medpayiq serve`, the in-memory `Catalog` in tests).

    from medpayiq.web import create_app
    app = create_app(catalog)                       # API-key mode off
    app = create_app(catalog, api_keys=load_keys("keys.txt"))

Errors: JSON routes answer RFC 9457 problem+json (`api/errors.py`); pages render
`error.html` with the same status and message. Logs carry method, path, status and time only:
never query strings or bodies (claims are patient data).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from datetime import date
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medpayiq.api.auth import NO_KEYS, ApiKeys
from medpayiq.api.errors import problem_for, problem_response
from medpayiq.api.routes import ResponseCache
from medpayiq.api.routes import router as api_router
from medpayiq.errors import MedPayIQError
from medpayiq.reference import ReferenceData
from medpayiq.web import pages

__all__ = ["create_app"]

log = logging.getLogger("medpayiq.web")
access_log = logging.getLogger("medpayiq.access")

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


class AccessLog:
    """Pure ASGI middleware (cheaper than BaseHTTPMiddleware): logs method, path, status and
    milliseconds, and adds the security headers. Query strings and bodies are never logged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            if access_log.isEnabledFor(logging.INFO):
                access_log.info(
                    "%s %s %d %.1fms",
                    scope["method"],
                    scope["path"],
                    status,
                    (time.perf_counter() - start) * 1000,
                )


class ResponseLRU:
    """Pure ASGI middleware: an in-process LRU of whole GET answers keyed on the path, the raw
    query string and today's date. Every cached route answers from immutable reference data,
    so a hit is sent without routing, validation or rendering. Claims (POST) never pass here.
    Only complete 200 answers under 1 MB are kept."""

    CACHED_PREFIXES = (
        "/api/v1/price",
        "/api/v1/codes/",
        "/api/v1/search",
        "/api/v1/localities",
        "/codes/",
    )

    def __init__(self, app: ASGIApp, size: int = 4096) -> None:
        self.app = app
        self.size = size
        self.entries: OrderedDict[
            tuple[str, bytes, date], tuple[list[tuple[bytes, bytes]], bytes]
        ] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not scope["path"].startswith(self.CACHED_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        key = (scope["path"], scope.get("query_string", b""), date.today())
        hit = self.entries.get(key)
        if hit is not None:
            self.entries.move_to_end(key)
            await send({"type": "http.response.start", "status": 200, "headers": hit[0]})
            await send({"type": "http.response.body", "body": hit[1]})
            return
        status = 0
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status, headers = message["status"], list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False) and status == 200:
                    body = b"".join(chunks)
                    if len(body) < 1_000_000:
                        self.entries[key] = (headers, body)
                        if len(self.entries) > self.size:
                            self.entries.popitem(last=False)
            await send(message)

        await self.app(scope, receive, capture)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def create_app(
    reference: ReferenceData, *, api_keys: ApiKeys | None = None, cache_size: int = 4096
) -> FastAPI:
    """The web app and /api/v1 over `reference`. `api_keys` turns on API-key mode for the
    claim endpoints (and the claim checker page)."""
    app = FastAPI(
        title="MedPayIQ",
        version="1",
        summary=(
            "Medicare Part B fee schedule amounts, claim edits and denial guidance "
            "from CMS's own files"
        ),
        description=(
            "Every answer carries the release it came from and a confidence. Errors are RFC 9457 "
            "problem+json. Place and time parameters (zip, locality, state, pos or setting, date, "
            "qp) are the same on every route and page."
        ),
        docs_url=None,  # /api/docs is served offline by web/pages.py (Swagger UI, packaged)
        redoc_url=None,
    )
    app.state.reference = reference
    app.state.api_keys = api_keys or NO_KEYS
    app.state.api_cache = ResponseCache(cache_size)
    app.state.page_cache = ResponseCache(cache_size // 4)
    static = resources.files("medpayiq.web") / "static"
    # Swagger UI's own files, from the fastapi-offline package (Swagger UI 5: OpenAPI 3.1).
    swagger = resources.files("fastapi_offline") / "static"
    app.mount("/static/swagger", StaticFiles(directory=str(swagger)), name="swagger")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.include_router(api_router)
    app.include_router(pages.router)
    _install_error_handlers(app)
    app.add_middleware(ResponseLRU, size=cache_size)
    app.add_middleware(AccessLog)  # added last: outermost, so cache hits are logged too
    return app


def _install_error_handlers(app: FastAPI) -> None:
    async def handle(request: Request, exc: Exception) -> Response:
        problem = problem_for(exc, path_code="code" in request.path_params)
        if problem.status >= 500:
            # A bug, not bad input: keep the traceback (never the request body).
            log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        if _wants_json(request):
            return problem_response(problem)
        return pages.error_page(request, problem)

    for exc_class in (MedPayIQError, RequestValidationError, StarletteHTTPException, Exception):
        app.add_exception_handler(exc_class, handle)

"""The application factory: `create_app(reference)` builds the web app and the JSON API over
one `ReferenceData` (the in-memory `Catalog` in tests), or `create_app(source=store)` over a
store whose loads the running app follows (`_live.py`: a new reference per store generation,
swapped in between requests).

    from medpayiq.web import create_app
    app = create_app(catalog)                       # API-key mode off
    app = create_app(catalog, api_keys=load_keys("keys.txt"))
    app = create_app(source=open_store(db), limits=Limits(max_body=1 << 20))

Errors: JSON routes answer RFC 9457 problem+json (`api/errors.py`); pages render
`error.html` with the same status and message. Logs carry method, path, status and time only:
never query strings or bodies (claims are patient data).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import date
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medpayiq.api import openapi
from medpayiq.api.auth import NO_KEYS, ApiKeys
from medpayiq.api.changes import router as changes_api_router
from medpayiq.api.errors import problem_for, problem_response
from medpayiq.api.guard import Limits, RequestGuard, Throttle
from medpayiq.api.remits import router as remits_api_router
from medpayiq.api.routes import router as api_router
from medpayiq.errors import MedPayIQError
from medpayiq.reference import ReferenceData
from medpayiq.web import changes_page, claim_files_page, pages, remits_page
from medpayiq.web._live import (
    CacheSizes,
    FixedSource,
    Live,
    ReferenceScope,
    ReferenceSource,
    snapshot_of,
)

__all__ = ["create_app", "printable"]

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


# C0 and C1 control characters, DEL, and the Unicode line and paragraph separators: any of
# them in a logged path could end the line and forge another. The backslash too, so that an
# escape in the log always stands for a character that was escaped.
_CONTROL = re.compile("[\\\\\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """`text` with control characters written as escapes (\\x0a), for log lines."""
    return _CONTROL.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )


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
                    printable(scope["method"]),
                    printable(scope["path"]),
                    status,
                    (time.perf_counter() - start) * 1000,
                )


class ResponseLRU:
    """Pure ASGI middleware: whole GET answers keyed on the path, the raw query string and
    today's date, kept in the request's snapshot (`_live.py`: one store generation, so a load
    starts afresh). Every cached route answers from immutable reference data, so a hit is
    sent without routing, validation or rendering. Claims (POST) never pass here. Only
    complete 200 answers are kept, within the snapshot's byte budget."""

    CACHED_PREFIXES = (
        "/api/v1/price",
        "/api/v1/codes/",
        "/api/v1/search",
        "/api/v1/localities",
        "/codes/",
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not scope["path"].startswith(self.CACHED_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        entries = snapshot_of(scope).responses
        key = (scope["path"], scope.get("query_string", b""), date.today())
        hit = entries.get(key)
        if hit is not None:
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
                    size = len(body) + sum(len(k) + len(v) for k, v in headers) + len(key[0])
                    entries.put(key, (headers, body), size + len(key[1]))
            await send(message)

        await self.app(scope, receive, capture)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def create_app(
    reference: ReferenceData | None = None,
    *,
    source: ReferenceSource | None = None,
    api_keys: ApiKeys | None = None,
    limits: Limits | None = None,
    cache_sizes: CacheSizes | None = None,
    reload_interval: float = 1.0,
    warm: Callable[[ReferenceData], None] | None = None,
) -> FastAPI:
    """The web app and /api/v1 over `reference` (fixed), or over `source` (a store: the app
    polls its generation every `reload_interval` seconds and swaps in a new reference, warmed
    with `warm`, when a load commits). `api_keys` turns on API-key mode for the claim
    endpoints (and the claim checker page); `limits` bounds bodies and wrong keys."""
    if source is None:
        if reference is None:
            raise TypeError("create_app needs a reference or a source")
        source = FixedSource(reference)
    live = Live(source, interval=reload_interval, sizes=cache_sizes, warm=warm)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        live.start()
        try:
            yield
        finally:
            live.stop()

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
        lifespan=lifespan,
    )
    limits = limits or Limits()
    app.state.live = live
    app.state.api_keys = api_keys or NO_KEYS
    app.state.throttle = Throttle(limits.max_failures, limits.window)
    static = resources.files("medpayiq.web") / "static"
    # Swagger UI's own files, from the fastapi-offline package (Swagger UI 5: OpenAPI 3.1).
    swagger = resources.files("fastapi_offline") / "static"
    app.mount("/static/swagger", StaticFiles(directory=str(swagger)), name="swagger")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.include_router(api_router)
    app.include_router(changes_api_router)
    app.include_router(remits_api_router)
    app.include_router(pages.router)
    app.include_router(changes_page.router)
    app.include_router(claim_files_page.router)
    app.include_router(remits_page.router)
    _install_error_handlers(app)
    openapi.install(app)
    # Outermost last: the access log sees everything; the guard refuses before the body is
    # read; the snapshot is captured once before any cache or route looks at it.
    app.add_middleware(ResponseLRU)
    app.add_middleware(ReferenceScope, live=live)
    app.add_middleware(
        RequestGuard, keys=app.state.api_keys, limits=limits, throttle=app.state.throttle
    )
    app.add_middleware(AccessLog)
    return app


def _allowed(app: FastAPI, request: Request) -> str:
    """Every method the app's routes accept for the request's path."""
    methods: set[str] = set()
    for route in app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match is not Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


def _install_error_handlers(app: FastAPI) -> None:
    async def handle(request: Request, exc: Exception) -> Response:
        problem = problem_for(exc, path_code="code" in request.path_params)
        if problem.status == 405:
            # Starlette names the methods of the first route that matches the path; a path
            # with a GET and a POST route (/api/v1/changes) supports both.
            problem = replace(problem, headers={"allow": _allowed(app, request)})
        if problem.status >= 500:
            # A bug, not bad input: keep the traceback (never the request body).
            log.error(
                "unhandled error on %s %s",
                printable(request.method),
                printable(request.url.path),
                exc_info=exc,
            )
        if _wants_json(request):
            return problem_response(problem)
        return pages.error_page(request, problem)

    for exc_class in (MedPayIQError, RequestValidationError, StarletteHTTPException, Exception):
        app.add_exception_handler(exc_class, handle)

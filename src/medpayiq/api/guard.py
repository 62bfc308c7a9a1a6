"""Turning hostile requests away before they cost anything: `RequestGuard`, a pure ASGI
middleware in front of the app.

- **The key first.** With API keys on, every POST under /api/v1/ (claims, remittances: patient
  data) needs a key. It is checked from the headers before a byte of the body is read:
  no key 401, a wrong key 403, and the body is never parsed.
- **Bad keys are throttled.** A client (by address) that sends `max_failures` wrong keys
  within `window` seconds gets 429 with Retry-After on every keyed request until the window
  ends, so keys cannot be guessed at speed.
- **Bodies are limited.** A declared Content-Length past the limit is refused at once (413);
  a body without one is counted as it streams in and refused the moment it passes the limit.
  JSON and form bodies get `max_body`; other media types (X12 837P/835 files as text,
  `application/edi-x12`, multipart uploads) get `max_upload`, and a route that wants them
  streams them (`request.stream()`) instead of holding them: the count runs chunk by chunk.

Every refusal is RFC 9457 problem+json (`api/errors.py`), like every other error.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medpayiq.api.auth import ApiKeys, key_from_headers
from medpayiq.api.errors import Problem, ProblemItem, problem_response

__all__ = ["BodyTooLarge", "Limits", "RequestGuard", "Throttle", "parse_size"]

KEYED_PREFIX = "/api/v1/"
_SMALL_TYPES = ("application/json", "application/x-www-form-urlencoded", "")


def parse_size(text: str) -> int:
    """ "1048576", "512K", "1M", "64MiB" -> bytes. Raises ValueError naming the problem."""
    value = text.strip().upper().removesuffix("IB").removesuffix("B")
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(value[-1:], 1)
    number = value[:-1] if scale > 1 else value
    if not number.isdigit():
        raise ValueError(f'"{text}" is not a size (bytes, or a number with K, M or G)')
    return int(number) * scale


@dataclass(frozen=True)
class Limits:
    """Request limits (`medpayiq serve --max-body/--max-upload`, docs/web.md)."""

    max_body: int = 1 << 20  # JSON and form bodies: a claim is a few kB
    max_upload: int = 64 << 20  # X12 files and other uploads, streamed by their routes
    max_failures: int = 10  # wrong keys per client ...
    window: float = 60.0  # ... in this many seconds before 429

    def for_content_type(self, content_type: str) -> int:
        media = content_type.split(";", 1)[0].strip().lower()
        small = media in _SMALL_TYPES or media.endswith("+json")
        return self.max_body if small else self.max_upload


class BodyTooLarge(HTTPException):
    """Raised by the counting `receive` when a streamed body passes its limit (FastAPI passes
    HTTPExceptions through its body reading, so the answer is a 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the limit of {limit:,} bytes")


class Throttle:
    """Wrong-key attempts per client in fixed windows; remembers at most `max_clients`."""

    def __init__(self, max_failures: int, window: float, max_clients: int = 10_000) -> None:
        self.max_failures = max_failures
        self.window = window
        self.max_clients = max_clients
        self._clients: OrderedDict[str, tuple[float, int]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, client: str, now: float | None = None) -> float:
        """Seconds the client must wait, 0 if it may try."""
        now = time.monotonic() if now is None else now
        with self._lock:
            found = self._clients.get(client)
        if found is None or found[1] < self.max_failures:
            return 0.0
        return max(0.0, found[0] + self.window - now)

    def failed(self, client: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            start, count = self._clients.pop(client, (now, 0))
            if now - start >= self.window:
                start, count = now, 0
            self._clients[client] = (start, count + 1)
            while len(self._clients) > self.max_clients:
                self._clients.popitem(last=False)


def _problem(status: int, slug: str, detail: str, headers: dict[str, str] | None = None) -> Problem:
    title = slug.replace("-", " ").capitalize()
    return Problem(status, slug, title, detail, (ProblemItem(slug, detail, "request"),), headers)


class RequestGuard:
    """Pure ASGI middleware: key before body, wrong keys throttled, bodies limited."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        keys: ApiKeys,
        limits: Limits | None = None,
        throttle: Throttle | None = None,
    ) -> None:
        self.app = app
        self.keys = keys
        self.limits = limits or Limits()
        self.throttle = throttle or Throttle(self.limits.max_failures, self.limits.window)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        if refused := self._refusal(scope, headers):
            await _send_problem(refused, scope, receive, send)
            return
        limit = self.limits.for_content_type(headers.get("content-type", ""))
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            refused = _problem(
                413, "payload-too-large", f"the request body is larger than {limit:,} bytes"
            )
            await _send_problem(refused, scope, receive, send)
            return
        await self.app(scope, _counting(receive, limit), send)

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> Problem | None:
        """401, 403 or 429 for a keyed request without a good key; None to go on."""
        if (
            not self.keys.enabled
            or scope["method"] != "POST"
            or not scope["path"].startswith(KEYED_PREFIX)
        ):
            return None
        client = (scope.get("client") or ("?", 0))[0]
        wait = self.throttle.retry_after(client)
        if wait > 0:
            seconds = str(math.ceil(wait))
            return _problem(
                429,
                "too-many-requests",
                f"too many requests with a wrong API key: try again in {seconds} s",
                {"Retry-After": seconds},
            )
        key = key_from_headers(headers.get("authorization"), headers.get("x-api-key"))
        if not key:
            return _problem(
                401,
                "unauthorized",
                "an API key is required: send Authorization: Bearer KEY",
                {"WWW-Authenticate": "Bearer"},
            )
        tenant = self.keys.tenant_for(key)
        if tenant is None:
            self.throttle.failed(client)
            return _problem(
                403, "forbidden", "the API key is not valid", {"WWW-Authenticate": "Bearer"}
            )
        scope.setdefault("state", {})["tenant"] = tenant
        return None


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _counting(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return message

    return counted


async def _send_problem(problem: Problem, scope: Scope, receive: Receive, send: Send) -> None:
    response: Any = problem_response(problem)
    # Connection: close: the body was not read, so the connection cannot carry another request.
    response.headers["connection"] = "close"
    await response(scope, receive, send)

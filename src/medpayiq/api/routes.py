"""The JSON API, /api/v1: thin renderings of `medpayiq.services` answers.

Every route takes the same place-and-time parameters as the pages (zip, locality, state, pos
or setting, date, qp). Answers that depend only on the request and the loaded release are
immutable, so GET answers are kept as ready-to-send bytes in an LRU keyed on the normalised
request; claims are never cached (they are patient data, scoped to the tenant that sent them).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import Response

from medpayiq import services
from medpayiq.api.auth import KeyRefused, authorize
from medpayiq.reference import ReferenceData

__all__ = ["SNAPSHOT", "ResponseCache", "router"]

router = APIRouter(prefix="/api/v1")

JSON = "application/json"


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class ResponseCache:
    """A LRU of encoded answers, bounded by their total size in bytes. Keys include today's
    date when the request has no date, so "today" moves on at midnight."""

    def __init__(self, size: int = 4096, *, max_bytes: int = 32 << 20) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self._bytes = 0
        self._data: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()  # routes run in a thread pool

    def get_or_build(self, key: tuple[Any, ...], build: Callable[[], bytes]) -> bytes:
        with self._lock:
            found = self._data.get(key)
            if found is not None:
                self._data.move_to_end(key)
                return found
        body = build()
        if len(body) > self.max_bytes // 8:
            return body  # one answer may not crowd out the rest
        with self._lock:
            old = self._data.pop(key, None)
            self._bytes += len(body) - (len(old) if old is not None else 0)
            self._data[key] = body
            while self._data and (len(self._data) > self.size or self._bytes > self.max_bytes):
                self._bytes -= len(self._data.popitem(last=False)[1])
        return body

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0


# The request's snapshot (reference and caches of one store generation), captured once when
# the request starts (`web/_live.py`, `ReferenceScope`): one request never mixes two.
SNAPSHOT = "medpayiq.snapshot"


def reference_of(request: Request) -> ReferenceData:
    return request.scope["state"][SNAPSHOT].reference  # type: ignore[no-any-return]


def cache_of(request: Request) -> ResponseCache:
    return request.scope["state"][SNAPSHOT].api_cache  # type: ignore[no-any-return]


# --- Shared parameters --------------------------------------------------------------------


Zip = Annotated[
    str | None, Query(description="ZIP code (5 digits or ZIP+4) of the service location")
]
Locality = Annotated[
    str | None, Query(description='Medicare locality, CARRIER-LOC ("04412-18"), or "national"')
]
State = Annotated[
    str | None, Query(description="two-letter state (only for states with one locality)")
]
Pos = Annotated[
    str | None, Query(description="place of service code (11 office, 22 outpatient hospital, ...)")
]
SettingParam = Annotated[str | None, Query(description='"facility" or "non-facility"')]
DateParam = Annotated[str | None, Query(description="date of service, YYYY-MM-DD (default: today)")]
Qp = Annotated[
    str | None,
    Query(description="qualifying APM participant (true/false): the QP conversion factor"),
]


class PlaceTime:
    """The place-and-time parameters, raw (for cache keys) and parsed."""

    def __init__(
        self,
        zip: Zip = None,
        locality: Locality = None,
        state: State = None,
        pos: Pos = None,
        setting: SettingParam = None,
        date: DateParam = None,
        qp: Qp = None,
    ) -> None:
        self.raw = (zip, locality, state, pos, setting, date, qp)

    def key(self) -> tuple[Any, ...]:
        return (*self.raw, date.today())

    def parse(self, reference: ReferenceData) -> services.Query:
        zip, locality, state, pos, setting, day, qp = self.raw
        return services.parse_query(
            reference,
            zip=zip,
            locality=locality,
            state=state,
            pos=pos,
            setting=setting,
            date=day,
            qp=qp,
        )


Where = Annotated[PlaceTime, Depends()]


def _cached(request: Request, key: tuple[Any, ...], build: Callable[[], Any]) -> Response:
    body = cache_of(request).get_or_build(key, lambda: dumps(build()))
    return Response(body, media_type=JSON)


# --- Routes -------------------------------------------------------------------------------


@router.get("/health", summary="Liveness and what the app answers from")
def health(request: Request) -> Response:
    snapshot = request.scope["state"][SNAPSHOT]
    payload = {
        "status": "ok",
        "datasets": len(snapshot.reference.datasets()),
        "generation": snapshot.generation,
    }
    return Response(dumps(payload), media_type=JSON)


@router.get("/data/status", summary="Loaded datasets and the fee schedule in effect")
def data_status(request: Request, where: Where) -> Response:
    reference = reference_of(request)
    return _cached(
        request,
        ("status", *where.key()),
        lambda: services.data_status(reference, where.parse(reference)).as_dict(),
    )


@router.get("/localities", summary="The Medicare payment localities in effect on the date")
def localities(request: Request, where: Where) -> Response:
    reference = reference_of(request)

    def build() -> Any:
        query = where.parse(reference)
        return {
            "day": query.day.isoformat(),
            "localities": [loc.as_dict() for loc in services.localities(reference, query)],
        }

    return _cached(request, ("localities", *where.key()), build)


@router.get("/search", summary="Codes by code, code range or descriptor words")
def search(
    request: Request,
    where: Where,
    q: Annotated[
        str | None, Query(description='"62323", "62320-62327" or words ("epidural")')
    ] = None,
    limit: Annotated[
        str | None, Query(description="at most this many hits (1-200, default 50)")
    ] = None,
) -> Response:
    reference = reference_of(request)

    def build() -> Any:
        count = services.parse_limit(limit)
        return services.search(reference, q, where.parse(reference), limit=count).as_dict()

    return _cached(request, ("search", q, limit, *where.key()), build)


@router.get(
    "/codes/{code}",
    summary="Everything the code page shows, for any code a loaded schedule or HCPCS file knows",
)
def code(
    request: Request,
    code: str,
    where: Where,
    dx: Annotated[
        str | None, Query(description="ICD-10-CM codes to check, comma separated")
    ] = None,
    modifier: Annotated[
        str | None, Query(description="modifiers to price with, comma separated (26, 50, ...)")
    ] = None,
) -> Response:
    reference = reference_of(request)

    def build() -> Any:
        query = where.parse(reference)
        return services.code_report(
            reference,
            code,
            query,
            diagnoses=services.parse_diagnoses(dx),
            modifiers=services.parse_modifiers(modifier),
        ).as_dict()

    return _cached(request, ("code", code, dx, modifier, *where.key()), build)


@router.get("/price", summary="What Medicare allows for one line, with the trail")
def price(
    request: Request,
    where: Where,
    code: Annotated[str | None, Query(description="CPT/HCPCS code")] = None,
    modifier: Annotated[
        str | None, Query(description="modifiers, comma separated (26, 50, ...)")
    ] = None,
    units: Annotated[str | None, Query(description="units of service (default 1)")] = None,
    rural: Annotated[
        str | None,
        Query(
            description="DMEPOS only: true if the beneficiary's ZIP is on CMS's DMEPOS rural "
            "ZIP list, false if not (unknown when absent: both fees are shown)"
        ),
    ] = None,
) -> Response:
    reference = reference_of(request)

    def build() -> Any:
        parsed = services.parse_code(code)
        return services.price(
            reference,
            parsed,
            where.parse(reference),
            modifiers=services.parse_modifiers(modifier),
            units=services.parse_units(units),
            rural=None if rural is None else services.parse_bool(rural, "rural"),
        ).as_dict()

    return _cached(request, ("price", code, modifier, units, rural, *where.key()), build)


# --- Claims: patient data, scoped to the tenant, never cached or logged --------------------


def tenant(
    request: Request,
    authorization: Annotated[
        str | None, Header(description="Bearer API key (API-key mode)")
    ] = None,
    x_api_key: Annotated[str | None, Header(description="API key (API-key mode)")] = None,
) -> str:
    """The tenant a request speaks for: "local" when API-key mode is off. `api/guard.py`
    checks the key before the body is read and leaves the tenant in the request state."""
    checked = request.scope.get("state", {}).get("tenant")
    if checked is not None and request.app.state.api_keys.enabled:
        return str(checked)
    try:
        return authorize(
            request.app.state.api_keys, authorization=authorization, x_api_key=x_api_key
        )
    except KeyRefused as exc:
        raise HTTPException(exc.status, str(exc), {"WWW-Authenticate": "Bearer"}) from None


Tenant = Annotated[str, Depends(tenant)]
ClaimBody = Annotated[
    Any, Body(description="a claim in the claim checker's JSON schema (docs/claim-checker.md)")
]


@router.post("/claims/price", summary="Price a whole claim (claim-level reductions)")
def claims_price(request: Request, tenant: Tenant, claim: ClaimBody) -> Response:
    result = services.price_claim(reference_of(request), claim)
    return Response(dumps({"tenant": tenant, **result.as_dict()}), media_type=JSON)


@router.post(
    "/claims/check",
    summary="Check a claim (JSON), or every claim of an X12 837P file: findings, dollars at risk",
)
async def claims_check(request: Request, tenant: Tenant) -> Response:
    """A claim in the checker's JSON schema, or an 837P file as the body
    (`application/edi-x12`) or a multipart upload (field `file`): api/claim_files.py."""
    from medpayiq.api.claim_files import check_x12, is_x12_request

    if is_x12_request(request):
        return await check_x12(request, tenant)
    claim = await _json_body(request)
    reference = reference_of(request)
    result = await run_in_threadpool(services.check_claim, reference, claim)
    return Response(dumps({"tenant": tenant, **result.as_dict()}), media_type=JSON)


async def _json_body(request: Request) -> Any:
    """The JSON body, with the errors FastAPI gives a declared body (422, where "body")."""
    raw = await request.body()
    if not raw:
        raise RequestValidationError(
            [{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}]
        )
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        position = exc.pos if isinstance(exc, json.JSONDecodeError) else exc.start
        raise RequestValidationError(
            [
                {
                    "type": "json_invalid",
                    "loc": ("body", position),
                    "msg": "JSON decode error",
                    "input": {},
                }
            ]
        ) from None

"""/api/v1/changes: two loaded releases compared (services.changes), and
/api/v1/data/releases: which release of each kind applies on a date.

    GET  /api/v1/changes?from=RVU25D&to=RVU26C&codes=62323,99213&zip=77030
    POST /api/v1/changes?from=RVU25D&to=RVU26C     body: a volume CSV (text/csv), or a
                                                   multipart form with the file in "volume"
    GET  /api/v1/data/releases?date=2026-07-15

GET answers are cached like the other routes (immutable per loaded data). A volume is the
practice's own business: a POST is scoped to the tenant (API-key mode), never cached or
logged, and larger than 50 MB is refused with 413.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.responses import Response

from medpayiq import services
from medpayiq.api.routes import JSON, Tenant, _cached, dumps, reference_of
from medpayiq.errors import InputError

__all__ = ["ChangeParams", "read_volume", "router"]

router = APIRouter(prefix="/api/v1")

From = Annotated[
    str | None,
    Query(alias="from", description="release to compare from: RVU25D, 2026Q1 (CLFS), 20254 (ZIP)"),
]
To = Annotated[str | None, Query(description="release to compare to: RVU26C, 2026Q2, 20261")]
Kind = Annotated[
    str | None, Query(description="pfs, clfs, dmepos, ncci or zip (when two families match)")
]
Codes = Annotated[str | None, Query(description="codes to compare, comma separated")]
Zip = Annotated[str | None, Query(description="ZIP code: amounts at its locality in each release")]
Locality = Annotated[str | None, Query(description='locality, CARRIER-LOC ("04412-18")')]
SettingParam = Annotated[
    str | None, Query(description='"facility" or "non-facility": the setting movers rank by')
]
Limit = Annotated[str | None, Query(description="movers listed each way (1-500, default 25)")]
AllLocalities = Annotated[str | None, Query(description="true: summarise every locality (slower)")]


class ChangeParams:
    """The query parameters of /changes, raw (for the cache key) and as service arguments."""

    def __init__(
        self,
        before: From = None,
        to: To = None,
        kind: Kind = None,
        codes: Codes = None,
        zip: Zip = None,
        locality: Locality = None,
        setting: SettingParam = None,
        limit: Limit = None,
        all_localities: AllLocalities = None,
    ) -> None:
        self.raw = (before, to, kind, codes, zip, locality, setting, limit, all_localities)

    def arguments(self) -> dict[str, Any]:
        before, to, kind, codes, zip, locality, setting, limit, every = self.raw
        return {
            "before": before,
            "after": to,
            "kind": kind,
            "codes": codes,
            "zip": zip,
            "locality": locality,
            "setting": setting,
            "limit": limit,
            "all_localities": services.parse_flag(every, "all_localities"),
        }


@router.get("/changes", summary="Two loaded releases compared: amounts, causes, codes, edits")
def changes(request: Request, params: Annotated[ChangeParams, Depends()]) -> Response:
    reference = reference_of(request)
    return _cached(
        request,
        ("changes", *params.raw),
        lambda: services.changes(reference, **params.arguments()).as_dict(),
    )


async def read_volume(request: Request) -> tuple[bytes, str]:
    """The volume file of a request: the "volume" field of a multipart form, or the body."""
    limit = services.MAX_VOLUME_BYTES
    size = request.headers.get("content-length")
    if size and size.isdigit() and int(size) > limit + 100_000:
        raise HTTPException(413, f"the volume file is larger than {limit // 1_000_000} MB")
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=20)
        upload = form.get("volume")
        if not isinstance(upload, UploadFile):
            raise InputError(
                'the form has no volume file (field "volume")', parameter="body.volume"
            )
        data = await upload.read(limit + 1)
        name = upload.filename or "volume.csv"
    else:
        data = await request.body()
        name = "volume.csv"
    if len(data) > limit:
        raise HTTPException(413, f"the volume file is larger than {limit // 1_000_000} MB")
    return data, name


_VOLUME_BODY = {
    "requestBody": {
        "required": True,
        "description": "a volume CSV: hcpcs, modifier, pos, units [, zip or locality]",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"volume": {"type": "string", "format": "binary"}},
                    "required": ["volume"],
                }
            },
        },
    }
}


@router.post(
    "/changes",
    summary="The same, with the practice's volume weighed (CSV body)",
    openapi_extra=_VOLUME_BODY,
)
async def changes_volume(
    request: Request, tenant: Tenant, params: Annotated[ChangeParams, Depends()]
) -> Response:
    data, name = await read_volume(request)
    try:
        answer = services.changes(
            reference_of(request), volume=data, volume_name=name, **params.arguments()
        )
    except InputError as exc:
        if exc.parameter == "volume":
            exc.parameter = "body.volume"  # the file came in the body, not the query
        raise
    return Response(dumps({"tenant": tenant, **answer.as_dict()}), media_type=JSON)


@router.get("/data/releases", summary="Which release of each kind applies on a date")
def releases(
    request: Request,
    day: Annotated[
        str | None, Query(alias="date", description="YYYY-MM-DD (default: today)")
    ] = None,
) -> Response:
    reference = reference_of(request)

    def build() -> Any:
        return services.release_status(reference, services.parse_day(day)).as_dict()

    return _cached(request, ("releases", day, date.today()), build)

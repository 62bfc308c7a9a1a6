"""`POST /api/v1/remits`: X12 835 remittances analysed (`services.analyze_remittance`): every
line's expected amount and variance, each denial routed to its fix with a deadline, the
worklist, analytics and totals (docs/remittances.md).

    POST /api/v1/remits                  body: one 835 (application/edi-x12, application/x12,
                                         text/plain, application/octet-stream)
    POST /api/v1/remits                  multipart/form-data: 835 file(s) in "remits", and the
                                         837P file(s) the claims were sent in, in "claims"
    POST /api/v1/remits?format=csv       the same, one CSV row per service line

The answer is `{"tenant": ..., **RemitReport.as_dict()}` (written by `json_chunks`):
`claims`, `problems`, `unreadable`, `totals`, `worklist`, `analytics`, `provenance`. The
body, or each upload, goes to a spooled temporary file (memory up to 8 MB, then disk) as it
arrives, after the request guard has checked the key and counts the bytes against
`--max-upload` (api/guard.py), as the 837P claim-file endpoint does (api/claim_files.py).
Input that is not X12, or that cannot be read at all, is a 400 problem naming the body part;
problems confined to a claim are in `problems`. The analysis is made whole (`RemitReport`);
the answer is then written a claim (or 2,000 CSV rows) at a time. A remittance is patient
data: scoped to the tenant that sent it, never cached, logged or kept (the spooled files go
when the analysis is made).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from typing import IO, Annotated, BinaryIO, cast

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response, StreamingResponse

from medpayiq import services
from medpayiq.api.claim_files import (
    MULTIPART,
    X12_MEDIA_TYPES,
    media_type,
    spool_chunks,
    upload_chunks,
)
from medpayiq.api.routes import JSON, Tenant, reference_of
from medpayiq.errors import InputError

__all__ = ["MAX_FILES", "csv_chunks", "csv_text", "json_chunks", "router"]

router = APIRouter(prefix="/api/v1")

MAX_FILES = 20  # uploads per request, remittances and claim files together

Format = Annotated[
    str | None,
    Query(
        alias="format",
        description='"json" (default): the whole analysis; "csv": one row per service line',
    ),
]


def _format(text: str | None) -> str:
    value = (text or "json").strip().lower() or "json"
    if value not in ("json", "csv"):
        raise InputError(f'format "{text}" is not json or csv', parameter="format")
    return value


def csv_chunks(report: services.RemitReport, rows: int = 2000) -> Iterator[str]:
    """The report's lines as CSV (`remit.CSV_COLUMNS`, a header row first), `rows` at a
    time."""
    from medpayiq.services import REMIT_CSV_COLUMNS as CSV_COLUMNS

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(CSV_COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    for count, row in enumerate(report.csv_rows(), 1):
        writer.writerow(row)
        if count % rows == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def csv_text(report: services.RemitReport) -> str:
    """The whole CSV as one text (the web page's download link)."""
    return "".join(csv_chunks(report))


def json_chunks(report: services.RemitReport, tenant: str) -> Iterator[str]:
    """`{"tenant": ..., **report.as_dict()}` as JSON text, in pieces: the report's own
    `json_chunks()` with the tenant first, as the claim endpoints answer."""
    chunks = report.json_chunks()
    opening = next(chunks)  # '{"claims": ['
    yield '{"tenant": ' + json.dumps(tenant) + ", " + opening[1:]
    yield from chunks
    yield "\n"


def _is_x12(spool: IO[bytes]) -> bool:
    head = spool.read(4096)
    spool.seek(0)
    return services.input_kind(head) == "x12"


async def read_inputs(request: Request) -> tuple[list[IO[bytes]], list[IO[bytes]]]:
    """The remittances and the claim files of a request, each in a spooled file, rewound.
    The caller closes them. InputError names the body part at fault."""
    remits: list[IO[bytes]] = []
    claims: list[IO[bytes]] = []
    try:
        if media_type(request) == MULTIPART:
            form = await request.form(max_files=MAX_FILES, max_fields=MAX_FILES + 5)
            try:
                for field, into in (("remits", remits), ("claims", claims)):
                    for upload in form.getlist(field):
                        if isinstance(upload, UploadFile):
                            into.append(await spool_chunks(upload_chunks(upload)))
            finally:
                await form.close()
            if not remits:
                raise InputError(
                    'the form has no 835 file (a file field named "remits")',
                    parameter="body.remits",
                )
        else:
            remits.append(await spool_chunks(request.stream()))
        for index, spool in enumerate(remits):
            if not _is_x12(spool):
                where = "body" if media_type(request) != MULTIPART else f"body.remits[{index}]"
                raise InputError(
                    "the remittance is not an X12 835 file: it does not start with an ISA segment",
                    parameter=where,
                )
        for index, spool in enumerate(claims):
            if not _is_x12(spool):
                raise InputError(
                    "the claim file is not an X12 837P file: it does not start with an ISA segment",
                    parameter=f"body.claims[{index}]",
                )
    except BaseException:
        _close(remits, claims)
        raise
    return remits, claims


def _close(*groups: Sequence[IO[bytes]]) -> None:
    for group in groups:
        for spool in group:
            spool.close()


_BODY = {
    "requestBody": {
        "required": True,
        "description": "an X12 835 remittance (005010X221A1) as the body, or a multipart form "
        'with one or more 835 files in "remits" and, optionally, the 837P files the claims '
        'were sent in, in "claims" (they supply the place of service, the locality and the '
        "claim checker's view: whether a denial was preventable)",
        "content": {
            **{
                media: {"schema": {"type": "string", "description": "an X12 5010 835 file"}}
                for media in X12_MEDIA_TYPES
            },
            MULTIPART: {
                "schema": {
                    "type": "object",
                    "properties": {
                        "remits": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "minItems": 1,
                        },
                        "claims": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                        },
                    },
                    "required": ["remits"],
                }
            },
        },
    }
}


@router.post(
    "/remits",
    summary="Analyse 835 remittances: underpayments, denials routed to their fix with deadlines",
    openapi_extra=_BODY,
)
async def remits(request: Request, tenant: Tenant, format: Format = None) -> Response:
    """The analysis of the 835 remittance(s) sent (module docstring)."""
    wanted = _format(format)
    remit_files, claim_files = await read_inputs(request)
    try:
        report = await run_in_threadpool(
            services.analyze_remittance,
            reference_of(request),
            cast(list[BinaryIO], remit_files),
            cast(list[BinaryIO], claim_files),
            tenant=tenant,
        )
    except InputError as exc:
        exc.parameter = _where(exc.parameter, request)
        raise
    finally:
        _close(remit_files, claim_files)
    # Sync iterators: Starlette runs them in its threadpool, a piece at a time.
    headers = {"Cache-Control": "no-store"}
    if wanted == "csv":
        headers["Content-Disposition"] = 'attachment; filename="remittance-lines.csv"'
        return StreamingResponse(
            csv_chunks(report), media_type="text/csv; charset=utf-8", headers=headers
        )
    return StreamingResponse(json_chunks(report, tenant), media_type=JSON, headers=headers)


def _where(parameter: str | None, request: Request) -> str:
    """The service's parameter (`remits`, `claims`) as the part of the body it came in."""
    if parameter in ("remits", "claims"):
        return "body" if media_type(request) != MULTIPART else f"body.{parameter}"
    return parameter or "body"

"""`POST /api/v1/claims/check` with an X12 837P file: the body itself (`application/edi-x12`,
`application/x12`, `text/plain`, `application/octet-stream`) or a multipart form upload
(field `file`). The answer is the CLI's JSON (`medpayiq check FILE.837 --json`):

    {"tenant": ..., "claims": [...], "problems": [...], "unreadable": [...], "summary": {...}}

The body streams to a spooled temporary file (memory up to 8 MB, then disk) as it arrives:
the request guard has already counted it against `--max-upload` (api/guard.py). The answer
streams too, one claim at a time, as the claims are checked. A body that is not X12, or an
interchange that cannot be read at all, is a 400 problem before anything is sent; later
structural problems are in `problems`. Nothing is kept or logged: the spooled file goes
when the answer ends.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import AsyncIterator, Iterator
from typing import IO, Any, BinaryIO, cast

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from medpayiq import services
from medpayiq.api.routes import JSON, reference_of
from medpayiq.errors import InputError

__all__ = [
    "MULTIPART",
    "X12_MEDIA_TYPES",
    "check_x12",
    "is_x12_request",
    "media_type",
    "spool_chunks",
    "upload_chunks",
]

X12_MEDIA_TYPES = (
    "application/edi-x12",
    "application/x12",
    "text/plain",
    "application/octet-stream",
)
MULTIPART = "multipart/form-data"
_IN_MEMORY = 8 << 20
_CHUNK = 1 << 20


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def is_x12_request(request: Request) -> bool:
    """True when the body is an X12 file (by its media type) or a multipart upload."""
    media = media_type(request)
    return media in X12_MEDIA_TYPES or media == MULTIPART


async def spool_chunks(chunks: AsyncIterator[bytes]) -> IO[bytes]:
    """`chunks` in a spooled temporary file (memory up to 8 MiB, then disk), rewound; the
    caller closes it."""
    spooled = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY)  # noqa: SIM115 (the caller closes)
    try:
        async for chunk in chunks:
            spooled.write(chunk)
    except BaseException:
        spooled.close()
        raise
    spooled.seek(0)
    return spooled


async def upload_chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(_CHUNK):
        yield chunk


async def _spooled(request: Request) -> IO[bytes]:
    """The body (or the uploaded file) in a spooled temporary file, rewound."""
    if media_type(request) != MULTIPART:
        return await spool_chunks(request.stream())
    form = await request.form(max_files=1, max_fields=5)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InputError(
                'the form has no 837P file (a file field named "file")', parameter="body.file"
            )
        return await spool_chunks(upload_chunks(upload))
    finally:
        await form.close()


async def check_x12(request: Request, tenant: str) -> Response:
    """The answer for an 837P body (module docstring)."""
    spool = await _spooled(request)
    try:
        head = spool.read(4096)
        spool.seek(0)
        if services.input_kind(head) != "x12":
            raise InputError(
                "the body is not an X12 837P file: it does not start with an ISA segment",
                parameter="body",
            )
        files = services.ClaimFiles(reference_of(request), [("body", cast(BinaryIO, spool))])
        chunks = services.json_chunks(files)
        first = await run_in_threadpool(_until_first_claim, files, chunks)
    except BaseException:
        spool.close()
        raise
    if not files.readable:
        spool.close()
        problem = files.unreadable[0].problem
        raise InputError(f"the 837P file cannot be read: {problem}", parameter="body")
    return StreamingResponse(_answer(tenant, first, chunks, spool), media_type=JSON)


def _until_first_claim(files: services.ClaimFiles, chunks: Iterator[str]) -> list[str]:
    """The answer's chunks up to its first claim (or all of them): enough to know whether
    the file can be read at all."""
    held = [next(chunks)]
    for chunk in chunks:
        held.append(chunk)
        if files.summary.claims:
            break
    return held


def _answer(tenant: str, first: list[str], chunks: Iterator[str], spool: IO[bytes]) -> Any:
    """The JSON, with the tenant first: a sync iterator, which Starlette runs in its
    threadpool (the checker is CPU-bound)."""
    try:
        opening = first[0]
        yield '{"tenant": ' + json.dumps(tenant) + ", " + opening[1:]
        yield from first[1:]
        yield from chunks
        yield "\n"
    finally:
        spool.close()

"""/claims/file: an 837P claim file checked and priced, shown as a worklist.

    GET  /claims/file     the upload (and paste) form
    POST /claims/file     multipart: the file in "file", or the text pasted in "x12"

The page asks `services.ClaimFiles` (the JSON twin is `POST /api/v1/claims/check` with the
file as the body) and shows the summary (claims by status, dollars, findings by rule) and a
worklist: one row per claim with its status, findings, dollars at risk and expected allowed
against billed, sortable and filterable, with a CSV export of the rows shown
(web/static/worklist.js; the rows are `batch.worklist_row`, as in the CLI's HTML report).
At most `MAX_ROWS` rows are shown (claims to act on first); the summary counts every claim.
A claim file is patient data: never cached, logged or kept, and with API keys on the form
asks for one.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any, BinaryIO, cast

from fastapi import APIRouter, Request
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import HTMLResponse, Response

from medpayiq import batch, services
from medpayiq.api.errors import problem_for
from medpayiq.api.routes import reference_of
from medpayiq.errors import MedPayIQError
from medpayiq.web.pages import env

__all__ = ["MAX_ROWS", "ClaimFilePage", "key_refusal", "router"]

router = APIRouter(include_in_schema=False)

MAX_ROWS = 5_000
_MAX_PASTE = 1 << 20  # the form's own limit on a text field


@dataclass(frozen=True)
class ClaimFilePage:
    """The page: `summary` and `rows` once a file was checked (`rows` are worklist rows,
    HTML, at most MAX_ROWS: `hidden` counts those left out), `problems` the file's
    structural problems as text, `problem` why nothing could be checked."""

    title: str
    keys_enabled: bool
    name: str = ""
    summary: dict[str, Any] | None = None
    rules: Markup | None = None
    cards: Markup | None = None
    controls: Markup | None = None
    head: Markup | None = None
    rows: tuple[Markup, ...] = ()
    hidden: int = 0
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    problem: dict[str, Any] | None = None
    pasted: str = field(default="", repr=False)


def _render(page: ClaimFilePage, status: int = 200) -> HTMLResponse:
    html = env.get_template("claims_file.html").render(page=page)
    return HTMLResponse(html, status_code=status)


@router.get("/claims/file", response_class=HTMLResponse)
def claim_file_form(request: Request) -> Response:
    return _render(ClaimFilePage("Check a claim file (837P)", request.app.state.api_keys.enabled))


@router.post("/claims/file", response_class=HTMLResponse)
async def claim_file_check(request: Request) -> Response:
    keys = request.app.state.api_keys
    title = "Check a claim file (837P)"
    try:
        form = await request.form(max_files=1, max_fields=5, max_part_size=_MAX_PASTE)
    except Exception:  # starlette's MultiPartException: a bad or too large form
        return _problem(request, 400, "the form could not be read (a pasted file is at most "
                        "1 MB: upload larger files)")  # fmt: skip
    refusal = key_refusal(request, str(form.get("api_key", "")))
    if refusal is not None:
        await form.close()
        return refusal
    upload = form.get("file")
    pasted = str(form.get("x12", "")).strip()
    spool = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 (closed below)
    try:
        # The upload is named generically: a file's name may name a patient, and the page
        # echoes nothing the user sent but codes, dates and amounts.
        name = "pasted text"
        if isinstance(upload, UploadFile) and upload.filename:
            name = "the uploaded file"
            while chunk := await upload.read(1 << 20):
                spool.write(chunk)
        elif pasted:
            spool.write(pasted.encode("utf-8"))
        else:
            return _problem(request, 400, "choose an 837P file or paste one")
        await form.close()
        spool.seek(0)
        if services.input_kind(spool.read(4096)) != "x12":
            return _problem(request, 400, f"{name.capitalize()} is not an X12 837P file: it does "
                            "not start with an ISA segment")  # fmt: skip
        spool.seek(0)
        reference = reference_of(request)
        page = await run_in_threadpool(_checked, reference, name, spool, keys.enabled, title)
    except MedPayIQError as exc:
        p = problem_for(exc)
        return _problem(request, p.status, p.detail)
    finally:
        spool.close()
    if page.problem is not None:
        return _render(page, status=int(page.problem["status"]))
    return _render(page)


def _checked(
    reference: Any, name: str, spool: IO[bytes], keys_enabled: bool, title: str
) -> ClaimFilePage:
    files = services.ClaimFiles(reference, [(name, cast(BinaryIO, spool))])
    act: list[Markup] = []  # claims to act on first, then the clean ones
    clean: list[Markup] = []
    for report in files:
        rows = clean if report.status in ("clean", "void") else act
        if len(rows) < MAX_ROWS:
            rows.append(Markup(batch.worklist_row(report)))
    shown = (act + clean)[:MAX_ROWS]
    if not files.readable:
        detail = files.unreadable[0].message
        return ClaimFilePage(title, keys_enabled, problem={"status": 400, "detail": detail})
    summary = files.summary
    return ClaimFilePage(
        title=f"{summary.claims:,} claims checked",
        keys_enabled=keys_enabled,
        name=name,
        summary=summary.as_dict(),
        rules=Markup(batch.rules_table(summary)),
        cards=Markup(batch.summary_cards(summary)),
        controls=Markup(batch.worklist_controls()),
        head=Markup(batch.WORKLIST_HEAD),
        rows=tuple(shown),
        hidden=summary.claims - len(shown),
        problems=tuple(f"{p.where}: {p.message}" for _, p in files.problems[:200]),
        notes=tuple(summary.notes),
    )


def key_refusal(
    request: Request, key: str, problem: Callable[[Request, int, str], Response] | None = None
) -> Response | None:
    """401 or 429 when API keys are on and the form's key is missing or wrong (`problem`
    renders the refusal: this page's by default; /remits has its own)."""
    _problem = problem or _file_problem
    keys = request.app.state.api_keys
    if not keys.enabled:
        return None
    throttle = request.app.state.throttle
    client = request.client.host if request.client else "?"
    wait = throttle.retry_after(client)
    if wait > 0:
        return _problem(request, 429, f"too many wrong API keys: try again in {math.ceil(wait)} s")
    if keys.tenant_for(key) is None:
        if key:
            throttle.failed(client)
        return _problem(request, 401, "an API key is required to send patient data to this server")
    return None


def _problem(request: Request, status: int, detail: str) -> HTMLResponse:
    return _file_problem(request, status, detail)


def _file_problem(request: Request, status: int, detail: str) -> HTMLResponse:
    page = ClaimFilePage(
        "Check a claim file (837P)",
        request.app.state.api_keys.enabled,
        problem={"status": status, "detail": detail},
    )
    return _render(page, status=status)

"""/remits: X12 835 remittances worked on one page, and the redetermination request of a denial.

    GET  /remits            the upload (and paste) form
    POST /remits            multipart: 835 file(s) in "remits" or the text pasted in "x12", and
                            optionally the 837P file(s) the claims were sent in, in "claims"
    POST /remits/letter     a denial's CMS-20027 request (the fields in "letter", as the
                            /remits page wrote them): printable HTML, or plain text with
                            format=text

The page asks `services.analyze_remittance` (the JSON twin is `POST /api/v1/remits`) and
shows: the totals; charts drawn on the server (dollars at stake by route, denials by CARC,
underpayments by cause: web/charts.py); the worklist (routed denials and mispaid lines by
dollars at stake, then deadline), each row opening its line (adjustments and remarks with
their texts, expected against paid, the route with what to send, the rule and the deadline)
and, for an appealable denial, its redetermination request; denials by route, CARC, code and
payer; underpayments; and a CSV of every line (`api.remits.csv_text`, as a download link).

A remittance is patient data: never cached, logged or kept. The page is the whole answer, so
the request of a denial is made from the fields the page holds (the letter's own JSON, posted
back), not from anything stored. With API keys on, the upload form asks for a key.
"""

from __future__ import annotations

import dataclasses
import io
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any, BinaryIO, cast
from urllib.parse import quote

from fastapi import APIRouter, Request
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from medpayiq import services
from medpayiq.api.errors import problem_for
from medpayiq.api.remits import MAX_FILES, csv_text
from medpayiq.api.routes import reference_of
from medpayiq.errors import MedPayIQError
from medpayiq.web import charts
from medpayiq.web.claim_files_page import key_refusal
from medpayiq.web.pages import env

__all__ = ["MAX_ROWS", "RemitPage", "router"]

router = APIRouter(include_in_schema=False)

MAX_ROWS = 2_000  # worklist rows (and opened lines) shown; the totals count every line
MAX_CSV_BYTES = 4 << 20  # larger: the page points at the API's ?format=csv
_MAX_PASTE = 1 << 20
_MAX_LETTER = 20_000
TITLE = "Work a remittance (835)"
NO_STORE = {"Cache-Control": "no-store"}
_LETTER_FIELDS = {f.name: f for f in dataclasses.fields(services.RedeterminationRequest)}


@dataclass(frozen=True)
class RemitPage:
    """The page: the form, and once remittances were read, everything shown about them.
    `problem` says why nothing could be read."""

    title: str
    keys_enabled: bool
    totals: dict[str, Any] | None = None
    cards: tuple[tuple[str, str], ...] = ()
    charts: tuple[tuple[str, Markup], ...] = ()  # (title, SVG)
    worklist: tuple[dict[str, Any], ...] = ()
    hidden: int = 0
    analytics: dict[str, Any] = field(default_factory=dict)
    underpaid: tuple[dict[str, Any], ...] = ()
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    provenance: dict[str, Any] = field(default_factory=dict)
    csv_href: str | None = None
    problem: dict[str, Any] | None = None


def _render(page: RemitPage, status: int = 200) -> HTMLResponse:
    html = env.get_template("remits.html").render(page=page)
    return HTMLResponse(html, status_code=status, headers=NO_STORE)


def _problem(request: Request, status: int, detail: str) -> HTMLResponse:
    page = RemitPage(TITLE, request.app.state.api_keys.enabled, problem={"status": status,
                     "detail": detail})  # fmt: skip
    return _render(page, status=status)


@router.get("/remits", response_class=HTMLResponse)
def remits_form(request: Request) -> Response:
    return _render(RemitPage(TITLE, request.app.state.api_keys.enabled))


async def _spooled(upload: UploadFile) -> IO[bytes]:
    spool = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 (closed by the caller)
    while chunk := await upload.read(1 << 20):
        spool.write(chunk)
    spool.seek(0)
    return spool


@router.post("/remits", response_class=HTMLResponse)
async def remits_worked(request: Request) -> Response:
    try:
        form = await request.form(
            max_files=MAX_FILES, max_fields=MAX_FILES + 5, max_part_size=_MAX_PASTE
        )
    except Exception:  # starlette's MultiPartException: a bad or too large form
        detail = (
            "the form could not be read (a pasted remittance is at most 1 MB, and at most "
            f"{MAX_FILES} files: upload larger ones)"
        )
        return _problem(request, 400, detail)
    remits: list[IO[bytes]] = []
    claims: list[IO[bytes]] = []
    try:
        refusal = key_refusal(request, str(form.get("api_key", "")), _problem)
        if refusal is not None:
            return refusal
        for name, into in (("remits", remits), ("claims", claims)):
            for upload in form.getlist(name):
                if isinstance(upload, UploadFile) and upload.filename:
                    into.append(await _spooled(upload))
        pasted = str(form.get("x12", "")).strip()
        if pasted:
            remits.append(io.BytesIO(pasted.encode("utf-8")))
        await form.close()
        if not remits:
            return _problem(request, 400, "choose an 835 remittance file or paste one")
        # Named by position: a file's name may name a patient.
        for kind, files, what in (("remittance", remits, "835"), ("claim file", claims, "837P")):
            for i, each in enumerate(files, 1):
                head = each.read(4096)
                each.seek(0)
                if services.input_kind(head) != "x12":
                    detail = (
                        f"{kind.capitalize()} {i} is not an X12 {what} file: it does not start "
                        "with an ISA segment"
                    )
                    return _problem(request, 400, detail)
        reference = reference_of(request)
        keys = request.app.state.api_keys
        page = await run_in_threadpool(_worked, reference, remits, claims, keys.enabled)
    except MedPayIQError as exc:
        p = problem_for(exc)
        return _problem(request, p.status, p.detail)
    finally:
        for each in (*remits, *claims):
            each.close()
    return _render(page)


def _worked(
    reference: Any, remits: Sequence[IO[bytes]], claims: Sequence[IO[bytes]], keys_enabled: bool
) -> RemitPage:
    report = services.analyze_remittance(
        reference, cast(list[BinaryIO], list(remits)), cast(list[BinaryIO], list(claims))
    )
    data = report.as_dict()
    totals = data["totals"]
    worklist = _opened(report, data["claims"], data["worklist"])
    text = csv_text(report)
    href = "data:text/csv;charset=utf-8," + quote(text) if len(text) <= MAX_CSV_BYTES else None
    analytics = data["analytics"]
    underpaid = tuple(
        {**line, "claim_id": c["claim_id"], "payer": c["payer"]}
        for c in data["claims"]
        for line in c["lines"]
        if line["status"] in ("underpaid", "overpaid")
    )[:MAX_ROWS]
    problems = tuple(
        f"{p['file']}: {p['where']}: {p['message']}" for p in data["problems"][:200]
    ) + tuple(f"{u['file']}: {u['message']}" for u in data["unreadable"])
    return RemitPage(
        title=f"{totals['claims']:,} claims in {totals['remittances']:,} remittance(s)",
        keys_enabled=keys_enabled,
        totals=totals,
        cards=_cards(totals, analytics),
        charts=_charts(analytics),
        worklist=tuple(worklist[:MAX_ROWS]),
        hidden=max(0, len(worklist) - MAX_ROWS),
        analytics=analytics,
        underpaid=underpaid,
        problems=problems,
        notes=tuple(data["provenance"]["notes"]),
        provenance=data["provenance"],
        csv_href=href,
    )


def _opened(
    report: services.RemitReport, claims: list[dict[str, Any]], worklist: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each worklist item with its line as the JSON has it (`claims`, the report's claims as
    `as_dict` gives them, in order: `detail`), an anchor to open it by, and, for an
    appealable denial, its request's fields (`letter`) and plain text."""
    index: dict[tuple[Any, ...], list[tuple[str, dict[str, Any], Any]]] = {}
    letters = report.letters_by_line()
    for ci, c in enumerate(claims):
        for li, shown in enumerate(c["lines"]):
            route = shown["route"] or {}
            key = (c["claim_id"], c["payer_claim_number"], shown["line"], shown["status"],
                   shown["at_stake"], route.get("route"), route.get("deadline"))  # fmt: skip
            detail = {**shown, "claim": {k: v for k, v in c.items() if k != "lines"}}
            index.setdefault(key, []).append(
                (f"c{ci}-l{shown['line']}", detail, letters.get((ci, li)))
            )
    opened = []
    for item in worklist:
        key = (item["claim_id"], item["payer_claim_number"], item["line"], item["status"],
               item["at_stake"], item["route"], item["deadline"])  # fmt: skip
        found = index.get(key)
        if not found:  # cannot happen: every worklist item is a line of the report
            opened.append({**item, "anchor": None, "detail": None, "letter": None})
            continue
        anchor, detail, letter = found.pop(0)
        opened.append(
            {
                **item,
                "anchor": anchor,
                "detail": detail,
                "letter": json.dumps(letter.as_dict()) if letter is not None else None,
                "letter_text": letter.as_text() if letter is not None else None,
            }
        )
    return opened


def _cards(totals: dict[str, Any], analytics: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    rate = analytics["preventable"]["rate"]
    cards = [
        ("claims", f"{totals['claims']:,}"),
        ("lines", f"{totals['lines']:,}"),
        ("paid", _money(totals["paid"])),
        ("expected paid", _money(totals["expected_paid"])),
        ("underpaid", _money(totals["underpaid"])),
        ("denied, at stake", _money(totals["denied_at_stake"])),
        ("provider adjustments", _money(totals["provider_adjustments"])),
        ("payments (BPR)", _money(totals["payments"])),
    ]
    if rate is not None:
        cards.append(("preventable denials", f"{Decimal(rate) * 100:.0f}%"))
    return tuple(cards)


def _money(text: str | None) -> str:
    from medpayiq.money import display

    return display(Decimal(text)) if text is not None else "—"


def _charts(analytics: dict[str, Any]) -> tuple[tuple[str, Markup], ...]:
    routes = sorted(
        (
            (row["name"], Decimal(row["at_stake"]), f"{row['count']:,} line(s)")
            for row in analytics["by_route"].values()
            if Decimal(row["at_stake"]) > 0
        ),
        key=lambda item: -item[1],
    )
    carcs = [
        (f"CARC {code}", Decimal(row["at_stake"]), row.get("text", ""))
        for code, row in analytics["denials_by_carc"].items()
    ][:12]
    causes = [
        (cause.replace("_", " "), Decimal(row["at_stake"]), f"{row['count']:,} line(s)")
        for cause, row in analytics["underpayments_by_cause"].items()
    ][:12]
    out = []
    for items, title, chart_id in (
        (routes, "Dollars at stake by route", "ch-route"),
        (carcs, "Denied dollars by adjustment reason (CARC)", "ch-carc"),
        (causes, "Underpaid dollars by likely cause", "ch-cause"),
    ):
        if items:
            out.append((title, charts.amount_bars(items, title=title, chart_id=chart_id)))
    return tuple(out)


# --- The redetermination request of one denial ----------------------------------------------


def _letter_from(text: str) -> services.RedeterminationRequest | None:
    """The request's fields as the /remits page wrote them; None when they are not."""
    if not text or len(text) > _MAX_LETTER:
        return None
    try:
        fields = json.loads(text)
    except ValueError:
        return None
    if not isinstance(fields, dict) or set(fields) - set(_LETTER_FIELDS):
        return None
    required = {n for n, f in _LETTER_FIELDS.items() if f.default is dataclasses.MISSING}
    if not required <= set(fields):
        return None
    for name, value in fields.items():
        if name == "line":
            if not isinstance(value, int) or isinstance(value, bool):
                return None
        elif value is not None and not isinstance(value, str):
            return None
    return services.RedeterminationRequest(**fields)


@router.post("/remits/letter", response_class=HTMLResponse)
async def remit_letter(request: Request) -> Response:
    try:
        form = await request.form(max_files=0, max_fields=5, max_part_size=_MAX_LETTER)
    except Exception:
        return _problem(request, 400, "the request's fields could not be read")
    letter = _letter_from(str(form.get("letter", "")))
    wanted = str(form.get("format", "html"))
    await form.close()
    if letter is None:
        return _problem(request, 400, "the redetermination request's fields are missing or "
                        "malformed: open it from the remittance page")  # fmt: skip
    if wanted == "text":
        name = f"redetermination-line-{letter.line}.txt"
        headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'}
        return PlainTextResponse(letter.as_text(), headers=headers)
    html = env.get_template("remit_letter.html").render(
        page={"title": "Medicare Redetermination Request (CMS-20027)"}, letter=letter
    )
    return HTMLResponse(html, headers=NO_STORE)

"""The HTML pages: each route asks `medpayiq.services` one question and renders the answer
with a typed context (`contexts.py`). No rules live here.

    /                 search box
    /search?q=        codes by code, range or words
    /codes/{code}     the code page (place and time picker, amounts, RVUs, tips, denials, FAQ)
    /claims           the claim checker (GET form, POST results)
    /data             what is loaded, and which release of each kind applies on a date
    /changes          two releases compared (changes_page.py)
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from importlib import resources
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse, Response

from medpayiq import services
from medpayiq.api.errors import Problem, problem_for
from medpayiq.api.routes import SNAPSHOT, PlaceTime, Where, reference_of
from medpayiq.errors import InputError, MedPayIQError
from medpayiq.money import display, display_signed
from medpayiq.reference import ReferenceData
from medpayiq.web import charts, claim_form
from medpayiq.web.contexts import (
    ClaimPage,
    CodePage,
    DataPage,
    ErrorPage,
    HomePage,
    Picker,
    ScheduleCodePage,
    SearchPage,
    StateGroup,
    UnansweredPage,
)

__all__ = ["EXAMPLE_CLAIM", "error_page", "render", "router"]

router = APIRouter(include_in_schema=False)

_TEMPLATES = resources.files("medpayiq.web") / "templates"
env = Environment(
    loader=FileSystemLoader(str(_TEMPLATES)),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _pct(value: Any) -> str:
    if value is None:
        return "—"
    from decimal import Decimal

    amount = Decimal(str(value))
    return f"{'+' if amount > 0 else ''}{amount}%"


def _url(path: str, params: dict[str, str] | None = None, **extra: str | None) -> str:
    merged = dict(params or {})
    for key, value in extra.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return path + ("?" + urlencode(merged) if merged else "")


env.filters["money"] = display
env.filters["signed_money"] = display_signed
env.filters["pct"] = _pct
env.filters["title_case"] = services.title_case
env.globals["url"] = _url


def render(template: str, page: Any, *, status: int = 200) -> HTMLResponse:
    html = env.get_template(template).render(page=page)
    return HTMLResponse(html, status_code=status)


def _reference(request: Request) -> ReferenceData:
    return reference_of(request)


def error_page(request: Request, problem: Problem) -> Response:
    back = request.url.path if request.url.path.startswith("/codes/") else "/"
    page = ErrorPage(
        title=problem.title,
        status=problem.status,
        detail=problem.detail,
        errors=tuple(e.as_dict() for e in problem.errors),
        back=back,
    )
    return render("error.html", page, status=problem.status)


# --- Home and search -----------------------------------------------------------------------

EXAMPLES = (
    ("knee replacement", "a biller's words"),
    ("annual wellness", "preventive visits"),
    ("epidural", "words of the descriptor"),
    ("62320-62327", "a code range"),
    ("62323", "a code"),
    ("80053", "a lab test"),
    ("E0601", "equipment (DMEPOS)"),
)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    return render(
        "home.html", HomePage("MedPayIQ: Medicare fee schedule, edits and denials", "", EXAMPLES)
    )


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, where: Where, q: str | None = None) -> Response:
    reference = _reference(request)
    query = where.parse(reference)
    if not (q or "").strip():
        return render("home.html", HomePage("Search", "", EXAMPLES))
    result = services.search(reference, q, query)
    if (
        result.kind == "code"
        and result.total == 1
        and result.hits[0].code == (q or "").strip().upper()
    ):
        # An exact code goes straight to its page, keeping place and time.
        return Response(
            status_code=303,
            headers={"location": _url(f"/codes/{result.hits[0].code}", query.params())},
        )
    return render("search.html", SearchPage(f"Search: {q}", q or "", result, query.params()))


# --- The code page ----------------------------------------------------------------------------


def _picker(
    reference: ReferenceData,
    query: services.Query,
    action: str,
    dx: str,
    *,
    locality: str,
    modifier: str = "",
    modifier_choices: tuple[tuple[str, str], ...] = (),
    setting: str = "",
) -> Picker:
    groups: dict[str, list[services.LocalityInfo]] = {}
    for loc in services.localities(reference, query, check_place=False):
        groups.setdefault(loc.state, []).append(loc)
    return Picker(
        action=action,
        zip=query.zip or "",
        locality=locality,
        date=query.day.isoformat(),
        setting=setting or query.effective_setting.value,
        states=tuple(StateGroup(state, tuple(locs)) for state, locs in sorted(groups.items())),
        dx=dx,
        modifier=modifier,
        modifier_choices=modifier_choices,
    )


# Errors of these parameters keep the code page and its picker (the message in the page):
# the user changes the date or place and tries again.
_PICKER_PARAMETERS = frozenset(
    {"date", "zip", "locality", "state", "county", "setting", "pos", "qp"}
)


@router.get("/codes/{code}", response_class=HTMLResponse)
def code_page(
    request: Request,
    code: str,
    where: Where,
    dx: str | None = None,
    modifier: Annotated[
        str | None, Query(description="modifiers to price with, comma separated (26, 50, ...)")
    ] = None,
) -> Response:
    reference = _reference(request)
    key = ("page", code, *where.raw, dx, modifier, services.today())
    cache = request.scope["state"][SNAPSHOT].page_cache
    try:
        body = cache.get_or_build(key, lambda: _code_html(reference, code, where, dx, modifier))
    except InputError as exc:
        if exc.parameter not in _PICKER_PARAMETERS:
            raise
        return _code_unanswered(request, reference, code, where, exc)
    return HTMLResponse(body)


def _lenient(parse: Any, text: str | None, notices: list[str]) -> Any:
    """A page parameter that does not stop the page: a bad value becomes a notice."""
    try:
        return parse(text)
    except InputError as exc:
        notices.append(str(exc))
        return ()


def _code_html(
    reference: ReferenceData,
    code: str,
    where: PlaceTime,
    dx: str | None,
    modifier: str | None,
) -> bytes:
    query = where.parse(reference)
    notices: list[str] = []
    diagnoses = _lenient(services.parse_diagnoses, dx, notices)
    modifiers = _lenient(services.parse_modifiers, modifier, notices)
    report = services.code_report(reference, code, query, diagnoses=diagnoses, modifiers=modifiers)
    shown = report.modifiers if isinstance(report, services.ScheduleCodeReport) else ()
    if isinstance(report, services.CodeReport):
        shown = report.amounts.modifiers
    params = query.params(modifier=",".join(shown) or None)
    if isinstance(report, services.ScheduleCodeReport):
        other = ScheduleCodePage(
            title=f"{report.code} {report.descriptor[:60]}: Medicare payment",
            report=report,
            query=query,
            picker=_picker(
                reference, query, f"/codes/{report.code}", ", ".join(diagnoses),
                locality=str(report.place.locality or ""), modifier=modifier or "",
            ),
            params=params,
            notices=tuple(notices) + report.notices,
        )  # fmt: skip
        return env.get_template("code_schedule.html").render(page=other).encode("utf-8")
    a = report.amounts
    bars = charts.setting_bars(
        nonfacility=a.nonfacility,
        facility=a.facility,
        national_nonfacility=a.national_nonfacility,
        national_facility=a.national_facility,
        place_label=report.place_label if report.place.locality else "National average",
        chosen=a.setting,
    )
    strip = None
    near: tuple[Any, ...] = ()
    if report.standing is not None:
        s = report.standing
        strip = charts.locality_strip(
            amounts=[x.amount for x in s.amounts],
            here=s.here if report.place.locality else None,
            here_label=services.title_case(report.place.name) if report.place.locality else "",
            national=s.national,
            rank=s.rank,
            setting=s.setting,
        )
        near = _near(s)
    setting_links = {
        "non-facility": _url(
            f"/codes/{report.code}", query.params(setting="non-facility", pos=None)
        ),
        "facility": _url(f"/codes/{report.code}", query.params(setting="facility", pos=None)),
    }
    page = CodePage(
        title=f"{report.code} {report.descriptor}: Medicare payment, edits and denials",
        report=report,
        query=query,
        picker=_picker(
            reference,
            query,
            f"/codes/{report.code}",
            ", ".join(diagnoses),
            locality=str(report.place.locality) if report.place.locality else "",
            modifier="-".join(a.modifiers),
            modifier_choices=report.modifier_choices,
            setting=a.setting,
        ),
        bars=bars,
        strip=strip,
        params=params,
        setting_links=setting_links,
        standing_near=near,
        notices=tuple(notices) + report.notices,
    )
    return env.get_template("code.html").render(page=page).encode("utf-8")


def _code_unanswered(
    request: Request, reference: ReferenceData, code: str, where: PlaceTime, exc: InputError
) -> Response:
    """The code page when the data cannot answer its date or place: the message in the page,
    and the picker, set to the newest date the data answers, to try again."""
    problem = problem_for(exc)
    raw = where.raw
    fallback = services.Query(services.answerable_day(reference))
    try:
        picker = _picker(
            reference, fallback, f"/codes/{code.strip().upper()}", dx="",
            locality=raw[1] or "",
        )  # fmt: skip
    except MedPayIQError:
        picker = None
    page = UnansweredPage(
        title=f"{code.strip().upper()}: {problem.title}",
        code=code.strip().upper(),
        status=problem.status,
        detail=problem.detail,
        picker=picker,
        typed_date=raw[5] or "",
    )
    return render("code_unanswered.html", page, status=problem.status)


def _near(standing: services.Standing) -> tuple[Any, ...]:
    """The top three, the bottom three, and the chosen locality with its neighbours."""
    ranked = list(standing.amounts)
    picks = set(range(3)) | set(range(len(ranked) - 3, len(ranked)))
    if standing.rank:
        picks |= {standing.rank - 2, standing.rank - 1, standing.rank}
    return tuple((i + 1, ranked[i]) for i in sorted(p for p in picks if 0 <= p < len(ranked)))


# --- The claim checker ------------------------------------------------------------------------

EXAMPLE_CLAIM: dict[str, Any] = {
    "claim_id": "example-1",
    "patient": {"id": "PT-0001", "sex": "F"},
    "provider": {"npi": "1234567893", "participating": True},
    "place_of_service": "11",
    "zip": "77030",
    "date_of_service": "2026-07-15",
    "diagnoses": ["M54.16", "M48.061"],
    "lines": [
        {"hcpcs": "62323", "units": 1, "diagnosis_pointers": [1, 2]},
        {"hcpcs": "77003", "units": 1, "diagnosis_pointers": [1]},
    ],
}


@router.get("/claims", response_class=HTMLResponse)
def claims_form(request: Request, example: str | None = None) -> Response:
    form = (
        claim_form.EXAMPLE_FORM
        if example
        else claim_form.ClaimForm(date=services.today().isoformat())
    )
    return render("claims.html", _claim_page(request, form, None, None))


def _claim_page(
    request: Request,
    form: claim_form.ClaimForm,
    checked: dict[str, Any] | None,
    problem: dict[str, Any] | None,
) -> ClaimPage:
    return ClaimPage(
        title="Claim checker",
        claim_text=form.json_text or json.dumps(EXAMPLE_CLAIM, indent=2),
        checked=checked,
        problem=problem,
        keys_enabled=request.app.state.api_keys.enabled,
        form=form,
        places=claim_form.PLACES,
        provider_types=claim_form.PROVIDER_TYPES,
        lines=_lines_view(checked),
    )


@router.post("/claims", response_class=HTMLResponse)
async def claims_check(request: Request) -> Response:
    fields = await request.form()
    keys = request.app.state.api_keys
    form, action = claim_form.form_from_fields(fields)
    if "lines" not in fields and "claim" in fields:
        form = claim_form.ClaimForm(mode="json", json_text=str(fields.get("claim") or ""))
    if action != "check":
        page = _claim_page(request, form, None, None)
        if action == "add":
            page = replace(page, focus=f"line-{len(form.lines) - 1}-code")
        return render("claims.html", page)
    problem: dict[str, Any] | None = None
    checked: dict[str, Any] | None = None
    api_key = str(fields.get("api_key") or "")
    throttle = request.app.state.throttle
    client = request.client.host if request.client else "?"
    wait = throttle.retry_after(client) if keys.enabled else 0
    if wait > 0:
        problem = _problem(429, f"too many wrong API keys: try again in {math.ceil(wait)} s")
    elif keys.enabled and keys.tenant_for(api_key) is None:
        if api_key:
            throttle.failed(client)
        problem = _problem(401, "an API key is required to check claims on this server")
    elif form.mode == "json":
        problem, checked = _check_json(request, form.json_text.strip())
    else:
        problem, checked = _check_body(request, claim_form.form_to_claim(form))
    page = _claim_page(request, form, checked, problem)
    return render("claims.html", page, status=problem["status"] if problem else 200)


def _problem(
    status: int, detail: str, errors: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    return {"status": status, "detail": detail, "errors": errors or []}


def _check_json(request: Request, text: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    if len(text) > 200_000:
        return _problem(413, "the claim is larger than 200 kB"), None
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        return _problem(
            400,
            f"the claim is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
        ), None
    return _check_body(request, body)


def _check_body(request: Request, body: Any) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    try:
        return None, services.check_claim(_reference(request), body).as_dict()
    except MedPayIQError as exc:
        p = problem_for(exc)
        return _problem(p.status, p.detail, [e.as_dict() for e in p.errors]), None


def _lines_view(checked: dict[str, Any] | None) -> tuple[dict[str, Any], ...]:
    """Each priced line with the findings that name it, for the results table."""
    if checked is None:
        return ()
    findings = checked.get("findings", [])
    return tuple(
        {**line, "findings": [f for f in findings if line["line"] in f["lines"]]}
        for line in checked["priced"]["lines"]
    )


# --- API docs ------------------------------------------------------------------------------


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> Response:
    """Swagger UI over /openapi.json, every asset served by the app (works offline)."""
    return HTMLResponse(env.get_template("api_docs.html").render())


# --- Data status -----------------------------------------------------------------------------


@router.get("/data", response_class=HTMLResponse)
def data_page(request: Request, date: str | None = Query(None)) -> Response:
    reference = _reference(request)
    status = services.data_status(reference, services.parse_query(reference, date=date))
    releases = services.release_status(reference, status.day)
    return render("data.html", DataPage("Data loaded", status, releases))

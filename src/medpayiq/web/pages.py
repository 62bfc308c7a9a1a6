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
from importlib import resources
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse, Response

from medpayiq import services
from medpayiq.api.errors import Problem, problem_for
from medpayiq.api.routes import SNAPSHOT, PlaceTime, Where, reference_of
from medpayiq.errors import MedPayIQError
from medpayiq.money import display, display_signed
from medpayiq.reference import ReferenceData
from medpayiq.web import charts
from medpayiq.web.contexts import (
    ClaimPage,
    CodePage,
    DataPage,
    ErrorPage,
    HomePage,
    Picker,
    SearchPage,
    StateGroup,
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
    ("epidural", "words of the descriptor"),
    ("interlaminar lumbar", "several words"),
    ("62320-62327", "a code range"),
    ("62323", "a code"),
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
    report: services.CodeReport,
    action: str,
    dx: str,
) -> Picker:
    groups: dict[str, list[services.LocalityInfo]] = {}
    for loc in services.localities(reference, query):
        groups.setdefault(loc.state, []).append(loc)
    return Picker(
        action=action,
        zip=query.zip or "",
        locality=str(report.place.locality) if report.place.locality else "",
        date=query.day.isoformat(),
        setting=query.effective_setting.value,
        states=tuple(StateGroup(state, tuple(locs)) for state, locs in sorted(groups.items())),
        dx=dx,
    )


@router.get("/codes/{code}", response_class=HTMLResponse)
def code_page(request: Request, code: str, where: Where, dx: str | None = None) -> Response:
    reference = _reference(request)
    key = ("page", code, *where.raw, dx, services.today())
    cache = request.scope["state"][SNAPSHOT].page_cache
    body = cache.get_or_build(key, lambda: _code_html(reference, code, where, dx))
    return HTMLResponse(body)


def _code_html(reference: ReferenceData, code: str, where: PlaceTime, dx: str | None) -> bytes:
    query = where.parse(reference)
    report = services.code_report(reference, code, query, diagnoses=services.parse_diagnoses(dx))
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
    params = query.params()
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
            report,
            f"/codes/{report.code}",
            ", ".join(services.parse_diagnoses(dx)),
        ),
        bars=bars,
        strip=strip,
        params=params,
        setting_links=setting_links,
        standing_near=near,
    )
    return env.get_template("code.html").render(page=page).encode("utf-8")


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
def claims_form(request: Request) -> Response:
    page = ClaimPage(
        title="Claim checker",
        claim_text=json.dumps(EXAMPLE_CLAIM, indent=2),
        checked=None,
        problem=None,
        keys_enabled=request.app.state.api_keys.enabled,
    )
    return render("claims.html", page)


@router.post("/claims", response_class=HTMLResponse)
def claims_check(request: Request, claim: str = Form(""), api_key: str = Form("")) -> Response:
    keys = request.app.state.api_keys
    text = claim.strip()
    problem: dict[str, Any] | None = None
    checked: dict[str, Any] | None = None
    throttle = request.app.state.throttle
    client = request.client.host if request.client else "?"
    wait = throttle.retry_after(client) if keys.enabled else 0
    if wait > 0:
        problem = {
            "status": 429,
            "detail": f"too many wrong API keys: try again in {math.ceil(wait)} s",
            "errors": [],
        }
    elif keys.enabled and keys.tenant_for(api_key) is None:
        if api_key:
            throttle.failed(client)
        problem = {
            "status": 401,
            "detail": "an API key is required to check claims on this server",
            "errors": [],
        }
    elif len(text) > 200_000:
        problem = {"status": 413, "detail": "the claim is larger than 200 kB", "errors": []}
    else:
        try:
            body = json.loads(text)
        except json.JSONDecodeError as exc:
            problem = {
                "status": 400,
                "detail": (
                    f"the claim is not valid JSON: {exc.msg} at line {exc.lineno}, column "
                    f"{exc.colno}"
                ),
                "errors": [],
            }
        else:
            try:
                reference = _reference(request)
                checked = services.check_claim(reference, body).as_dict()
            except MedPayIQError as exc:
                p = problem_for(exc)
                problem = {
                    "status": p.status,
                    "detail": p.detail,
                    "errors": [e.as_dict() for e in p.errors],
                }
    page = ClaimPage("Claim checker", text, checked, problem, keys.enabled)
    return render("claims.html", page, status=problem["status"] if problem else 200)


# --- Data status -----------------------------------------------------------------------------


@router.get("/data", response_class=HTMLResponse)
def data_page(request: Request, date: str | None = Query(None)) -> Response:
    reference = _reference(request)
    status = services.data_status(reference, services.parse_query(reference, date=date))
    releases = services.release_status(reference, status.day)
    return render("data.html", DataPage("Data loaded", status, releases))

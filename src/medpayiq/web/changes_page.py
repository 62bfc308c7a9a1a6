"""/changes: what changed between two loaded releases, for my codes, in my dollars.

    GET  /changes?from=RVU25D&to=RVU26C&codes=62323&zip=77030   the comparison
    POST /changes?from=...                                       the same with a volume upload

The page asks `services.changes` (the JSON twin is /api/v1/changes) and draws the largest
changes by code as an inline SVG chart: the practice's yearly impact when a volume file was
uploaded, otherwise the largest movers of one service. A volume upload is the practice's
own business: never cached or logged; with API keys on, the form asks for one.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, Response

from medpayiq import services
from medpayiq.api.changes import ChangeParams, read_volume
from medpayiq.api.errors import problem_for
from medpayiq.api.routes import reference_of
from medpayiq.changes import ChangeReport, FeeRowChange, loaded
from medpayiq.errors import MedPayIQError
from medpayiq.reference import ReferenceData
from medpayiq.releases import Family
from medpayiq.web import charts
from medpayiq.web.contexts import ChangesForm, ChangesPage
from medpayiq.web.pages import env

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_CHART_ITEMS = 12


def _reference(request: Request) -> ReferenceData:
    return reference_of(request)


def _form(reference: ReferenceData, params: ChangeParams, answer: Any) -> ChangesForm:
    before, to, kind, codes, zip_code, locality, setting, _, _ = params.raw
    if answer is not None and not before and not to:
        before, to = answer.report.before.id, answer.report.after.id
    families = (Family.PFS, Family.CLFS, Family.DMEPOS, Family.NCCI, Family.ZIP)
    return ChangesForm(
        before or "",
        to or "",
        kind or "",
        codes or "",
        zip_code or "",
        locality or "",
        setting or "non-facility",
        tuple((f.value, tuple(loaded(reference, f))) for f in families),
    )


def _chart(report: ChangeReport) -> Any:
    """The practice's impact by code, else the largest movers of one service."""
    if report.volume is not None and report.volume.by_code:
        items = [(c.hcpcs, c.impact) for c in report.volume.by_code[:_CHART_ITEMS]]
        return charts.impact_bars(
            items, title="Impact by code at your volume", unit="dollars per year at your volume"
        )
    movers = [*report.increases[: _CHART_ITEMS // 2], *report.decreases[: _CHART_ITEMS // 2]]
    rows = movers or list(report.rows[:_CHART_ITEMS])
    items = [(_label(r), change) for r in rows if (change := _change(r, report)) is not None]
    if not items:
        return None
    return charts.impact_bars(
        items,
        title="Largest changes by code",
        unit=f"change of one service, {report.setting.value}, {_place(report)}",
    )


def _label(row: FeeRowChange) -> str:
    return row.hcpcs + (f"-{row.modifier}" if row.modifier else "")


def _change(row: FeeRowChange, report: ChangeReport) -> Decimal | None:
    """The change in the report's setting at the place asked (its amounts come last)."""
    found = [a for a in row.amounts if a.setting is report.setting]
    return found[-1].change if found else None


def _place(report: ChangeReport) -> str:
    place = report.place
    return "national" if place is None or place.national else place.label


def _page(
    request: Request,
    params: ChangeParams,
    *,
    volume: tuple[bytes, str] | None = None,
    keys_ok: bool = True,
) -> Response:
    reference = _reference(request)
    answer = None
    problem: dict[str, Any] | None = None
    if not keys_ok:
        problem = {"status": 401, "detail": "an API key is required to upload a volume file"}
    else:
        try:
            arguments = params.arguments()
            if volume is not None:
                arguments.update(volume=volume[0], volume_name=volume[1])
            answer = services.changes(reference, **arguments)
        except MedPayIQError as exc:
            p = problem_for(exc)
            problem = {"status": p.status, "detail": p.detail}
    report = answer.report if answer is not None else None
    page = ChangesPage(
        title=(
            f"What changed: {report.before.id} to {report.after.id}"
            if report
            else "What changed between releases"
        ),
        form=_form(reference, params, answer),
        answer=answer,
        chart=_chart(report) if report is not None else None,
        problem=problem,
        keys_enabled=request.app.state.api_keys.enabled,
        params={k: v for k, v in request.query_params.items() if v},
    )
    html = env.get_template("changes.html").render(page=page)
    return HTMLResponse(html, status_code=problem["status"] if problem else 200)


@router.get("/changes", response_class=HTMLResponse)
def changes_page(request: Request, params: Annotated[ChangeParams, Depends()]) -> Response:
    return _page(request, params)


@router.post("/changes", response_class=HTMLResponse)
async def changes_upload(request: Request, params: Annotated[ChangeParams, Depends()]) -> Response:
    keys = request.app.state.api_keys
    try:
        volume = await read_volume(request)
    except MedPayIQError as exc:
        p = problem_for(exc)
        return _problem_page(request, params, {"status": p.status, "detail": p.detail})
    except HTTPException as exc:  # too large
        return _problem_page(request, params, {"status": exc.status_code, "detail": exc.detail})
    keys_ok = True
    if keys.enabled:
        form = await request.form()
        keys_ok = keys.tenant_for(str(form.get("api_key", ""))) is not None
    return _page(request, params, volume=volume, keys_ok=keys_ok)


def _problem_page(request: Request, params: ChangeParams, problem: dict[str, Any]) -> Response:
    page = ChangesPage(
        title="What changed between releases",
        form=_form(_reference(request), params, None),
        answer=None,
        chart=None,
        problem=problem,
        keys_enabled=request.app.state.api_keys.enabled,
        params={k: v for k, v in request.query_params.items() if v},
    )
    html = env.get_template("changes.html").render(page=page)
    return HTMLResponse(html, status_code=problem["status"])

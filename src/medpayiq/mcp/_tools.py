"""The MCP tools: each one parses its arguments and asks `medpayiq.services` exactly as
`api/routes.py` does, so every figure is the one the JSON API gives; no rule lives here.

Each answer is the service's `as_dict()` (the API's JSON), plus the AMA notice where CPT
codes appear and, for claims, the tenant (as the API's claim endpoints do).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field, WithJsonSchema

from medpayiq import services
from medpayiq.edits import claim_json_schema
from medpayiq.errors import MedPayIQError
from medpayiq.mcp._answers import answer, refusal
from medpayiq.reference import ReferenceData
from medpayiq.schedules import Priced

__all__ = ["Tools"]

# --- Arguments (the JSON API's parameters, typed) -----------------------------------------

Code = Annotated[str, Field(description="CPT/HCPCS code, such as 62323")]
Zip = Annotated[
    str | None,
    Field(
        description="ZIP code of the service location (5 digits or ZIP+4). Give one of zip, "
        "locality or state; none of them gives the national amount (GPCI 1.000)"
    ),
]
Locality = Annotated[
    str | None,
    Field(description='Medicare locality as CARRIER-LOCALITY ("04412-18"), or "national"'),
]
State = Annotated[
    str | None,
    Field(description="two-letter state (only for states with a single locality), such as AK"),
]
Day = Annotated[
    str | None,
    Field(description="date of service, YYYY-MM-DD (default: today); it picks the release"),
]
Pos = Annotated[
    str | None,
    Field(
        description="place of service code (11 office, 22 outpatient hospital, 24 ASC, ...): "
        "it sets the facility or non-facility rate; give pos or setting"
    ),
]
SettingArg = Annotated[
    str | None,
    Field(description='"facility" or "non-facility" (default: non-facility, the office rate)'),
]
Qp = Annotated[
    bool, Field(description="qualifying APM participant: the QP conversion factor (2026 on)")
]
Participating = Annotated[
    bool,
    Field(
        description="participating provider (default). false: a non-participating provider, "
        "paid 95% of the amount, with the limiting charge"
    ),
]
Modifiers = Annotated[
    list[str] | str | None,
    Field(description='up to 4 two-character modifiers: ["26"], ["50", "LT"], or "26,59"'),
]
Units = Annotated[int, Field(description="units of service, 1 to 9999 (default 1)")]
Dx = Annotated[
    list[str] | str | None,
    Field(description='ICD-10-CM codes to check against the code: ["M54.16"] or "M54.16,M48.06"'),
]
Query = Annotated[
    str,
    Field(description='a code ("62323"), a code range ("62320-62327") or descriptor words'),
]
Limit = Annotated[int, Field(description="at most this many hits, 1 to 200 (default 50)")]


def _claim_schema() -> dict[str, Any]:
    """The claim's JSON Schema (docs/claim.schema.json) as the `claim` argument's schema, with
    its `$defs` written in place: a reference inside a tool's input schema would resolve
    against the tool's schema, not the claim's (and the claim's models do not nest)."""
    schema = claim_json_schema()
    defs = schema.get("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                found = dict(inline(defs[ref.removeprefix("#/$defs/")]))
                found.update({k: inline(v) for k, v in node.items() if k != "$ref"})
                return found
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    return {k: inline(v) for k, v in schema.items() if k not in ("$defs", "$id", "$schema")}


# `Any` to the validator: the claim checker validates the claim itself, so every fault comes
# back at once, by field, and never with a patient's value in the message.
Claim = Annotated[Any, WithJsonSchema(_claim_schema())]


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _listed(values: Sequence[str] | str | None) -> str | None:
    """A list as the API's comma-separated parameter (text is taken as it is)."""
    if isinstance(values, str):
        return values
    return ",".join(values) if values else None


def _money(amount: object) -> str:
    return "no amount" if amount is None else f"${amount}"


class Tools:
    """The tools over one `ReferenceData` (read once at start, as `medpayiq serve` does)."""

    def __init__(self, reference: ReferenceData) -> None:
        self.reference = reference

    def registry(self) -> list[tuple[Callable[..., CallToolResult], str, bool]]:
        """Every tool: its function, title, and whether it answers from memory once the
        server is warm (tens of microseconds: see `_server.on_loop`). `remit` (835) and
        `changes` come with their issues."""
        return [
            (self.price, "Price one line", True),
            (self.code_page, "Everything about one code", False),
            (self.check_claim, "Check a claim before sending it", False),
            (self.search, "Find codes", True),
            (self.data_status, "What data is loaded", True),
        ]

    def _query(
        self,
        *,
        zip: str | None = None,
        locality: str | None = None,
        state: str | None = None,
        date: str | None = None,
        pos: str | None = None,
        setting: str | None = None,
        qp: bool = False,
    ) -> services.Query:
        return services.parse_query(
            self.reference,
            zip=zip,
            locality=locality,
            state=state,
            pos=pos,
            setting=setting,
            date=date,
            qp=_flag(qp),
        )

    def price(
        self,
        code: Code,
        modifiers: Modifiers = None,
        units: Units = 1,
        zip: Zip = None,
        locality: Locality = None,
        state: State = None,
        date: Day = None,
        pos: Pos = None,
        setting: SettingArg = None,
        qp: Qp = False,
        participating: Participating = True,
    ) -> CallToolResult:
        """What Medicare allows for one service line, to the cent, with every step of the
        computation (RVUs x GPCIs x conversion factor, modifiers, multiple procedure rules,
        cost share), the release and file it came from, and a confidence."""
        try:
            parsed = services.parse_code(code)
            query = self._query(
                zip=zip, locality=locality, state=state, date=date, pos=pos, setting=setting, qp=qp
            )
            result = services.price(
                self.reference,
                parsed,
                query,
                modifiers=services.parse_modifiers(_listed(modifiers)),
                units=services.parse_units(_text(units)),
                non_participating=not participating,
            )
        except MedPayIQError as exc:
            return refusal(exc)
        data = result.as_dict()
        data["ama_notice"] = services.ama_notice(result.date_of_service.year)
        return answer(data, _price_summary(result))

    def code_page(
        self,
        code: Code,
        zip: Zip = None,
        locality: Locality = None,
        state: State = None,
        date: Day = None,
        pos: Pos = None,
        setting: SettingArg = None,
        qp: Qp = False,
        dx: Dx = None,
    ) -> CallToolResult:
        """Everything the code page shows for one code, place and date: descriptor and plain
        reading, amounts (facility, non-facility, national, last year), RVUs and GPCIs,
        indicators, what each modifier pays, NCCI pairs and unit limits, tips, likely
        denials with their fixes, FAQs, diagnoses, the policy that applies, and sources."""
        try:
            query = self._query(
                zip=zip, locality=locality, state=state, date=date, pos=pos, setting=setting, qp=qp
            )
            report = services.code_report(
                self.reference, code, query, diagnoses=services.parse_diagnoses(_listed(dx))
            )
        except MedPayIQError as exc:
            return refusal(exc)
        return answer(report.as_dict(), _code_summary(report))

    def check_claim(self, claim: Claim, ctx: Context) -> CallToolResult:
        """Check a claim before sending it: NCCI procedure-to-procedure and unit (MUE) edits,
        add-on codes, ICD-10-CM, modifiers, global surgery and policy packs, each finding
        with its adjustment codes (CARC/RARC), dollars at risk, fix and appeal route; and
        the expected payment of every line. `claim` is the claim checker's JSON
        (docs/claim.schema.json); it is checked, never stored, cached or logged."""
        # Extension point: an `x12` argument (an 837P as text) will turn each claim of the
        # interchange into this same claim JSON through the services, then use `_checked`.
        return self._checked(claim, _tenant(ctx))

    def _checked(self, body: Any, tenant: str) -> CallToolResult:
        try:
            result = services.check_claim(self.reference, body)
        except MedPayIQError as exc:
            return refusal(exc)
        data = {"tenant": tenant, **result.as_dict()}
        year = dt.date.fromisoformat(result.date_of_service).year
        data["ama_notice"] = services.ama_notice(year)
        return answer(data, _claim_summary(result))

    def search(self, q: Query, date: Day = None, limit: Limit = 50) -> CallToolResult:
        """Find codes by code, code range or words of the descriptor (every word must match
        the descriptor or its plain-English reading), with national amounts."""
        try:
            query = self._query(date=date)
            count = services.parse_limit(_text(limit))
            result = services.search(self.reference, q, query, limit=count)
        except MedPayIQError as exc:
            return refusal(exc)
        data = result.as_dict()
        data["ama_notice"] = services.ama_notice(result.day.year)
        return answer(data, _search_summary(result))

    def data_status(self, date: Day = None) -> CallToolResult:
        """What is loaded (every dataset with its release, file, rows, sha256 and dates) and
        which fee schedule answers the date, with its confidence."""
        try:
            status = services.data_status(self.reference, self._query(date=date))
        except MedPayIQError as exc:
            return refusal(exc)
        return answer(status.as_dict(), _status_summary(status))


def _tenant(ctx: Context) -> str:
    """The tenant the HTTP wrapper found for the request's API key; "local" over stdio or
    with API-key mode off (as the API's claim endpoints say)."""
    request = ctx.request_context.request
    state = getattr(request, "scope", {}).get("state") or {}
    return str(state.get("tenant", "local"))


# --- Summaries: one or two sentences, the structured content has the rest ------------------


def _price_summary(priced: Priced) -> str:
    code = "-".join([priced.hcpcs, *priced.modifiers])
    units = f" x {priced.units}" if priced.units != 1 else ""
    files = ", ".join(p.file for p in priced.provenance)
    r = priced.detail
    if r is None:  # another schedule than the physician fee schedule
        head = f"{code}{units} ({priced.description}), {priced.date_of_service}"
        said = (
            f"{head}: Medicare allows {_money(priced.allowed)}."
            if priced.payable
            else f"{head}: no amount: {priced.message}."
        )
        return (
            f"{said} {priced.schedule.title} {priced.release} ({files}); "
            f"confidence {priced.confidence.value}."
        )
    where = f"{r.location.locality} {r.location.name}" if r.location.locality else "national"
    head = f"{code}{units} ({r.description}), {where}, {r.setting.value}, {r.date_of_service}"
    if not r.payable:
        said = f"{head}: no amount: {r.message}."
    else:
        said = (
            f"{head}: Medicare allows {_money(r.allowed)} (national {_money(r.national_allowed)})."
        )
    return (
        f"{said} Fee schedule {r.release} ({files}), CF {r.conversion_factor}; "
        f"confidence {r.confidence.value}."
    )


def _code_summary(report: services.CodeReport | services.ScheduleCodeReport) -> str:
    if isinstance(report, services.ScheduleCodeReport):
        amount = _money(report.allowed) if report.payable else f"no amount ({report.message})"
        return (
            f"{report.code} ({report.descriptor}), {report.place_label}, {report.day}: "
            f"paid on the {report.schedule.title}: {amount}; {len(report.ncci_pairs)} NCCI "
            f"pairs. Release {report.release}; confidence {report.confidence}."
        )
    amounts = report.amounts
    limit = f", MUE {report.unit_limit.value}" if report.unit_limit else ""
    return (
        f"{report.code} ({report.descriptor}), {report.place_label}, {report.day}: "
        f"{_money(amounts.chosen)} ({amounts.setting}); {len(report.ncci_pairs)} NCCI pairs"
        f"{limit}, {len(report.denials)} likely denials. Fee schedule {report.release}; "
        f"confidence {report.confidence}."
    )


def _claim_summary(result: Any) -> str:
    findings = result.findings
    denied = [f for f in findings if f.severity.value == "deny"]
    parts = [
        f"{f.rule} on line {', '.join(map(str, f.lines))}"
        + (f" ({_money(f.at_risk)} at risk)" if f.at_risk else "")
        for f in denied
    ]
    found = f"; deny: {'; '.join(parts)}" if parts else ""
    priced = result.priced
    return (
        f"{len(findings)} finding(s) for the claim of {result.date_of_service}{found}. "
        f"Expected {_money(priced.total_expected)} of {_money(priced.total_as_billed)} "
        f"as billed. Confidence {result.confidence.value}."
    )


def _search_summary(result: services.SearchResult) -> str:
    shown = ", ".join(f"{h.code} {h.descriptor}" for h in result.hits[:5])
    more = f" and {len(result.hits) - 5} more" if len(result.hits) > 5 else ""
    return f'{result.total} code(s) match "{result.q}" in {result.release}' + (
        f": {shown}{more}." if shown else "."
    )


def _status_summary(status: services.DataStatus) -> str:
    return (
        f"{len(status.datasets)} datasets loaded. On {status.day} the fee schedule is "
        f"{status.fee_schedule_today or 'not loaded'} (confidence {status.confidence_today})."
    )

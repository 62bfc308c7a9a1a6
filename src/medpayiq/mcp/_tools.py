"""The MCP tools: each one parses its arguments and asks `medpayiq.services` exactly as
`api/routes.py` does, so every figure is the one the JSON API gives; no rule lives here.

Each answer is the service's `as_dict()` (the API's JSON), plus the AMA notice where CPT
codes appear and, for claims, the tenant (as the API's claim endpoints do).
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field, WithJsonSchema

from medpayiq import services
from medpayiq.edits import claim_json_schema
from medpayiq.errors import InputError, MedPayIQError, ReleaseNotLoaded
from medpayiq.mcp._answers import answer, problem_refusal, refusal
from medpayiq.money import display, display_signed
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
X12Text = Annotated[
    str | None,
    Field(
        description="an X12 837P file as text (ISA ... IEA), instead of claim: every claim of "
        "the interchange is checked"
    ),
]
Remittance = Annotated[
    str,
    Field(description="an X12 835 remittance advice as text (ISA ... IEA), one or more "
          "transactions"),
]  # fmt: skip
SentClaims = Annotated[
    list[str] | str | None,
    Field(
        description="the 837P file(s) the claims were sent in, as text: they supply the place "
        "of service, the locality and the claim checker's view (was a denial preventable?)"
    ),
]
Letters = Annotated[
    bool,
    Field(
        description="also give the fields of the CMS-20027 redetermination request of each "
        "appealable denial (they hold the patient's name and Medicare number)"
    ),
]
# `from` is a Python keyword: the argument is `before` in Python, `from` on the wire.
From = Annotated[
    str | None,
    Field(
        alias="from",
        description="release to compare from: RVU25D (fee schedule), 2026Q1 (CLFS, DMEPOS, "
        "NCCI), 20254 (ZIP file). With neither from nor to: the newest fee schedule release "
        "against the newest of an earlier year",
    ),
]
To = Annotated[str | None, Field(description="release to compare to: RVU26C, 2026Q2, 20261")]
Codes = Annotated[
    list[str] | str | None,
    Field(
        description='codes to compare: ["62323", "99213"] or "62323,99213" (up to 200); '
        "none: the largest movers up and down"
    ),
]
FamilyArg = Annotated[
    str | None,
    Field(description='"pfs", "clfs", "dmepos", "ncci" or "zip": when two families share ids'),
]
MoversLimit = Annotated[int, Field(description="movers listed up and down, 1 to 500 (default 25)")]


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
        server is warm (tens of microseconds: see `_server.on_loop`)."""
        return [
            (self.price, "Price one line", True),
            (self.code_page, "Everything about one code", False),
            (self.check_claim, "Check a claim before sending it", False),
            (self.search, "Find codes", True),
            (self.changes_tool(), "What changed between two releases", False),
            (self.remit, "Work a remittance (835)", False),
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

    def check_claim(self, ctx: Context, claim: Claim = None, x12: X12Text = None) -> CallToolResult:
        """Check claims before sending them: NCCI procedure-to-procedure and unit (MUE)
        edits, add-on codes, ICD-10-CM, modifiers, global surgery and policy packs, each
        finding with its adjustment codes (CARC/RARC), dollars at risk, fix and appeal
        route; and the expected payment of every line. Give exactly one of `claim` (the
        claim checker's JSON, docs/claim.schema.json) or `x12` (an 837P file as text: every
        claim of it, with the file's own rules: duplicates, replacements, timely filing).
        Nothing is stored, cached or logged."""
        tenant = _tenant(ctx)
        if (claim is None) == (x12 is None):
            return problem_refusal(
                "bad-argument",
                "claim" if claim is None else "x12",
                "give exactly one of claim (the claim JSON) or x12 (an 837P file as text)",
            )
        if x12 is not None:
            return self._checked_x12(x12, tenant)
        return self._checked(claim, tenant)

    def _checked(self, body: Any, tenant: str) -> CallToolResult:
        try:
            result = services.check_claim(self.reference, body)
        except MedPayIQError as exc:
            return refusal(exc)
        data = {"tenant": tenant, **result.as_dict()}
        year = dt.date.fromisoformat(result.date_of_service).year
        data["ama_notice"] = services.ama_notice(year)
        return answer(data, _claim_summary(result))

    def _checked_x12(self, text: str, tenant: str) -> CallToolResult:
        """Every claim of an 837P through `services.ClaimFiles`, as `medpayiq check FILE.837
        --json` and `POST /api/v1/claims/check` with an X12 body answer it."""
        if len(text) > MAX_X12_CHARACTERS:
            return problem_refusal(
                "bad-argument", "x12",
                f"the 837P text is longer than {MAX_X12_CHARACTERS:,} characters: check a "
                "file this large with the API or `medpayiq check`",
            )  # fmt: skip
        data = text.encode("utf-8")
        if services.input_kind(data[:4096]) != "x12":
            return problem_refusal(
                "bad-argument", "x12",
                "the text is not an X12 837P file: it does not start with an ISA segment",
            )  # fmt: skip
        try:
            files = services.ClaimFiles(self.reference, [("x12", data)])
            result = json.loads("".join(services.json_chunks(files)))
        except MedPayIQError as exc:
            return refusal(exc)
        if not files.readable:
            problem = files.unreadable[0].problem
            return problem_refusal(
                "bad-argument", "x12", f"the 837P file cannot be read: {problem}"
            )
        years = [line["date_of_service"][:4] for c in result["claims"] for line in c["lines"][:1]]
        year = int(max(years)) if years else services.today().year
        out = {"tenant": tenant, **result, "ama_notice": services.ama_notice(year)}
        return answer(out, _files_summary(result))

    def remit(
        self, ctx: Context, x12: Remittance, claims: SentClaims = None, letters: Letters = False
    ) -> CallToolResult:
        """Work an 835 remittance advice: every line's expected Medicare allowed and paid
        amounts from the fee schedule against what was paid (underpayments and
        overpayments with their likely cause), every denied or reduced line routed to its
        fix (corrected claim, reopening, redetermination, no appeal, bill the patient or
        the secondary payer, write-off) with its deadline, what to send and the rule cited;
        the worklist by dollars then deadline, denials by CARC, code, payer and route,
        totals. Nothing is stored, cached or logged."""
        sent = [claims] if isinstance(claims, str) else list(claims or ())
        for argument, text in (("x12", x12), *(("claims", t) for t in sent)):
            if len(text) > MAX_X12_CHARACTERS:
                return problem_refusal("bad-argument", argument,
                                       f"the text is longer than {MAX_X12_CHARACTERS:,} "
                                       "characters: send a file this large to the API")  # fmt: skip
            if services.input_kind(text[:4096].encode("utf-8")) != "x12":
                kind = "an X12 835 remittance" if argument == "x12" else "an X12 837P file"
                return problem_refusal("bad-argument", argument,
                                       f"the text is not {kind}: it does not start with an "
                                       "ISA segment")  # fmt: skip
        try:
            report = services.analyze_remittance(
                self.reference,
                [x12.encode("utf-8")],
                [t.encode("utf-8") for t in sent],
                tenant=_tenant(ctx),
            )
        except InputError as exc:
            argument = "claims" if exc.parameter == "claims" else "x12"
            return problem_refusal("bad-argument", argument, str(exc))
        except MedPayIQError as exc:
            return refusal(exc)
        data = {"tenant": _tenant(ctx), **report.as_dict()}
        if letters:
            data["redetermination_requests"] = [r.as_dict() for r in report.letters()]
        return answer(data, _remit_summary(data))

    def changes_tool(self) -> Callable[..., CallToolResult]:
        """`changes` with its first argument spelt `from` on the wire (a Python keyword):
        the SDK builds the input schema from the signature, where `before` carries the
        alias, and hands the arguments back under their aliases."""
        method = self.changes

        def changes(**arguments: Any) -> CallToolResult:
            if "from" in arguments:
                arguments["before"] = arguments.pop("from")
            return method(**arguments)

        changes.__doc__ = method.__doc__
        changes.__signature__ = inspect.signature(method, eval_str=True)  # type: ignore[attr-defined]
        return changes

    def changes(
        self,
        before: From = None,
        to: To = None,
        codes: Codes = None,
        zip: Zip = None,
        locality: Locality = None,
        setting: SettingArg = None,
        kind: FamilyArg = None,
        limit: MoversLimit = 25,
    ) -> CallToolResult:
        """What changed between two loaded releases: for fee schedule releases (RVU25D ->
        RVU26C) each code's amounts before and after, nationally and at the place asked
        (zip or locality), in both settings, with what drove the change (conversion factor,
        RVUs, GPCIs) and the columns that changed, the codes added, deleted or no longer
        paid, GPCI and ZIP moves; for quarters the CLFS, DMEPOS or NCCI edit changes; for
        ZIP files the ZIP codes that moved. `medpayiq changes` and GET /api/v1/changes."""
        try:
            result = services.changes(
                self.reference,
                before=before,
                after=to,
                kind=kind,
                codes=_listed(codes),
                zip=zip,
                locality=locality,
                setting=setting,
                limit=_text(limit),
            )
        except ReleaseNotLoaded as exc:
            return problem_refusal("release-not-loaded", _release_argument(exc, before, to),
                                   str(exc))  # fmt: skip
        except MedPayIQError as exc:
            return refusal(exc)
        data = result.as_dict()
        data["ama_notice"] = services.ama_notice(result.report.after.effective_from.year)
        return answer(data, _changes_summary(result))

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


# An 837P given as a tool argument travels in one JSON-RPC message and its answer in another:
# larger files go to the API (streamed) or the command line.
MAX_X12_CHARACTERS = 5_000_000


def _release_argument(exc: ReleaseNotLoaded, before: str | None, after: str | None) -> str:
    """The argument whose release the message says is not loaded (`from` when it cannot
    tell: the default comparison, or a family with neither)."""
    message = str(exc)
    for argument, value in (("to", after), ("from", before)):
        if value and f"{value.strip().upper()} is not loaded" in message:
            return argument
    return "from"


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


def _remit_summary(data: dict[str, Any]) -> str:
    t = data["totals"]
    by_status = t["lines_by_status"]
    head = (
        f"{t['claims']} claim(s), {t['lines']} line(s) in {t['remittances']} remittance(s): "
        f"paid ${t['paid']} against ${t['expected_paid']} expected; "
        f"{t['underpaid_lines']} line(s) underpaid (${t['underpaid']}), "
        f"{by_status.get('denied', 0)} denied (${t['denied_at_stake']} at stake)."
    )
    todo = [
        f"{w['route_name'] or w['status']} for {w['hcpcs'] or 'a line'} "
        f"(${w['at_stake']}" + (f", by {w['deadline']})" if w["deadline"] else ")")
        for w in data["worklist"][:3]
    ]
    more = f" and {len(data['worklist']) - 3} more" if len(data["worklist"]) > 3 else ""
    work = f" To do: {'; '.join(todo)}{more}." if todo else " Nothing to work."
    problems = f" {len(data['problems'])} problem(s) in the file." if data["problems"] else ""
    return head + work + problems


def _files_summary(result: dict[str, Any]) -> str:
    summary = result["summary"]
    statuses = ", ".join(
        f"{summary[s]} {s}" for s in ("deny", "review", "clean", "rejected", "void") if summary[s]
    )
    rules = [
        f"{r['rule']} ({r['lines']} line(s), ${r['at_risk']})"
        for r in summary["by_rule"]
        if r["severity"] == "deny"
    ][:3]
    denied = f" Deny: {'; '.join(rules)}." if rules else ""
    problems = f" {summary['problems']} structural problem(s)." if summary["problems"] else ""
    return (
        f"{summary['claims']} claim(s) checked ({statuses or 'none'}): expected "
        f"${summary['expected_allowed']} of ${summary['charge']} billed, "
        f"${summary['at_risk']} at risk.{denied}{problems}"
    )


def _changes_summary(result: services.Changes) -> str:
    r = result.report
    head = (
        f"{r.family.value.upper()} {r.before.id} -> {r.after.id} ({r.before.effective_from} -> "
        f"{r.after.effective_from})"
    )
    if r.family.value != "pfs":
        counts = [
            f"{e.table}: {e.added:,} added, {e.deleted:,} deleted, {e.changed:,} changed"
            for e in r.edits
        ]
        if r.labs is not None:
            counts.append(f"CLFS: {r.labs.added:,} added, {r.labs.deleted:,} deleted, "
                          f"{r.labs.changed:,} changed")  # fmt: skip
        if r.dme is not None:
            counts.append(f"DMEPOS: {r.dme.added:,} added, {r.dme.deleted:,} deleted, "
                          f"{r.dme.changed:,} changed")  # fmt: skip
        if r.zips is not None:
            counts.append(f"{r.zips.count('moved'):,} ZIP codes moved")
        return f"{head}: {'; '.join(counts) or 'nothing compared'}."
    rows = r.rows or (*r.increases[:2], *r.decreases[:2])
    shown = []
    for row in rows[:4]:
        amounts = [
            f"{display(a.before)} -> {display(a.after)} ({display_signed(a.change)}) "
            + ("national" if a.place == "national" else a.place)
            for a in row.amounts
            if a.setting is r.setting
        ]
        code = f"{row.hcpcs}{'-' + row.modifier if row.modifier else ''}"
        shown.append(f"{code} {', '.join(amounts) or row.status}")
    more = f" and {len(rows) - 4} more" if len(rows) > 4 else ""
    said = f": {'; '.join(shown)}{more}" if shown else ": no code compared"
    rowcounts = ""
    if r.summary is not None and not r.codes:
        c = r.summary.counts
        rowcounts = (
            f" Rows added {c.get('added', 0):,}, deleted {c.get('deleted', 0):,}, no longer "
            f"paid {c.get('newly non-payable', 0):,}."
        )
    return f"{head}, {result.place_label()}, {r.setting.value}{said}.{rowcounts}"


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

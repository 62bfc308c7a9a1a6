"""835 remittances analysed: the one question the CLI (`medpayiq remit`), the API
(`POST /api/v1/remits`), the web page and the MCP tool ask.

    report = analyze_remittance(reference, [path_or_bytes_or_stream, ...], claims=[an_837p])
    report.as_dict()      # claims, problems, unreadable, totals, worklist, analytics, provenance
    report.csv_rows()     # one row per service line (remit.CSV_COLUMNS)
    report.letters()      # remit.RedeterminationRequest per appealable denial (.as_text())
    remit_html(report)    # a self-contained HTML worklist (templates/remit_report.html)

The 837P files, when given, supply the place of service, the locality ZIP (service facility,
else billing provider), the participation and the whole claim for the claim checker, whose
findings mark a denial "preventable". Input that cannot be read at all (no remittance in any
file, or an unreadable 837P) raises `InputError` (parameter `remits` or `claims`), so the
interfaces answer exit 2 or a 4xx. Nothing from the remittance is logged.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from medpayiq.errors import InputError
from medpayiq.reference import ReferenceData
from medpayiq.remit import CSV_COLUMNS as REMIT_CSV_COLUMNS
from medpayiq.remit import RedeterminationRequest, RemitAnalysis, RemitReport
from medpayiq.services._claim_files import _full_collections_paused, file_problems
from medpayiq.x12 import Claim837, Severity, Source, read_835, read_837p

__all__ = [
    "REMIT_CSV_COLUMNS",
    "RedeterminationRequest",
    "RemitReport",
    "analyze_remittance",
    "remit_html",
    "source_name",
]


def source_name(source: Source, index: int, kind: str = "remittance") -> str:
    """A path's file name; "remittance 2" for bytes or a stream (an upload's own name may
    name a patient)."""
    if isinstance(source, str | os.PathLike):
        return os.path.basename(os.fspath(source))
    return f"{kind} {index}"


def _claims837(sources: Sequence[Source]) -> dict[str, Claim837]:
    """CLM01 -> the last original or replacement claim sent with that id (voids left out)."""
    found: dict[str, Claim837] = {}
    for i, source in enumerate(sources, 1):
        reader = read_837p(source)
        read = 0
        for item in reader:
            if isinstance(item, Claim837):
                read += 1
                if not item.is_void:
                    found[item.claim_id] = item
        fatal = [p for p in reader.problems if p.severity is Severity.FATAL]
        if fatal and not read:
            raise InputError(
                f"{source_name(source, i, 'claims')} cannot be read as an 837P: {fatal[0]}",
                parameter="claims",
            )
    return found


def analyze_remittance(
    reference: ReferenceData,
    remits: Sequence[Source],
    claims: Sequence[Source] = (),
    *,
    tenant: str | None = None,
) -> RemitReport:
    """Every remittance of `remits` analysed in order against the reference data (the
    module docstring). `tenant` names who the answer belongs to (a stored worklist is one
    tenant's); the analysis itself does not depend on it."""
    if not remits:
        raise InputError("no remittance given", parameter="remits")
    analysis = RemitAnalysis(reference, _claims837(claims))
    unreadable: list[dict[str, object]] = []
    items = 0
    for i, source in enumerate(remits, 1):
        name = source_name(source, i)
        analysis.files.append(name)
        reader = read_835(source)
        # full collections held off, as for claim files (the caches of the analysis grow)
        with _full_collections_paused():
            for item in reader:
                items += 1
                analysis.add(item, file=name)
        lost, others = file_problems(reader.problems, reader.claims_read)
        unreadable += [{"file": name, "code": p.code, "message": p.message} for p in lost]
        for problem in others:
            analysis.problem(name, problem)
    if len(unreadable) == len(remits):
        first = unreadable[0]
        raise InputError(
            f"{first['file']} cannot be read as an 835 remittance: {first['message']}",
            parameter="remits",
        )
    if not items:  # readable X12, but no 835 in it (an 837P sent by mistake, say)
        raise InputError(_no_remittance(analysis), parameter="remits")
    report = analysis.report()
    report.unreadable = unreadable
    return report


def _no_remittance(analysis: RemitAnalysis) -> str:
    said = "; ".join(str(p["message"]) for p in analysis.problems[:3])
    return "no 835 remittance in the input" + (f": {said}" if said else "")


def remit_html(report: RemitReport) -> str:
    """The report as one self-contained HTML page: totals, routes, the worklist, the
    redetermination requests as text, the rules cited (the CLI's `--out report.html`; the
    web page is the web layer's)."""
    import jinja2

    from medpayiq.money import display
    from medpayiq.remit import ROUTES

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("medpayiq.services", "templates"),
        autoescape=True,
        trim_blocks=True,
    )
    # the claims are not read back: the page shows the worklist, not every line
    return env.get_template("remit_report.html").render(
        totals=report.totals(),
        analytics=report.analytics(),
        worklist=report.worklist(),
        provenance=report.provenance(),
        problems=report.problems,
        unreadable=report.unreadable,
        letters=report.letters(),
        routes=list(ROUTES.values()),
        money=display,
    )

"""`medpayiq remit FILE...`: 835 remittances analysed: underpayments with their cause,
every denial routed to its fix with a deadline, redetermination requests.

    medpayiq remit era.835                                  # a summary on the terminal
    medpayiq remit era.835 --claims sent.837 --json         # the JSON answer on stdout
    medpayiq remit a.835 b.835 --out report.html            # or .json, .csv (one row a line)

The 837P files given with `--claims` (repeat it for several) supply the place of service,
the locality and the whole claim, and mark a denial the claim checker would have caught.
Exit codes: 0 the analysis ran; 2 no remittance could be read, a missing file, a bad --out,
or no data loaded. Patient names and Medicare numbers are never printed (they are in the
redetermination requests of `--out`, which are for the contractor).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from medpayiq.cli._options import DbOption, command

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

_SUFFIXES = (".json", ".csv", ".html")


def register(app: typer.Typer) -> None:
    command(app, "remit")(remit)


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False, markup=True)
    return typer.Exit(2)


def remit(
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="835 remittance files")],
    claims: Annotated[
        list[Path] | None,
        typer.Option("--claims", "-c", help="an 837P file of the claims sent (repeatable)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the JSON answer")] = False,
    report: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="write the report: .json, .csv or .html"),
    ] = None,
    db: DbOption = None,
) -> None:
    """Analyse 835 remittances: expected Medicare amounts per line, underpayments and their
    likely cause, each denial's route (corrected claim, reopening, redetermination, no
    appeal, bill the patient, write-off) with its deadline and rule, and a worklist."""
    from medpayiq.errors import MedPayIQError
    from medpayiq.services import analyze_remittance, remit_html
    from medpayiq.store import open_store

    for path in [*files, *(claims or [])]:
        if not path.is_file():
            raise _fail(f"{path}: no such file")
    if report is not None and report.suffix.lower() not in _SUFFIXES:
        raise _fail(f"{report.name}: a report is .json, .csv or .html")
    try:
        reference = open_store(db).reference()
        result = analyze_remittance(
            reference, [str(p) for p in files], [str(p) for p in claims or []]
        )
    except MedPayIQError as exc:
        raise _fail(str(exc)) from None
    for unreadable in result.unreadable:
        err.print(
            f"[red]error:[/red] {unreadable['file']}: {unreadable['message']}",
            highlight=False,
            markup=True,
        )
    if report is not None:
        try:
            _write(report, result, remit_html)
        except OSError as exc:
            raise _fail(f"{report}: cannot write the report ({exc.strerror or exc})") from None
        err.print(f"report written to {report}", highlight=False)
    if as_json:
        for chunk in result.json_chunks():
            sys.stdout.write(chunk)
        sys.stdout.write("\n")
        return
    _summary(result)


def _write(path: Path, result: Any, html: Any) -> None:
    from medpayiq.services import REMIT_CSV_COLUMNS as CSV_COLUMNS

    suffix = path.suffix.lower()
    with path.open("w", encoding="utf-8", newline="") as handle:
        if suffix == ".json":
            handle.writelines(result.json_chunks())
        elif suffix == ".csv":
            writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
            writer.writeheader()
            writer.writerows(result.csv_rows())
        else:
            handle.write(html(result))


def _summary(result: Any) -> None:
    from medpayiq.money import display

    totals = result.totals()
    body = {
        "analytics": result.analytics(),
        "worklist": result.worklist(),
        "problems": result.problems,
    }
    table = Table(
        title=f"{totals['claims']:,} claims, {totals['lines']:,} lines in "
        f"{len(result.files)} remittance file(s)",
        title_justify="left",
    )
    table.add_column("")
    table.add_column("", justify="right")
    table.add_row("charged", display(totals["charge"]))
    table.add_row("paid", display(totals["paid"]))
    table.add_row("expected paid (lines not denied)", display(totals["expected_paid"]))
    table.add_row("patient responsibility", display(totals["patient_responsibility"]))
    table.add_row(
        f"[red]underpaid[/] ({totals['underpaid_lines']} lines)", display(totals["underpaid"])
    )
    table.add_row(
        f"[yellow]overpaid[/] ({totals['overpaid_lines']} lines)", display(totals["overpaid"])
    )
    table.add_row("[red]denied, recoverable[/]", display(totals["denied_at_stake"]))
    table.add_row("provider-level adjustments", display(totals["provider_adjustments"]))
    out.print(table)
    routes = Table(title="Denials and balances by route", title_justify="left")
    for name, justify in (("route", "left"), ("lines", "right"), ("at stake", "right"),
                          ("earliest deadline", "left")):  # fmt: skip
        routes.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in body["analytics"]["by_route"].values():
        routes.add_row(row["name"], f"{row['count']:,}", display(row["at_stake"]),
                       row["earliest_deadline"] or "")  # fmt: skip
    if body["analytics"]["by_route"]:
        out.print(routes)
    work = body["worklist"]
    if work:
        table = Table(title=f"Worklist ({len(work):,} items; the first 20)", title_justify="left")
        for name, justify in (("at stake", "right"), ("deadline", "left"), ("route", "left"),
                              ("claim", "left"), ("line", "right"), ("code", "left"),
                              ("why", "left")):  # fmt: skip
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        for item in work[:20]:
            table.add_row(display(item["at_stake"]), item["deadline"] or "",
                          item["route_name"] or "", item["claim_id"], str(item["line"]),
                          item["hcpcs"] or "", item["reason"][:80])  # fmt: skip
        out.print(table)
    if body["problems"]:
        out.print(f"{len(body['problems']):,} problem(s) in the files; the first:", highlight=False)
        for problem in body["problems"][:10]:
            out.print(f"  {problem['file']}: {problem['message']}", highlight=False, markup=False)

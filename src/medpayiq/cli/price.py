"""`medpayiq price`: what Medicare allows for one code, where and when, and why.

    medpayiq price 62323 --zip 77030 --pos 11 --date 2025-11-03
    medpayiq price 27447 --modifier 80 --locality 04412-18 --facility --json

A readable table by default; `--json` gives the full result (trail, provenance). Bad input
is one line on stderr and exit code 2.

`medpayiq price-batch IN.csv OUT.csv` prices a file of lines (see `medpayiq.batch`).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from medpayiq.errors import InputError, MedPayIQError

out = Console()
err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("price")(price)
    app.command("price-batch")(price_batch)


def _fail(message: str) -> typer.Exit:
    err.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(2)


def price(
    code: Annotated[str, typer.Argument(help="CPT/HCPCS code, such as 62323")],
    modifier: Annotated[
        list[str] | None, typer.Option("--modifier", "-m", help="Modifier (repeat for several)")
    ] = None,
    zip_code: Annotated[str | None, typer.Option("--zip", help="ZIP code (5 digits)")] = None,
    locality: Annotated[str | None, typer.Option(help="CARRIER-LOCALITY, such as 04412-18")] = None,
    state: Annotated[str | None, typer.Option(help="State, such as TX")] = None,
    county: Annotated[str | None, typer.Option(help="County (with --state)")] = None,
    pos: Annotated[str | None, typer.Option("--pos", help="Place of service, such as 11")] = None,
    facility: Annotated[bool, typer.Option("--facility", help="Facility rate")] = False,
    non_facility: Annotated[bool, typer.Option("--non-facility", help="Non-facility rate")] = False,
    day: Annotated[
        str | None, typer.Option("--date", help="Date of service YYYY-MM-DD (default today)")
    ] = None,
    qp: Annotated[bool, typer.Option("--qp", help="Qualifying APM participant (2026+)")] = False,
    non_par: Annotated[
        bool, typer.Option("--non-par", help="Non-participating provider (95%)")
    ] = False,
    npp: Annotated[
        bool, typer.Option("--npp", help="NP/PA/CNS billing under own number (85%)")
    ] = False,
    units: Annotated[int, typer.Option(help="Units")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Full result as JSON")] = False,
    db: Annotated[
        str | None, typer.Option("--db", envvar="MEDPAYIQ_DB", help="SQLite file or database URL")
    ] = None,
) -> None:
    """Price one line: the allowed amount, the national amount beside it, and the trail."""
    from medpayiq.pricing import LineRequest, Location, Setting, price_line

    try:
        if facility and non_facility:
            raise InputError("give --facility or --non-facility, not both", parameter="setting")
        if sum(bool(x) for x in (zip_code, locality, state)) > 1:
            raise InputError("give one of --zip, --locality, --state", parameter="location")
        try:
            when = date.fromisoformat(day) if day else date.today()
        except ValueError:
            raise InputError(
                f'--date "{day}" is not a date (YYYY-MM-DD)', parameter="date"
            ) from None
        setting = Setting.FACILITY if facility else Setting.NON_FACILITY if non_facility else None
        request = LineRequest(
            code, when, modifiers=tuple(modifier or ()), units=units,
            location=Location(zip=zip_code, locality=locality, state=state, county=county),
            pos=pos, setting=setting,
        )  # fmt: skip
        from medpayiq.store import open_store

        reference = open_store(db).reference()
        result = price_line(reference, request, qp=qp, non_participating=non_par, npp=npp)
    except MedPayIQError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        out.print_json(json.dumps(result.as_dict()))
        return
    _render(result)


def _money(value: object) -> str:
    return "-" if value is None else f"${value}"


def _render(result: object) -> None:
    from medpayiq.pricing import LineResult

    assert isinstance(result, LineResult)
    r = result
    where = f"{r.location.locality} {r.location.name}" if r.location.locality else "national"
    title = f"{r.hcpcs}{'-' + '-'.join(r.modifiers) if r.modifiers else ''}  {r.description}"
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    table.add_row("Where", f"{where} ({r.location.how})")
    table.add_row("Date / release", f"{r.date_of_service}  {r.release}, CF {r.conversion_factor}")
    table.add_row("Setting", f"{r.setting.value}: {r.setting_reason}")
    if r.nonfacility and r.facility:
        table.add_row(
            "Non-facility", _money(r.nonfacility.amount) + (" (NA)" if r.nonfacility.na else "")
        )
        table.add_row("Facility", _money(r.facility.amount) + (" (NA)" if r.facility.na else ""))
    table.add_row("Allowed", _money(r.allowed) if r.payable else f"no amount: {r.message}")
    if r.payable:
        pct = f" ({r.difference_percent}%)" if r.difference_percent is not None else ""
        table.add_row(
            "National", f"{_money(r.national_allowed)}  difference {_money(r.difference)}{pct}"
        )
        if r.limiting_charge is not None:
            table.add_row("Limiting charge", _money(r.limiting_charge))
        if r.cost_share is not None:
            cs = r.cost_share
            table.add_row("Medicare pays", f"{_money(cs.medicare_pays)} (after 2% sequestration)")
            table.add_row("Patient pays", _money(cs.patient_pays))
    for item in r.review:
        table.add_row("Review", item)
    table.add_row("Confidence", f"{r.confidence.value}: {r.confidence_reason}")
    out.print(table)
    steps = Table(title="How this was computed", title_justify="left")
    steps.add_column("Rule")
    steps.add_column("Result")
    steps.add_column("Why")
    for step in r.trail:
        steps.add_row(step.rule, "" if step.result is None else str(step.result), step.note)
    out.print(steps)
    out.print(
        "CPT codes and descriptions only are copyright American Medical Association.", style="dim"
    )


def price_batch(
    source: Annotated[str, typer.Argument(help="Input CSV of service lines")],
    target: Annotated[str, typer.Argument(help="Output CSV (line_id, allowed, ...)")],
    db: Annotated[
        str | None, typer.Option("--db", envvar="MEDPAYIQ_DB", help="SQLite file or database URL")
    ] = None,
    date_default: Annotated[
        str | None,
        typer.Option("--date-default", help="Date of service YYYY-MM-DD for rows without one"),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar")] = False,
) -> None:
    """Price every line of a CSV file: columns line_id, hcpcs, modifier, pos,
    date_of_service and zip (or carrier and locality); optional units and claim_id."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from medpayiq.batch import check_file, price_file

    try:
        default = date.fromisoformat(date_default) if date_default else None
    except ValueError:
        raise _fail(f'--date-default "{date_default}" is not a date (YYYY-MM-DD)') from None
    try:
        check_file(source, date_default=default)  # before opening the store
    except MedPayIQError as exc:
        raise _fail(str(exc)) from None
    bar = Progress(
        TextColumn("pricing"), BarColumn(), TextColumn("{task.fields[lines]:,} lines"),
        TimeRemainingColumn(), console=err, disable=quiet, transient=True,
    )  # fmt: skip
    try:
        from medpayiq.store import open_store

        reference = open_store(db).reference()
        with bar:
            task = bar.add_task("pricing", total=None, lines=0)

            def advance(done: int, size: int, lines: int) -> None:
                bar.update(task, completed=done, total=size, lines=lines)

            summary = price_file(reference, source, target, date_default=default, progress=advance)
    except MedPayIQError as exc:
        raise _fail(str(exc)) from None
    err.print(
        f"{summary.lines:,} lines priced into {target}: {summary.priced:,} with an amount, "
        f"{summary.line_engine:,} through the line engine",
        highlight=False,
    )

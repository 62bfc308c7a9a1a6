"""`medpayiq price`: what Medicare allows for one code, where and when, and why.

    medpayiq price 62323 --zip 77030 --pos 11 --date 2025-11-03
    medpayiq price 27447 --modifier 80 --locality 04412-18 --facility --json
    medpayiq price 80053 --cost-share                 # clinical lab fee schedule
    medpayiq price E0601 -m RR --state TX             # DMEPOS, by state

A readable table by default; `--json` gives the full result (trail, provenance). Bad input
is one line on stderr and exit code 2.

`medpayiq price-batch IN.csv OUT.csv` prices a file of lines (see `medpayiq.batch`).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import typer

from medpayiq.cli._options import DbOption, command
from medpayiq.errors import InputError, MedPayIQError
from medpayiq.money import display

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from medpayiq.pricing import CostShare, LineResult
    from medpayiq.schedules import Priced


def _console(*, stderr: bool = False) -> Console:
    # rich is imported when there is something to print (a question starts faster).
    from rich.console import Console

    return Console(stderr=stderr)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    command(app, "price")(price)
    command(app, "price-batch")(price_batch)


def _fail(message: str) -> typer.Exit:
    _console(stderr=True).print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(2)


def price(
    code: Annotated[str, typer.Argument(help="CPT/HCPCS code, such as 62323, 80053, E0601")],
    modifier: Annotated[
        list[str] | None, typer.Option("--modifier", "-m", help="Modifier (repeat for several)")
    ] = None,
    zip_code: Annotated[str | None, typer.Option("--zip", help="ZIP code (5 digits)")] = None,
    locality: Annotated[str | None, typer.Option(help="CARRIER-LOCALITY, such as 04412-18")] = None,
    state: Annotated[str | None, typer.Option(help="State, such as TX (enough for DMEPOS)")] = None,
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
    rural: Annotated[
        bool | None,
        typer.Option(
            "--rural/--non-rural",
            help="DMEPOS: the beneficiary's ZIP is (or is not) on CMS's DMEPOS rural ZIP list",
        ),
    ] = None,
    deductible: Annotated[
        str | None,
        typer.Option("--deductible-remaining", help="Part B deductible still owed (default: met)"),
    ] = None,
    cost_share: Annotated[
        bool,
        typer.Option(
            "--cost-share", help="Show the deductible, coinsurance, Medicare and patient shares"
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Full result as JSON")] = False,
    db: DbOption = None,
) -> None:
    """Price one line on the fee schedule that pays the code (physician, clinical lab, DMEPOS):
    the allowed amount, where it comes from, and every step."""
    from medpayiq import services

    try:
        if facility and non_facility:
            raise InputError("give --facility or --non-facility, not both", parameter="setting")
        if sum(bool(x) for x in (zip_code, locality, state)) > 1:
            raise InputError("give one of --zip, --locality, --state", parameter="location")
        setting = "facility" if facility else "non-facility" if non_facility else None
        if day is not None:
            _date(day)
        remaining = _deductible(deductible)
        from medpayiq.store import open_store

        reference = open_store(db).question_reference()
        query = services.parse_query(
            reference, zip=zip_code, locality=locality, state=state, county=county, pos=pos,
            setting=setting, date=day, qp="true" if qp else None,
        )  # fmt: skip
        result = services.price(
            reference, services.parse_code(code), query,
            modifiers=services.parse_modifiers(",".join(modifier or ())), units=units,
            rural=rural, deductible_remaining=remaining, non_participating=non_par, npp=npp,
        )  # fmt: skip
    except MedPayIQError as exc:
        raise _fail(_with_options(exc)) from None
    if as_json:
        print(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
        return
    _render(result, cost_share)


def _with_options(exc: MedPayIQError) -> str:
    """The error in the command line's own words: a state with several localities names the
    options that choose one."""
    from medpayiq.pricing import AmbiguousLocation

    if isinstance(exc, AmbiguousLocation) and exc.candidates:
        first = exc.candidates[0]
        return (
            f"{exc}. Choose one with --locality (--locality {first.locality}), --zip, or "
            "--county with --state"
        )
    return str(exc)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f'--date "{text}" is not a date (YYYY-MM-DD)', parameter="date") from None


def _deductible(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except ArithmeticError:
        raise InputError(
            f'--deductible-remaining "{text}" is not an amount such as 120.00',
            parameter="deductible_remaining",
        ) from None


def _render(result: Priced, cost_share: bool) -> None:
    from rich.table import Table

    out = _console()
    r = result
    title = f"{r.hcpcs}{'-' + '-'.join(r.modifiers) if r.modifiers else ''}  {r.description}"
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    table.add_row("Paid on", f"{r.schedule.title}: {r.route}")
    table.add_row("Date / release", f"{r.date_of_service}  {r.release or 'none loaded'}")
    if r.detail is not None:
        _pfs_rows(table, r.detail)
    else:
        for amount in r.amounts:
            note = f"  ({amount.note})" if amount.note else ""
            table.add_row(
                amount.label[:1].upper() + amount.label[1:], display(amount.amount) + note
            )
    table.add_row("Allowed", display(r.allowed) if r.payable else f"no amount: {r.message}")
    if r.payable and r.cost_share is not None:
        _share_rows(table, r.cost_share, full=cost_share)
    elif not r.payable:
        table.add_row("How it pays", r.schedule.pays)
        table.add_row("To load", r.schedule.load)
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


def _pfs_rows(table: Table, r: LineResult) -> None:
    where = f"{r.location.locality} {r.location.name}" if r.location.locality else "national"
    table.add_row("Where", f"{where} ({r.location.how})")
    table.add_row("Conversion factor", f"{r.conversion_factor}")
    table.add_row("Setting", f"{r.setting.value}: {r.setting_reason}")
    if r.nonfacility and r.facility:
        table.add_row(
            "Non-facility", display(r.nonfacility.amount) + (" (NA)" if r.nonfacility.na else "")
        )
        table.add_row("Facility", display(r.facility.amount) + (" (NA)" if r.facility.na else ""))
    if r.payable:
        pct = f" ({r.difference_percent}%)" if r.difference_percent is not None else ""
        table.add_row(
            "National", f"{display(r.national_allowed)}  difference {display(r.difference)}{pct}"
        )
        if r.limiting_charge is not None:
            table.add_row("Limiting charge", display(r.limiting_charge))


def _share_rows(table: Table, cs: CostShare, *, full: bool) -> None:
    if full:
        table.add_row("Deductible applied", display(cs.deductible_applied))
        table.add_row("Coinsurance", display(cs.coinsurance))
        table.add_row("Medicare before sequestration", display(cs.medicare_before_sequestration))
        table.add_row("Sequestration (2%)", display(cs.sequestration))
    table.add_row("Medicare pays", display(cs.medicare_pays))
    table.add_row("Patient pays", display(cs.patient_pays))


def price_batch(
    source: Annotated[str, typer.Argument(help="Input CSV of service lines")],
    target: Annotated[str, typer.Argument(help="Output CSV (line_id, allowed, ...)")],
    db: DbOption = None,
    date_default: Annotated[
        str | None,
        typer.Option("--date-default", help="Date of service YYYY-MM-DD for rows without one"),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar")] = False,
) -> None:
    """Price every line of a CSV file: columns line_id, hcpcs, modifier, pos,
    date_of_service and zip (or carrier and locality); optional units and claim_id."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    err = _console(stderr=True)

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

"""`medpayiq check FILE`: check a claim (JSON) or every claim of an X12 837P file before
sending it. Which one it is comes from the file's first bytes (`services.input_kind`).

    medpayiq check claim.json                    # a readable report
    medpayiq check claim.json --json             # CheckResult.as_dict()
    medpayiq check claim.json --fail-on deny     # exit 1 when a deny finding is found
    medpayiq check claims.837 --json             # {"claims": [...], "problems": [...], ...}

Exit codes: 0 the check ran; 1 with --fail-on and a finding (837P: a claim) at or above that
severity (a claim the reader rejected counts as deny); 2 bad input (unreadable file,
malformed claim, an 837P that cannot be read at all, no data loaded). Claim contents are
never logged; messages name fields, codes and positions only.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from medpayiq.cli._options import DbOption, command
from medpayiq.money import display

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class FailOn(StrEnum):
    DENY = "deny"
    REVIEW = "review"


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    command(app, "check")(check)


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(2)


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(4096)
    except OSError as exc:
        raise _fail(f"{path}: cannot read the file ({exc.strerror or exc})") from None


def _read(path: Path, kind: str | None) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        if kind is None:
            raise _fail(f"{path}: neither a claim (JSON) nor an X12 837P file") from None
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise _fail(f"{path}: cannot read the file ({why or exc})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if kind is None:
            raise _fail(
                f"{path}: neither a claim (JSON) nor an X12 837P file (it starts with neither "
                "{ nor ISA)"
            ) from None
        raise _fail(
            f"{path} line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})"
        ) from None


def check(
    claim_file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="a claim (JSON) or an X12 837P file of claims"),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on", help="exit 1 when a finding of this severity (or worse) is found"
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Check a claim: NCCI edits, MUE, add-on codes, modifiers, global surgery, diagnoses and
    policy packs, with the dollars at risk and what to fix or appeal. An X12 837P file: every
    claim, with the file's own rules (timely filing, duplicates, replacements, ICD-9)."""
    from medpayiq.edits import ClaimInputError, check_claim, parse_claim
    from medpayiq.errors import MedPayIQError
    from medpayiq.services import input_kind

    kind = input_kind(_head(claim_file))
    if kind == "x12":
        _check_x12(claim_file, as_json=as_json, fail_on=fail_on, db=db)
        return
    data = _read(claim_file, kind)
    try:
        claim = parse_claim(data)
    except ClaimInputError as exc:
        err.print(
            f"[red]error:[/red] {claim_file}: the claim has {len(exc.problems)} "
            f"problem{'s' if len(exc.problems) != 1 else ''}",
            highlight=False,
        )
        for problem in exc.problems:
            err.print(f"  {problem}", highlight=False, markup=False)
        raise typer.Exit(2) from None
    try:
        from medpayiq.store import open_store

        reference = open_store(db).question_reference()
        result = check_claim(reference, claim)
    except MedPayIQError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        print(json.dumps(result.as_dict(), indent=2))
    else:
        _render(result)
    if fail_on is not None and any(
        f.severity.rank >= (2 if fail_on is FailOn.DENY else 1) for f in result.findings
    ):
        raise typer.Exit(1)


def _check_x12(path: Path, *, as_json: bool, fail_on: FailOn | None, db: str | None) -> None:
    import gc

    gc.enable()  # a file of many claims is no longer one question (cli.ONE_QUESTION)
    from medpayiq.errors import MedPayIQError
    from medpayiq.services import ClaimFiles, json_chunks

    try:
        from medpayiq.store import open_store

        reference = open_store(db).reference()
        files = ClaimFiles(reference, [(str(path), path)])
        if as_json:
            _print_json(files, json_chunks(files))
        else:
            for report in files:
                _render_claim(report)
    except MedPayIQError as exc:
        raise _fail(str(exc)) from None
    if not files.readable:
        raise _fail(files.unreadable[0].message)
    if not as_json:
        _render_x12_end(files)
    statuses = files.summary.by_status
    worst = statuses["deny"] + statuses["rejected"]
    if fail_on is FailOn.REVIEW:
        worst += statuses["review"]
    if fail_on is not None and worst:
        raise typer.Exit(1)


def _print_json(files: Any, chunks: Any) -> None:
    """The JSON answer as it is made, unless the file cannot be read at all (then nothing:
    the caller says why, with exit code 2)."""
    import sys

    held = [next(chunks)]
    for chunk in chunks:
        if held:
            held.append(chunk)
            if files.summary.claims == 0 and len(held) == 2 and not files.readable:
                continue
            sys.stdout.write("".join(held))
            held = []
        else:
            sys.stdout.write(chunk)
    if files.readable and held:
        sys.stdout.write("".join(held))
    if files.readable:
        sys.stdout.write("\n")


_COLORS = {"deny": "red", "rejected": "red", "review": "yellow", "clean": "green", "void": "dim"}


def _render_claim(report: Any) -> None:
    color = _COLORS.get(report.status, "white")
    dates = sorted({line.date_of_service for line in report.lines})
    when = f" {dates[0]}" + (f" to {dates[-1]}" if len(dates) > 1 else "") if dates else ""
    out.print(
        f"[bold]{report.claim_id or '(no CLM01)'}[/bold]{when} [{color}]{report.status}[/] "
        f"{len(report.lines)} line(s), billed {_money(report.charge)}, expected "
        f"{_money(report.expected_allowed)}, at risk {_money(report.at_risk)}",
        highlight=False,
    )
    for f in report.findings:
        if f.severity.value == "info":
            continue
        lines = ", ".join(map(str, f.lines))
        out.print(
            f"  [{_COLORS[f.severity.value]}]{f.severity.value.upper()}[/] {f.rule} (line {lines})",
            highlight=False,
        )
        out.print(f"    {f.message}", highlight=False, markup=False)
        out.print(f"    Fix: {f.fix}", highlight=False, markup=False)
    for problem in report.problems:
        out.print(f"  {problem}", highlight=False, markup=False)


def _render_x12_end(files: Any) -> None:
    summary = files.summary
    counts = ", ".join(f"{n:,} {status}" for status, n in summary.by_status.items() if n)
    out.print(
        f"\n{summary.claims:,} claim(s): {counts}. Billed {_money(summary.charge)}, expected "
        f"{_money(summary.expected_allowed)}, at risk {_money(summary.at_risk)}.",
        highlight=False,
    )
    for name, problem in files.problems:
        if problem.claim_id is None:
            out.print(f"Problem: {name}: {problem}", highlight=False, markup=False)
    for note in summary.notes:
        out.print(f"Note: {note}", highlight=False, markup=False)


def _render(result: Any) -> None:
    header = f"Claim {result.claim_id or ''} on {result.date_of_service}".replace("  ", " ")
    out.print(
        f"[bold]{header}[/bold]: {len(result.findings)} finding(s), "
        f"confidence {result.confidence.value}",
        highlight=False,
    )
    colors = {"deny": "red", "review": "yellow", "info": "cyan"}
    for f in result.findings:
        risk = f" {display(f.at_risk)} at risk" if f.at_risk else ""
        adjustments = " ".join([c.code for c in f.carc] + [r.code for r in f.rarc])
        out.print(
            f"\n[{colors[f.severity.value]}]{f.severity.value.upper()}[/] {f.rule} "
            f"(line {', '.join(map(str, f.lines))}){risk}  CARC/RARC {adjustments}",
            highlight=False,
        )
        out.print(f"  {f.message}", highlight=False, markup=False)
        out.print(f"  Fix: {f.fix}", highlight=False, markup=False)
        if f.appeal is not None:
            deadline = f", {f.appeal.deadline_days} days" if f.appeal.deadline_days else ""
            out.print(
                f"  If denied: {f.appeal.name}{deadline}. {f.appeal.note}",
                highlight=False,
                markup=False,
            )
        out.print(
            f"  Source: {f.source} (confidence {f.confidence.value})", highlight=False, markup=False
        )
    table = Table(title="Expected payment", show_lines=False)
    for column in ("line", "code", "units", "as billed", "expected", "status"):
        table.add_column(column, justify="right" if column in {"as billed", "expected"} else "left")
    for line in result.priced.lines:
        code = "-".join([line.hcpcs, *line.modifiers])
        table.add_row(
            str(line.line),
            code,
            str(line.units),
            _money(line.allowed_as_billed),
            _money(line.expected_allowed),
            line.status,
        )
    table.add_row(
        "",
        "total",
        "",
        _money(result.priced.total_as_billed),
        _money(result.priced.total_expected),
        "",
    )
    out.print()
    out.print(table)
    if result.priced.source:
        out.print(f"Priced with {result.priced.source}", highlight=False, markup=False)
    for item in result.guidance:
        out.print(f"Tip: {item.message}", highlight=False, markup=False)
    for note in result.notes:
        out.print(f"Note: {note}", highlight=False, markup=False)


def _money(amount: Any) -> str:
    return display(amount, missing="-")

"""`medpayiq check CLAIM.json`: check a claim before sending it.

    medpayiq check claim.json                    # a readable report
    medpayiq check claim.json --json             # CheckResult.as_dict()
    medpayiq check claim.json --fail-on deny     # exit 1 when a deny finding is found

Exit codes: 0 the check ran; 1 with --fail-on and a finding at or above that severity;
2 bad input (unreadable file, malformed claim, no data loaded). Claim contents are never
logged; messages name fields and codes only.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from medpayiq.money import display

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class FailOn(StrEnum):
    DENY = "deny"
    REVIEW = "review"


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command(name="check")(check)


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(2)


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _fail(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(
            f"{path} line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})"
        ) from None


def check(
    claim_file: Annotated[Path, typer.Argument(metavar="CLAIM.json", help="the claim (JSON)")],
    as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on", help="exit 1 when a finding of this severity (or worse) is found"
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", envvar="MEDPAYIQ_DB", help="SQLite file or database URL", show_default=False
        ),
    ] = None,
) -> None:
    """Check a claim: NCCI edits, MUE, add-on codes, modifiers, global surgery, diagnoses and
    policy packs, with the dollars at risk and what to fix or appeal."""
    from medpayiq.edits import ClaimInputError, check_claim, parse_claim
    from medpayiq.errors import MedPayIQError

    data = _read(claim_file)
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

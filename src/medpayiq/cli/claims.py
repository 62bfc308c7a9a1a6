"""`medpayiq claims scrub PATH...`: every claim of 837P files checked and priced, with a
worklist report.

    medpayiq claims scrub claims.837                      # progress, then the summary
    medpayiq claims scrub inbox/ --out report.html         # a folder; a sortable worklist
    medpayiq claims scrub a.837 b.837 --out report.csv --fail-on deny

Files and folders (read recursively; files that are not X12 are passed over and counted) are
read in the order given, so a later file's claims see the earlier files' patients (history,
duplicates). The report (`--out`: .json, .csv or .html) is written as the claims are checked.
Exit codes: 0 the scrub ran; 1 with --fail-on and a claim at that status or worse (a rejected
claim counts as deny); 2 no input could be read, a bad --out, or no data loaded. Patient
identifiers are never printed: claims are named by CLM01.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Annotated, Any, BinaryIO, cast

import typer
from rich.console import Console
from rich.table import Table

from medpayiq.cli._options import DbOption
from medpayiq.cli.check import FailOn

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

claims_app = typer.Typer(
    help="837P claim files: check, price and report every claim.", no_args_is_help=True
)

_PROGRESS_EVERY = 256  # claims between progress updates


def register(app: typer.Typer) -> None:
    app.add_typer(claims_app, name="claims")


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False, markup=True)
    return typer.Exit(2)


def _is_x12(path: Path) -> bool:
    from medpayiq.services import input_kind

    try:
        with path.open("rb") as handle:
            return input_kind(handle.read(4096)) == "x12"
    except OSError:
        return False


def expand(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """The X12 files of `paths` in order (a folder's sorted, recursively, hidden ones left
    out), and what was passed over and why."""
    found: list[Path] = []
    passed: list[str] = []
    for path in paths:
        if path.is_dir():
            skipped = 0
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    candidate = Path(root) / name
                    if name.startswith("."):
                        continue
                    if _is_x12(candidate):
                        found.append(candidate)
                    else:
                        skipped += 1
            if skipped:
                passed.append(f"{path}: {skipped} file(s) that are not X12 passed over")
        elif path.is_file():
            if _is_x12(path):
                found.append(path)
            else:
                passed.append(f"{path}: not an X12 837P file (it does not start with ISA)")
        else:
            passed.append(f"{path}: no such file or folder")
    return found, passed


class _Tracked:
    """A binary file whose position the progress bar reads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: IO[bytes] | None = None

    def read(self, size: int = -1) -> bytes:
        if self.handle is None:
            self.handle = self.path.open("rb")
        return self.handle.read(size)

    def position(self) -> int:
        return self.handle.tell() if self.handle is not None and not self.handle.closed else 0

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


@claims_app.command("scrub")
def scrub(
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH...", help="837P files or folders of them")
    ],
    report: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="write the report: .json, .csv or .html (a worklist)"),
    ] = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option("--fail-on", help="exit 1 when a claim has this status (or worse)"),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress")] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            "-w",
            min=1,
            max=64,
            help="processes to scrub with (by patient; each holds its own reference data)",
        ),
    ] = 1,
    db: DbOption = None,
) -> None:
    """Check and price every claim of 837P files: NCCI, MUE, modifiers, global periods,
    diagnoses, policy packs, and the file's own rules (timely filing, duplicates,
    replacements, ICD-9), with the dollars at risk."""
    from medpayiq.batch import open_report
    from medpayiq.errors import MedPayIQError
    from medpayiq.services import ClaimFiles

    files, passed = expand(paths)
    for note in passed:
        err.print(f"[yellow]note:[/yellow] {note}", highlight=False)
    if not files:
        raise _fail("no X12 837P file to read")
    try:
        writer = open_report(report) if report is not None else None
    except OSError as exc:
        raise _fail(f"{report}: cannot write the report ({exc.strerror or exc})") from None
    except MedPayIQError as exc:
        raise _fail(str(exc)) from None
    tracked = [_Tracked(path) for path in files]
    scrubbed: Any
    try:
        if workers > 1:
            scrubbed = _in_workers(db, files, writer, workers, quiet=quiet)
        else:
            from medpayiq.store import open_store

            reference = open_store(db).reference()
            sources = [(str(t.path), cast(BinaryIO, t)) for t in tracked]
            scrubbed = ClaimFiles(reference, sources)
            for claim in _with_progress(scrubbed, tracked, quiet=quiet):
                if writer is not None:
                    writer.write(claim)
        if writer is not None:
            writer.close(scrubbed)
    except MedPayIQError as exc:
        raise _fail(str(exc)) from None
    finally:
        for t in tracked:
            t.close()
    for unreadable in scrubbed.unreadable:
        err.print(f"[red]error:[/red] {unreadable.message}", highlight=False, markup=True)
    if not scrubbed.readable:
        raise typer.Exit(2)
    _summary(scrubbed)
    if report is not None:
        err.print(f"report written to {report}", highlight=False)
    statuses = scrubbed.summary.by_status
    worst = statuses["deny"] + statuses["rejected"]
    if fail_on is FailOn.REVIEW:
        worst += statuses["review"]
    if fail_on is not None and worst:
        raise typer.Exit(1)


def _nothing(report: Any, /) -> str:
    return ""


def _in_workers(
    db: str | None, files: list[Path], writer: Any, workers: int, *, quiet: bool
) -> Any:
    """The scrub over `workers` processes (services.ClaimFilesInWorkers), each claim
    rendered there and written here in input order."""
    from medpayiq.services import ClaimFilesInWorkers

    render = writer.render if writer is not None else _nothing
    scrubbed = ClaimFilesInWorkers(
        db, [(str(p), str(p)) for p in files], render=render, workers=workers
    )
    count = 0
    for count, text in enumerate(scrubbed, start=1):
        if writer is not None:
            writer.write_text(text)
        if not quiet and count % 10_000 == 0:
            err.print(f"{count:,} claims checked", highlight=False)
    return scrubbed


def _with_progress(files: Any, tracked: list[_Tracked], *, quiet: bool) -> Iterator[Any]:
    """The reports, with a progress bar on a terminal (plain lines otherwise)."""
    total = sum(t.path.stat().st_size for t in tracked)
    if quiet:
        yield from files
        return
    if not err.is_terminal:
        yield from _plain_progress(files, tracked)
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
        TextColumn("{task.fields[claims]:,} claims"), TimeRemainingColumn(),
        console=err, transient=True,
    )  # fmt: skip
    with bar:
        task = bar.add_task("scrubbing", total=total, claims=0)
        done_before = 0
        current = 0
        claims = 0
        for claim in files:
            claims += 1
            if claims % _PROGRESS_EVERY == 0:
                while current < len(tracked) - 1 and tracked[current].path != Path(claim.file):
                    done_before += tracked[current].path.stat().st_size
                    current += 1
                bar.update(task, completed=done_before + tracked[current].position(),
                           claims=claims, description=tracked[current].path.name[:30])  # fmt: skip
            yield claim
        bar.update(task, completed=total, claims=claims)


def _plain_progress(files: Any, tracked: list[_Tracked]) -> Iterator[Any]:
    """One line per file read, and one every 10,000 claims: for logs and pipes."""
    last_file: str | None = None
    for claims, claim in enumerate(files, start=1):
        if claim.file != last_file:
            if last_file is not None:
                err.print(f"read {last_file}", highlight=False)
            last_file = claim.file
        if claims % 10_000 == 0:
            err.print(f"{claims:,} claims checked", highlight=False)
        yield claim
    if last_file is not None:
        err.print(f"read {last_file}", highlight=False)


def _summary(files: Any) -> None:
    from medpayiq.money import display

    summary = files.summary
    table = Table(title=f"{summary.claims:,} claims in {len(summary.files)} file(s)",
                  title_justify="left")  # fmt: skip
    table.add_column("claims")
    table.add_column("", justify="right")
    statuses = summary.by_status
    colors = {"clean": "green", "review": "yellow", "deny": "red", "rejected": "red"}
    for status, count in statuses.items():
        table.add_row(f"[{colors.get(status, 'dim')}]{status}[/]", f"{count:,}")
    table.add_row("billed", display(summary.charge))
    table.add_row("expected allowed", display(summary.expected_allowed))
    table.add_row("[red]at risk (deny)[/]", display(summary.at_risk))
    table.add_row("[yellow]at risk (review)[/]", display(summary.review_at_risk))
    out.print(table)
    rules = Table(title="Findings by rule", title_justify="left")
    for name, justify in (("rule", "left"), ("severity", "left"), ("findings", "right"),
                          ("lines", "right"), ("at risk", "right")):  # fmt: skip
        rules.add_column(name, justify=justify)  # type: ignore[arg-type]
    for tally in summary.rules():
        rules.add_row(tally.rule, tally.severity, f"{tally.findings:,}", f"{tally.lines:,}",
                      display(tally.at_risk))  # fmt: skip
    if summary.by_rule:
        out.print(rules)
    if files.problems:
        out.print(f"{len(files.problems):,} structural problem(s); the first:", highlight=False)
        for name, problem in files.problems[:10]:
            out.print(f"  {name}: {problem}", highlight=False, markup=False)

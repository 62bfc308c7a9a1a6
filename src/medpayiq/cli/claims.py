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
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO, TypeVar, cast

import typer
from rich.console import Console
from rich.table import Table

from medpayiq.cli._options import DbOption, command
from medpayiq.cli.check import FailOn

if TYPE_CHECKING:
    from medpayiq.services import TrackedFile

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

claims_app = typer.Typer(
    help="837P claim files: check, price and report every claim.", no_args_is_help=True
)

_PROGRESS_EVERY = 256  # claims between progress updates
T = TypeVar("T")


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


@command(claims_app, "scrub")
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
        int | None,
        typer.Option(
            "--workers",
            "-w",
            min=1,
            max=64,
            help="processes to scrub with (by patient; each holds its own reference data, "
            "about 200 MB); default: one per core, up to 4, for 4 MB of 837P or more, "
            "else 1",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Check and price every claim of 837P files: NCCI, MUE, modifiers, global periods,
    diagnoses, policy packs, and the file's own rules (timely filing, duplicates,
    replacements, ICD-9), with the dollars at risk."""
    from medpayiq.batch import open_report
    from medpayiq.errors import MedPayIQError
    from medpayiq.services import ClaimFiles, TrackedFile

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
    tracked = [TrackedFile(path) for path in files]
    if workers is None:
        workers = _auto_workers(files)
    scrubbed: Any
    try:
        if workers > 1:
            scrubbed = _in_workers(db, tracked, writer, workers, quiet=quiet)
        else:
            from medpayiq.store import open_store

            reference = open_store(db).reference()
            sources = [(str(t.path), cast(BinaryIO, t)) for t in tracked]
            scrubbed = ClaimFiles(reference, sources)
            where = partial(_reading, tracked)
            for claim in _with_progress(scrubbed, tracked, where, quiet=quiet):
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


def _auto_workers(files: list[Path]) -> int:
    """`services.auto_workers` for these files (their size in all) on this machine."""
    from medpayiq.services import auto_workers, usable_cores

    return auto_workers(sum(path.stat().st_size for path in files), usable_cores())


def _nothing(report: Any, /) -> str:
    return ""


def _in_workers(
    db: str | None, tracked: list[TrackedFile], writer: Any, workers: int, *, quiet: bool
) -> Any:
    """The scrub over `workers` processes (services.ClaimFilesInWorkers), each claim
    rendered there and written here in input order."""
    from medpayiq.services import ClaimFilesInWorkers

    render = writer.render if writer is not None else _nothing
    paths = [str(t.path) for t in tracked]
    scrubbed = ClaimFilesInWorkers(db, list(zip(paths, paths, strict=True)), render=render,
                                   workers=workers)  # fmt: skip
    scrubbed.start()  # before the progress bar's thread: the workers can be forked
    for text in _with_progress(scrubbed, tracked, lambda: scrubbed.where, quiet=quiet):
        if writer is not None:
            writer.write_text(text)
    return scrubbed


def _reading(tracked: list[TrackedFile]) -> tuple[int, int]:
    """(the input being read, bytes of it read): the last one opened."""
    number = 0
    for i, t in enumerate(tracked):
        if t.handle is not None:
            number = i
    return number, tracked[number].position()


def _with_progress(
    items: Iterable[T], tracked: list[TrackedFile], where: Callable[[], tuple[int, int]],
    *, quiet: bool,
) -> Iterator[T]:  # fmt: skip
    """The items (reports, or their texts), with a progress bar on a terminal (plain lines
    otherwise); `where()` says how far the inputs are read."""
    if quiet:
        yield from items
        return
    if not err.is_terminal:
        yield from _plain_progress(items, tracked, where)
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    sizes = [os.path.getsize(t.path) for t in tracked]
    bar = Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
        TextColumn("{task.fields[claims]:,} claims"), TimeRemainingColumn(),
        console=err, transient=True,
    )  # fmt: skip
    with bar:
        task = bar.add_task("scrubbing", total=sum(sizes), claims=0)
        claims = 0
        for item in items:
            claims += 1
            if claims % _PROGRESS_EVERY == 0:
                number, position = where()
                bar.update(task, completed=sum(sizes[:number]) + position, claims=claims,
                           description=Path(tracked[number].path).name[:30])  # fmt: skip
            yield item
        bar.update(task, completed=sum(sizes), claims=claims)


def _plain_progress(
    items: Iterable[T], tracked: list[TrackedFile], where: Callable[[], tuple[int, int]]
) -> Iterator[T]:
    """A line per input read and one every 10,000 claims: for logs and pipes."""
    said = 0  # inputs said to be read
    for claims, item in enumerate(items, start=1):
        if claims % _PROGRESS_EVERY == 0:
            number, _ = where()
            for t in tracked[said:number]:
                err.print(f"read {t.path}", highlight=False)
            said = max(said, number)
        if claims % 10_000 == 0:
            err.print(f"{claims:,} claims checked", highlight=False)
        yield item
    for t in tracked[said:]:
        err.print(f"read {t.path}", highlight=False)


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

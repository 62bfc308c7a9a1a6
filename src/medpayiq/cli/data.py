"""`medpayiq data`: load official files into the store, show what is loaded, sync from CMS.

    medpayiq data load --source ../shared/data            # folders, zips or files
    medpayiq data status [--date 2026-07-15] [--json]
    medpayiq data sync --year 2026 [--base-url URL] [--catalog FILE]

Every command takes `--db` (a SQLite file path or a database URL; MEDPAYIQ_DB works too).
A bad file is one line on stderr (file, line, field) and exit code 2; whatever was loaded
before keeps serving.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from medpayiq.cli._options import command
from medpayiq.errors import MedPayIQError
from medpayiq.store import (
    DB_ENV,
    LoadResult,
    LoadStatus,
    Store,
    SyncEvent,
    default_db_path,
    open_store,
    sync,
)

data_app = typer.Typer(
    name="data",
    help="Load official CMS/CDC/X12 files into the store, show what is loaded, sync from CMS.",
    no_args_is_help=True,
)


def _console(*, stderr: bool = False) -> Console:
    """Made per command (so COLUMNS and redirection at call time count). Piped output gets
    a wide page: a table wrapped to 80 columns is hard to read or grep."""
    console = Console(stderr=stderr)
    if not console.is_terminal:
        console = Console(stderr=stderr, width=max(console.width, 200))
    return console


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar=DB_ENV,
        help=f"SQLite file or database URL (postgresql+psycopg://...). "
        f"Default: {default_db_path()}",
        show_default=False,
    ),
]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.add_typer(data_app)


def _fail(message: str) -> typer.Exit:
    _console(stderr=True).print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(2)


def _open(db: str | None) -> Store:
    try:
        return open_store(db)
    except MedPayIQError as exc:
        raise _fail(str(exc)) from None


# --- load -------------------------------------------------------------------------------------


@command(data_app, "load")
def load(
    source: Annotated[
        list[Path] | None,
        typer.Option(
            "--source", "-s", help="A folder, zip or file (repeatable).", show_default=False
        ),
    ] = None,
    more: Annotated[
        list[Path] | None,
        typer.Argument(
            help="More folders, zips or files.", show_default=False, metavar="[PATH]..."
        ),
    ] = None,
    db: DbOption = None,
    allow_shrink: Annotated[
        bool,
        typer.Option(
            "--allow-shrink",
            help="Load a file even if it drops more than 2% of the keys of the data it replaces.",
        ),
    ] = False,
    nice: Annotated[
        int,
        typer.Option(
            "--nice",
            min=0,
            max=19,
            help="Lower the load's CPU priority by this much, so a running server keeps answering.",
        ),
    ] = 10,
) -> None:
    """Detect and load official files. Each dataset is replaced atomically; the very same
    file loaded again changes nothing."""
    paths = [*(source or []), *(more or [])]
    if not paths:
        raise _fail("nothing to load: give --source PATH (a folder, zip or file)")
    _lower_priority(nice)
    with _open(db) as store:
        try:
            planned = store.plan(paths)
        except MedPayIQError as exc:
            raise _fail(str(exc)) from None
        results = _load_with_progress(store, planned, allow_shrink=allow_shrink)
    _report(results, title=f"Loaded into {store.url}")


def _lower_priority(nice: int) -> None:
    """Yield the CPU to a server on the same machine: a load parses millions of rows, and at
    normal priority on two cores it starved a PostgreSQL-backed server (docs/store.md)."""
    if nice > 0:
        with contextlib.suppress(OSError, AttributeError):
            os.nice(nice)


def _load_with_progress(
    store: Store,
    planned: list,  # type: ignore[type-arg]
    *,
    allow_shrink: bool = False,
) -> list[LoadResult]:
    results: list[LoadResult] = []
    err = _console(stderr=True)
    if not err.is_terminal:
        return _load_with_lines(store, planned, allow_shrink=allow_shrink)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,.0f} rows"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        overall: TaskID = progress.add_task("files", total=len(planned))
        for item in planned:
            task = progress.add_task(item.file.basename[:40], total=None)

            def rows(n: int, task: TaskID = task) -> None:
                progress.update(task, completed=n)

            result = store.load_planned(item, on_rows=rows, allow_shrink=allow_shrink)
            progress.remove_task(task)
            progress.advance(overall)
            if result.status is LoadStatus.FAILED:
                err.print(f"[red]error:[/red] {result.message}", highlight=False, soft_wrap=True)
            results.append(result)
    return results


def _load_with_lines(
    store: Store,
    planned: list,  # type: ignore[type-arg]
    *,
    allow_shrink: bool = False,
) -> list[LoadResult]:
    """Progress as plain lines, one per file, when the output is not a terminal (a log, CI,
    `scripts/run` piped): no bar redrawn in place."""
    results: list[LoadResult] = []
    for number, item in enumerate(planned, start=1):
        typer.echo(f"[{number}/{len(planned)}] loading {item.file.basename}", err=True)
        result = store.load_planned(item, allow_shrink=allow_shrink)
        if result.status is LoadStatus.FAILED:
            typer.echo(f"error: {result.message}", err=True)
        else:
            typer.echo(
                f"[{number}/{len(planned)}] {result.status.value} {item.file.basename}", err=True
            )
        results.append(result)
    return results


_STYLE = {
    LoadStatus.LOADED: "green",
    LoadStatus.REPLACED: "yellow",
    LoadStatus.UNCHANGED: "dim",
    LoadStatus.SKIPPED: "dim",
    LoadStatus.FAILED: "red",
}


def _report(results: list[LoadResult], *, title: str) -> None:
    out = _console()
    table = Table(title=title, title_justify="left")
    for name, justify in (
        ("kind", "left"),
        ("release", "left"),
        ("rows", "right"),
        ("status", "left"),
        ("file", "left"),
        ("note", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for r in results:
        if r.status is LoadStatus.SKIPPED and r.kind is None:
            continue  # documentation and unknown files beside the data: listed below
        release = f"{r.release} {r.variant}".strip()
        table.add_row(
            r.kind.value if r.kind else "",
            release,
            f"{r.rows:,}" if r.rows else "",
            f"[{_STYLE[r.status]}]{r.status.value}[/]",
            r.file,
            r.message if r.status is not LoadStatus.FAILED else "see error above",
        )
    out.print(table)
    ignored = [r for r in results if r.status is LoadStatus.SKIPPED and r.kind is None]
    if ignored:
        out.print(f"{len(ignored)} file(s) skipped:", highlight=False)
        for r in ignored:
            out.print(f"  {r.file}: {r.message}", highlight=False, markup=False, soft_wrap=True)
    failed = [r for r in results if r.status is LoadStatus.FAILED]
    if failed:
        raise _fail(f"{len(failed)} file(s) not loaded; the data loaded before them is unchanged")


# --- status -----------------------------------------------------------------------------------


@command(data_app, "status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    day: Annotated[
        str | None,
        typer.Option(
            "--date", help="Which release of each kind applies on this date (default today)."
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Every loaded dataset: kind, release, effective dates, rows, sha256, when and from
    which file it was loaded; then, for today or --date, which release of each kind
    applies, whether it is loaded, which one answers and the newest loaded."""
    from medpayiq import services

    with _open(db) as store:
        datasets = store.datasets()
        url = store.url
        try:
            applies = services.release_status(store.reference(), services.parse_day(day))
        except MedPayIQError as exc:
            raise _fail(str(exc)) from None
    if as_json:
        payload = {
            "database": url,
            "datasets": [d.as_json() for d in datasets],
            "in_effect": applies.as_dict(),
        }
        typer.echo(json.dumps(payload, indent=2))
        return
    out = _console()
    if not datasets:
        out.print(f"No data loaded in {url}. Load some: medpayiq data load --source PATH")
        return
    table = Table(title=f"Datasets in {url}", title_justify="left")
    for name in ("kind", "release", "effective", "rows", "billable", "loaded at", "sha256", "file"):
        table.add_column(name, justify="right" if name in ("rows", "billable") else "left")
    for d in datasets:
        to = d.release.effective_to.isoformat() if d.release.effective_to else "open"
        table.add_row(
            d.kind.value,
            f"{d.release.id} {d.variant}".strip(),
            f"{d.release.effective_from.isoformat()} to {to}",
            f"{d.rows:,}",
            f"{d.billable:,}" if d.billable is not None else "",
            f"{d.loaded_at:%Y-%m-%d %H:%M} UTC",
            d.sha256[:12],
            d.source_file,
        )
    out.print(table)
    _in_effect(out, applies)


def _in_effect(out: Console, applies: object) -> None:
    from medpayiq.services import ReleaseStatus

    assert isinstance(applies, ReleaseStatus)
    table = Table(title=f"In effect on {applies.day}", title_justify="left")
    for name in ("kind", "applies", "loaded", "answers from", "newest loaded", "note"):
        table.add_column(name)
    for k in applies.kinds:
        used = f"{k.used} ({k.confidence})" if k.used and k.confidence else k.used or "-"
        loaded = "[green]yes[/]" if k.loaded else "[yellow]no[/]"
        table.add_row(k.kind, k.applies, loaded, used, k.newest or "-", k.note)
    out.print(table)


# --- sync -------------------------------------------------------------------------------------


@command(data_app, "sync")
def sync_command(
    year: Annotated[int, typer.Option("--year", help="Calendar year of the files to fetch.")],
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url", help="Fetch from this mirror instead (same paths).", show_default=False
        ),
    ] = None,
    catalog: Annotated[
        Path | None,
        typer.Option(
            "--catalog",
            help="A release catalog YAML instead of the packaged one.",
            show_default=False,
        ),
    ] = None,
    download_dir: Annotated[
        Path | None,
        typer.Option(
            "--download-dir",
            help="Where downloads are kept. Default: the user cache.",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Download CMS's published files for a year (URLs from the release catalog), check
    them and load them."""

    err = _console(stderr=True)

    def event(e: SyncEvent) -> None:
        if not e.results:
            err.print(f"fetching {e.entry.name}: {e.url}", highlight=False, soft_wrap=True)
            return
        for r in e.results:
            if r.status is LoadStatus.FAILED:
                err.print(f"[red]error:[/red] {r.message}", highlight=False, soft_wrap=True)

    with _open(db) as store:
        try:
            results = sync(
                store,
                year=year,
                catalog=catalog,
                base_url=base_url,
                download_dir=download_dir,
                on_event=event,
            )
        except MedPayIQError as exc:
            raise _fail(str(exc)) from None
        _report(results, title=f"Synced {year} into {store.url}")

"""`medpayiq changes`: what changed between two loaded releases, for my codes, in my dollars.

    medpayiq changes --from RVU25D --to RVU26C --codes 62323,99213 --zip 77030
    medpayiq changes --from RVU25D --to RVU26C --volume volume.csv --json
    medpayiq changes --from 2026Q1 --to 2026Q2              # CLFS (the family with both)
    medpayiq changes --from 2024Q3 --to 2026Q2 --kind ncci  # add-on, PTP, MUE edits
    medpayiq changes --from 20254 --to 20261                # ZIP codes that moved

A table by default; `--json` gives the whole report (services.changes). Bad input is one
line on stderr and exit code 2.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from medpayiq.cli._options import DbOption, command
from medpayiq.errors import MedPayIQError
from medpayiq.money import display, display_signed

_SHOWN = 12  # rows listed per kind of change in the table view (--json has them all)


def _out() -> Console:
    console = Console()
    if not console.is_terminal:  # piped: a wide page, as `data status` does
        console = Console(width=max(console.width, 200))
    return console


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    command(app, "changes")(changes)


def _fail(message: str) -> typer.Exit:
    Console(stderr=True).print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(2)


def changes(
    before: Annotated[
        str | None,
        typer.Option("--from", help="Release to compare from: RVU25D, 2026Q1, 20254"),
    ] = None,
    after: Annotated[
        str | None, typer.Option("--to", help="Release to compare to: RVU26C, 2026Q2, 20261")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="pfs, clfs, dmepos, ncci or zip (when ids are ambiguous)"),
    ] = None,
    codes: Annotated[
        str | None, typer.Option("--codes", help="Codes to show, comma separated")
    ] = None,
    zip_code: Annotated[str | None, typer.Option("--zip", help="ZIP code of the practice")] = None,
    locality: Annotated[
        str | None, typer.Option("--locality", help="CARRIER-LOCALITY, such as 04412-18")
    ] = None,
    facility: Annotated[
        bool, typer.Option("--facility", help="Rank movers by the facility amount")
    ] = False,
    volume: Annotated[
        Path | None,
        typer.Option(
            "--volume",
            help="CSV: hcpcs, modifier, pos, units [, zip | locality]; or an X12 837P file",
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Movers listed up and down")] = 25,
    all_localities: Annotated[
        bool, typer.Option("--all-localities", help="Summarise every locality (slower)")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="The whole report as JSON")] = False,
    db: DbOption = None,
) -> None:
    """Compare two loaded releases: fee schedule amounts and what drove them (CF, RVUs,
    GPCIs), codes added, deleted or no longer paid, GPCIs and ZIP codes, coding edits, and
    the dollar impact of a practice's volume."""
    from medpayiq import services
    from medpayiq.store import open_store

    try:
        data = None
        if volume is not None:
            try:
                data = volume.read_bytes()
            except OSError as exc:
                raise _fail(f"cannot read {volume}: {exc.strerror}") from None
        reference = open_store(db).reference()
        answer = services.changes(
            reference,
            before=before,
            after=after,
            kind=kind,
            codes=codes,
            zip=zip_code,
            locality=locality,
            setting="facility" if facility else None,
            limit=limit,
            volume=data,
            volume_name=volume.name if volume else "volume.csv",
            all_localities=all_localities,
        )
    except MedPayIQError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(answer.as_dict(), indent=2))
        return
    _render(answer)


# --- Table view ---------------------------------------------------------------------------------


def _m(value: Decimal | None) -> str:
    return display(value)


def _signed(value: Decimal | None) -> str:
    return display_signed(value)


def _pct(value: Decimal | None) -> str:
    return "" if value is None else f"{'+' if value > 0 else ''}{value}%"


def _render(answer: object) -> None:
    from medpayiq.releases import Family
    from medpayiq.services import Changes

    assert isinstance(answer, Changes)
    r = answer.report
    out = _out()
    out.print(
        f"[bold]{r.family.value.upper()} {r.before.id} -> {r.after.id}[/bold]  "
        f"({r.before.effective_from} -> {r.after.effective_from})",
        highlight=False,
    )
    files = f"{', '.join(r.before.files) or '-'} -> {', '.join(r.after.files) or '-'}"
    out.print(f"files: {files}", style="dim", highlight=False, soft_wrap=True)
    for note in r.notes:
        out.print(f"note: {note}", style="yellow", highlight=False, soft_wrap=True)
    if r.family is Family.PFS:
        _pfs(out, answer)
    elif r.family is Family.CLFS and r.labs is not None:
        _labs(out, r.labs)
    elif r.family is Family.DMEPOS and r.dme is not None:
        _dme(out, r.dme)
    elif r.family is Family.NCCI:
        for table in r.edits:
            _edits(out, table)
    if r.zips is not None:
        _zips(out, r.zips)
    if r.volume is not None:
        _volume(out, r.volume)
    if r.family in (Family.PFS, Family.CLFS, Family.NCCI):
        out.print("CPT codes and descriptions only are copyright American Medical Association.",
                  style="dim")  # fmt: skip


def _pfs(out: Console, answer: object) -> None:
    from medpayiq.services import Changes

    assert isinstance(answer, Changes)
    r = answer.report
    s = r.summary
    assert s is not None
    out.print(
        f"CF {', '.join(s.cf_before)} -> {', '.join(s.cf_after)}; GPCIs {s.gpci_before} -> "
        f"{s.gpci_after}; place: {answer.place_label()}",
        highlight=False,
    )
    counts = ", ".join(f"{v:,} {k}" for k, v in s.counts.items() if v)
    out.print(f"rows (code, 26, TC): {s.rows_before:,} -> {s.rows_after:,}: {counts}",
              highlight=False)  # fmt: skip
    for g in s.amounts:
        out.print(
            f"  {g.setting.value} at {g.place}: {g.up:,} up, {g.down:,} down, {g.same:,} same "
            f"of {g.compared:,} priced in both; median {_pct(g.median_percent) or '-'}",
            highlight=False,
        )
    if r.rows:
        _rows(out, "Rows", r.rows)
    if r.increases:
        _rows(out, f"Largest increases ({r.setting.value})", r.increases)
    if r.decreases:
        _rows(out, f"Largest decreases ({r.setting.value})", r.decreases)
    for title, items in (
        ("Added", r.added),
        ("Deleted", r.deleted),
        ("Newly non-payable", r.newly_non_payable),
        ("Newly payable", r.newly_payable),
    ):
        if items:
            shown = ", ".join(f"{i.hcpcs}{'-' + i.modifier if i.modifier else ''}"
                              for i in items[:_SHOWN])  # fmt: skip
            more = f" and {len(items) - _SHOWN:,} more" if len(items) > _SHOWN else ""
            out.print(f"{title} ({len(items):,}): {shown}{more}", highlight=False, soft_wrap=True)
    loc = r.localities
    if loc is not None:
        out.print(
            f"GPCIs {loc.gpci_before} -> {loc.gpci_after}: {len(loc.changes):,} of "
            f"{loc.compared:,} localities changed"
            + (f"; added {', '.join(loc.added)}" if loc.added else "")
            + (f"; removed {', '.join(loc.removed)}" if loc.removed else ""),
            highlight=False,
        )
    if r.by_locality:
        _by_locality(out, r.by_locality, r.locality_names)


def _rows(out: Console, title: str, rows: Sequence[object]) -> None:
    from medpayiq.changes import FeeRowChange

    table = Table(title=title, title_justify="left")
    for name in ("code", "description", "setting", "place", "before", "after", "change", "%",
                 "CF", "RVUs", "GPCI", "what changed"):  # fmt: skip
        numeric = name in ("before", "after", "change", "%", "CF", "RVUs", "GPCI")
        table.add_column(name, justify="right" if numeric else "left")
    for row in rows:
        assert isinstance(row, FeeRowChange)
        what = "; ".join(f"{f.field} {f.before}->{f.after}" for f in row.fields if f.field != "CF")
        first = True
        for a in row.amounts:
            c = a.causes
            table.add_row(
                f"{row.hcpcs}{'-' + row.modifier if row.modifier else ''}" if first else "",
                row.description[:28] if first else "",
                a.setting.value,
                a.place,
                _m(a.before),
                _m(a.after),
                _signed(a.change),
                _pct(a.percent),
                _signed(c.cf) if c else "",
                _signed(c.rvus) if c else "",
                _signed(c.gpci) if c else "",
                (row.note or what or row.status) if first else "",
            )
            first = False
    out.print(table)


def _by_locality(out: Console, counts: Sequence[object], names: dict[str, str]) -> None:
    from medpayiq.changes import GridCount

    table = Table(title="By locality (median change of codes priced in both)", title_justify="left")
    for name in ("locality", "name", "setting", "up", "down", "median"):
        table.add_column(name, justify="right" if name in ("up", "down", "median") else "left")
    for g in counts:
        assert isinstance(g, GridCount)
        table.add_row(g.place, names.get(g.place, "")[:40], g.setting.value, f"{g.up:,}",
                      f"{g.down:,}", _pct(g.median_percent))  # fmt: skip
    out.print(table)


def _labs(out: Console, labs: object) -> None:
    from medpayiq.changes import LabChanges

    assert isinstance(labs, LabChanges)
    out.print(
        f"CLFS rows compared: {labs.compared:,}; added {labs.added}, deleted {labs.deleted}, "
        f"changed {labs.changed}",
        highlight=False,
    )
    if not labs.changes:
        return
    table = Table(title="CLFS changes", title_justify="left")
    for name in ("code", "kind", "description", "before", "after", "change", "indicator",
                 "effective"):  # fmt: skip
        table.add_column(name, justify="right" if name in ("before", "after", "change") else "left")
    for c in labs.changes:
        table.add_row(
            f"{c.hcpcs}{'-' + c.modifier if c.modifier else ''}", c.kind, c.description[:40],
            _m(c.rate_before), _m(c.rate_after), _signed(c.change),
            f"{c.indicator_before or '-'} -> {c.indicator_after or '-'}",
            str(c.effective or ""),
        )  # fmt: skip
    out.print(table)


def _dme(out: Console, dme: object) -> None:
    from medpayiq.changes import DmeChanges

    assert isinstance(dme, DmeChanges)
    out.print(
        f"DMEPOS rows compared: {dme.compared:,}; added {dme.added:,}, deleted {dme.deleted:,}, "
        f"changed {dme.changed:,}",
        highlight=False,
    )
    table = Table(title="DMEPOS changes (first 50)", title_justify="left")
    for name in ("code", "state", "kind", "non-rural", "rural"):
        table.add_column(name)
    for c in dme.changes[:50]:
        mods = "-".join(m for m in (c.modifier, c.modifier2) if m)
        before, after = c.before or (None, None), c.after or (None, None)
        table.add_row(
            f"{c.hcpcs}{'-' + mods if mods else ''}", c.state, c.kind,
            f"{_m(before[0])} -> {_m(after[0])}", f"{_m(before[1])} -> {_m(after[1])}",
        )  # fmt: skip
    out.print(table)


def _edits(out: Console, edits: object) -> None:
    from medpayiq.changes import EditChanges

    assert isinstance(edits, EditChanges)
    out.print(
        f"{edits.table} edits {edits.release_before} -> {edits.release_after}: "
        f"{edits.compared_before:,} -> {edits.compared_after:,} in force; added {edits.added:,}, "
        f"deleted {edits.deleted:,}, changed {edits.changed:,}",
        highlight=False,
    )
    table = Table(title=f"{edits.table} changes (first 60)", title_justify="left")
    for name in ("kind", "code", "with", "before", "after", "effective", "deletion", "note"):
        table.add_column(name)
    for c in edits.changes[:60]:
        table.add_row(c.kind, c.code, c.other, c.before, c.after, str(c.effective or ""),
                      str(c.deletion or ""), c.note)  # fmt: skip
    out.print(table)


def _zips(out: Console, zips: object) -> None:
    from medpayiq.changes import ZipChanges

    assert isinstance(zips, ZipChanges)
    counts = ", ".join(
        f"{zips.count(k):,} {k}" for k in ("moved", "added", "removed", "plus-four flag")
    )
    out.print(f"ZIP codes {zips.zip_before} -> {zips.zip_after}: {zips.compared:,} compared; "
              f"{counts}", highlight=False)  # fmt: skip
    if not zips.changes:
        return
    table = Table(title="ZIP codes", title_justify="left")
    for name in ("zip", "state", "kind", "before", "after", "plus-four"):
        table.add_column(name)
    for c in zips.changes[:100]:
        flags = f"{c.plus_four_before} -> {c.plus_four_after}"
        before, after = ", ".join(c.before) or "-", ", ".join(c.after) or "-"
        table.add_row(c.zip5, c.state, c.kind, before, after, flags)
    out.print(table)


def _volume(out: Console, impact: object) -> None:
    from medpayiq.changes import VolumeImpact

    assert isinstance(impact, VolumeImpact)
    v = impact
    out.print(
        f"[bold]Volume {v.source}[/bold]: {v.lines_read:,} lines read, {v.lines_compared:,} "
        f"compared ({v.units_compared:,} units): {_m(v.total_before)} -> {_m(v.total_after)}, "
        f"[bold]{_signed(v.total_change)}[/bold] {_pct(v.percent)}",
        highlight=False,
    )
    if v.causes is not None:
        out.print(
            f"  CF {_signed(v.causes.cf)}, RVUs {_signed(v.causes.rvus)}, GPCIs "
            f"{_signed(v.causes.gpci)}, other (line engine) {_signed(v.unattributed)}",
            highlight=False,
        )
    if v.no_longer_paid:
        out.print(f"  no longer paid: {_m(v.no_longer_paid)} billed before", highlight=False)
    table = Table(title="Impact by code", title_justify="left")
    for name in ("code", "units", "before", "after", "impact", "%", "CF", "RVUs", "GPCI"):
        table.add_column(name, justify="left" if name == "code" else "right")
    for c in v.by_code[:50]:
        k = c.causes
        table.add_row(c.hcpcs, f"{c.units:,}", _m(c.before), _m(c.after), _signed(c.impact),
                      _pct(c.percent), _signed(k.cf) if k else "", _signed(k.rvus) if k else "",
                      _signed(k.gpci) if k else "")  # fmt: skip
    out.print(table)
    if v.not_compared:
        shown = "; ".join(f"line {i.first_line} {i.hcpcs}: {i.note}" for i in v.not_compared[:10])
        out.print(f"not compared ({len(v.not_compared):,}): {shown}", highlight=False,
                  soft_wrap=True)  # fmt: skip
    if v.problem_count:
        shown = "; ".join(f"line {p.line} {p.column}: {p.message}" for p in v.problems[:10])
        out.print(f"[red]{v.problem_count:,} line(s) left out[/red]: {shown}", highlight=False,
                  soft_wrap=True)  # fmt: skip

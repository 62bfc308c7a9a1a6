"""A practice's volume: which codes it bills, where, in which setting and how often.

    volume = read_volume_csv(data, name="volume.csv")

A CSV with a header row; column names are case-insensitive:

- `hcpcs` (or `code`, `cpt`): the CPT/HCPCS code. Required.
- `units` (or `count`, `volume`, `quantity`): a whole number of units, 1 or more. Required.
- `modifier` (or `modifiers`, `mod`): "", "26", "TC", or several ("50", "26,59", ...).
- `pos` (or `place_of_service`): the place of service (11 office, 22 outpatient, ...);
  empty = non-facility (office), as price_line takes it.
- `zip` or `locality` ("04412-18"): where the service is; empty = national. A row with both
  uses the ZIP (Medicare prices a claim by the ZIP of the service).

The units are read as a year's volume: the impact of a change is the change of the one-unit
amount times the units. Bad rows are left out and listed with their line numbers (the
header is line 1); a file without the required columns or that is not CSV is an InputError.

`Volume` keeps one row per distinct (code, modifier, place of service, ZIP, locality) with
the summed units, so a 100,000-line file costs as much as its distinct lines. An 837P
reader can build the same frame with `volume_from_rows`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from medpayiq.errors import InputError

__all__ = [
    "VOLUME_COLUMNS",
    "Volume",
    "VolumeProblem",
    "VolumeRow",
    "read_volume_csv",
    "volume_from_rows",
]

_ALIASES = {
    "hcpcs": ("hcpcs", "code", "cpt", "cpt_hcpcs", "hcpcs_code", "procedure"),
    "units": ("units", "unit", "count", "volume", "quantity", "qty"),
    "modifier": ("modifier", "modifiers", "mod", "mods"),
    "pos": ("pos", "place_of_service", "place"),
    "zip": ("zip", "zip_code", "zipcode", "zip5"),
    "locality": ("locality", "carrier_locality"),
}
VOLUME_COLUMNS = ("hcpcs", "modifier", "pos", "zip", "locality")
_MAX_PROBLEMS = 200
_MAX_UNITS = 10**9
_CODE = re.compile(r"^[A-Z0-9]{5}$")


@dataclass(frozen=True, slots=True)
class VolumeProblem:
    """A row left out: its line (header = line 1), the column and why."""

    line: int
    column: str
    message: str


@dataclass(frozen=True, slots=True)
class VolumeRow:
    """One service line of volume, for readers other than the CSV (837P claims)."""

    hcpcs: str
    units: int
    modifier: str = ""
    pos: str = ""
    zip: str = ""
    locality: str = ""
    line: int = 0


@dataclass(frozen=True, eq=False)
class Volume:
    """Distinct lines of volume: `frame` has VOLUME_COLUMNS (String, "" when not given),
    `units` (summed, Int64), `lines` (how many input lines) and `line` (the first one).
    `problems` lists rows left out (at most 200; `problem_count` counts them all)."""

    source: str
    frame: pl.DataFrame
    lines_read: int
    problems: tuple[VolumeProblem, ...]
    problem_count: int

    @property
    def units(self) -> int:
        return int(self.frame.get_column("units").sum()) if self.frame.height else 0


def _columns(header: Sequence[str]) -> dict[str, str]:
    """Our column name -> the file's, for the columns found."""
    found: dict[str, str] = {}
    for name in header:
        key = re.sub(r"[\s\-]+", "_", name.strip().lower())
        for ours, aliases in _ALIASES.items():
            if key in aliases and ours not in found:
                found[ours] = name
    return found


def read_volume_csv(data: bytes, *, name: str = "volume.csv") -> Volume:
    """Read a volume CSV (module docstring). Raises InputError naming the problem."""
    if not data.strip():
        raise InputError(f"{name} is empty: expected a CSV with hcpcs and units columns",
                         parameter="volume")  # fmt: skip
    try:
        raw = pl.read_csv(
            io.BytesIO(data),
            infer_schema=False,
            truncate_ragged_lines=False,
            encoding="utf8-lossy",
        )
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{name} is not a CSV file: {first}", parameter="volume") from None
    found = _columns(raw.columns)
    missing = [c for c in ("hcpcs", "units") if c not in found]
    if missing:
        raise InputError(
            f"{name} has no {' or '.join(missing)} column (found: {', '.join(raw.columns)}); "
            "expected hcpcs, modifier, pos, units and optionally zip or locality",
            parameter="volume",
        )
    if raw.height == 0:
        raise InputError(f"{name} has a header but no lines", parameter="volume")
    frame = raw.select(
        line=pl.int_range(2, raw.height + 2, dtype=pl.Int64),
        **{c: pl.col(found[c]).fill_null("").str.strip_chars() if c in found else pl.lit("")
           for c in (*VOLUME_COLUMNS, "units")},
    )  # fmt: skip
    return _checked(name, frame)


def volume_from_rows(rows: Iterable[VolumeRow], *, source: str) -> Volume:
    """A Volume from service lines read elsewhere (an 837P file), checked as the CSV is."""
    items = list(rows)
    frame = pl.DataFrame(
        {
            "line": [r.line for r in items],
            **{c: [getattr(r, c) for r in items] for c in VOLUME_COLUMNS},
            "units": [str(r.units) for r in items],
        },
        schema={"line": pl.Int64, **{c: pl.String for c in (*VOLUME_COLUMNS, "units")}},
    )
    return _checked(source, frame)


def _checked(source: str, frame: pl.DataFrame) -> Volume:
    """Normalise and check every column at once; rows with a problem are left out."""
    frame = frame.with_columns(
        hcpcs=pl.col("hcpcs").str.to_uppercase(),
        modifier=pl.col("modifier").str.to_uppercase().str.replace_all(r"[\s;]+", ","),
        pos=pl.when(pl.col("pos").str.contains(r"^\d$"))
        .then("0" + pl.col("pos"))
        .otherwise(pl.col("pos")),
        zip=pl.col("zip").str.slice(0, 5),
        zip_ok=pl.col("zip").str.contains(r"^(\d{5}(-?\d{4})?)?$"),
        locality=pl.col("locality").str.replace_all(r"\s", ""),
        units_n=pl.col("units").str.strip_chars().cast(pl.Int64, strict=False),
    ).with_columns(
        locality=pl.when(pl.col("locality").str.contains(r"^\d{7}$"))
        .then(pl.col("locality").str.slice(0, 5) + "-" + pl.col("locality").str.slice(5))
        .otherwise(pl.col("locality"))
    )
    checks = [
        ("hcpcs", ~pl.col("hcpcs").str.contains(_CODE.pattern),
         "is not a CPT/HCPCS code (five letters or digits)"),
        ("units", pl.col("units_n").is_null() | (pl.col("units_n") < 1)
         | (pl.col("units_n") > _MAX_UNITS), "is not a whole number of units from 1"),
        ("pos", ~pl.col("pos").str.contains(r"^(\d{2})?$"),
         "is not a place of service code (two digits, such as 11)"),
        ("zip", ~pl.col("zip_ok"), "is not a ZIP code (5 digits, or ZIP+4)"),
        ("locality", ~pl.col("locality").str.contains(r"^(\d{5}-[0-9A-Z]{2})?$"),
         "is not a locality such as 04412-18"),
    ]  # fmt: skip
    flagged = frame.with_columns(
        problem=pl.coalesce(
            *(pl.when(bad).then(pl.lit(f"{column}\t{why}")) for column, bad, why in checks)
        ),
        value=pl.coalesce(*(pl.when(bad).then(pl.col(column)) for column, bad, _ in checks)),
    )
    bad = flagged.filter(pl.col("problem").is_not_null())
    listed = bad.select("line", "problem", "value").head(_MAX_PROBLEMS)
    problems = tuple(
        VolumeProblem(line, column, f'"{value}" {why}')
        for line, problem, value in listed.rows()
        for column, why in [problem.split("\t", 1)]
    )
    good = flagged.filter(pl.col("problem").is_null())
    grouped = (
        good.group_by(VOLUME_COLUMNS, maintain_order=True)
        .agg(
            units=pl.col("units_n").sum(),
            lines=pl.len().cast(pl.Int64),
            line=pl.col("line").min(),
        )
        .sort("line")
    )
    return Volume(source, grouped, frame.height, problems, bad.height)

"""CLFS: CMS's Clinical Laboratory Fee Schedule, one national rate per HCPCS code and
modifier per quarter (PAMA, since 2018).

Layouts read (both as CMS publishes them in its quarterly `yyCLABQn` zips):

- CSV (`PUF_CLFS_CY2026_Q2V1.csv`): a title, the AMA notice and a PHE note, a blank line, then
  `YEAR,HCPCS,MOD,EFF_DATE,INDICATOR,RATE,SHORTDESC,LONGDESC,EXTENDEDLONGDESC`. RATE is
  zero-padded text ("00010.56"); EFF_DATE is YYYYMMDD.
- XLSX (`CLFS_2026_Q1V1.xlsx`): the same columns after the same preamble. Excel stores
  numeric codes (80053) and rates (10.56, 720) as numbers: codes are zero-padded back to five
  characters and rates read back to the cent.

INDICATOR, checked against both 2026 files: "N" rows carry a national rate; the "L" rows
(49 in 2026 Q2, all proprietary laboratory analyses, "U" codes) all have RATE 0.00: no
national rate yet, the local contractor prices them.

The quarter comes from the file name (`CLFS_2026_Q1`, `CY2026_Q2`, CMS's `26CLABQ2`), else from
the YEAR column and the latest EFF_DATE, with a note. A code and modifier listed twice is
refused with both line numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from medpayiq.errors import ParseError, SourcePos
from medpayiq.records import LabFee
from medpayiq.releases import Family, Kind, Release, quarter_of, quarter_release
from medpayiq.sources._csvutil import (
    DateCache,
    bad_value,
    cell_text,
    code_text,
    csv_records,
    parse_yyyymmdd,
    xlsx_rows,
)
from medpayiq.sources._money import money_cell
from medpayiq.sources._registry import Layout, ParsedFile, SourceFile, register

COLUMNS = (
    "YEAR", "HCPCS", "MOD", "EFF_DATE", "INDICATOR", "RATE", "SHORTDESC", "LONGDESC",
    "EXTENDEDLONGDESC",
)  # fmt: skip
_INDICATORS = frozenset({"N", "L"})
_HCPCS = re.compile(r"^[A-Z0-9]\d{3}[A-Z0-9]$")
_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")
_NAME = re.compile(r"CLFS|CLAB", re.IGNORECASE)
# "CLFS_2026_Q1V1", "PUF_CLFS_CY2026_Q2V1", "26CLABQ2": the year and quarter in a name.
_QUARTER_4 = re.compile(r"(20\d{2})[ _-]*Q([1-4])", re.IGNORECASE)
_QUARTER_2 = re.compile(r"(?<!\d)(\d{2})CLABQ([1-4])", re.IGNORECASE)


def _header_of(cells: Sequence[str]) -> bool:
    return [c.strip().upper() for c in cells[:2]] == ["YEAR", "HCPCS"]


def _sniff_csv(file: SourceFile) -> bool:
    if not file.basename.lower().endswith(".csv"):
        return False
    return any(line.upper().startswith("YEAR,HCPCS,MOD,EFF_DATE") for line in file.head(15))


def _sniff_xlsx(file: SourceFile) -> bool:
    name = file.basename
    return name.lower().endswith(".xlsx") and bool(_NAME.search(name))


def _name_release(file: SourceFile) -> Release | None:
    for text in (file.basename, file.name, str(file.path)):
        if m := _QUARTER_4.search(text):
            return quarter_release(Family.CLFS, f"{m.group(1)}Q{m.group(2)}")
        if m := _QUARTER_2.search(text):
            return quarter_release(Family.CLFS, f"20{m.group(1)}Q{m.group(2)}")
    return None


class _Rows:
    """Turns the file's cells into LabFee records, remembering each key's line."""

    def __init__(self, file: SourceFile, header: Sequence[str], line: int) -> None:
        names = [c.strip().upper() for c in header]
        missing = [c for c in COLUMNS if c not in names]
        if missing:
            raise ParseError(
                SourcePos(file.name, line, missing[0]),
                f'column "{missing[0]}" is missing from the header ({", ".join(names)})',
            )
        self.file = file
        self.index = {c: names.index(c) for c in COLUMNS}
        self.seen: dict[tuple[str, str], int] = {}
        self.dates = DateCache(parse_yyyymmdd)
        self.years: set[int] = set()
        self.latest: date | None = None

    def cell(self, cells: Sequence[Any], name: str) -> Any:
        at = self.index[name]
        return cells[at] if at < len(cells) else None

    def record(self, line: int, cells: Sequence[Any]) -> LabFee:
        file = self.file
        code = code_text(self.cell(cells, "HCPCS"))
        if not _HCPCS.match(code):
            raise bad_value(file, line, "HCPCS", f'"{code}" is not a HCPCS code')
        modifier = cell_text(self.cell(cells, "MOD")).upper()
        if modifier and not _MODIFIER.match(modifier):
            raise bad_value(file, line, "MOD", f'"{modifier}" is not a modifier')
        first = self.seen.setdefault((code, modifier), line)
        if first != line:
            shown = code + (f"-{modifier}" if modifier else "")
            raise bad_value(
                file, line, "HCPCS", f"{shown} is listed twice (lines {first} and {line})"
            )
        indicator = cell_text(self.cell(cells, "INDICATOR")).upper()
        if indicator not in _INDICATORS:
            raise bad_value(file, line, "INDICATOR", f'"{indicator}" is not N or L')
        rate = money_cell(self.cell(cells, "RATE"), file, line, "RATE")
        effective = self._date(line, cell_text(self.cell(cells, "EFF_DATE")))
        self._year(line, cell_text(self.cell(cells, "YEAR")))
        return LabFee(
            code,
            modifier,
            effective,
            indicator,
            rate,
            cell_text(self.cell(cells, "SHORTDESC")),
            cell_text(self.cell(cells, "LONGDESC")),
            cell_text(self.cell(cells, "EXTENDEDLONGDESC")),
        )

    def _date(self, line: int, text: str) -> date:
        try:
            day = self.dates.convert(text)
        except ValueError as exc:
            raise bad_value(self.file, line, "EFF_DATE", str(exc)) from None
        if self.latest is None or day > self.latest:
            self.latest = day
        return day

    def _year(self, line: int, text: str) -> None:
        if len(text) != 4 or not text.isdigit():
            raise bad_value(self.file, line, "YEAR", f'"{text}" is not a year')
        self.years.add(int(text))


def _table(
    file: SourceFile, rows: Iterator[tuple[int, Sequence[Any]]]
) -> tuple[_Rows, list[LabFee]]:
    reader: _Rows | None = None
    records: list[LabFee] = []
    for line, cells in rows:
        if reader is None:
            if _header_of([cell_text(c) for c in cells]):
                reader = _Rows(file, [cell_text(c) for c in cells], line)
            elif line > 20:
                break
            continue
        if not any(cell_text(c) for c in cells):
            continue
        records.append(reader.record(line, cells))
    if reader is None:
        raise ParseError(
            SourcePos(file.name, 1),
            'no header line "YEAR,HCPCS,MOD,EFF_DATE,..." in the first 20 lines: '
            "not a Clinical Laboratory Fee Schedule file",
        )
    if not records:
        raise ParseError(SourcePos(file.name, 1), "no rates after the header line")
    return reader, records


def _release(file: SourceFile, reader: _Rows) -> tuple[Release, tuple[str, ...]]:
    named = _name_release(file)
    if named is not None:
        return named, ()
    if len(reader.years) != 1 or reader.latest is None:
        raise ParseError(
            SourcePos(file.name, 1),
            "cannot tell which quarter this lab fee schedule is for: keep the quarter in its "
            "name (CLFS_2026_Q2) as CMS does",
        )
    year = reader.years.pop()
    latest = reader.latest if reader.latest.year == year else date(year, 1, 1)
    release = quarter_of(Family.CLFS, latest)
    note = f"quarter taken as {release.id} from the YEAR column and the latest EFF_DATE"
    return release, (note,)


def _parse(file: SourceFile, rows: Iterator[tuple[int, Sequence[Any]]], layout: str) -> ParsedFile:
    # A few thousand rows: read whole, so the release can follow from the rows if need be.
    reader, records = _table(file, rows)
    release, notes = _release(file, reader)
    return ParsedFile(file, layout, Kind.CLFS, release, iter(records), notes=notes)


def _parse_csv(file: SourceFile) -> ParsedFile:
    return _parse(file, csv_records(file), "clfs-csv")


def _parse_xlsx(file: SourceFile) -> ParsedFile:
    return _parse(file, xlsx_rows(file), "clfs-xlsx")


register(Layout("clfs-csv", Kind.CLFS, _sniff_csv, _parse_csv))
register(Layout("clfs-xlsx", Kind.CLFS, _sniff_xlsx, _parse_xlsx))

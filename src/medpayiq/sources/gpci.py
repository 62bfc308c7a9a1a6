"""GPCI (Addendum E): geographic practice cost indices per Medicare locality, 109 localities.

Layouts:
- 2025: MAC, State, Locality Number, Locality Name, PW GPCI (with 1.0 floor), PE, MP.
- 2026: the same with two work columns, "PW GPCI (without 1.0 Floor)" -> `work_no_floor`
  and "PW GPCI (with 1.0 Floor)" -> `work`.
- CSV for both; TXT is fixed width in 2025 and tab-delimited in 2026 (same text as the CSV).
  Columns are found by their titles, so the with/without floor order cannot be mixed up.

The files say only the year ("FINAL CY 2026"), so the release comes from the RVUyyX folder
or zip name, else the year with the A (January) release and a note.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from decimal import Decimal

from medpayiq.errors import ParseError, SourcePos
from medpayiq.records import Gpci, LocalityId
from medpayiq.releases import Kind
from medpayiq.sources._registry import Cursor, Layout, ParsedFile, SourceFile, register
from medpayiq.sources._text import (
    Fields,
    Span,
    clean_name,
    csv_rows,
    decode,
    pfs_release_from,
    text_lines,
    year_from_name,
)

_TITLE = "GEOGRAPHIC PRACTICE COST INDICES"
_PLACES = Decimal("0.001")

# Field names used in messages, in the order of Gpci's constructor below.
NAMES = (
    "Medicare Administrative Contractor (MAC)",
    "State",
    "Locality Number",
    "Locality Name",
    "PW GPCI (with 1.0 Floor)",
    "PE GPCI",
    "MP GPCI",
    "PW GPCI (without 1.0 Floor)",
)

# GPCI2025.txt, 1-based inclusive columns (numbers right-aligned, names left-aligned).
TXT_2025 = (
    Span(NAMES[0], 1, 15),
    Span(NAMES[1], 16, 23),
    Span(NAMES[2], 24, 29),
    Span(NAMES[3], 30, 114),
    Span(NAMES[4], 115, 126),
    Span(NAMES[5], 127, 138),
    Span(NAMES[6], 139, 150),
)


def _sniff(file: SourceFile) -> bool:
    name = file.basename.upper()
    if not name.startswith("GPCI") or not name.endswith((".CSV", ".TXT")):
        return False
    return any(_TITLE in line.upper() for line in file.head(3))


def _column_map(header: Sequence[str], line: int, file: str) -> list[int]:
    """Positions of NAMES[0..7] in a delimited header (-1 for a missing no-floor column)."""
    titles = [cell.strip().upper() for cell in header]

    def find(*needles: str, exclude: str = "") -> int:
        for index, title in enumerate(titles):
            if all(n in title for n in needles) and not (exclude and exclude in title):
                return index
        return -1

    where = [
        find("CONTRACTOR"),
        find("STATE"),
        find("LOCALITY NUMBER"),
        find("LOCALITY NAME"),
        find("PW GPCI", "WITH 1.0", exclude="WITHOUT"),
        find("PE GPCI"),
        find("MP GPCI"),
        find("PW GPCI", "WITHOUT"),
    ]
    if where[4] == -1:
        where[4] = find("PW GPCI", exclude="WITHOUT")
    for index, position in enumerate(where[:7]):
        if position == -1:
            raise ParseError(SourcePos(file, line, NAMES[index]), "column missing from the header")
    return where


def _parse(file: SourceFile) -> ParsedFile:
    text = decode(file)
    first = text[: text.find("\n")] if "\n" in text else text
    delimiter = "\t" if "\t" in first else ","
    fixed = file.basename.upper().endswith(".TXT") and delimiter != "\t"
    year = _year(first) or year_from_name(file.basename)
    release, notes = pfs_release_from(file, year=year, what="GPCI file")
    cursor = Cursor()
    records = (
        _fixed_records(file, text, cursor)
        if fixed
        else _delimited_records(file, text, delimiter, cursor)
    )
    layout = "gpci-txt" if fixed else ("gpci-tab" if delimiter == "\t" else "gpci-csv")
    return ParsedFile(file, layout, Kind.GPCI, release, records, notes=notes, cursor=cursor)


def _year(title: str) -> int | None:
    """ "ADDENDUM E. FINAL CY 2025 GEOGRAPHIC ..." -> 2025."""
    words = title.upper().replace(",", " ").split()
    for before, word in itertools.pairwise(words):
        if before == "CY" and word.isdigit() and len(word) == 4:
            return int(word)
    return None


def _delimited_records(
    file: SourceFile, text: str, delimiter: str, cursor: Cursor
) -> Iterator[Gpci]:
    rows, numbers = csv_rows(text, delimiter)
    header = next((i for i, r in enumerate(rows[:10]) if r and "CONTRACTOR" in r[0].upper()), None)
    if header is None:
        raise ParseError(SourcePos(file.name, 1), "no column header line (MAC, State, ...)")
    where = _column_map(rows[header], numbers[header], file.name)
    width = max(where) + 1
    f = Fields(file.name, NAMES)
    return _delimited(rows[header + 1 :], numbers[header + 1 :], where, width, f, cursor)


def _delimited(
    rows: list[list[str]],
    numbers: list[int],
    where: list[int],
    width: int,
    f: Fields,
    cursor: Cursor,
) -> Iterator[Gpci]:
    for row, line in zip(rows, numbers, strict=True):
        if not row or not row[0].strip()[:1].isdigit():
            continue  # blank rows and the footnotes under the table
        if len(row) < width:
            f.row_width(row, line, width, "GPCI")
        values = [row[i].strip() if i >= 0 else "" for i in where]
        cursor.line = line
        yield _gpci(values, line, f, no_floor=where[7] >= 0)


def _fixed_records(file: SourceFile, text: str, cursor: Cursor) -> Iterator[Gpci]:
    lines = text_lines(text)
    header = next((i for i, ln in enumerate(lines[:10]) if ln.upper().startswith("MEDICARE")), None)
    if header is None:
        raise ParseError(SourcePos(file.name, 1), "no column header line (Medicare ...)")
    f = Fields(file.name, NAMES, TXT_2025)
    return _fixed(lines, header + 1, f, cursor)


def _fixed(lines: list[str], start: int, f: Fields, cursor: Cursor) -> Iterator[Gpci]:
    for number in range(start, len(lines)):
        text = lines[number]
        if not text[:1].isdigit():
            continue
        f.line_width(text, number + 1, TXT_2025)
        values = [span.cut(text) for span in TXT_2025]
        cursor.line = number + 1
        yield _gpci([*values, ""], number + 1, f, no_floor=False)


def _gpci(v: list[str], line: int, f: Fields, *, no_floor: bool) -> Gpci:
    def index(i: int) -> Decimal:
        # GPCIs are published to 3 places; the CSVs went through Excel, which wrote "1" and
        # "1.5" for 1.000 and 1.500. Restore the places so every format reads the same.
        value = f.decimal(v[i], line, i)
        exponent = value.as_tuple().exponent
        return value.quantize(_PLACES) if isinstance(exponent, int) and exponent > -3 else value

    return Gpci(
        locality=LocalityId(f.digits(v[0], line, 0, 5), f.digits(v[2], line, 2, 2)),
        state=f.required(v[1], line, 1),
        name=clean_name(f.required(v[3], line, 3)),
        work=index(4),
        pe=index(5),
        mp=index(6),
        work_no_floor=index(7) if no_floor else None,
    )


LAYOUT = register(Layout("gpci", Kind.GPCI, _sniff, _parse))

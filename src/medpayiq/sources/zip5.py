"""ZIP5: CMS's ZIP code to carrier and locality file (quarterly), 42,956 ZIP codes.

Layouts:
- TXT, fixed width, 80 characters (ZIP5lyout.txt beside the data): state 1-2, ZIP 3-7,
  carrier 8-12, pricing locality 13-14, rural indicator 15 (blank urban, R rural, B super
  rural), lab competitive bid locality 16-17, rural indicator 2 18, filler 19-20, plus four
  flag 21 (1 = the ZIP spans localities: ZIP+4 needed), Part B payment indicator 23,
  filler 24-75, YEAR/QTR 76-80 ("20254").
- XLSX (from Jan 2026 on CMS also ships Excel): one sheet with the columns STATE, ZIP CODE,
  CARRIER, LOCALITY, RURAL IND, LAB CB LOCALITY, RURAL IND2, PLUS 4 FLAG, PART B DRUG
  INDICATOR, YEAR/QTR. Read with openpyxl in read-only mode; numeric cells are turned back
  into zero-padded codes.

The release is the file's own YEAR/QTR (CMS's "YYYYQ"), which every row must share.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from medpayiq.errors import ParseError, SourcePos
from medpayiq.records import LocalityId, ZipLocality
from medpayiq.releases import Kind, Release, zip_release
from medpayiq.sources._registry import Layout, ParsedFile, SourceFile, register
from medpayiq.sources._text import Fields, Span, decode, text_lines

TXT = (
    Span("State", 1, 2),
    Span("Zip Code", 3, 7),
    Span("Carrier", 8, 12),
    Span("Pricing Locality", 13, 14),
    Span("Rural Indicator", 15, 15),
    Span("Bene Lab CB Locality", 16, 17),
    Span("Rural Indicator2", 18, 18),
    Span("Plus Four Flag", 21, 21),
    Span("Part B Payment Indicator", 23, 23),
    Span("Year/Quarter", 76, 80),
)
XLSX_HEADER = (
    "STATE",
    "ZIP CODE",
    "CARRIER",
    "LOCALITY",
    "RURAL IND",
    "LAB CB LOCALITY",
    "RURAL IND2",
    "PLUS 4 FLAG",
    "PART B DRUG INDICATOR",
    "YEAR/QTR",
)
# Which XLSX column feeds each TXT field (same order as TXT).
_XLSX_COLUMNS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
_RURAL = {"": "", "R": "R", "B": "B"}
_PLUS_FOUR = {"0": False, "1": True}


def _sniff_txt(file: SourceFile) -> bool:
    name = file.basename.upper()
    if not name.startswith("ZIP5") or not name.endswith(".TXT"):
        return False
    head = file.head(1)
    return bool(head) and _looks_like_row(head[0])


def _looks_like_row(line: str) -> bool:
    return len(line) >= 80 and line[:2].isalpha() and line[2:7].isdigit() and line[75:80].isdigit()


def _sniff_xlsx(file: SourceFile) -> bool:
    name = file.basename.upper()
    if not name.startswith("ZIP5") or not name.endswith(".XLSX"):
        return False
    with file.open_binary() as stream:
        return stream.read(2) == b"PK"


def _parse_txt(file: SourceFile) -> ParsedFile:
    lines = text_lines(decode(file))
    first = next((n for n, ln in enumerate(lines) if ln.strip()), None)
    f = Fields(file.name, [s.name for s in TXT], TXT)
    if first is None:
        raise ParseError(SourcePos(file.name, 1), "the file has no rows")
    f.line_width(lines[first], first + 1, TXT)
    release = _release(TXT[-1].cut(lines[first]), first + 1, f)
    return ParsedFile(file, "zip5-txt", Kind.ZIP5, release, _txt_records(lines, f, release.id))


def _release(year_quarter: str, line: int, f: Fields) -> Release:
    try:
        return zip_release(year_quarter)
    except ValueError:
        raise f.error(line, len(f.names) - 1, f'"{year_quarter}" is not a YYYYQ quarter') from None


def _txt_records(lines: list[str], f: Fields, year_quarter: str) -> Iterator[ZipLocality]:
    slices = [(s.start - 1, s.end) for s in TXT]
    for number, text in enumerate(lines):
        if not text.strip():
            continue
        f.line_width(text, number + 1, TXT)
        yield _record([text[a:b].strip() for a, b in slices], number + 1, f, year_quarter)


def _record(v: list[str], line: int, f: Fields, year_quarter: str) -> ZipLocality:
    if v[9] != year_quarter:
        raise f.error(line, 9, f'"{v[9]}" differs from the first row\'s {year_quarter}')
    state = v[0]
    if len(state) != 2 or not state.isalpha():
        raise f.error(line, 0, f'"{state}" is not a 2-letter state')
    rural = v[4]
    if rural not in _RURAL:
        raise f.error(line, 4, f'"{rural}" is not blank, R or B')
    return ZipLocality(
        zip5=f.digits(v[1], line, 1, 5),
        state=state,
        locality=LocalityId(f.digits(v[2], line, 2, 5), f.digits(v[3], line, 3, 2)),
        rural=rural,
        plus_four=f.choice(v[7], line, 7, _PLUS_FOUR),
        year_quarter=year_quarter,
    )


# --- XLSX -----------------------------------------------------------------------------------


def _cell(value: object, width: int = 0) -> str:
    """Cell value as the text the TXT would have: None -> "", 0 -> "0", 4412 -> "04412"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text.zfill(width) if width and text.isdigit() else text


_WIDTHS = (0, 5, 5, 2, 0, 0, 0, 0, 0, 5)


def _parse_xlsx(file: SourceFile) -> ParsedFile:
    import openpyxl  # only needed for Excel files

    workbook = openpyxl.load_workbook(file.open_binary(), read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = tuple(_cell(c).upper() for c in next(rows, ()))[: len(XLSX_HEADER)]
    names = [s.name for s in TXT]
    f = Fields(file.name, names)
    for index, want in enumerate(XLSX_HEADER):
        have = header[index] if index < len(header) else None
        if have != want:
            workbook.close()
            raise ParseError(
                SourcePos(file.name, 1, want),
                f'column {index + 1} of the header is "{have}"; expected "{want}"',
            )
    first = next(rows, None)
    if first is None:
        workbook.close()
        raise ParseError(SourcePos(file.name, 2), "the sheet has no rows")
    release = _release(_cell(first[9], 5), 2, f)
    return ParsedFile(
        file, "zip5-xlsx", Kind.ZIP5, release, _xlsx_records(workbook, first, rows, f, release.id)
    )


def _xlsx_records(
    workbook: Any, first: tuple[Any, ...], rows: Iterator[tuple[Any, ...]], f: Fields, yq: str
) -> Iterator[ZipLocality]:
    try:
        line = 2
        for row in _chain(first, rows):
            if len(row) < len(XLSX_HEADER):
                f.row_width([_cell(c) for c in row], line, len(XLSX_HEADER), "ZIP5 XLSX")
            if row[0] is None and row[1] is None:
                line += 1
                continue
            yield _record(
                [_cell(row[i], w) for i, w in zip(_XLSX_COLUMNS, _WIDTHS, strict=True)], line, f, yq
            )
            line += 1
    finally:
        workbook.close()


def _chain(first: tuple[Any, ...], rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    yield first
    yield from rows


LAYOUT_TXT = register(Layout("zip5-txt", Kind.ZIP5, _sniff_txt, _parse_txt))
LAYOUT_XLSX = register(Layout("zip5-xlsx", Kind.ZIP5, _sniff_xlsx, _parse_xlsx))

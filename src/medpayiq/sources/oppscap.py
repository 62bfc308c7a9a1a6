"""OPPSCAP: the imaging codes whose fee schedule amount is capped at the OPPS amount, with
the capped facility and non-facility price per carrier and locality (an oracle for pricing).

Layouts:
- CSV: HCPCS, MOD, PROCSTAT, CARRIER, LOCALITY, FACILITY PRICE, NON-FACILTY PRICE (sic),
  then one empty row of commas at the end.
- TXT: fixed width, 38 characters, no header. The two prices are equal on every row of the
  Oct 2025 file, so their order in the TXT cannot be checked from it; it is taken to follow
  the CSV (facility, then non-facility).

Neither the name ("OPPSCAP_Oct") nor the content gives the year, so the release comes from
the RVUyyX folder or zip name; without one the file is refused with a message saying so.
"""

from __future__ import annotations

from collections.abc import Iterator

from medpayiq.errors import ParseError, SourcePos
from medpayiq.records import LocalityId, OppsCap
from medpayiq.releases import Kind
from medpayiq.sources._registry import Layout, ParsedFile, SourceFile, register
from medpayiq.sources._text import (
    Fields,
    Span,
    csv_rows,
    decode,
    month_letter_from_name,
    pfs_release_from,
    text_lines,
    year_from_name,
)

NAMES = ("HCPCS", "MOD", "PROCSTAT", "CARRIER", "LOCALITY", "FACILITY PRICE", "NON-FACILITY PRICE")
HEADER = (
    "HCPCS",
    "MOD",
    "PROCSTAT",
    "CARRIER",
    "LOCALITY",
    "FACILITY PRICE",
    "NON-FACILTY PRICE",  # sic: CMS's spelling
)

TXT = (
    Span(NAMES[0], 1, 5),
    Span(NAMES[1], 6, 7),
    Span(NAMES[2], 8, 9),
    Span(NAMES[3], 10, 15),
    Span(NAMES[4], 16, 19),
    Span(NAMES[5], 20, 28),
    Span(NAMES[6], 29, 38),
)


def _sniff(file: SourceFile) -> bool:
    name = file.basename.upper()
    if not name.startswith("OPPSCAP") or not name.endswith((".CSV", ".TXT")):
        return False
    head = file.head(1)
    if not head:
        return False
    if name.endswith(".CSV"):
        return head[0].upper().startswith("HCPCS,MOD,PROCSTAT")
    return len(head[0].rstrip()) >= TXT[-2].end


def _parse(file: SourceFile) -> ParsedFile:
    release, notes = pfs_release_from(
        file,
        year=year_from_name(file.basename),
        letter=month_letter_from_name(file.basename),
        what="OPPS cap file",
    )
    text = decode(file)
    if file.basename.upper().endswith(".CSV"):
        records, layout = _csv(file, text), "oppscap-csv"
    else:
        lines = text_lines(text)
        records, layout = _txt(lines, Fields(file.name, NAMES, TXT)), "oppscap-txt"
    return ParsedFile(file, layout, Kind.OPPSCAP, release, records, notes=notes)


def _csv(file: SourceFile, text: str) -> Iterator[OppsCap]:
    rows, numbers = csv_rows(text)
    header = tuple(cell.strip().upper() for cell in rows[0]) if rows else ()
    f = Fields(file.name, NAMES)
    for index, want in enumerate(HEADER):
        if index >= len(header) or header[index] != want:
            found = f'"{header[index]}"' if index < len(header) else "nothing"
            raise ParseError(
                SourcePos(file.name, 1, NAMES[index]),
                f'column {index + 1} of the header is {found}; expected "{want}"',
            )
    return _csv_records(rows[1:], numbers[1:], f)


def _csv_records(rows: list[list[str]], numbers: list[int], f: Fields) -> Iterator[OppsCap]:
    for row, line in zip(rows, numbers, strict=True):
        if not any(cell.strip() for cell in row):
            continue
        f.row_width(row, line, len(NAMES), "OPPSCAP")
        yield _record([cell.strip() for cell in row], line, f)


def _txt(lines: list[str], f: Fields) -> Iterator[OppsCap]:
    slices = [(s.start - 1, s.end) for s in TXT]
    for number, text in enumerate(lines):
        if not text.strip():
            continue
        f.line_width(text, number + 1, TXT)
        yield _record([text[a:b].strip() for a, b in slices], number + 1, f)


def _record(v: list[str], line: int, f: Fields) -> OppsCap:
    modifier = v[1]
    if modifier and (len(modifier) != 2 or not modifier.isalnum()):
        raise f.error(line, 1, f'"{modifier}" is not a modifier')
    return OppsCap(
        hcpcs=f.code(v[0], line, 0, 5),
        modifier=modifier,
        status=f.required(v[2], line, 2),
        locality=LocalityId(f.digits(v[3], line, 3, 5), f.digits(v[4], line, 4, 2)),
        facility=f.decimal(v[5], line, 5),
        nonfacility=f.decimal(v[6], line, 6),
    )


LAYOUT = register(Layout("oppscap", Kind.OPPSCAP, _sniff, _parse))

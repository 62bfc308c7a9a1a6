"""PFALL / PFREV: CMS's own computed payment amounts per carrier, locality, HCPCS and modifier
(PFALLyy: the whole year; PFREVyyX and PFREVn: the codes revised in a later release). The
pricing engine must reproduce them to the cent, so they are its oracle.

Record layout (CMS "Annual Physician Fee Schedule Payment Amount File", data element
locations): every field is quoted and comma separated, no header, 130 characters:

    "YEAR","CARRIER","LOCALITY","HCPCS","MOD","NON-FACILITY FEE","FACILITY FEE","FILLER",
    "PCTC IND","STATUS CODE","MULTIPLE SURGERY IND","50% THERAPY REDUCTION (NON-FACILITY)",
    "50% THERAPY REDUCTION (FACILITY)","OPPS IND","OPPS NON-FACILITY FEE","OPPS FACILITY FEE"

Amounts are 9(7).99 ("0001339.81"). The fees are already capped at the OPPS amount where the
OPPS indicator says so. The file ends with "TRL" lines (copyright statement), which are
skipped. The two therapy reduction amounts are read for validation but not kept
(`PaymentAmount` has no field for them).

The release is the year of the rows (Family.PAYMENT, yearly); every row must share it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from medpayiq.records import LocalityId, PaymentAmount
from medpayiq.releases import Family, Kind, yearly_release
from medpayiq.sources._registry import Layout, ParsedFile, SourceFile, register
from medpayiq.sources._text import Fields

NAMES = (
    "YEAR", "CARRIER", "LOCALITY", "HCPCS", "MOD", "NON-FACILITY FEE", "FACILITY FEE",
    "FILLER", "PCTC IND", "STATUS CODE", "MULTIPLE SURGERY IND",
    "50% THERAPY REDUCTION (NON-FACILITY)", "50% THERAPY REDUCTION (FACILITY)", "OPPS IND",
    "OPPS NON-FACILITY FEE", "OPPS FACILITY FEE",
)  # fmt: skip


def _sniff(file: SourceFile) -> bool:
    name = file.basename.upper()
    if not name.startswith(("PFREV", "PFALL")) or not name.endswith((".TXT", ".CSV")):
        return False
    head = file.head(1)
    return bool(head) and head[0][:1] == '"' and head[0][1:5].isdigit() and head[0][5:8] == '","'


def _parse(file: SourceFile) -> ParsedFile:
    f = Fields(file.name, NAMES)
    head = file.head(1)
    first = next(csv.reader(head[:1]), [])
    f.row_width(first, 1, len(NAMES), "PFALL/PFREV record")
    year = first[0]
    if not (len(year) == 4 and year.isdigit()):
        raise f.error(1, 0, f'"{year}" is not a year')
    release = yearly_release(Family.PAYMENT, int(year))
    # Each revision file (PFREV25C, PFREV4, PFALL25) is its own part of the year's release.
    stem = file.basename.rsplit(".", 1)[0].upper()
    parsed = ParsedFile(file, "pfrev", Kind.PAYMENT, release, iter(()), variant=stem)
    parsed.records = _records(parsed, f, year)
    return parsed


def _trailer(row: list[str]) -> bool:
    return row[0].startswith("TRL")


def _records(parsed: ParsedFile, f: Fields, year: str) -> Iterator[PaymentAmount]:
    """Streams the file (a PFALL has about a million rows). Rows that repeat an earlier
    row's key are counted; the count is added to `parsed.notes` once the rows are read."""
    dec = f.decimal
    seen: dict[int, int] = {}  # hash of the key -> hash of the rest of the row
    repeats = conflicts = 0
    # CMS payment files are ASCII; Latin-1 reads any byte, so decoding cannot fail.
    with parsed.source.open_text(encoding="latin-1") as stream:
        reader = csv.reader(stream)
        for row in reader:
            line = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()) or _trailer(row):
                continue
            f.row_width(row, line, len(NAMES), "PFALL/PFREV record")
            if row[0] != year:
                raise f.error(line, 0, f'"{row[0]}" differs from the first row\'s year {year}')
            modifier = row[4].strip()
            if modifier and (len(modifier) != 2 or not modifier.isalnum()):
                raise f.error(line, 4, f'"{modifier}" is not a modifier')
            dec(row[11], line, 11)  # therapy reduction amounts: checked, not kept
            dec(row[12], line, 12)
            key, rest = hash((row[1], row[2], row[3], modifier)), hash(tuple(row[5:]))
            if key in seen:
                repeats += 1
                conflicts += seen[key] != rest
            seen[key] = rest
            yield PaymentAmount(
                year=int(year),
                locality=LocalityId(f.digits(row[1], line, 1, 5), f.digits(row[2], line, 2, 2)),
                hcpcs=f.code(row[3], line, 3, 5),
                modifier=modifier,
                nonfacility=dec(row[5], line, 5),
                facility=dec(row[6], line, 6),
                pctc=f.required(row[8].strip(), line, 8),
                status=f.required(row[9].strip(), line, 9),
                mult_surg=f.required(row[10].strip(), line, 10),
                opps_indicator=f.required(row[13].strip(), line, 13),
                opps_nonfacility=dec(row[14], line, 14),
                opps_facility=dec(row[15], line, 15),
            )
    if repeats:
        parsed.notes = (
            *parsed.notes,
            f"{repeats} rows repeat the carrier, locality, HCPCS and modifier of an earlier row"
            + (f"; {conflicts} of them with different amounts" if conflicts else " (same amounts)"),
        )


LAYOUT = register(Layout("pfrev", Kind.PAYMENT, _sniff, _parse))

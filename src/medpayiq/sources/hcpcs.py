"""HCPCS Level II code lists.

Layouts read:
- the CSV in shared/data with descriptions and indicators (`hcpcs_code, long_description,
  short_description, price, ..., date_term, date_added, ...`, ISO dates), from the July 2024
  alpha-numeric HCPCS file;
- a codes-only list, one five-character code a line (`hcpcs_level2_2026q3.txt`, taken from
  CMS's HCPC2026_JUL_ANWEB file with the modifier records removed). Its records have empty
  descriptions.
CMS's own fixed-width alpha-numeric file (HCPCyyyy_..._ANWEB.txt) is not read yet.
The release is the year in the file name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from medpayiq.errors import ParseError, SourcePos
from medpayiq.records import HcpcsLevel2
from medpayiq.releases import Family, Kind
from medpayiq.sources._csvutil import (
    DateCache,
    bad_value,
    exact,
    parse_any_date,
    table_rows,
    text_stream,
    year_release,
)
from medpayiq.sources._registry import Layout, ParsedFile, SourceFile, register

# Level II codes: a letter A-V then four digits (A0021, J3490, V5362).
_CODE = re.compile(r"^[A-Z][0-9]{4}$")
_CODES_ONLY_NAME = re.compile(r"^hcpcs_level2_\d{4}(q[1-4])?\.txt$", re.IGNORECASE)
_COLUMNS = {
    name: exact(name)
    for name in ("hcpcs_code", "long_description", "short_description", "date_added", "date_term")
}


def _sniff_csv(file: SourceFile) -> bool:
    head = file.head(1)
    return bool(head) and head[0].lower().startswith(
        "hcpcs_code,long_description,short_description,"
    )


def _csv_records(file: SourceFile) -> Iterator[HcpcsLevel2]:
    dates = DateCache(parse_any_date)

    def day(line: int, name: str, text: str) -> date | None:
        if not text:
            return None
        try:
            return dates.convert(text)
        except ValueError as exc:
            raise bad_value(file, line, name, str(exc)) from exc

    for line, columns, row in table_rows(file, _COLUMNS):
        code = columns.get(row, "hcpcs_code").upper()
        if not _CODE.match(code):
            raise bad_value(file, line, "hcpcs_code", f'"{code}" is not a HCPCS Level II code')
        yield HcpcsLevel2(
            code,
            columns.get(row, "long_description"),
            columns.get(row, "short_description"),
            day(line, "date_added", columns.get(row, "date_added")),
            day(line, "date_term", columns.get(row, "date_term")),
        )


def _parse_csv(file: SourceFile) -> ParsedFile:
    release = year_release(file, Family.CODESET, "HCPCS")
    return ParsedFile(file, "hcpcs-level2-csv", Kind.HCPCS, release, _csv_records(file))


def _sniff_codes_only(file: SourceFile) -> bool:
    if not _CODES_ONLY_NAME.match(file.basename):
        return False
    head = [line.strip() for line in file.head(10)]
    return bool(head) and all(_CODE.match(line) for line in head if line)


def _codes_only_records(file: SourceFile) -> Iterator[HcpcsLevel2]:
    with text_stream(file) as text:
        for line, raw in enumerate(text, start=1):
            code = raw.strip().upper()
            if not code:
                continue
            if not _CODE.match(code):
                raise ParseError(
                    SourcePos(file.name, line, "code"), f'"{code}" is not a HCPCS Level II code'
                )
            yield HcpcsLevel2(code, "", "")


def _parse_codes_only(file: SourceFile) -> ParsedFile:
    release = year_release(file, Family.CODESET, "HCPCS")
    return ParsedFile(
        file,
        "hcpcs-level2-codes-txt",
        Kind.HCPCS,
        release,
        _codes_only_records(file),
        notes=("codes only: no descriptions, no added or termination dates",),
    )


register(Layout("hcpcs-level2-csv", Kind.HCPCS, _sniff_csv, _parse_csv))
register(Layout("hcpcs-level2-codes-txt", Kind.HCPCS, _sniff_codes_only, _parse_codes_only))

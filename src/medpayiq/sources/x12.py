"""X12 claim adjustment codes: CARC (reason), RARC (remark) and the group codes.

Layout read: the CSV in shared/data (`adj_code, adj_type (Group | CARC | RARC),
adj_description, adj_usage, adj_notes, adj_start_date, adj_last_modified, adj_end_date`,
ISO dates), scraped from x12.org. X12 publishes these lists as web pages, not files, so this
derived layout is the one we read. Deactivated codes are kept with their end date.
The release is the year in the file name (2024-06 -> 2024).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from medpayiq.records import AdjustmentCode
from medpayiq.releases import Family, Kind
from medpayiq.sources._csvutil import (
    DateCache,
    bad_value,
    exact,
    parse_any_date,
    table_rows,
    year_release,
)
from medpayiq.sources._registry import Layout, ParsedFile, SourceFile, register

_KINDS = {"carc": "CARC", "rarc": "RARC", "group": "Group"}
_COLUMNS = {
    "adj_code": exact("adj_code"),
    "adj_type": exact("adj_type"),
    "adj_description": exact("adj_description"),
    "adj_start_date": exact("adj_start_date"),
    "adj_end_date": exact("adj_end_date"),
}


def _sniff(file: SourceFile) -> bool:
    head = file.head(1)
    return bool(head) and head[0].lower().startswith("adj_code,adj_type,")


def _records(file: SourceFile) -> Iterator[AdjustmentCode]:
    dates = DateCache(parse_any_date)

    def day(line: int, name: str, text: str) -> date | None:
        if not text:
            return None
        try:
            return dates.convert(text)
        except ValueError as exc:
            raise bad_value(file, line, name, str(exc)) from exc

    for line, columns, row in table_rows(file, _COLUMNS):
        code = columns.get(row, "adj_code").upper()
        kind = _KINDS.get(columns.get(row, "adj_type").lower())
        if not code:
            raise bad_value(file, line, "adj_code", "code is empty")
        if kind is None:
            raise bad_value(
                file,
                line,
                "adj_type",
                f'"{columns.get(row, "adj_type")}" is not CARC, RARC or Group',
            )
        yield AdjustmentCode(
            code,
            kind,
            columns.get(row, "adj_description"),
            day(line, "adj_start_date", columns.get(row, "adj_start_date")),
            day(line, "adj_end_date", columns.get(row, "adj_end_date")),
        )


def _parse(file: SourceFile) -> ParsedFile:
    release = year_release(file, Family.CODESET, "CARC/RARC")
    return ParsedFile(file, "x12-adjustment-codes-csv", Kind.ADJUSTMENT, release, _records(file))


register(Layout("x12-adjustment-codes-csv", Kind.ADJUSTMENT, _sniff, _parse))

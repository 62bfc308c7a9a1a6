"""CMS place of service codes (01-99) with their facility / non-facility setting.

Layout read: the CSV in shared/data (`pos_code, pos_type (Facility | Non-Facility |
Unassigned), pos_name, pos_description`). CMS publishes the code set as a web page, not a
file; the facility setting is the one the physician fee schedule uses to choose the facility
or non-facility PE RVU. Unassigned codes are kept with `facility=None`.
The release is the year in the file name.
"""

from __future__ import annotations

from collections.abc import Iterator

from medpayiq.records import PlaceOfService
from medpayiq.releases import Family, Kind
from medpayiq.sources._csvutil import bad_value, exact, table_rows, year_release
from medpayiq.sources._registry import Layout, ParsedFile, SourceFile, register

_SETTINGS: dict[str, bool | None] = {"facility": True, "non-facility": False, "unassigned": None}
_COLUMNS = {name: exact(name) for name in ("pos_code", "pos_type", "pos_name", "pos_description")}


def _sniff(file: SourceFile) -> bool:
    head = file.head(1)
    return bool(head) and head[0].lower().startswith("pos_code,pos_type,")


def _records(file: SourceFile) -> Iterator[PlaceOfService]:
    for line, columns, row in table_rows(file, _COLUMNS):
        code = columns.get(row, "pos_code")
        setting = columns.get(row, "pos_type")
        if not (len(code) == 2 and code.isdigit()):
            raise bad_value(
                file, line, "pos_code", f'"{code}" is not a two-digit place of service code'
            )
        if setting.lower() not in _SETTINGS:
            raise bad_value(
                file, line, "pos_type", f'"{setting}" is not Facility, Non-Facility or Unassigned'
            )
        yield PlaceOfService(
            code,
            columns.get(row, "pos_name"),
            _SETTINGS[setting.lower()],
            columns.get(row, "pos_description"),
        )


def _parse(file: SourceFile) -> ParsedFile:
    release = year_release(file, Family.CODESET, "place of service")
    return ParsedFile(file, "cms-pos-csv", Kind.POS, release, _records(file))


register(Layout("cms-pos-csv", Kind.POS, _sniff, _parse))

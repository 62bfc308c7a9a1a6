"""CPT (Level I) and HCPCS (Level II) modifiers with their titles.

Layout read: the CSV in shared/data (`mod_code, mod_type (CPT | HCPCS), mod_category,
mod_description`). A few modifiers (KX, P1-P6) have one row per category; each row is kept.
CPT modifier titles are AMA copyright: show the AMA notice wherever they are displayed.
The release is the year in the file name.
"""

from __future__ import annotations

from collections.abc import Iterator

from medpayiq.records import Modifier
from medpayiq.releases import Family, Kind
from medpayiq.sources._csvutil import bad_value, exact, table_rows, year_release
from medpayiq.sources._registry import Layout, ParsedFile, SourceFile, register

_COLUMNS = {
    name: exact(name) for name in ("mod_code", "mod_type", "mod_category", "mod_description")
}
_TYPES = {"cpt": "CPT", "hcpcs": "HCPCS"}


def _sniff(file: SourceFile) -> bool:
    head = file.head(1)
    return bool(head) and head[0].lower().startswith("mod_code,mod_type,")


def _records(file: SourceFile) -> Iterator[Modifier]:
    for line, columns, row in table_rows(file, _COLUMNS):
        code = columns.get(row, "mod_code").upper()
        kind = _TYPES.get(columns.get(row, "mod_type").lower())
        if not (len(code) == 2 and code.isalnum()):
            raise bad_value(file, line, "mod_code", f'"{code}" is not a two-character modifier')
        if kind is None:
            raise bad_value(
                file, line, "mod_type", f'"{columns.get(row, "mod_type")}" is not CPT or HCPCS'
            )
        yield Modifier(
            code, kind, columns.get(row, "mod_category"), columns.get(row, "mod_description")
        )


def _parse(file: SourceFile) -> ParsedFile:
    release = year_release(file, Family.CODESET, "modifier")
    return ParsedFile(
        file,
        "modifiers-csv",
        Kind.MODIFIER,
        release,
        _records(file),
        notes=("CPT modifier titles are AMA copyright",),
    )


register(Layout("modifiers-csv", Kind.MODIFIER, _sniff, _parse))

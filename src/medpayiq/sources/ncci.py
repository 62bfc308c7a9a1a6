"""NCCI edit tables: practitioner PTP, MUE (practitioner, outpatient hospital), add-on codes.

Layouts read (details, quirks and how each release is decided: docs/sources/coding.md):

- PTP, CMS's own: the tab-delimited `ccipra-vNNNrN-fN.TXT` inside each quarterly zip (a
  copyright line, "Column1/Column2 Edits", a header wrapped over four lines, then rows of
  column 1, column 2, pre-1996 "*", effective YYYYMMDD, deletion YYYYMMDD or "*", modifier
  indicator 0/1/9, rationale) and its `.xlsx` twin.
- PTP, derived: the CSV in shared/data (`column_1,column_2,deletion_date,modifier_indicator,
  ptp_edit_rationale`), which lost the effective date and the pre-1996 flag.
- MUE, CMS's own: `MCR_MUE_{Practitioner|OutpatientHospital}Services_Eff_MM-DD-YYYY.csv`
  (a quoted copyright cell, then "HCPCS/CPT Code", "... Services MUE Values",
  "MUE Adjudication Indicator" as "2 Date of Service Edit: Policy", "MUE Rationale") and
  its `.xlsx` twin; MUE, derived: `hcpcs_cpt_code,mue_value,mue_adjudication_indicator,...`.
- Add-on codes, CMS's own: `AOC_VyyyyQn...-MCR.xlsx` (YYYYDDD Julian dates); derived:
  `primary_code,add_on_code,aoc_edit_type` (no dates; `CCCCC` = contractor-defined primary).

The release is the NCCI quarter: from the version in a PTP name (v30.2 = 2024 Q3), the
effective date in a MUE name, the quarter in an AOC name, else a "2024Q3" folder or zip name.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any

from medpayiq.errors import ParseError, SourcePos
from medpayiq.records import AddonEdit, MueEdit, PtpEdit
from medpayiq.releases import Kind, Release, ncci_release
from medpayiq.sources._csvutil import (
    Columns,
    DateCache,
    bad_value,
    cell_text,
    code_text,
    csv_records,
    exact,
    ncci_release_from_names,
    normalize_header,
    parse_julian,
    parse_yyyymmdd,
    quarter_release,
    starts,
    text_stream,
    xlsx_rows,
)
from medpayiq.sources._registry import Layout, ParsedFile, SourceFile, register

_MODIFIER_INDICATORS = frozenset({"0", "1", "9"})
_MAI = frozenset({"1", "2", "3"})
_AOC_TYPES = frozenset({"1", "2", "3"})
_NO_DATE = frozenset({"", "*"})
_MISSING: Any = object()

# Field names used in error messages: CMS's own column titles.
_F_COL1, _F_COL2 = "Column 1", "Column 2"
_F_PRE1996 = "* = In existence prior to 1996"
_F_EFFECTIVE, _F_DELETION = "Effective Date", "Deletion Date"
_F_MODIFIER, _F_RATIONALE = "Modifier", "PTP Edit Rationale"


def _release(file: SourceFile, what: str) -> Release:
    release = ncci_release_from_names(file)
    if release is None:
        raise ParseError(
            SourcePos(file.name, 1),
            f"cannot tell which NCCI quarter this {what} file is: keep CMS's file name "
            "(ccipra-v302r0-f1.TXT, MCR_MUE_..._Eff_07-01-2024.csv) or put it in a folder "
            "named like 2024Q3",
        )
    return release


# --- PTP: derived CSV -----------------------------------------------------------------------

_PTP_DERIVED_HEADER = "column_1,column_2,deletion_date,modifier_indicator,ptp_edit_rationale"


def _sniff_ptp_derived(file: SourceFile) -> bool:
    head = file.head(1)
    return bool(head) and head[0].strip().lower() == _PTP_DERIVED_HEADER


def _ptp_derived_records(file: SourceFile) -> Iterator[PtpEdit]:
    # The hot loop of the biggest table (2.5M rows): one csv.reader, interned strings and
    # one dict look-up per deletion date; line numbers are only computed for errors.
    names = _PTP_DERIVED_HEADER.split(",")
    deletions: dict[str, date | None] = {"": None, "*": None}
    intern = sys.intern
    with text_stream(file) as text:
        reader = csv.reader(text)
        next(reader, None)
        for row in reader:
            if len(row) != 5:
                if not row:
                    continue
                raise ParseError(
                    SourcePos(file.name, reader.line_num), f"expected 5 fields, found {len(row)}"
                )
            column1, column2, deletion, indicator, rationale = row
            if indicator not in _MODIFIER_INDICATORS:
                raise bad_value(
                    file,
                    reader.line_num,
                    names[3],
                    f'"{indicator}" is not a modifier indicator (0, 1 or 9)',
                )
            if not column1 or not column2:
                raise bad_value(
                    file, reader.line_num, names[0] if not column1 else names[1], "code is empty"
                )
            deleted = deletions.get(deletion, _MISSING)
            if deleted is _MISSING:
                try:
                    deleted = deletions[deletion] = parse_yyyymmdd(deletion)
                except ValueError as exc:
                    raise bad_value(file, reader.line_num, names[2], str(exc)) from exc
            yield PtpEdit(
                intern(column1), intern(column2), None, deleted, indicator, intern(rationale)
            )


def _parse_ptp_derived(file: SourceFile) -> ParsedFile:
    return ParsedFile(
        file,
        "ncci-ptp-derived-csv",
        Kind.PTP,
        _release(file, "PTP"),
        _ptp_derived_records(file),
        notes=("derived CSV: no effective dates and no pre-1996 flag; deleted edits included",),
    )


# --- PTP: CMS's tab-delimited TXT and its XLSX twin -------------------------------------------


class _PtpRows:
    """Turns CMS PTP rows (already split into text fields) into PtpEdits, with the header
    block skipped. Shared by the TXT and XLSX readers."""

    def __init__(self, file: SourceFile) -> None:
        self.file = file
        self.dates = DateCache(parse_yyyymmdd)
        # Interned: 2.5M rows hold ~20,000 distinct codes and ~30 rationales, so sharing
        # one str per value cuts the table's memory by more than half.
        self.pool = sys.intern
        self.in_header = False
        self.seen_header = False

    def feed(self, line: int, fields: Sequence[str]) -> PtpEdit | None:
        first = fields[0].strip() if fields else ""
        if not self.seen_header:
            self._look_for_header(line, fields)
            return None
        if not first:
            if any(f.strip() for f in fields) and self.in_header:
                return None  # the header's wrapped continuation lines
            if not any(f.strip() for f in fields):
                return None
            raise bad_value(self.file, line, _F_COL1, "code is empty")
        self.in_header = False
        return self._edit(line, fields)

    def _look_for_header(self, line: int, fields: Sequence[str]) -> None:
        cells = [normalize_header(f) for f in fields[:2]]
        if cells == ["column 1", "column 2"]:
            self.seen_header = self.in_header = True
        elif line > 20:
            raise ParseError(
                SourcePos(self.file.name, 1),
                'no "Column 1 / Column 2" header row in the first 20 lines: not a CMS PTP file',
            )

    def _edit(self, line: int, fields: Sequence[str]) -> PtpEdit:
        if len(fields) < 6:
            raise ParseError(
                SourcePos(self.file.name, line),
                f"expected 7 tab-separated fields, found {len(fields)}",
            )
        column1, column2, pre1996, effective, deletion, indicator = (f.strip() for f in fields[:6])
        rationale = fields[6].strip() if len(fields) > 6 else ""
        if indicator not in _MODIFIER_INDICATORS:
            raise bad_value(
                self.file,
                line,
                _F_MODIFIER,
                f'"{indicator}" is not a modifier indicator (0, 1 or 9)',
            )
        if not column2:
            raise bad_value(self.file, line, _F_COL2, "code is empty")
        if pre1996 not in _NO_DATE:
            raise bad_value(self.file, line, _F_PRE1996, f'"{pre1996}" is neither "*" nor empty')
        try:
            starts_on = self.dates.convert(effective)
        except ValueError as exc:
            raise bad_value(self.file, line, _F_EFFECTIVE, str(exc)) from exc
        try:
            deleted = None if deletion in _NO_DATE else self.dates.convert(deletion)
        except ValueError as exc:
            raise bad_value(self.file, line, _F_DELETION, str(exc)) from exc
        pool = self.pool
        return PtpEdit(
            pool(column1.upper()),
            pool(column2.upper()),
            starts_on,
            deleted,
            indicator,
            pool(rationale),
        )

    def finish(self) -> None:
        if not self.seen_header:
            raise ParseError(SourcePos(self.file.name, 1), 'no "Column 1 / Column 2" header row')


_PTP_TXT_NAME = re.compile(r"^ccipra-v\d{3}r\d+(-f\d+)?\.txt$", re.IGNORECASE)
_PTP_XLSX_NAME = re.compile(r"^ccipra-v\d{3}r\d+(-f\d+)?\.xlsx$", re.IGNORECASE)


def _sniff_ptp_txt(file: SourceFile) -> bool:
    # CMS's name, or (renamed file) the title line and the tab-delimited header.
    if _PTP_TXT_NAME.match(file.basename):
        return True
    head = file.head(8)
    return (
        any(line.split("\t", 1)[0].strip() == "Column1/Column2 Edits" for line in head)
        and any(line.startswith("Column 1\tColumn 2") for line in head)
        and not file.basename.lower().startswith("ccioph")
    )


def _ptp_txt_records(file: SourceFile) -> Iterator[PtpEdit]:
    rows = _PtpRows(file)
    for line, fields in csv_records(file, delimiter="\t", quoting_none=True):
        edit = rows.feed(line, fields)
        if edit is not None:
            yield edit
    rows.finish()


_PART = re.compile(r"-(f\d+)\.", re.IGNORECASE)


def _part(file: SourceFile) -> str:
    """CMS splits a quarter's PTP table into files f1-f4: the variant tells the parts apart."""
    m = _PART.search(file.basename)
    return m.group(1).lower() if m else ""


def _parse_ptp_txt(file: SourceFile) -> ParsedFile:
    return ParsedFile(
        file,
        "ncci-ptp-cms-txt",
        Kind.PTP,
        _release(file, "PTP"),
        _ptp_txt_records(file),
        variant=_part(file),
    )


def _ptp_xlsx_records(file: SourceFile) -> Iterator[PtpEdit]:
    rows = _PtpRows(file)
    for line, cells in xlsx_rows(file):
        fields = [
            code_text(c) if i < 2 and c is not None else cell_text(c) for i, c in enumerate(cells)
        ]
        edit = rows.feed(line, fields)
        if edit is not None:
            yield edit
    rows.finish()


def _parse_ptp_xlsx(file: SourceFile) -> ParsedFile:
    return ParsedFile(
        file,
        "ncci-ptp-cms-xlsx",
        Kind.PTP,
        _release(file, "PTP"),
        _ptp_xlsx_records(file),
        variant=_part(file),
    )


# --- MUE ---------------------------------------------------------------------------------------

_MUE_NAME = re.compile(r"^MCR_MUE_(\w+?)Services?_Eff_(\d{2})-(\d{2})-(\d{4})", re.IGNORECASE)
_MUE_DERIVED_HEADER = "hcpcs_cpt_code,mue_value,mue_adjudication_indicator,mue_rationale"
_MUE_KINDS = {"practitioner": Kind.MUE, "outpatienthospital": Kind.MUE_OUTPATIENT}


def _mue_kind(file: SourceFile) -> Kind | None:
    m = _MUE_NAME.match(file.basename)
    return _MUE_KINDS.get(m.group(1).lower().replace("_", "")) if m else None


def _mue_release(file: SourceFile) -> Release:
    m = _MUE_NAME.match(file.basename)
    if m:
        try:
            return quarter_release(date(int(m.group(4)), int(m.group(2)), int(m.group(3))))
        except ValueError:
            pass  # an impossible date in the name: fall back to the folder name
    return _release(file, "MUE")


def _sniff_mue_derived(file: SourceFile) -> bool:
    head = file.head(1)
    return (
        _mue_kind(file) is not None
        and bool(head)
        and head[0].strip().lower() == _MUE_DERIVED_HEADER
    )


def _sniff_mue_cms_csv(file: SourceFile) -> bool:
    if _mue_kind(file) is None or not file.basename.lower().endswith(".csv"):
        return False
    return any("MUE Adjudication Indicator" in line for line in file.head(40))


def _sniff_mue_cms_xlsx(file: SourceFile) -> bool:
    return _mue_kind(file) is not None and file.basename.lower().endswith(".xlsx")


class _MueRows:
    """Finds the MUE header row (after CMS's copyright cell) and reads the rows under it."""

    def __init__(self, file: SourceFile) -> None:
        self.file = file
        self.columns: Columns | None = None

    def feed(self, line: int, fields: Sequence[str]) -> MueEdit | None:
        if self.columns is None:
            self._look_for_header(line, fields)
            return None
        if not any(f.strip() for f in fields):
            return None
        return self._edit(line, fields)

    def _look_for_header(self, line: int, fields: Sequence[str]) -> None:
        first = normalize_header(fields[0]) if fields else ""
        if first.replace(" ", "").startswith(("hcpcs/cpt", "hcpcs_cpt")):
            self.columns = Columns.find(
                self.file,
                line,
                fields,
                {
                    "HCPCS/CPT Code": lambda c: c.replace(" ", "").startswith(
                        ("hcpcs/cpt", "hcpcs_cpt")
                    ),
                    "MUE Values": lambda c: "mue value" in c or c == "mue_value",
                    "MUE Adjudication Indicator": starts(
                        "mue adjudication indicator", "mue_adjudication"
                    ),
                    "MUE Rationale": starts("mue rationale", "mue_rationale"),
                },
            )
        elif line > 40:
            raise ParseError(
                SourcePos(self.file.name, 1), 'no "HCPCS/CPT Code" header row in the first 40 lines'
            )

    def _edit(self, line: int, fields: Sequence[str]) -> MueEdit:
        columns = self.columns
        assert columns is not None
        code = columns.get(fields, "HCPCS/CPT Code").upper()
        value = columns.get(fields, "MUE Values")
        indicator = columns.get(fields, "MUE Adjudication Indicator")
        if not code:
            raise bad_value(self.file, line, "HCPCS/CPT Code", "code is empty")
        if not value.isdigit():
            raise bad_value(
                self.file, line, "MUE Values", f'"{value}" is not a whole number of units'
            )
        mai = indicator[:1]
        if mai not in _MAI or (len(indicator) > 1 and indicator[1] != " "):
            raise bad_value(
                self.file,
                line,
                "MUE Adjudication Indicator",
                f'"{indicator}" does not start with an indicator 1, 2 or 3',
            )
        return MueEdit(code, int(value), mai, columns.get(fields, "MUE Rationale"))

    def finish(self) -> None:
        if self.columns is None:
            raise ParseError(SourcePos(self.file.name, 1), 'no "HCPCS/CPT Code" header row')


def _mue_csv_records(file: SourceFile) -> Iterator[MueEdit]:
    rows = _MueRows(file)
    for line, fields in csv_records(file):
        edit = rows.feed(line, fields)
        if edit is not None:
            yield edit
    rows.finish()


def _mue_xlsx_records(file: SourceFile) -> Iterator[MueEdit]:
    rows = _MueRows(file)
    for line, cells in xlsx_rows(file):
        fields = [
            code_text(c) if i == 0 and isinstance(c, int | float) else cell_text(c)
            for i, c in enumerate(cells)
        ]
        edit = rows.feed(line, fields)
        if edit is not None:
            yield edit
    rows.finish()


def _mue_parser(
    layout: str, reader: Callable[[SourceFile], Iterator[MueEdit]], note: str = ""
) -> Callable[[SourceFile], ParsedFile]:
    def parse(file: SourceFile) -> ParsedFile:
        kind = _mue_kind(file)
        assert kind is not None  # the sniff checked the name
        notes = (note,) if note else ()
        return ParsedFile(file, layout, kind, _mue_release(file), reader(file), notes=notes)

    return parse


# --- Add-on code edits ---------------------------------------------------------------------------

_AOC_DERIVED_HEADER = "primary_code,add_on_code,aoc_edit_type"
_AOC_QUARTER_NAME = re.compile(r"^AOC_V(\d{4})Q([1-4])", re.IGNORECASE)
_AOC_DATED_NAME = re.compile(r"^AOC_(\d{4})-(\d{2})-(\d{2})", re.IGNORECASE)
_AOC_XLSX_NAME = re.compile(r"^AOC_V\d{4}Q[1-4][^.]*-MCR\.xlsx$", re.IGNORECASE)


def _aoc_release(file: SourceFile) -> Release:
    name = file.basename
    if m := _AOC_QUARTER_NAME.match(name):
        return ncci_release(f"{m.group(1)}Q{m.group(2)}")
    if m := _AOC_DATED_NAME.match(name):
        # A dated AOC file is named for the day CMS posted it. CMS posts each quarter's NCCI
        # files about a month before the quarter starts (June for July), so the file belongs
        # to the first quarter starting on or after that day: AOC_2024-06-03 -> 2024Q3.
        return _quarter_starting_on_or_after(
            date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        )
    return _release(file, "add-on code")


def _quarter_starting_on_or_after(day: date) -> Release:
    current = quarter_release(day)
    if current.effective_from == day:
        return current
    assert current.effective_to is not None
    return quarter_release(date.fromordinal(current.effective_to.toordinal() + 1))


def _sniff_aoc_derived(file: SourceFile) -> bool:
    head = file.head(1)
    return bool(head) and head[0].strip().lower() == _AOC_DERIVED_HEADER


def _aoc_derived_records(file: SourceFile) -> Iterator[AddonEdit]:
    names = _AOC_DERIVED_HEADER.split(",")
    for line, row in csv_records(file):
        if line == 1 or not row:
            continue
        if len(row) != 3:
            raise ParseError(SourcePos(file.name, line), f"expected 3 fields, found {len(row)}")
        primary, addon, edit_type = (f.strip() for f in row)
        if edit_type not in _AOC_TYPES:
            raise bad_value(
                file, line, names[2], f'"{edit_type}" is not an add-on edit type (1, 2 or 3)'
            )
        if not primary or not addon:
            raise bad_value(file, line, names[0] if not primary else names[1], "code is empty")
        yield AddonEdit(primary.upper(), addon.upper(), edit_type)


def _parse_aoc_derived(file: SourceFile) -> ParsedFile:
    return ParsedFile(
        file,
        "ncci-aoc-derived-csv",
        Kind.ADDON,
        _aoc_release(file),
        _aoc_derived_records(file),
        notes=("derived CSV: no effective or deletion dates; CCCCC = contractor-defined primary",),
    )


def _aoc_key(cell: str) -> str:
    """ "AOC_Edit_EffDT", "AOC Edit Eff DT (Julian)" -> "aocediteffdt"."""
    key = re.sub(r"[^a-z0-9]", "", cell.lower())
    return key.removesuffix("julian")


_AOC_COLUMNS = {
    "Add-On_Code": "addoncode",
    "Primary_Code": "primarycode",
    "AOC_Edit_Type": "aocedittype",
    "AOC_Edit_EffDT": "aocediteffdt",
    "AOC_Edit_DelDT": "aoceditdeldt",
    "AOC_DelDT": "aocdeldt",
    "Primary_Code_DelDT": "primarycodedeldt",
}


def _sniff_aoc_xlsx(file: SourceFile) -> bool:
    return bool(_AOC_XLSX_NAME.match(file.basename))


def _aoc_xlsx_records(file: SourceFile) -> Iterator[AddonEdit]:
    dates = DateCache(parse_julian)
    columns: Columns | None = None
    for line, cells in xlsx_rows(file):
        if columns is None:
            keys = [_aoc_key(cell_text(c)) for c in cells]
            if "addoncode" in keys:
                columns = Columns.find(
                    file,
                    line,
                    keys,
                    {name: exact(key) for name, key in _AOC_COLUMNS.items()},
                    optional=("AOC_DelDT", "Primary_Code_DelDT"),
                )
            elif line > 20:
                raise ParseError(
                    SourcePos(file.name, 1), 'no "Add-On_Code" header row in the first 20 lines'
                )
            continue
        if not any(c is not None and cell_text(c) for c in cells):
            continue
        yield _aoc_edit(file, line, columns, cells, dates)
    if columns is None:
        raise ParseError(SourcePos(file.name, 1), 'no "Add-On_Code" header row')


def _aoc_edit(
    file: SourceFile, line: int, columns: Columns, cells: Sequence[Any], dates: DateCache
) -> AddonEdit:
    def text(name: str, *, code: bool = False) -> str:
        position = columns.index.get(name)
        if position is None or position >= len(cells):
            return ""
        value = cells[position]
        return code_text(value) if code and value is not None else cell_text(value)

    def day(name: str) -> date | None:
        raw = text(name)
        if raw in _NO_DATE:
            return None
        try:
            return dates.convert(raw)
        except ValueError as exc:
            raise bad_value(file, line, name, str(exc)) from exc

    addon, primary, edit_type = (
        text("Add-On_Code", code=True),
        text("Primary_Code", code=True),
        text("AOC_Edit_Type"),
    )
    if edit_type not in _AOC_TYPES:
        raise bad_value(
            file, line, "AOC_Edit_Type", f'"{edit_type}" is not an add-on edit type (1, 2 or 3)'
        )
    if not addon or not primary:
        raise bad_value(file, line, "Add-On_Code" if not addon else "Primary_Code", "code is empty")
    # The pair stops applying when the edit, the add-on code or the primary code is deleted.
    ends = [d for d in (day("AOC_Edit_DelDT"), day("AOC_DelDT"), day("Primary_Code_DelDT")) if d]
    return AddonEdit(primary, addon, edit_type, day("AOC_Edit_EffDT"), min(ends) if ends else None)


def _parse_aoc_xlsx(file: SourceFile) -> ParsedFile:
    return ParsedFile(
        file, "ncci-aoc-cms-xlsx", Kind.ADDON, _aoc_release(file), _aoc_xlsx_records(file)
    )


# --- registration (most specific first) ---------------------------------------------------------

register(Layout("ncci-ptp-derived-csv", Kind.PTP, _sniff_ptp_derived, _parse_ptp_derived))
register(Layout("ncci-ptp-cms-txt", Kind.PTP, _sniff_ptp_txt, _parse_ptp_txt))
register(
    Layout(
        "ncci-ptp-cms-xlsx",
        Kind.PTP,
        lambda f: bool(_PTP_XLSX_NAME.match(f.basename)),
        _parse_ptp_xlsx,
    )
)


def _mue_sniffer(kind: Kind, sniff: Callable[[SourceFile], bool]) -> Callable[[SourceFile], bool]:
    return lambda file: _mue_kind(file) is kind and sniff(file)


for _kind in (Kind.MUE, Kind.MUE_OUTPATIENT):
    # One layout per kind, so Catalog.from_sources(kinds=...) can pick either table.
    for _name, _sniff, _reader, _note in (
        (
            "ncci-mue-derived-csv",
            _sniff_mue_derived,
            _mue_csv_records,
            "derived CSV: MAI as a digit",
        ),
        ("ncci-mue-cms-csv", _sniff_mue_cms_csv, _mue_csv_records, ""),
        ("ncci-mue-cms-xlsx", _sniff_mue_cms_xlsx, _mue_xlsx_records, ""),
    ):
        _layout = f"{_name}-{_kind.value}"
        register(
            Layout(
                _layout, _kind, _mue_sniffer(_kind, _sniff), _mue_parser(_layout, _reader, _note)
            )
        )
register(Layout("ncci-aoc-derived-csv", Kind.ADDON, _sniff_aoc_derived, _parse_aoc_derived))
register(Layout("ncci-aoc-cms-xlsx", Kind.ADDON, _sniff_aoc_xlsx, _parse_aoc_xlsx))

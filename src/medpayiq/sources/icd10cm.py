"""ICD-10-CM code tables: every code with its billable flag ("valid for HIPAA transactions")
and its long description. Codes are stored without the dot, as they go on a claim.

Layouts read (details: docs/sources/coding.md):

- CMS's order file `icd10cm_order_YYYY.txt` (fixed width: order number 1-5, code 7-13,
  flag 15 (1 billable, 0 header), short description 17-76, long description 78-),
  shipped in CMS's "code descriptions in tabular order" zip;
- the CDC/NCHS tabular XML (`<ICD10CM.tabular>`, as in `icd10cm_tabular_YYYY.xml` or the
  simple-icd-10-cm package's copy): the code table is derived from it the way CMS derives
  the order file (chapters and blocks left out, 7th characters expanded, placeholder X);
- the derived CSVs in shared/data (`order, code, code_dotted, billable, ...` with a
  `description` or `long_description` column).

The release is the fiscal year (FY2026 = Oct 1 2025 - Sep 30 2026): from "FY2026" or the
year in the file name, "April-1-2026" meaning the April update of FY2026, or the XML's
`<version>`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass

from medpayiq.errors import ParseError, SourcePos
from medpayiq.records import IcdCode
from medpayiq.releases import Kind, Release, icd10cm_release
from medpayiq.sources._csvutil import bad_value, exact, raw_stream, table_rows, text_stream
from medpayiq.sources._registry import Layout, ParsedFile, SourceFile, register

# A letter, then two to six letters or digits (A00, M54.50 -> M5450, QA0.0101 -> QA00101).
_CODE = re.compile(r"^[A-Z][0-9A-Z]{2,6}$")
_FY = re.compile(r"FY[ _-]?(\d{4})", re.IGNORECASE)
_MONTH_DATE = re.compile(
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[ _-](\d{1,2})[ _,-]+(\d{4})",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _fiscal_year(file: SourceFile) -> Release | None:
    """FY from the file's own name first (FY2025, April-1-2026, order_2026), then its folders."""
    base = file.basename
    if m := _FY.search(base):
        return icd10cm_release(f"FY{m.group(1)}")
    if m := _MONTH_DATE.search(base):
        month, year = _MONTHS.index(m.group(1).lower()[:3]) + 1, int(m.group(3))
        return icd10cm_release(f"FY{year + 1 if month >= 10 else year}")
    if m := _YEAR.search(base):
        return icd10cm_release(f"FY{m.group(1)}")
    for text in (file.name, str(file.path)):
        if m := _FY.search(text):
            return icd10cm_release(f"FY{m.group(1)}")
    return None


def _require_fiscal_year(file: SourceFile) -> Release:
    release = _fiscal_year(file)
    if release is None:
        raise ParseError(
            SourcePos(file.name, 1),
            "cannot tell the ICD-10-CM fiscal year: keep CMS's file name (icd10cm_order_2026.txt) "
            "or put the file in a folder named like FY2026",
        )
    return release


def _claim_code(text: str) -> str:
    return text.replace(".", "").strip().upper()


# --- CMS order file (fixed width) ------------------------------------------------------------

_ORDER_NAME = re.compile(r"^icd10cm[_-]order[_-]\d{4}[^.]*\.txt$", re.IGNORECASE)
_ORDER_LINE = re.compile(r"^\d{5} [A-Z][0-9A-Z]{2,6} *[01] ")


@dataclass(frozen=True)
class _Field:
    name: str
    start: int  # 1-based, as in CMS's layout document
    end: int | None  # inclusive; None = to the end of the line


_ORDER_NUMBER = _Field("order number", 1, 5)
_ORDER_CODE = _Field("code", 7, 13)
_ORDER_FLAG = _Field("billable flag", 15, 15)
_ORDER_SHORT = _Field("short description", 17, 76)
_ORDER_LONG = _Field("long description", 78, None)


def _cut(raw: str, field: _Field) -> str:
    return raw[field.start - 1 : field.end].strip()


def _sniff_order(file: SourceFile) -> bool:
    if _ORDER_NAME.match(file.basename):
        return True
    head = [line for line in file.head(5) if line.strip()]
    return bool(head) and all(_ORDER_LINE.match(line) for line in head)


def _order_error(file: SourceFile, line: int, field: _Field, message: str) -> ParseError:
    end = field.end if field.end is not None else field.start
    return ParseError(SourcePos(file.name, line, field.name, (field.start, end)), message)


def _order_records(file: SourceFile) -> Iterator[IcdCode]:
    with text_stream(file) as text:
        for line, raw in enumerate(text, start=1):
            raw = raw.rstrip("\r\n")
            if not raw.strip():
                continue
            if len(raw) < _ORDER_LONG.start:
                raise ParseError(
                    SourcePos(file.name, line),
                    f"line is {len(raw)} characters; an order file line has at least "
                    f"{_ORDER_LONG.start}",
                )
            number, code, flag = (
                _cut(raw, _ORDER_NUMBER),
                _cut(raw, _ORDER_CODE),
                _cut(raw, _ORDER_FLAG),
            )
            if not number.isdigit():
                raise _order_error(file, line, _ORDER_NUMBER, f'"{number}" is not an order number')
            if not _CODE.match(code):
                raise _order_error(file, line, _ORDER_CODE, f'"{code}" is not an ICD-10-CM code')
            if flag not in ("0", "1"):
                raise _order_error(
                    file, line, _ORDER_FLAG, f'"{flag}" is not 0 (header) or 1 (billable)'
                )
            description = _cut(raw, _ORDER_LONG) or _cut(raw, _ORDER_SHORT)
            yield IcdCode(code, flag == "1", description)


def _parse_order(file: SourceFile) -> ParsedFile:
    return ParsedFile(
        file, "icd10cm-order-txt", Kind.ICD10CM, _require_fiscal_year(file), _order_records(file)
    )


# --- Derived CSV ----------------------------------------------------------------------------------

_CSV_COLUMNS = {
    "code": exact("code"),
    "billable": exact("billable"),
    "description": exact("long_description", "description"),
}


def _sniff_csv(file: SourceFile) -> bool:
    base = file.basename.lower()
    if not (base.startswith("icd10cm") and base.endswith(".csv")):
        return False
    head = file.head(1)
    return bool(head) and "code" in head[0].lower().split(",")


def _csv_records(file: SourceFile) -> Iterator[IcdCode]:
    for line, columns, row in table_rows(file, _CSV_COLUMNS):
        code = _claim_code(columns.get(row, "code"))
        flag = columns.get(row, "billable")
        if not _CODE.match(code):
            raise bad_value(
                file, line, "code", f'"{columns.get(row, "code")}" is not an ICD-10-CM code'
            )
        if flag not in ("0", "1"):
            raise bad_value(file, line, "billable", f'"{flag}" is not 0 (header) or 1 (billable)')
        yield IcdCode(code, flag == "1", columns.get(row, "description"))


def _parse_csv(file: SourceFile) -> ParsedFile:
    return ParsedFile(
        file, "icd10cm-derived-csv", Kind.ICD10CM, _require_fiscal_year(file), _csv_records(file)
    )


# --- Tabular XML ----------------------------------------------------------------------------------


def _sniff_xml(file: SourceFile) -> bool:
    return any("<ICD10CM.tabular" in line for line in file.head(5))


def _seven_chars(diag: ET.Element) -> list[tuple[str, str]] | None:
    definition = diag.find("sevenChrDef")
    if definition is None:
        return None
    return [
        (ext.get("char", ""), (ext.text or "").strip()) for ext in definition.findall("extension")
    ]


# The one 7th-character restriction the tabular states only in prose (S06's notes: "7th
# characters D and S do not apply to codes in category S06 with 6th character 7 ... or 8").
# (category, 6th character) -> the 7th characters that do apply.
_SEVENTH_ONLY = {("S06", "7"): frozenset("A"), ("S06", "8"): frozenset("A")}


def _walk(diag: ET.Element, inherited: list[tuple[str, str]] | None) -> Iterator[IcdCode]:
    """A diag and its descendants in tabular order. A 7th-character definition applies to
    every code below where it is given; codes shorter than six characters take the
    placeholder X before the 7th character (S00.00 -> S0000XA)."""
    code = _claim_code(diag.findtext("name") or "")
    description = (diag.findtext("desc") or "").strip()
    seven = _seven_chars(diag) or inherited
    children = diag.findall("diag")
    if children:
        yield IcdCode(code, False, description)
        for child in children:
            yield from _walk(child, seven)
    elif seven:
        yield IcdCode(code, False, description)
        stem = code.ljust(6, "X")
        allowed = _SEVENTH_ONLY.get((stem[:3], stem[5]))
        for char, text in seven:
            if allowed is None or char in allowed:
                yield IcdCode(stem + char, True, f"{description}, {text}")
    else:
        yield IcdCode(code, True, description)


def _xml_root(file: SourceFile) -> ET.Element:
    try:
        with raw_stream(file) as stream:
            return ET.parse(stream).getroot()
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else 1
        raise ParseError(SourcePos(file.name, line), f"not well-formed XML ({exc})") from exc


def _xml_records(root: ET.Element) -> Iterator[IcdCode]:
    for chapter in root.findall("chapter"):
        for section in chapter.findall("section"):
            for diag in section.findall("diag"):
                yield from _walk(diag, None)


def _parse_xml(file: SourceFile) -> ParsedFile:
    root = _xml_root(file)
    version = (root.findtext("version") or "").strip()
    release = icd10cm_release(f"FY{version}") if version.isdigit() else _require_fiscal_year(file)
    return ParsedFile(
        file,
        "icd10cm-tabular-xml",
        Kind.ICD10CM,
        release,
        _xml_records(root),
        notes=("code table derived from the tabular XML as in CMS's order file",),
    )


register(Layout("icd10cm-order-txt", Kind.ICD10CM, _sniff_order, _parse_order))
register(Layout("icd10cm-derived-csv", Kind.ICD10CM, _sniff_csv, _parse_csv))
register(Layout("icd10cm-tabular-xml", Kind.ICD10CM, _sniff_xml, _parse_xml))

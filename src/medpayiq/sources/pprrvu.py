"""PPRRVU: the national physician fee schedule relative value file (one row per HCPCS and
modifier), as CSV or fixed-width TXT, in the 2025 layout (31 columns) and the 2026 layout
(32 columns: PRIC IND after TEAM SURG).

- CSV: a preamble (title "2025 National Physician Fee Schedule Relative Value File October
  Release", copyright lines, "RELEASED 09/11/2025"), then column titles spread over five
  lines ending with the line that starts "HCPCS,MOD". The release comes from the title.
- TXT: seven "HDR" copyright lines, then 171-character rows. No title, so the release comes
  from the folder or zip name (RVU25D, rvu25d.zip), else the month and year in the file name.
  The 2025 TXT layout below was checked field by field against the 2025 CSV (19,090 rows
  equal). The 2026 TXT layout (PRIC IND in column 121, which was filler in 2025) was read
  from CMS's PPRRVU2026_Jan_nonQPP.txt.

Rows with modifiers 26, TC and 53 are separate rows, as in the file. `variant` is "qp" for
the QPP file (qualifying APM participants, 2026 on) and "" otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from medpayiq.errors import ParseError, SourcePos
from medpayiq.records import RvuRow
from medpayiq.releases import Kind
from medpayiq.sources._registry import Cursor, Layout, ParsedFile, SourceFile, register
from medpayiq.sources._text import (
    MONTH_LETTER,
    Fields,
    Span,
    csv_rows,
    decode,
    month_letter_from_name,
    pfs_release_from,
    text_lines,
    year_from_name,
)

# The 2026 columns, in file order; the 2025 layout is the same without PRIC IND.
COLUMNS_2026 = (
    "HCPCS", "MOD", "DESCRIPTION", "STATUS CODE", "NOT USED FOR MEDICARE PAYMENT",
    "WORK RVU", "NON-FAC PE RVU", "NON-FAC NA INDICATOR", "FACILITY PE RVU",
    "FACILITY NA INDICATOR", "MP RVU", "NON-FACILITY TOTAL", "FACILITY TOTAL", "PCTC IND",
    "GLOB DAYS", "PRE OP", "INTRA OP", "POST OP", "MULT PROC", "BILAT SURG", "ASST SURG",
    "CO-SURG", "TEAM SURG", "PRIC IND", "ENDO BASE", "CONV FACTOR",
    "PHYSICIAN SUPERVISION OF DIAGNOSTIC PROCEDURES", "CALCULATION FLAG",
    "DIAGNOSTIC IMAGING FAMILY INDICATOR", "NON-FACILITY PE USED FOR OPPS PAYMENT AMOUNT",
    "FACILITY PE USED FOR OPPS PAYMENT AMOUNT", "MP USED FOR OPPS PAYMENT AMOUNT",
)  # fmt: skip
PRIC_IND = COLUMNS_2026.index("PRIC IND")
COLUMNS_2025 = COLUMNS_2026[:PRIC_IND] + COLUMNS_2026[PRIC_IND + 1 :]

# Fixed-width TXT, 1-based inclusive columns. Numbers are right-aligned in their span; the
# PRE/INTRA/POST OP shares are written without the leading zero (".10").
TXT_2026 = tuple(
    Span(name, start, end)
    for name, (start, end) in zip(
        COLUMNS_2026,
        [
            (1, 5), (6, 7), (8, 57), (58, 58), (59, 59), (60, 65), (66, 72), (73, 74),
            (75, 81), (82, 83), (84, 89), (90, 96), (97, 102), (103, 103), (104, 106),
            (107, 109), (110, 112), (113, 115), (116, 116), (117, 117), (118, 118),
            (119, 119), (120, 120), (121, 121), (122, 132), (133, 140), (141, 143),
            (144, 144), (145, 147), (148, 157), (158, 164), (165, 171),
        ],
        strict=True,
    )
)  # fmt: skip
# 2025: column 121 is part of the (blank) filler before ENDO BASE.
TXT_2025 = (*TXT_2026[:PRIC_IND], Span("ENDO BASE", 121, 132), *TXT_2026[PRIC_IND + 2 :])

# CONV FACTOR values that name the year when nothing else does (DOMAIN.md section 2).
_CF_YEAR = {
    Decimal("32.7442"): 2024,
    Decimal("33.2875"): 2024,
    Decimal("32.3465"): 2025,
    Decimal("33.4009"): 2026,
    Decimal("33.5675"): 2026,
}

_NA = {"": False, "NA": True}
_PLUS = {"": False, "+": True}
_TITLE = "NATIONAL PHYSICIAN FEE SCHEDULE RELATIVE VALUE FILE"


def variant_of(file: SourceFile) -> str:
    """ "qp" for the QPP file (name contains QPP but not nonQPP); "" otherwise."""
    name = file.basename.upper()
    return "qp" if "QPP" in name and "NONQPP" not in name else ""


def _row(
    values: Sequence[str], pric_ind: str | None, line: int, f: Fields, k: Sequence[int]
) -> RvuRow:
    """One RvuRow from the 2026-ordered field texts. `k` maps each 2026 column index to the
    index in `f.names` (the file's own layout) so errors name the file's columns."""
    v = values
    dec = f.decimal
    req = f.required
    return RvuRow(
        hcpcs=f.code(v[0], line, k[0], 5),
        modifier=_modifier(v[1], line, f, k[1]),
        description=v[2],
        status=req(v[3], line, k[3]),
        not_used_for_medicare=f.choice(v[4], line, k[4], _PLUS),
        work=dec(v[5], line, k[5]),
        pe_nonfacility=dec(v[6], line, k[6]),
        pe_nonfacility_na=f.choice(v[7], line, k[7], _NA),
        pe_facility=dec(v[8], line, k[8]),
        pe_facility_na=f.choice(v[9], line, k[9], _NA),
        mp=dec(v[10], line, k[10]),
        total_nonfacility=dec(v[11], line, k[11]),
        total_facility=dec(v[12], line, k[12]),
        pctc=req(v[13], line, k[13]),
        global_days=req(v[14], line, k[14]),
        pre_op=dec(v[15], line, k[15]),
        intra_op=dec(v[16], line, k[16]),
        post_op=dec(v[17], line, k[17]),
        mult_proc=req(v[18], line, k[18]),
        bilat_surg=req(v[19], line, k[19]),
        asst_surg=req(v[20], line, k[20]),
        co_surg=req(v[21], line, k[21]),
        team_surg=req(v[22], line, k[22]),
        pric_ind=pric_ind,
        endo_base=v[24],
        conversion_factor=dec(v[25], line, k[25]),
        phys_supervision=req(v[26], line, k[26]),
        calc_flag=req(v[27], line, k[27]),
        diag_imaging_family=req(v[28], line, k[28]),
        opps_pe_nonfacility=dec(v[29], line, k[29]),
        opps_pe_facility=dec(v[30], line, k[30]),
        opps_mp=dec(v[31], line, k[31]),
    )


# Index maps from 2026 column positions to each layout's own positions (for messages).
_K2026 = tuple(range(32))
_K2025 = tuple(i if i < PRIC_IND else max(i - 1, 0) for i in range(32))


def _modifier(text: str, line: int, f: Fields, index: int) -> str:
    """ "" for the global row, else a two-character modifier (26, TC, 53)."""
    if text and (len(text) != 2 or not text.isalnum()):
        raise f.error(line, index, f'"{text}" is not a modifier')
    return text


# --- CSV ------------------------------------------------------------------------------------


def _sniff_csv(file: SourceFile) -> bool:
    if not file.basename.lower().endswith(".csv"):
        return False
    head = file.head(15)
    has_header = any(line.upper().startswith("HCPCS,MOD,") for line in head)
    named = "PPRRVU" in file.basename.upper() or any(_TITLE in line.upper() for line in head)
    return has_header and named


def _csv_header(rows: list[list[str]], numbers: list[int], f_name: str) -> tuple[int, str | None]:
    """Index of the row starting "HCPCS" and the release id from the title, if any."""
    title_release = None
    for index, row in enumerate(rows[:20]):
        first = row[0].strip().upper() if row else ""
        if first == "HCPCS":
            return index, title_release
        text = " ".join(cell.strip() for cell in row).upper()
        if _TITLE in text and title_release is None:
            title_release = _release_from_title(text)
    raise ParseError(
        SourcePos(f_name, numbers[min(len(numbers), 20) - 1] if numbers else 1),
        'no column header line starting "HCPCS,MOD" in the first 20 lines: not a PPRRVU CSV',
    )


def _release_from_title(text: str) -> str | None:
    """ "2025 NATIONAL PHYSICIAN FEE SCHEDULE RELATIVE VALUE FILE OCTOBER RELEASE" -> RVU25D."""
    words = text.replace(",", " ").split()
    year = next((int(w) for w in words if len(w) == 4 and w.isdigit() and w.startswith("20")), None)
    letter = next((MONTH_LETTER[w] for w in words if w in MONTH_LETTER), None)
    if year is None or letter is None:
        return None
    return f"RVU{year % 100:02d}{letter}"


def _column_names(rows: list[list[str]], header: int) -> list[str]:
    """Column titles stacked over the lines above "HCPCS,MOD" joined per column
    ("WORK" + "RVU" -> "WORK RVU"). The preamble (text in the description column only)
    is not part of them."""
    start = header
    while start > 0:
        above = rows[start - 1]
        others = [cell for i, cell in enumerate(above) if i != 2 and cell.strip()]
        if not others and any(cell.strip() for cell in above):
            break  # a preamble line: title, copyright, RELEASED date
        start -= 1
    width = len(rows[header])
    names = []
    for col in range(width):
        parts = [row[col].strip() for row in rows[start : header + 1] if col < len(row)]
        names.append(" ".join(p for p in parts if p).replace("CO- SURG", "CO-SURG"))
    return names


def _check_columns(names: list[str], line: int, file: str) -> tuple[str, ...]:
    """The layout whose columns the header has, or ParseError naming the first difference."""
    for expected in (COLUMNS_2025, COLUMNS_2026):
        if len(names) == len(expected) and all(
            a.replace(" ", "") == b.replace(" ", "") for a, b in zip(names, expected, strict=True)
        ):
            return expected
    expected = COLUMNS_2026 if "PRIC IND" in names else COLUMNS_2025
    for index, want in enumerate(expected):
        have = names[index] if index < len(names) else None
        if have is None or have.replace(" ", "") != want.replace(" ", ""):
            found = f'"{have}"' if have is not None else "nothing"
            raise ParseError(
                SourcePos(file, line, want),
                f'column {index + 1} of the header is {found}; expected "{want}" '
                f"(the {'2026' if expected is COLUMNS_2026 else '2025'} layout has "
                f"{len(expected)} columns, the header has {len(names)})",
            )
    raise ParseError(
        SourcePos(file, line),
        f"the header has {len(names)} columns: expected 31 (2025 layout) or 32 (2026 layout)",
    )


def _parse_csv(file: SourceFile) -> ParsedFile:
    rows, numbers = csv_rows(decode(file))
    header, title_release = _csv_header(rows, numbers, file.name)
    columns = _check_columns(_column_names(rows, header), numbers[header], file.name)
    layout_name = "2026 layout" if columns is COLUMNS_2026 else "2025 layout"
    data_start = header + 1
    first = next((r for r in rows[data_start:] if any(c.strip() for c in r)), None)
    cf_year = (
        _cf_year(first[columns.index("CONV FACTOR")])
        if first and len(first) == len(columns)
        else None
    )
    release, notes = pfs_release_from(
        file,
        header=title_release,
        year=cf_year or year_from_name(file.basename),
        letter=month_letter_from_name(file.basename),
        what="relative value file",
    )
    fields = Fields(file.name, columns)
    cursor = Cursor()
    return ParsedFile(
        source=file,
        layout=f"pprrvu-csv-{layout_name[:4]}",
        kind=Kind.PPRRVU,
        release=release,
        records=_csv_records(rows[data_start:], numbers[data_start:], fields, layout_name, cursor),
        variant=variant_of(file),
        notes=notes,
        cursor=cursor,
    )


def _csv_records(
    rows: list[list[str]], numbers: list[int], f: Fields, layout_name: str, cursor: Cursor
) -> Iterator[RvuRow]:
    width = len(f.names)
    is_2026 = width == len(COLUMNS_2026)
    k = _K2026 if is_2026 else _K2025
    for row, line in zip(rows, numbers, strict=True):
        if not any(cell.strip() for cell in row):
            continue  # CMS ends some files with an empty row of commas
        f.row_width(row, line, width, layout_name)
        values = [cell.strip() for cell in row]
        if is_2026:
            pric = f.required(values[PRIC_IND], line, PRIC_IND)
        else:
            pric = None
            values.insert(PRIC_IND, "")
        cursor.line = line
        yield _row(values, pric, line, f, k)


def _cf_year(text: str) -> int | None:
    try:
        return _CF_YEAR.get(Decimal(text.strip()))
    except ArithmeticError:
        return None


# --- TXT ------------------------------------------------------------------------------------


def _sniff_txt(file: SourceFile) -> bool:
    if not file.basename.lower().endswith(".txt") or "PPRRVU" not in file.basename.upper():
        return False
    head = file.head(10)
    return bool(head) and (head[0].startswith("HDR") or len(head[0]) >= TXT_2025[-1].end)


def _txt_layout(line: str) -> tuple[Span, ...]:
    """2026 when column 121 (PRIC IND) holds an indicator; 2025 has blank filler there."""
    return TXT_2026 if line[120:121].strip() else TXT_2025


def _parse_txt(file: SourceFile) -> ParsedFile:
    lines = text_lines(decode(file))
    start = 0
    while start < len(lines) and lines[start].startswith("HDR"):
        start += 1
    first = next((ln for ln in lines[start:] if ln.strip()), None)
    if first is None:
        raise ParseError(SourcePos(file.name, start + 1), "no data rows after the HDR lines")
    spans = _txt_layout(first)
    names = tuple(s.name for s in spans)
    cf_year = _cf_year(spans[names.index("CONV FACTOR")].cut(first))
    release, notes = pfs_release_from(
        file,
        year=year_from_name(file.basename) or cf_year,
        letter=month_letter_from_name(file.basename),
        what="relative value file",
    )
    fields = Fields(file.name, names, spans)
    cursor = Cursor()
    return ParsedFile(
        source=file,
        layout=f"pprrvu-txt-{2026 if spans is TXT_2026 else 2025}",
        kind=Kind.PPRRVU,
        release=release,
        records=_txt_records(lines, start, spans, fields, cursor),
        variant=variant_of(file),
        notes=notes,
        cursor=cursor,
    )


def _txt_records(
    lines: list[str], start: int, spans: tuple[Span, ...], f: Fields, cursor: Cursor
) -> Iterator[RvuRow]:
    is_2026 = spans is TXT_2026
    k = _K2026 if is_2026 else _K2025
    slices = [(s.start - 1, s.end) for s in spans]
    for number in range(start, len(lines)):
        text = lines[number]
        line = number + 1
        if not text.strip():
            continue
        f.line_width(text, line, spans)
        values = [text[a:b].strip() for a, b in slices]
        if is_2026:
            pric = f.required(values[PRIC_IND], line, PRIC_IND)
        else:
            pric = None
            values.insert(PRIC_IND, "")
        cursor.line = line
        yield _row(values, pric, line, f, k)


LAYOUT_CSV = register(Layout("pprrvu-csv", Kind.PPRRVU, _sniff_csv, _parse_csv))
LAYOUT_TXT = register(Layout("pprrvu-txt", Kind.PPRRVU, _sniff_txt, _parse_txt))

"""yyLOCCO: the counties in each Medicare payment locality (county and state look-ups).

Layouts:
- 25LOCCO.txt: fixed width; keeps leading zeros ("02102", "01").
- 25LOCCO.csv: the same table after Excel: leading zeros are gone ("2102", "1"). Carriers
  are re-padded to 5 digits and localities to 2, and the parse says so in its notes.
- 26LOCCO.csv (comma) and 26LOCCO.txt (tab): delimited, zeros kept, one empty trailing column.

In every format the state is written on the first row of each state only; later rows leave
it blank and inherit it. A row whose carrier and locality are blank but which has counties
continues the row above (CMS wraps long county lists that way in some years). Identical rows
(05302-99 "REST OF STATE*" is listed twice in 2025 and 2026) are kept once, with a note.
Footnote asterisks are dropped from names ("REST OF STATE*" -> "REST OF STATE").

The file gives only the year ("COUNTIES INCLUDED IN 2025 LOCALITIES"), so the release comes
from the RVUyyX folder or zip name, else the year with the A (January) release and a note.
"""

from __future__ import annotations

from collections.abc import Sequence

from medpayiq.errors import ParseError, SourcePos
from medpayiq.records import LocalityCounties, LocalityId
from medpayiq.releases import Kind
from medpayiq.sources._registry import Layout, ParsedFile, SourceFile, register
from medpayiq.sources._text import (
    Fields,
    Span,
    clean_name,
    csv_rows,
    decode,
    pfs_release_from,
    text_lines,
    year_from_name,
)

NAMES = (
    "Medicare Administrative Contractor",
    "Locality Number",
    "State",
    "Fee Schedule Area",
    "Counties",
)

# 25LOCCO.txt, 1-based inclusive columns; counties run to the end of the line.
TXT_2025 = (
    Span(NAMES[0], 1, 12),
    Span(NAMES[1], 13, 22),
    Span(NAMES[2], 23, 45),
    Span(NAMES[3], 46, 143),
    Span(NAMES[4], 144, 400),
)

_TITLE = "COUNTIES INCLUDED IN"
# 25LOCCO.txt stops at column 201 or 202: county lists of 57+ characters are cut there.
_TXT_COUNTIES_WIDTH = 57


def _sniff(file: SourceFile) -> bool:
    name = file.basename.upper()
    if "LOCCO" not in name or not name.endswith((".CSV", ".TXT")):
        return False
    return any(_TITLE in line.upper() for line in file.head(3))


def _parse(file: SourceFile) -> ParsedFile:
    text = decode(file)
    first = text[: text.find("\n")] if "\n" in text else text
    delimiter = "\t" if "\t" in first else ","
    fixed = file.basename.upper().endswith(".TXT") and delimiter != "\t"
    release, notes = pfs_release_from(
        file, year=_year(first) or year_from_name(file.basename), what="locality county file"
    )
    if fixed:
        rows = _fixed_rows(file, text)
        layout = "locco-txt"
    else:
        rows = _delimited_rows(file, text, delimiter)
        layout = "locco-tab" if delimiter == "\t" else "locco-csv"
    f = Fields(file.name, NAMES, TXT_2025 if fixed else None)
    records, more_notes = _records(rows, f, cut_at=_TXT_COUNTIES_WIDTH if fixed else None)
    return ParsedFile(file, layout, Kind.LOCCO, release, iter(records), notes=notes + more_notes)


def _year(title: str) -> int | None:
    """ "COUNTIES INCLUDED IN 2025 LOCALITIES. ..." -> 2025."""
    for word in title.replace(",", " ").split():
        if word.isdigit() and len(word) == 4:
            return int(word)
    return None


def _header_index(lines: Sequence[str], file: SourceFile) -> int:
    for index, text in enumerate(lines[:10]):
        if text.upper().startswith(("MEDICARE ADM", '"MEDICARE ADM')):
            return index
    raise ParseError(
        SourcePos(file.name, 1),
        "no column header line (Medicare Administrative Contractor, Locality Number, ...)",
    )


def _fixed_rows(file: SourceFile, text: str) -> list[tuple[int, list[str]]]:
    lines = text_lines(text)
    start = _header_index(lines, file) + 1
    return [(n + 1, [span.cut(lines[n]) for span in TXT_2025]) for n in range(start, len(lines))]


def _delimited_rows(file: SourceFile, text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    rows, numbers = csv_rows(text, delimiter)
    start = _header_index([delimiter.join(r) for r in rows], file) + 1
    return [(numbers[i], [c.strip() for c in rows[i]]) for i in range(start, len(rows))]


def _records(
    rows: list[tuple[int, list[str]]], f: Fields, *, cut_at: int | None = None
) -> tuple[list[LocalityCounties], tuple[str, ...]]:
    """Rows to records: carry the state down within a group of rows (groups are separated by
    blank rows), join continuation lines, drop repeats. `cut_at` is the width at which a
    fixed-width file cuts the counties, to report lists that may have been cut."""
    records: list[LocalityCounties] = []
    lines: list[int] = []
    notes: list[str] = []
    padded = 0
    state = ""
    stateless: list[str] = []
    cut: list[str] = []
    for line, cells in rows:
        if not any(cells):
            state = ""  # a blank row ends the state's group
            continue
        if cells[0].startswith("*"):
            continue  # the footnote under the table
        if len(cells) < len(NAMES):
            f.row_width(cells, line, len(NAMES), "LOCCO")
        carrier, locality, state_cell, area, counties = cells[:5]
        if not carrier and not locality:
            if not records:
                raise f.error(line, 0, "is empty on the first row")
            records[-1] = _continue(records[-1], area, counties)
            continue
        if len(carrier) < 5 or len(locality) < 2:
            padded += 1
        state = state_cell or state
        record = LocalityCounties(
            locality=LocalityId(
                f.digits(carrier, line, 0, 5, pad=True), f.digits(locality, line, 1, 2, pad=True)
            ),
            state=state,
            fee_schedule_area=clean_name(f.required(area, line, 3)),
            counties=counties,
        )
        if not state:
            stateless.append(f"{record.locality} (line {line})")
        if cut_at is not None and counties and len(counties) >= cut_at:
            cut.append(f"{record.locality} (line {line})")
        records.append(record)
        lines.append(line)
    if padded:
        notes.append(
            f"{padded} rows had lost their leading zeros (Excel); carriers re-padded "
            "to 5 digits and localities to 2"
        )
    if stateless:
        notes.append(f"no state given for {_some(stateless)}: state left empty (the CSV names it)")
    if cut:
        notes.append(
            f"counties may be cut at the fixed width ({cut_at} characters) for "
            f"{_some(cut)}; the CSV has them whole"
        )
    return _drop_repeats(records, lines, notes)


def _some(items: list[str], shown: int = 3) -> str:
    """ "a, b, c and 26 more" """
    more = len(items) - shown
    return ", ".join(items[:shown]) + (f" and {more} more" if more > 0 else "")


def _continue(record: LocalityCounties, area: str, counties: str) -> LocalityCounties:
    def join(a: str, b: str) -> str:
        return f"{a} {b}".strip() if b else a

    return LocalityCounties(
        record.locality,
        record.state,
        clean_name(join(record.fee_schedule_area, area)),
        join(record.counties, counties),
    )


def _drop_repeats(
    records: list[LocalityCounties], lines: list[int], notes: list[str]
) -> tuple[list[LocalityCounties], tuple[str, ...]]:
    seen: dict[LocalityCounties, int] = {}
    kept: list[LocalityCounties] = []
    for record, line in zip(records, lines, strict=True):
        if record in seen:
            notes.append(f"line {line} repeats line {seen[record]} ({record.locality}): kept once")
            continue
        seen[record] = line
        kept.append(record)
    return kept, tuple(notes)


LAYOUT = register(Layout("locco", Kind.LOCCO, _sniff, _parse))

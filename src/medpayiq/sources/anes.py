"""ANESyyyy: the anesthesia conversion factor of each Medicare locality (109 localities).

Layouts:
- 2025 CSV: Contractor, Locality, Locality Name, "National Anes CF of 20.3178" (the CF).
- 2026 CSV: the same with two CF columns: "Qualifying APM National Anes CF ... of 20.599835"
  -> `cf_qp` and "Non-Qualifying APM ... of 20.49754" -> `cf`. Columns are found by title.
- TXT (both years): fixed width, no header, CFs stored x100 without a decimal point
  ("1931" = 19.31). 2026 has two numbers, QP first then non-QP, as in the CSV.
  ANES2025.txt ends with a DOS end-of-file mark (Ctrl-Z), which is ignored.

The release comes from the RVUyyX folder or zip name, else the year in the file name with
the A (January) release and a note.
"""

from __future__ import annotations

from collections.abc import Iterator

from medpayiq.errors import ParseError, SourcePos
from medpayiq.records import AnesthesiaCf, LocalityId
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
    "Contractor",
    "Locality",
    "Locality Name",
    "Non-Qualifying APM Anes CF",
    "Qualifying APM Anes CF",
)

TXT_ONE_CF = (
    Span(NAMES[0], 1, 5),
    Span(NAMES[1], 6, 17),
    Span(NAMES[2], 18, 65),
    Span("Anes CF x100", 66, 77),
)
TXT_TWO_CF = (
    Span(NAMES[0], 1, 5),
    Span(NAMES[1], 6, 17),
    Span(NAMES[2], 18, 63),
    Span("Qualifying APM Anes CF x100", 64, 71),
    Span("Non-Qualifying APM Anes CF x100", 72, 77),
)


def _sniff(file: SourceFile) -> bool:
    name = file.basename.upper()
    if not name.startswith("ANES") or not name.endswith((".CSV", ".TXT")):
        return False
    head = file.head(2)
    if not head:
        return False
    if name.endswith(".CSV"):
        return head[0].upper().startswith("CONTRACTOR,LOCALITY")
    return head[0][:5].isdigit() and len(head[0].rstrip()) >= TXT_ONE_CF[-1].end


def _parse(file: SourceFile) -> ParsedFile:
    text = decode(file)
    release, notes = pfs_release_from(
        file, year=year_from_name(file.basename), what="anesthesia conversion factor file"
    )
    if file.basename.upper().endswith(".CSV"):
        records, layout = _csv(file, text), "anes-csv"
    else:
        records, layout = _txt(file, text), "anes-txt"
    return ParsedFile(file, layout, Kind.ANES, release, records, notes=notes)


def _csv(file: SourceFile, text: str) -> Iterator[AnesthesiaCf]:
    rows, numbers = csv_rows(text)
    if not rows or not rows[0] or rows[0][0].strip().upper() != "CONTRACTOR":
        raise ParseError(SourcePos(file.name, 1), 'no header line "Contractor,Locality,..."')
    titles = [cell.upper() for cell in rows[0]]
    cf_titles = [i for i, t in enumerate(titles) if "ANES CF" in t]
    non_qp = next((i for i in cf_titles if "NON-QUALIFYING" in titles[i]), None)
    qp = next((i for i in cf_titles if "QUALIFYING" in titles[i] and i != non_qp), None)
    if non_qp is None:  # before 2026: one CF column
        non_qp = cf_titles[0] if len(cf_titles) == 1 else None
    if non_qp is None or (len(cf_titles) > 1 and qp is None):
        raise ParseError(
            SourcePos(file.name, 1, "Anes CF"),
            f"expected one CF column or a QP and a non-QP column, found {len(cf_titles)}",
        )
    width = max(non_qp, qp or 0) + 1
    f = Fields(file.name, NAMES)
    return _csv_records(rows[1:], numbers[1:], f, non_qp, qp, width)


def _csv_records(
    rows: list[list[str]], numbers: list[int], f: Fields, non_qp: int, qp: int | None, width: int
) -> Iterator[AnesthesiaCf]:
    for row, line in zip(rows, numbers, strict=True):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < width:
            f.row_width(row, line, width, "ANES")
        yield AnesthesiaCf(
            locality=_locality(row[0].strip(), row[1].strip(), line, f),
            name=clean_name(f.required(row[2].strip(), line, 2)),
            cf=f.decimal(row[non_qp].strip(), line, 3),
            cf_qp=f.decimal(row[qp].strip(), line, 4) if qp is not None else None,
        )


def _locality(carrier: str, locality: str, line: int, f: Fields) -> LocalityId:
    return LocalityId(f.digits(carrier, line, 0, 5), f.digits(locality, line, 1, 2))


def _txt(file: SourceFile, text: str) -> Iterator[AnesthesiaCf]:
    lines = text_lines(text)
    first = next((ln for ln in lines if ln.strip()), "")
    two = bool(first[63:71].strip()) and bool(first[71:77].strip())
    spans = TXT_TWO_CF if two else TXT_ONE_CF
    return _txt_records(lines, Fields(file.name, [s.name for s in spans], spans), spans, two)


def _txt_records(
    lines: list[str], f: Fields, spans: tuple[Span, ...], two: bool
) -> Iterator[AnesthesiaCf]:
    for number, text in enumerate(lines):
        line = number + 1
        if not text.strip():
            continue
        f.line_width(text.rstrip(), line, spans)
        v = [span.cut(text) for span in spans]
        yield AnesthesiaCf(
            locality=_locality(v[0], v[1], line, f),
            name=clean_name(f.required(v[2], line, 2)),
            cf=f.hundredths(v[-1], line, len(spans) - 1),
            cf_qp=f.hundredths(v[3], line, 3) if two else None,
        )


LAYOUT = register(Layout("anes", Kind.ANES, _sniff, _parse))

"""Helpers shared by the fee schedule and geography parsers.

CMS ships each table as CSV, fixed-width TXT (sometimes tab-delimited TXT) and XLSX. The
parsers here decode the bytes once, cut fields by slicing (no per-row regex), convert them
with `Fields`, whose errors carry file, line, field name and, for fixed width, the columns:

    PPRRVU2025_Oct.csv line 1042, field "WORK RVU": "1,2" is not a decimal

Release ids for the fee schedule bundle are decided by `pfs_release_from`: the file's own
header when it has one, else the folder or zip name (RVU25D, rvu26a.zip), else the year
and month in the file name.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from medpayiq.errors import ParseError, SourcePos
from medpayiq.releases import Release, pfs_release
from medpayiq.sources._registry import SourceFile

# Characters a CMS number may contain; anything else ("1,2", "N/A", "1e5") is rejected.
_NUMBER_CHARS = "0123456789.-+ "

MONTH_LETTER = {
    "JAN": "A", "JANUARY": "A",
    "APR": "B", "APRIL": "B",
    "JUL": "C", "JULY": "C",
    "OCT": "D", "OCTOBER": "D",
}  # fmt: skip


def decode(file: SourceFile) -> str:
    """The file's text. CMS files are ASCII in practice; Windows-1252 covers the odd
    dash or accent, and Latin-1 never fails, so decoding itself cannot stop a load."""
    data = file.data()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def text_lines(text: str) -> list[str]:
    """Physical lines without their CR/LF. A trailing DOS end-of-file mark (Ctrl-Z, found
    at the end of ANES2025.txt) and the empty string after the last newline are dropped."""
    lines = text.split("\n")
    if lines and lines[-1].strip("\x1a\r ") == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def csv_rows(text: str, delimiter: str = ",") -> tuple[list[list[str]], list[int]]:
    """All rows of a delimited file and the (last) physical line number of each."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    numbers: list[int] = []
    for row in reader:
        rows.append(row)
        numbers.append(reader.line_num)
    return rows, numbers


@dataclass(frozen=True)
class Span:
    """A fixed-width field: its CMS name and 1-based inclusive columns."""

    name: str
    start: int
    end: int

    def cut(self, line: str) -> str:
        return line[self.start - 1 : self.end].strip()


def cut_all(line: str, spans: Sequence[Span]) -> list[str]:
    return [line[s.start - 1 : s.end].strip() for s in spans]


class Fields:
    """Converts the fields of one file, raising ParseError at the field's position.

    `names` are the layout's field names (index -> name) and `spans`, for fixed width,
    their columns. Equal decimal strings share one Decimal (files repeat "0.00" a lot)."""

    def __init__(self, file: str, names: Sequence[str], spans: Sequence[Span] | None = None):
        self.file = file
        self.names = list(names)
        self.spans = list(spans) if spans is not None else None
        self._decimals: dict[str, Decimal] = {}

    def pos(self, line: int, index: int | None = None) -> SourcePos:
        if index is None:
            return SourcePos(self.file, line)
        columns = None
        if self.spans is not None and index < len(self.spans):
            columns = (self.spans[index].start, self.spans[index].end)
        return SourcePos(self.file, line, self.names[index], columns)

    def error(self, line: int, index: int | None, message: str) -> ParseError:
        return ParseError(self.pos(line, index), message)

    def decimal(self, text: str, line: int, index: int) -> Decimal:
        found = self._decimals.get(text)
        if found is not None:
            return found
        value = parse_decimal(text)
        if value is None:
            shown = f'"{text}"' if text else "empty"
            raise self.error(line, index, f"{shown} is not a decimal")
        self._decimals[text] = value
        return value

    def hundredths(self, text: str, line: int, index: int) -> Decimal:
        """A number stored x100 without a decimal point ("1931" -> 19.31)."""
        if not text.isdigit():
            shown = f'"{text}"' if text else "empty"
            raise self.error(line, index, f"{shown} is not a whole number of cents")
        return Decimal(text).scaleb(-2)

    def required(self, text: str, line: int, index: int) -> str:
        if not text:
            raise self.error(line, index, "is empty")
        return text

    def code(self, text: str, line: int, index: int, width: int) -> str:
        """A code of exactly `width` letters or digits (HCPCS "00100", carrier "04412")."""
        if len(text) != width or not text.isalnum():
            shown = f'"{text}"' if text else "empty"
            raise self.error(line, index, f"{shown} is not a {width}-character code")
        return text

    def digits(self, text: str, line: int, index: int, width: int, *, pad: bool = False) -> str:
        """A numeric code of `width` digits; `pad` restores leading zeros lost by Excel."""
        if pad and text.isdigit() and len(text) < width:
            text = text.zfill(width)
        if len(text) != width or not text.isdigit():
            shown = f'"{text}"' if text else "empty"
            raise self.error(line, index, f"{shown} is not a {width}-digit number")
        return text

    def choice(self, text: str, line: int, index: int, allowed: dict[str, bool]) -> bool:
        try:
            return allowed[text]
        except KeyError:
            options = " or ".join(f'"{k}"' if k else "empty" for k in allowed)
            raise self.error(line, index, f'"{text}" is not {options}') from None

    def row_width(self, row: Sequence[str], line: int, expected: int, layout: str) -> None:
        """A delimited row must have exactly the layout's columns."""
        if len(row) == expected:
            return
        if len(row) < expected:
            raise self.error(
                line, len(row), f"missing: the row has {len(row)} of {expected} columns ({layout})"
            )
        raise ParseError(
            SourcePos(self.file, line),
            f"{len(row)} columns, expected {expected} ({layout})",
        )

    def line_width(self, line_text: str, line: int, spans: Sequence[Span]) -> None:
        """A fixed-width line must reach its last field; name the first field cut off."""
        if len(line_text) >= spans[-1].end:
            return
        for index, span in enumerate(spans):
            if span.end > len(line_text):
                raise self.error(
                    line,
                    index,
                    f"the line ends at column {len(line_text)}: the row is cut short "
                    f"(a full row is {spans[-1].end} characters)",
                )


def parse_decimal(text: str) -> Decimal | None:
    """A plain decimal number ("1.80", "-0.5", ".10") or None."""
    if not text or text.strip(_NUMBER_CHARS):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def clean_name(text: str) -> str:
    """A locality or area name without CMS's footnote asterisks ("ALASKA*" -> "ALASKA")."""
    return text.strip().rstrip("*").strip()


# --- releases of the fee schedule bundle ------------------------------------------------

_NAME_YEAR = re.compile(r"(?<!\d)(20\d{2}|\d{2})(?!\d)")
_NAME_MONTH = re.compile(r"(?<![A-Z])(JAN|APR|JUL|OCT)(?![A-Z])")


def year_from_name(name: str) -> int | None:
    """The calendar year in a CMS file name: "GPCI2025" -> 2025, "25LOCCO" -> 2025."""
    found = _NAME_YEAR.search(name.upper().replace("_", " "))
    if not found:
        return None
    digits = found.group(1)
    return int(digits) if len(digits) == 4 else 2000 + int(digits)


def month_letter_from_name(name: str) -> str | None:
    """The release letter from a month in the file name: "PPRRVU2025_Oct" -> "D"."""
    found = _NAME_MONTH.search(name.upper().replace("_", " "))
    return MONTH_LETTER[found.group(1)] if found else None


def pfs_release_from(
    file: SourceFile,
    *,
    header: str | None = None,
    year: int | None = None,
    letter: str | None = None,
    what: str,
) -> tuple[Release, tuple[str, ...]]:
    """The RVUyyX release of a fee schedule bundle file, and notes on how it was decided.

    Precedence: `header` (a release id read from the file itself) > the folder or zip name
    (`SourceFile.release_hint`) > `year` and `letter` (from the file name or content; the
    letter defaults to A, the January release, with a note). Raises ParseError at line 1
    when nothing gives a year."""
    hint = file.release_hint()
    if header is not None:
        notes: tuple[str, ...] = ()
        if hint is not None and hint != header:
            notes = (
                f"the file's header says {header} but its folder or zip says {hint}: used {header}",
            )
        return pfs_release(header), notes
    if hint is not None:
        notes = ()
        if year is not None and int(hint[3:5]) != year % 100:
            notes = (f"the folder or zip says {hint} but the file is for {year}: used {hint}",)
        return pfs_release(hint), notes
    if year is None:
        raise ParseError(
            SourcePos(file.name, 1),
            f"cannot tell which fee schedule release this {what} belongs to: neither its name "
            "nor its content gives the year; read it from its RVUyyX folder or CMS zip "
            "(for example RVU25D/ or rvu25d.zip)",
        )
    release_id = f"RVU{year % 100:02d}{letter or 'A'}"
    notes = (
        ()
        if letter
        else (
            f"release taken as {release_id} (the {what} gives only its year, {year}); read it "
            "from its RVUyyX folder or CMS zip to name the quarter",
        )
    )
    return pfs_release(release_id), notes

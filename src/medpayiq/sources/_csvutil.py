"""Helpers shared by the coding-file parsers (NCCI, code sets, ICD-10-CM, MCD).

Three concerns live here so each parser stays a page long:

- reading: `text_stream` streams a file (gzip on disk is decompressed on the fly, so the
  2.5-million-row PTP table never sits in memory twice); `csv_records` yields CSV rows with
  the physical line each starts on; `xlsx_rows` reads the first sheet of a workbook as text.
- columns: `Columns` finds named columns in a header row and raises a `ParseError` naming
  the file, line and missing column.
- values: `DateCache` turns the date spellings CMS uses (YYYYMMDD, YYYYDDD Julian, ISO,
  MM/DD/YYYY) into `date`s, once per distinct string; `release_from_name` reads an NCCI
  quarter from a file name.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import IO, Any, cast

from medpayiq.errors import ParseError, SourcePos
from medpayiq.releases import Family, Release, ncci_release, yearly_release
from medpayiq.sources._registry import SourceFile

# Some CMS text files are Windows-1252 (the (R) sign in the AMA notice); everything we
# read from them is ASCII, so a file that is not UTF-8 is read as cp1252.
_FALLBACK_ENCODING = "cp1252"


def raw_stream(file: SourceFile) -> IO[bytes]:
    """The file's bytes as a stream, gzip decompressed lazily when it is on disk."""
    if file.member is None:
        with file.path.open("rb") as probe:
            magic = probe.read(2)
        if magic == b"\x1f\x8b":
            return cast(IO[bytes], gzip.open(file.path, "rb"))
        return file.path.open("rb")
    data = file.data()
    return io.BytesIO(data)


def _encoding_for(file: SourceFile) -> str:
    """utf-8-sig unless the first 1 MB is not UTF-8 (then cp1252)."""
    with raw_stream(file) as stream:
        sample = stream.read(1 << 20)
    try:
        # A multi-byte character cut at the end of the sample is not an error.
        sample.decode("utf-8-sig", errors="strict")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:
            return _FALLBACK_ENCODING
    return "utf-8-sig"


def text_stream(file: SourceFile, encoding: str | None = None) -> IO[str]:
    """Text with universal newlines kept for the csv module (newline="")."""
    chosen = encoding or _encoding_for(file)
    return io.TextIOWrapper(raw_stream(file), encoding=chosen, errors="strict", newline="")


def csv_records(
    file: SourceFile,
    *,
    delimiter: str = ",",
    encoding: str | None = None,
    quoting_none: bool = False,
) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, fields) for every CSV record, blank lines included
    as empty lists. Quoted fields may span lines; the line number is where the record began.
    `quoting_none` treats quotes as ordinary text (CMS's tab-delimited files do not quote)."""
    with text_stream(file, encoding) as text:
        if quoting_none:
            reader = csv.reader(text, delimiter=delimiter, quoting=csv.QUOTE_NONE)
        else:
            reader = csv.reader(text, delimiter=delimiter)
        previous_end = 0
        try:
            for row in reader:
                yield previous_end + 1, row
                previous_end = reader.line_num
        except csv.Error as exc:
            raise ParseError(
                SourcePos(file.name, reader.line_num), f"not valid CSV: {exc}"
            ) from exc
        except UnicodeDecodeError as exc:
            raise ParseError(
                SourcePos(file.name, reader.line_num + 1), f"not readable text ({exc.reason})"
            ) from exc


def xlsx_rows(file: SourceFile) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cell values) for the first worksheet of an .xlsx file."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(file.data()), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ParseError(SourcePos(file.name, 1), f"not a readable Excel workbook ({exc})") from exc
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)
    finally:
        workbook.close()


def cell_text(value: Any) -> str:
    """An Excel cell as the text CMS typed: integers without ".0", dates as YYYYMMDD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y%m%d")
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    return str(value).strip()


def code_text(value: Any) -> str:
    """A HCPCS/CPT code cell. Excel may store 00100 as the number 100: codes are five
    characters, so a number is zero-padded back."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{int(value):05d}"
    return cell_text(value).upper()


def normalize_header(text: str) -> str:
    """Lower case, whitespace (newlines in wrapped Excel headers too) collapsed to one space."""
    return " ".join(text.replace("\u00a0", " ").split()).lower()


@dataclass(frozen=True)
class Columns:
    """Where each wanted column is in a header row. `index[name]` is the position."""

    file: str
    line: int
    index: dict[str, int] = field(default_factory=dict)

    @classmethod
    def find(
        cls,
        file: SourceFile,
        line: int,
        header: Sequence[str],
        wanted: dict[str, Callable[[str], bool]],
        *,
        optional: Iterable[str] = (),
    ) -> Columns:
        """Match each wanted column (name -> predicate on the normalized header cell).
        A missing required column raises ParseError naming it."""
        cells = [normalize_header(h) for h in header]
        found: dict[str, int] = {}
        skip = set(optional)
        for name, matches in wanted.items():
            position = next((i for i, cell in enumerate(cells) if matches(cell)), None)
            if position is None:
                if name in skip:
                    continue
                raise ParseError(
                    SourcePos(file.name, line, name),
                    f'column "{name}" is missing from the header '
                    f"({', '.join(h for h in header if h)})",
                )
            found[name] = position
        return cls(file.name, line, found)

    def get(self, row: Sequence[str], name: str) -> str:
        position = self.index.get(name)
        if position is None or position >= len(row):
            return ""
        return row[position].strip()

    @property
    def width(self) -> int:
        return max(self.index.values()) + 1 if self.index else 0


def exact(*names: str) -> Callable[[str], bool]:
    """Header predicate: the normalized cell is one of `names`."""
    wanted = {normalize_header(n) for n in names}
    return lambda cell: cell in wanted


def starts(*prefixes: str) -> Callable[[str], bool]:
    """Header predicate: the normalized cell starts with one of `prefixes`."""
    wanted = tuple(normalize_header(p) for p in prefixes)
    return lambda cell: cell.startswith(wanted)


# --- dates --------------------------------------------------------------------------------


class DateCache:
    """Converts CMS date strings to `date`, caching each distinct string: a PTP table has
    millions of rows but only a few thousand distinct dates, so this avoids per-row parsing.

    `convert(text)` returns the date, or raises ValueError with a readable reason."""

    def __init__(self, parse: Callable[[str], date]) -> None:
        self._parse = parse
        self._cache: dict[str, date] = {}

    def convert(self, text: str) -> date:
        found = self._cache.get(text)
        if found is None:
            found = self._parse(text)
            self._cache[text] = found
        return found


def parse_yyyymmdd(text: str) -> date:
    if len(text) != 8 or not text.isdigit():
        raise ValueError(f'"{text}" is not a date in YYYYMMDD form')
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError as exc:
        raise ValueError(f'"{text}" is not a real date ({exc})') from exc


def parse_julian(text: str) -> date:
    """CMS add-on edit dates: YYYYDDD, DDD the day of the year (2024001 = Jan 1 2024)."""
    if len(text) != 7 or not text.isdigit():
        raise ValueError(f'"{text}" is not a date in YYYYDDD (year, day of year) form')
    year, day = int(text[:4]), int(text[4:])
    if not 1 <= day <= (366 if _leap(year) else 365):
        raise ValueError(f'"{text}": day {day} is not a day of {year}')
    return date(year, 1, 1) + timedelta(days=day - 1)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


_MDY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def parse_any_date(text: str) -> date:
    """ISO (2024-06-18, with or without a time), MM/DD/YYYY, YYYYMMDD or YYYYDDD."""
    if m := _ISO.match(text):
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _MDY.match(text):
        return date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
    if len(text) == 8:
        return parse_yyyymmdd(text)
    if len(text) == 7:
        return parse_julian(text)
    raise ValueError(f'"{text}" is not a date (expected YYYY-MM-DD, MM/DD/YYYY or YYYYMMDD)')


# --- releases -----------------------------------------------------------------------------

# "ccipra-v302r0": NCCI version 30.2 revision 0. Version 30 is 2024 (31 = 2025, 24 = 2018),
# the minor digit is the quarter less one (30.0 Jan, 30.1 Apr, 30.2 Jul, 30.3 Oct).
_NCCI_VERSION = re.compile(r"-v(\d{2})(\d)r(\d+)", re.IGNORECASE)
_NCCI_QUARTER = re.compile(r"(20\d{2})[ _-]?q([1-4])(?!\d)", re.IGNORECASE)


def ncci_release_from_version(major: int, minor: int) -> Release:
    if not 0 <= minor <= 3:
        raise ValueError(f"NCCI version {major}.{minor} has no quarter (minor must be 0-3)")
    return ncci_release(f"{1994 + major}Q{minor + 1}")


def ncci_release_from_names(file: SourceFile) -> Release | None:
    """The NCCI quarter from the file's own name (version), else from the zip or folder
    names ("2024Q3", "medicare-ncci-2025q1-..."). None if nothing says."""
    places = (file.basename, file.name, str(file.path))
    for text in places:
        if m := _NCCI_VERSION.search(text):
            return ncci_release_from_version(int(m.group(1)), int(m.group(2)))
    for text in places:
        found = _NCCI_QUARTER.findall(text)
        if found:
            year, quarter = found[-1]
            return ncci_release(f"{year}Q{quarter}")
    return None


def quarter_release(day: date) -> Release:
    """The NCCI quarter that contains `day`."""
    return ncci_release(f"{day.year}Q{(day.month - 1) // 3 + 1}")


def bad_value(file: SourceFile, line: int, field_name: str, message: str) -> ParseError:
    """A ParseError for one field (keeps the call sites on one line)."""
    return ParseError(SourcePos(file.name, line, field_name), message)


def table_rows(
    file: SourceFile,
    wanted: dict[str, Callable[[str], bool]],
    *,
    optional: Iterable[str] = (),
) -> Iterator[tuple[int, Columns, list[str]]]:
    """Rows of a CSV whose first line is its header: (line, columns, fields) for each
    non-blank data row. The header must name every wanted column (ParseError otherwise)."""
    columns: Columns | None = None
    for line, row in csv_records(file):
        if columns is None:
            columns = Columns.find(file, line, row, wanted, optional=optional)
            continue
        if not row or not any(row):
            continue
        yield line, columns, row
    if columns is None:
        raise ParseError(SourcePos(file.name, 1), "the file is empty (no header row)")


_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")


def year_release(file: SourceFile, family: Family, what: str) -> Release:
    """A yearly release (code sets, coverage) from the year in the file's name."""
    for text in (file.basename, file.name):
        found = _YEAR.findall(text)
        if found:
            return yearly_release(family, int(found[0]))
    raise ParseError(
        SourcePos(file.name, 1),
        f"cannot tell which year this {what} file is for: keep a year in its name "
        "(place_of_service_codes_2024-06.csv)",
    )

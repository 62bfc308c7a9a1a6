"""Finding files and telling what they are.

A *source* is a path the user gives: a file, a folder, or a zip as CMS publishes it
(`rvu26a.zip`), possibly nested. `iter_files` walks it into `SourceFile`s; `detect`
asks every registered `Layout` whether it recognises the file (from its name and first
lines, never from its folder alone); `parse` returns a `ParsedFile` whose records are
read lazily, so a 2.5-million-row table streams.

Parser modules register their layouts at import with `register(Layout(...))`.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

from medpayiq.errors import UnknownFileError
from medpayiq.releases import Kind, Release

_PFS_HINT = re.compile(r"RVU(\d{2})([A-D])", re.IGNORECASE)


@dataclass(frozen=True)
class SourceFile:
    """One file to read: on disk, or a member of a zip (`name` is "rvu26a.zip!GPCI2026.csv").
    `.gz` files are decompressed transparently; `sha256` is of the bytes as published."""

    name: str
    path: Path
    member: str | None = None
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def basename(self) -> str:
        """The file's own name without folders or the zip it came in, and without `.gz`."""
        base = (self.member or self.path.name).rsplit("/", 1)[-1]
        return base[:-3] if base.lower().endswith(".gz") else base

    def raw_bytes(self) -> bytes:
        if self.member is None:
            return self.path.read_bytes()
        with zipfile.ZipFile(self.path) as archive:
            return archive.read(self.member)

    def data(self) -> bytes:
        """The file's content, decompressed if it is gzip."""
        raw = self.raw_bytes()
        return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw

    @property
    def sha256(self) -> str:
        if "sha256" not in self._cache:
            self._cache["sha256"] = hashlib.sha256(self.raw_bytes()).hexdigest()
        return str(self._cache["sha256"])

    def open_binary(self) -> IO[bytes]:
        if self.member is None and not self.path.name.lower().endswith(".gz"):
            return self.path.open("rb")
        return io.BytesIO(self.data())

    def open_text(self, encoding: str = "utf-8-sig") -> IO[str]:
        """Text with universal newlines. Each layout passes the encoding its files use."""
        return io.TextIOWrapper(self.open_binary(), encoding=encoding, errors="strict", newline="")

    def head(self, lines: int = 15) -> list[str]:
        """The first lines as text (decoded leniently), for sniffing."""
        if "head" not in self._cache:
            if self.member is None and self.path.name.lower().endswith(".gz"):
                # Only the start is needed: do not decompress a whole 2.5M-row table to sniff it.
                with gzip.open(self.path, "rb") as stream:
                    chunk = stream.read(64 * 1024)
            else:
                with self.open_binary() as stream:
                    chunk = stream.read(64 * 1024)
            text = chunk.decode("utf-8", errors="replace") if not chunk.startswith(b"PK") else ""
            self._cache["head"] = text.splitlines()[:40]
        return list(self._cache["head"][:lines])

    def release_hint(self) -> str | None:
        """An RVUyyX id from the path or zip name (folders like RVU25D, zips like rvu26a.zip)."""
        for text in (self.member or "", str(self.path)):
            found = _PFS_HINT.findall(text)
            if found:
                year, letter = found[-1]
                return f"RVU{year}{letter.upper()}"
        return None


class Cursor:
    """The line of the record a parser yielded last (parsers that know it set `line` before
    each yield), so that the loader's checks can name lines: "lines 1042 and 1043"."""

    __slots__ = ("line",)

    def __init__(self) -> None:
        self.line = 0


@dataclass
class ParsedFile:
    """A recognised file: what it is, which release, and its records (an iterator, read once).
    `variant` tells apart files of one kind and release: "qp" for the 2026+ PPRRVU file for
    qualifying APM participants ("" is the standard nonQPP file); the parts of a split table
    ("f1".."f4" for PTP); each payment revision file by name. Files of one release that differ
    only by variant are read together; a file with the same variant replaces the older one."""

    source: SourceFile
    layout: str
    kind: Kind
    release: Release
    records: Iterator[Any]
    variant: str = ""
    notes: tuple[str, ...] = ()
    cursor: Cursor | None = None  # set by parsers that track lines (see `Cursor`)


@dataclass(frozen=True)
class Layout:
    """A file layout we can read. `sniff` looks at the file name and first lines only."""

    name: str
    kind: Kind
    sniff: Callable[[SourceFile], bool]
    parse: Callable[[SourceFile], ParsedFile]


_LAYOUTS: list[Layout] = []


def register(layout: Layout) -> Layout:
    _LAYOUTS.append(layout)
    return layout


def layouts() -> tuple[Layout, ...]:
    return tuple(_LAYOUTS)


_SKIP = re.compile(r"(^|/)(\.|__MACOSX)|\.(md|pdf|docx?)$|lyout\.txt$|readme", re.IGNORECASE)


_OFFICE_SUFFIXES = {".xlsx", ".xlsm"}

# Companion files a parser reads itself (the Medicare Coverage Database export's lookup
# tables, joined into the article datasets): data, but not datasets of their own.
_COMPANIONS: list[re.Pattern[str]] = []


def register_companions(pattern: str) -> None:
    """Have `iter_files` pass over files whose path matches `pattern` (case-insensitive)."""
    _COMPANIONS.append(re.compile(pattern, re.IGNORECASE))


def _skipped(name: str) -> bool:
    return bool(_SKIP.search(name)) or any(p.search(name) for p in _COMPANIONS)


# CMS ships many tables twice or three times under one name (CSV, fixed-width TXT, XLSX). One
# copy is read: the first, in this order, that a layout recognises. The CSV comes first because
# the TXT truncates long fields (25LOCCO county lists, ANES names) and loses states.
_TWIN_ORDER = (".csv", ".txt", ".xlsx", ".xls")
_T = TypeVar("_T")


def _twin_key(text: str) -> str:
    stem, dot, suffix = text.rpartition(".")
    return stem.lower() if dot and f".{suffix.lower()}" in _TWIN_ORDER else text


def _without_twins(
    items: list[_T], name: Callable[[_T], str], make: Callable[[_T], SourceFile]
) -> Iterator[_T]:
    groups: dict[str, list[_T]] = {}
    for item in items:
        groups.setdefault(_twin_key(name(item)), []).append(item)
    chosen = {key: g[0] if len(g) == 1 else _chosen(g, name, make) for key, g in groups.items()}
    for item in items:
        if chosen[_twin_key(name(item))] is item:
            yield item


def _chosen(twins: list[_T], name: Callable[[_T], str], make: Callable[[_T], SourceFile]) -> _T:
    """The first twin, in `_TWIN_ORDER`, that a layout recognises (else the first: its error
    will then name the file)."""
    ordered = sorted(
        twins, key=lambda t: _TWIN_ORDER.index("." + name(t).rsplit(".", 1)[-1].lower())
    )
    for twin in ordered:
        if any(layout.sniff(make(twin)) for layout in _LAYOUTS):
            return twin
    return ordered[0]


def iter_files(source: str | Path) -> Iterator[SourceFile]:
    """Every data file under `source` (a file, folder or zip, zips inside folders included).
    Documentation beside the data (layouts, PDFs, READMEs) and the TXT/XLSX twins of a CSV
    are skipped; a file named directly is always read."""
    path = Path(source)
    if not path.exists():
        raise UnknownFileError(f"{path}: no such file or folder")
    if path.is_dir():
        children = sorted(p for p in path.rglob("*") if p.is_file() and not _skipped(p.name))
        for child in _without_twins(children, str, lambda p: SourceFile(name=p.name, path=p)):
            yield from iter_files(child)
        return
    # Excel workbooks are zip containers too: they are data files, not archives to open.
    if zipfile.is_zipfile(path) and path.suffix.lower() not in _OFFICE_SUFFIXES:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if not m.endswith("/")]

        def member_file(member: str) -> SourceFile:
            return SourceFile(name=f"{path.name}!{member}", path=path, member=member)

        kept = sorted(m for m in members if not _skipped(m))
        for member in _without_twins(kept, str, member_file):
            yield member_file(member)
        return
    yield SourceFile(name=path.name, path=path)


# Bytes no CMS text file holds: NUL and the C0 controls other than tab, LF, FF, CR, Ctrl-Z.
_BINARY = re.compile(rb"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f]")


def diagnose(file: SourceFile) -> str | None:
    """What is wrong with a file no layout recognises, when the bytes tell: empty, a damaged
    or truncated zip, UTF-16 text, or binary data (with the line of the first binary byte).
    None when it is readable text of a layout MedPayIQ does not know."""
    try:
        raw = file.raw_bytes()
    except (OSError, zipfile.BadZipFile, EOFError, zlib.error) as exc:
        return f"cannot be read from its zip, which is damaged or truncated ({exc})"
    if not raw:
        return "empty file (0 bytes)"
    if raw[:4] == b"PK\x03\x04":
        return "a damaged or truncated zip (its table of contents is missing)"
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error):
            return "a damaged or truncated gzip file"
        if not raw:
            return "empty file (0 bytes once decompressed)"
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or raw[1:200:2].count(0) > 50:
        return (
            "UTF-16 text: MedPayIQ reads CMS's files as published (ASCII, UTF-8 or "
            "Windows-1252); save it as UTF-8 CSV"
        )
    if not raw.strip():
        return "no data: only blank lines"
    found = _BINARY.search(raw, 0, 1 << 20)
    if found is not None:
        line = raw.count(b"\n", 0, found.start()) + 1
        return (
            f"line {line}: binary data (byte 0x{raw[found.start()]:02x}), not a text file "
            "of CMS's (garbage, or another format)"
        )
    return None


def detect(file: SourceFile) -> Layout:
    """The layout that recognises `file`, or UnknownFileError naming the file and, when the
    bytes tell, what is wrong with it (`diagnose`)."""
    for layout in _LAYOUTS:
        if layout.sniff(file):
            return layout
    problem = diagnose(file)
    if problem is not None:
        raise UnknownFileError(f"{file.name}: {problem}")
    raise UnknownFileError(
        f"{file.name}: not a file MedPayIQ knows (expected a CMS physician, clinical lab or "
        "DMEPOS fee schedule, ZIP, NCCI, MUE, add-on, ICD-10-CM, CARC/RARC, place of service, "
        "HCPCS, modifier or Medicare Coverage Database file)"
    )


def parse(file: SourceFile) -> ParsedFile:
    """Detect and parse one file."""
    return detect(file).parse(file)


def read(sources: Iterable[str | Path]) -> Iterator[ParsedFile]:
    """Parse every file under each source, in order."""
    for source in sources:
        for file in iter_files(source):
            yield parse(file)

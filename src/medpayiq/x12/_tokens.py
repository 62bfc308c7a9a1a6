"""The X12 tokenizer every transaction reader shares: delimiters from the ISA, segments by chunks.

An interchange starts with the fixed-width ISA: 106 characters, the element separator at the
4th byte, the repetition separator in ISA11, the component separator in ISA16 and the segment
terminator right after ISA16. Anything may follow the terminator as a line break (CR, LF or
CR LF) or nothing at all; line breaks are dropped wherever they stand, unless the terminator is
itself a line break.

The input is read from a binary stream in chunks (1 MiB by default) and cut at the last
terminator of each chunk, so memory stays flat whatever the file's size. Each chunk becomes a
`SegmentBatch`: the segments as text, and what it takes to say where any of them sits in the
file (byte offset, line) when a problem needs it. Those positions are worked out only then:
the hot path splits and dispatches, nothing more.

A file may hold several interchanges. One whose delimiters differ from the one before is cut
at its ISA and read with its own.
"""

from __future__ import annotations

import re
from collections.abc import Generator
from dataclasses import dataclass
from typing import BinaryIO, Final

from medpayiq.x12._compiled import mypyc_attr

ISA_LENGTH: Final = 106  # "ISA" + 16 elements of fixed width + 16 separators + the terminator
_ISA_WIDTHS: Final = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
_BREAKS: Final = b"\r\n"
_MAX_SEGMENT: Final = 1 << 20  # a "segment" this long without a terminator means this is not X12
_BOM: Final = b"\xef\xbb\xbf"


class Unreadable(Exception):
    """Raised by the tokenizer when the input (or the rest of it) cannot be read as X12.
    `code` is one of the fatal problem codes; `offset` the byte where reading stopped."""

    def __init__(self, code: str, message: str, offset: int = 0, line: int = 1) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.offset = offset
        self.line = line


@mypyc_attr(native_class=False)  # a plain class compiled or not: frozen, copied, pickled
@dataclass(frozen=True, slots=True)
class Delimiters:
    """The separators an ISA declares. `repetition` is "" before version 00501 (ISA11 "U")."""

    element: str
    component: str
    repetition: str
    segment: str

    def key(self, segment_id: str) -> str:
        """The dispatch key of a segment id: the first three characters of its segment text
        ("CLM", "SV1"; a two-letter id takes the element separator: "HL*")."""
        return segment_id if len(segment_id) >= 3 else segment_id + self.element


def read_isa(head: bytes, offset: int = 0) -> tuple[Delimiters, list[str]]:
    """The delimiters and the 17 elements ("ISA", ISA01 ... ISA16) of the ISA at the start of
    `head`. Raises Unreadable naming what is wrong."""
    if not head.startswith(b"ISA"):
        raise Unreadable("not-x12", "the input does not start with an ISA segment", offset)
    if len(head) < ISA_LENGTH:
        raise Unreadable(
            "isa-layout",
            f"the ISA is cut short: {len(head)} bytes where the fixed ISA has {ISA_LENGTH}",
            offset,
        )
    text = head[:ISA_LENGTH].decode("latin-1")
    element, terminator, component = text[3], text[105], text[104]
    parts = text[:105].split(element)
    widths = tuple(len(part) for part in parts[1:])
    if len(parts) != 17 or widths != _ISA_WIDTHS:
        found = len(parts) - 1
        raise Unreadable(
            "isa-layout",
            f"the ISA is not the fixed 106-character segment: {found} elements split by "
            f"{element!r} where 16 of widths {'/'.join(map(str, _ISA_WIDTHS))} are expected",
            offset,
        )
    repetition = parts[11] if parts[12] >= "00501" else ""
    chosen = [element, component, terminator] + ([repetition] if repetition else [])
    if len(set(chosen)) != len(chosen) or any(c.isalnum() or c == " " for c in chosen):
        raise Unreadable(
            "delimiters",
            f"the ISA's delimiters clash or are letters, digits or spaces: element {element!r},"
            f" component {component!r}, repetition {repetition!r}, terminator {terminator!r}",
            offset,
        )
    return Delimiters(element, component, repetition, terminator), parts


class SegmentBatch:
    """The complete segments of one chunk of input.

    `segments[i]` is the text of a segment without its terminator or line break; `first` is
    the 0-based index of `segments[0]` among all segments of the file; `offset` the file's byte
    offset of the chunk's first byte. `start_of(i)` and `line_of(i)` say where a segment
    stands; they are computed on the first call for a batch and kept with it.
    """

    __slots__ = (
        "_starts",
        "delimiters",
        "feeds",
        "first",
        "lines_before",
        "offset",
        "raw",
        "segments",
    )

    def __init__(
        self,
        segments: list[str],
        *,
        delimiters: Delimiters,
        first: int,
        offset: int,
        raw: bytes,
        lines_before: int,
        feeds: int = 0,
    ) -> None:
        self.segments = segments
        self.delimiters = delimiters
        self.first = first
        self.offset = offset
        self.raw = raw
        self.lines_before = lines_before
        self.feeds = feeds  # line feeds in raw
        self._starts: list[int] | None = None

    def start_of(self, index: int) -> int:
        """Byte offset in the file of segment `index` of this batch."""
        if self._starts is None:
            terminator = re.escape(self.delimiters.segment.encode("latin-1"))
            breaks = b"" if self.delimiters.segment in "\r\n" else b"[\r\n]*"
            lead = len(self.raw) - len(self.raw.lstrip(b"\r\n"))
            ends = [m.end() for m in re.finditer(terminator + breaks, self.raw)]
            self._starts = [lead, *ends[:-1]]
        starts = self._starts
        return self.offset + starts[min(max(index, 0), len(starts) - 1)]

    def line_of(self, index: int) -> int:
        """1-based line number in the file of segment `index` of this batch."""
        start = self.start_of(index) - self.offset
        return self.lines_before + self.raw.count(b"\n", 0, start) + 1

    def end(self) -> int:
        """Byte offset in the file just past this batch."""
        return self.offset + len(self.raw)


def _decode(raw: bytes) -> str:
    # UTF-8 where it is valid (the terminator is ASCII, so a cut never splits a character);
    # otherwise Latin-1, which reads any byte: a reader must not fail on a stray accent.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _strip_lead(data: bytes) -> bytes:
    """`data` without a UTF-8 byte order mark and leading whitespace or NULs."""
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    return data.lstrip(b" \t\r\n\x00")


def _split(raw: bytes, delimiters: Delimiters) -> tuple[list[str], int]:
    """The segments of `raw` (which ends with a terminator) and its number of line feeds."""
    text = _decode(raw)
    terminator = delimiters.segment
    if terminator != "\n":
        # the line feeds are counted by what dropping them removed: one pass, not two
        dropped = text.replace("\n", "")
        feeds = len(text) - len(dropped)
        text = dropped
    else:
        feeds = text.count("\n")
    if terminator != "\r" and "\r" in text:
        text = text.replace("\r", "")
    segments = text.split(terminator)
    if not segments[-1]:
        segments.pop()  # raw ends with the terminator: the last piece is empty
    return segments, feeds


def _leading_breaks(buf: bytes) -> int:
    # counted in place: lstrip would copy the whole chunk (a megabyte) to drop one line feed
    n = 0
    while buf[n : n + 1] in (b"\r", b"\n"):
        n += 1
    return n


def read_batches(
    stream: BinaryIO, *, chunk_size: int = 1 << 20
) -> Generator[SegmentBatch, int | None, None]:
    """The segments of an X12 byte stream, chunk by chunk.

    Raises Unreadable (with the offset reached) when the input is not X12 or an interchange
    header cannot be read; the batches yielded before it stay valid. Raises Truncated when the
    input ends inside a segment (bytes after the last terminator); that piece is not yielded.

    An interchange after the first may declare other delimiters. The reader that meets its
    ISA (cut with the old ones: not the fixed 105 characters, or other separators) sends back
    the ISA's index in the batch; the tokenizer then reads again from there, with the
    delimiters that ISA declares (or raises Unreadable if it cannot be read).
    """
    pending = b""
    eof = False
    offset = first = lines = 0
    delimiters: Delimiters | None = None
    wanted = max(chunk_size, ISA_LENGTH + 2)  # whole ISAs at the head of a chunk
    while True:
        while not eof and len(pending) < wanted:
            data = stream.read(chunk_size)
            eof = not data
            pending += data
        if delimiters is None:
            lead = len(pending) - len(_strip_lead(pending))
            if not pending[lead:]:
                raise Unreadable("not-x12", "the input is empty: no ISA segment")
            offset, lines, pending = lead, pending[:lead].count(b"\n"), pending[lead:]
            delimiters = read_isa(pending[:ISA_LENGTH], offset)[0]
        skip = _leading_breaks(pending)
        if pending.startswith(b"ISA", skip):
            new = read_isa(pending[skip : skip + ISA_LENGTH], offset + skip)[0]
            delimiters = new
        terminator = delimiters.segment.encode("latin-1")
        cut = pending.rfind(terminator)
        if cut < 0:
            if eof:
                break
            if len(pending) > _MAX_SEGMENT:
                raise Unreadable(
                    "no-terminator",
                    f"no segment terminator {delimiters.segment!r} in {len(pending)} bytes",
                    offset,
                    lines + 1,
                )
            data = stream.read(chunk_size)
            eof = not data
            pending += data
            continue
        raw, pending = pending[: cut + 1], pending[cut + 1 :]
        segments, feeds = _split(raw, delimiters)  # raw holds at least one terminator
        if segments:
            batch = SegmentBatch(
                segments,
                delimiters=delimiters,
                first=first,
                offset=offset,
                raw=raw,
                lines_before=lines,
                feeds=feeds,
            )
            restart = yield batch
            if restart is not None:  # an ISA of its own delimiters: read again from it
                at = batch.start_of(restart) - offset
                pending = raw[at:] + pending
                first += restart
                lines += raw.count(b"\n", 0, at)
                offset += at
                continue
            first += len(segments)
        offset += len(raw)
        lines += feeds
        if eof and not pending.strip(_BREAKS):
            return
    tail = pending.lstrip(b" \t\r\n")
    if tail.strip(b" \t\r\n\x00\x1a"):
        skipped = len(pending) - len(tail)
        raise Truncated(offset + skipped, lines + pending[:skipped].count(b"\n") + 1)


class Truncated(Exception):
    """The input ends inside a segment (no terminator after its last bytes)."""

    def __init__(self, offset: int, line: int) -> None:
        super().__init__(f"the input ends inside a segment at byte {offset}")
        self.offset = offset
        self.line = line

"""The envelope every X12 transaction reader shares: ISA/GS/ST ... SE/GE/IEA, checked as read.

`TransactionReader` drives the tokenizer (`_tokens.read_batches`) and checks the envelope:
control numbers and counts (SE01 against the segments from ST to SE, SE02 = ST02, GE01/GE02,
IEA01/IEA02), the order of the envelope segments, segments outside a transaction, a file that
ends before SE, GE or IEA. A subclass reads the body of one transaction set (837P, 835): it
names the versions it reads, gives a handler per segment id it wants, and emits items
(claims, payments) as it completes them; the reader yields them in file order, a chunk at a
time, so memory stays flat.

Segment dispatch is the hot path: one dict look-up on the segment's first three characters per
segment. Segments a reader does not need map to None and cost nothing more; ids the transaction
set does not have at all are reported once per transaction.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO, ClassVar, Final, Generic, TypeVar

from medpayiq.x12._compiled import mypyc_attr
from medpayiq.x12._problems import CODES, Severity, X12Problem
from medpayiq.x12._tokens import (
    ISA_LENGTH,
    Delimiters,
    SegmentBatch,
    Truncated,
    Unreadable,
    read_batches,
)

T = TypeVar("T")
Source = BinaryIO | bytes | str | os.PathLike[str]
Handler = Callable[[str, int], "int | None"]
"""A segment handler: (segment text, index in the batch). Returns None to go on with the next
segment; an index `j` >= 0 to go on from segment `j` (a handler that read ahead); or `-j - 1`
when it changed which handlers apply (the envelope does, entering or leaving a transaction),
to go on from `j` with the new ones."""

_ENVELOPE: Final = ("ISA", "GS", "ST", "SE", "GE", "IEA")
_WINDOW: Final = 512  # segments read between two hand-overs of completed items


@mypyc_attr(native_class=False)  # a plain class compiled or not: frozen, copied, pickled
@dataclass(frozen=True, slots=True)
class Interchange:
    """An ISA header: who sent the interchange to whom, when, its control number (ISA13)."""

    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    date: date | None  # ISA09 (YYMMDD, read as 20YY)
    time: str  # ISA10 HHMM
    control_number: str
    version: str  # ISA12, 00501 for 5010
    usage: str  # ISA15: P production, T test
    delimiters: Delimiters


@mypyc_attr(native_class=False)  # a plain class compiled or not: frozen, copied, pickled
@dataclass(frozen=True, slots=True)
class FunctionalGroup:
    """A GS header: GS01 functional id (HC claims, HP payments), application sender and
    receiver codes, GS06 control number, GS08 version label."""

    functional_id: str
    sender: str
    receiver: str
    date: date | None
    control_number: str
    version: str


@mypyc_attr(native_class=False)  # a plain class compiled or not: frozen, copied, pickled
@dataclass(frozen=True, slots=True)
class TransactionHeader:
    """An ST header in its envelope: ST01 set id, ST02 control number, ST03 version label
    (GS08 when ST03 is empty)."""

    interchange: Interchange
    group: FunctionalGroup
    set_id: str
    control_number: str
    version: str


def _ccyymmdd(text: str) -> date | None:
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _open(source: Source) -> tuple[BinaryIO, bool]:
    """A binary stream for `source` and whether we opened it (and so must close it)."""
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(source)), True
    if isinstance(source, str | os.PathLike):
        return Path(source).open("rb"), True
    return source, False


@mypyc_attr(allow_interpreted_subclasses=True)  # Reader835, readers of other sets
class TransactionReader(Generic[T]):
    """Reads an X12 file's envelope; a subclass reads one transaction set's body into `T`s.

    Iterate over the reader to get the items in file order. `problems` holds what the reader
    found that belongs to no item (the file, the envelope); it is complete once iteration ends.
    A file that cannot be read at all leaves one fatal problem and yields nothing.
    """

    transaction_set: ClassVar[str] = ""  # ST01, "837"
    versions: ClassVar[tuple[str, ...]] = ()  # ST03/GS08 labels read ("005010X222A1", ...)
    segment_ids: ClassVar[frozenset[str]] = frozenset()  # every id the set may hold

    def __init__(self, source: Source, *, chunk_size: int = 1 << 20) -> None:
        self._source = source
        self._chunk_size = chunk_size
        self.problems: list[X12Problem] = []
        self._out: list[T] = []
        self._batch: SegmentBatch | None = None
        self._delimiters: Delimiters | None = None
        self._tables: dict[int, tuple[dict[str, Handler | None], Handler | None]] = {}
        self._state = 0  # 0 outside ISA, 1 in ISA, 2 in GS, 3 reading ST, 4 skipping ST
        self._interchange: Interchange | None = None
        self._group: FunctionalGroup | None = None
        self._header: TransactionHeader | None = None
        self._groups = 0  # GS seen in this interchange
        self._sets = 0  # ST seen in this group
        self._st_first = 0  # file-wide index of the ST segment
        self._unknown_seen: set[str] = set()
        self._outside_reported = False
        self._used = False
        self._restart: int | None = None  # an ISA of other delimiters: re-read from it
        self._restarted = -1  # where the last re-read started (file-wide segment index)
        self._cut_inside = False  # the input ended inside a segment

    # --- for subclasses -----------------------------------------------------------------

    def _handlers(self, delimiters: Delimiters) -> dict[str, Handler | None]:
        """Body segment handlers keyed by `delimiters.key(segment_id)`; None = skip."""
        return {}

    def _body(self, segments: list[str], start: int, stop: int) -> int:
        """Read a transaction's body from segment `start`, until `stop` or until the tables
        change (an envelope segment was handled); return the next index. A reader may replace
        this loop with one that reads its common segments inline (looking ahead past `stop`
        if it likes); the default dispatches each segment."""
        return self._run(segments, start, stop)

    def _begin(self, header: TransactionHeader, index: int) -> None:
        """A transaction of our set begins at the ST at `index` of the current batch."""

    def _end(self, index: int, *, closed: bool) -> None:
        """The transaction ends: at its SE (`closed`), or cut short (no SE before the next
        envelope segment or the end of the file); emit what is still open."""

    def _emit(self, item: T) -> None:
        self._out.append(item)

    def _position(
        self, index: int, batch: SegmentBatch | None = None
    ) -> tuple[int | None, str, int, int]:
        """(segment position in the transaction, segment id, byte offset, line) of segment
        `index` of `batch` (the current batch by default)."""
        batch = batch or self._batch
        assert batch is not None
        text = batch.segments[index] if 0 <= index < len(batch.segments) else ""
        segment_id = self._quotable_id(text.split(batch.delimiters.element, 1)[0])
        in_set = self._header is not None and index >= 0
        position = batch.first + index - self._st_first + 1 if in_set else None
        return position, segment_id, batch.start_of(index), batch.line_of(index)

    def _quotable_id(self, text: str) -> str:
        """`text` when it is a segment id this transaction set has (or the envelope's), else
        "": an unknown id may be the middle of a name or a member id cut off by damage, which
        a problem must never quote."""
        return text if text in self.segment_ids or text in _ENVELOPE else ""

    def _problem(
        self,
        code: str,
        index: int,
        message: str,
        *,
        element: int | None = None,
        component: int | None = None,
        loop: str | None = None,
        severity: Severity | None = None,
        claim_id: str | None = None,
        batch: SegmentBatch | None = None,
        position: int | None = None,
    ) -> X12Problem:
        """A problem at segment `index` of `batch` (the current one by default)."""
        seg_position, segment_id, offset, line = self._position(index, batch)
        return X12Problem(
            code,
            severity or CODES[code][0],
            message,
            transaction=self._header.control_number if self._header else None,
            segment_position=position if position is not None else seg_position,
            segment_id=segment_id or None,
            loop=loop,
            element=element,
            component=component,
            offset=offset,
            line=line,
            claim_id=claim_id,
        )

    def _report(self, problem: X12Problem) -> None:
        self.problems.append(problem)

    @property
    def header(self) -> TransactionHeader | None:
        """The transaction being read."""
        return self._header

    # --- the loop -----------------------------------------------------------------------

    def __iter__(self) -> Iterator[T]:
        if self._used:
            raise RuntimeError("an X12 reader reads its input once; make a new one")
        self._used = True
        try:
            stream, owned = _open(self._source)
        except OSError as exc:
            self._report(X12Problem("read-error", Severity.FATAL, f"cannot open the input: {exc}"))
            return
        try:
            yield from self._read(stream)
        finally:
            if owned:
                stream.close()

    def _read(self, stream: BinaryIO) -> Iterator[T]:
        out = self._out
        end: tuple[int, int] | None = None
        batches = read_batches(stream, chunk_size=self._chunk_size)
        restart: int | None = None
        try:
            while True:
                try:
                    batch = batches.send(restart) if restart is not None else next(batches)
                except StopIteration:
                    break
                restart = None
                self._batch = batch
                segments = batch.segments
                start, count = 0, len(segments)
                # (a local flag, not `self._restart is None` in the loops' conditions: mypy
                # would take the attribute as None inside them, and compiled code trusts it)
                restarting = False  # self._restart is None here
                while start < count and not restarting:
                    # A window at a time, handing over what it completed: items die young,
                    # which keeps the cyclic garbage collector's work small.
                    stop = min(start + _WINDOW, count)
                    while start < stop and not restarting:
                        if self._state == 3:
                            start = self._body(segments, start, stop)
                        else:
                            start = self._run(segments, start, stop)
                        restarting = self._restart is not None
                    if out:
                        yield from out
                        out.clear()
                restart, self._restart = self._restart, None
                end = (batch.end(), batch.lines_before + batch.feeds + 1)
        except Unreadable as exc:
            self._fatal(exc)
        except Truncated as cut:  # (a name of its own: compiled, `exc` has one type)
            end = (cut.offset, cut.line)
            self._cut_inside = True
        self._finish(end)
        if out:
            yield from out
            out.clear()

    def _run(self, segments: list[str], start: int, count: int) -> int:
        """Dispatch segments from `start` until a handler changes the tables; the next index."""
        handlers, default = self._table()
        get = handlers.get
        i = start
        while i < count:
            segment = segments[i]
            handler = get(segment[:3], default)
            if handler is None:
                i += 1
                continue
            going = handler(segment, i)
            if going is None:
                i += 1
            elif going < 0:
                return -going - 1
            else:
                i = going
        return count

    def _table(self) -> tuple[dict[str, Handler | None], Handler | None]:
        batch = self._batch
        assert batch is not None
        if batch.delimiters is not self._delimiters:
            self._delimiters = batch.delimiters
            self._tables = {}
        table = self._tables.get(self._state)
        if table is None:
            table = self._tables[self._state] = self._build_table(batch.delimiters)
        return table

    def _build_table(
        self, delimiters: Delimiters
    ) -> tuple[dict[str, Handler | None], Handler | None]:
        envelope: dict[str, Handler | None] = {
            delimiters.key("ISA"): self._isa,
            delimiters.key("GS"): self._gs,
            delimiters.key("ST"): self._st,
            delimiters.key("SE"): self._se,
            delimiters.key("GE"): self._ge,
            delimiters.key("IEA"): self._iea,
            "": self._empty,
        }
        if self._state == 3:
            handlers: dict[str, Handler | None] = dict.fromkeys(
                (delimiters.key(s) for s in self.segment_ids), None
            )
            handlers.update(self._handlers(delimiters))
            handlers.update(envelope)
            return handlers, self._unknown
        if self._state == 4:
            return envelope, None
        return envelope, self._outside

    # --- envelope segments ----------------------------------------------------------------

    def _elements(self, segment: str) -> list[str]:
        assert self._delimiters is not None
        return segment.split(self._delimiters.element)

    def _isa(self, segment: str, i: int) -> int | None:
        delimiters = self._delimiters
        assert delimiters is not None
        if (
            len(segment) != ISA_LENGTH - 1
            or segment[3] != delimiters.element
            or segment[104] != delimiters.component
            or (segment[82] != delimiters.repetition and segment[84:89] >= "00501")
        ):
            # cut with delimiters it does not declare (or malformed): the tokenizer reads
            # again from here with its own, or says why it cannot
            batch = self._batch
            assert batch is not None
            if self._restarted == batch.first + i:  # read again, still not right: give up
                raise Unreadable(
                    "isa-layout",
                    "the ISA is not the fixed 106-character segment",
                    batch.start_of(i),
                )
            self._restart = i
            self._restarted = batch.first + i
            return -i - 1
        if self._state >= 3:
            self._cut_transaction(i, "an ISA")
        if self._state >= 2:
            self._report(self._problem("envelope-order", i, "ISA inside a group: GE missing"))
        if self._state >= 1:
            self._report(self._problem("envelope-order", i, "ISA before the IEA of the last one"))
        e = self._elements(segment)
        assert self._delimiters is not None
        yymmdd = e[9]
        self._interchange = Interchange(
            e[5].strip(),
            e[6].strip(),
            e[7].strip(),
            e[8].strip(),
            _ccyymmdd("20" + yymmdd),
            e[10],
            e[13],
            e[12],
            e[15],
            self._delimiters,
        )
        self._groups = 0
        self._state = 1
        self._outside_reported = False
        return -i - 2  # tables change: go on from i + 1

    def _gs(self, segment: str, i: int) -> int | None:
        if self._state >= 3:
            self._cut_transaction(i, "a GS")
        if self._state == 0:
            self._report(self._problem("envelope-order", i, "GS outside an interchange (no ISA)"))
        elif self._state >= 2:
            self._report(self._problem("envelope-order", i, "GS before the GE of the last group"))
        e = self._elements(segment) + [""] * 9
        self._group = FunctionalGroup(e[1], e[2], e[3], _ccyymmdd(e[4]), e[6], e[8])
        self._groups += 1
        self._sets = 0
        self._state = 2
        self._outside_reported = False
        return -i - 2  # tables change: go on from i + 1

    def _st(self, segment: str, i: int) -> int | None:
        batch = self._batch
        assert batch is not None
        if self._state >= 3:
            self._cut_transaction(i, "the next ST")
        if self._state < 2:
            self._report(self._problem("envelope-order", i, "ST outside a functional group"))
        e = [*self._elements(segment), "", "", ""]
        group = self._group or FunctionalGroup("", "", "", None, "", "")
        version = e[3] or group.version
        interchange = self._interchange or _NO_INTERCHANGE
        self._header = TransactionHeader(interchange, group, e[1], e[2], version)
        self._st_first = batch.first + i
        self._sets += 1
        self._unknown_seen = set()
        self._outside_reported = False
        if e[1] != self.transaction_set or version not in self.versions:
            self._report(
                self._problem(
                    "transaction-type",
                    i,
                    f"transaction set {e[1] or '(empty)'} version {version or '(empty)'} is not"
                    f" read here: this reader reads {self.transaction_set}"
                    f" {' or '.join(self.versions)}; its segments are skipped",
                    element=1 if e[1] != self.transaction_set else 3,
                )
            )
            self._state = 4
            return -i - 2  # tables change: go on from i + 1
        if e[3] and group.version and e[3] != group.version:
            self._report(
                self._problem(
                    "version-label",
                    i,
                    f"ST03 {e[3]} differs from GS08 {group.version}; ST03 is used",
                    element=3,
                )
            )
        self._state = 3
        self._begin(self._header, i)
        return -i - 2  # tables change: go on from i + 1

    def _se(self, segment: str, i: int) -> int | None:
        batch = self._batch
        assert batch is not None
        if self._state < 3:
            self._report(self._problem("envelope-order", i, "SE without its ST"))
            return None
        e = [*self._elements(segment), "", ""]
        counted = batch.first + i - self._st_first + 1
        if e[1] != str(counted):
            self._report(
                self._problem(
                    "se-count",
                    i,
                    f"SE01 says {e[1] or '(empty)'} segments; ST to SE holds {counted}",
                    element=1,
                )
            )
        assert self._header is not None
        if e[2] != self._header.control_number:
            self._report(
                self._problem(
                    "se-control",
                    i,
                    f"SE02 {e[2] or '(empty)'} is not ST02 {self._header.control_number}",
                    element=2,
                )
            )
        if self._state == 3:
            self._end(i, closed=True)
        self._state = 2
        self._header = None
        return -i - 2  # tables change: go on from i + 1

    def _ge(self, segment: str, i: int) -> int | None:
        if self._state >= 3:
            self._cut_transaction(i, "GE")
        if self._state < 2:
            self._report(self._problem("envelope-order", i, "GE without its GS"))
            return None
        e = [*self._elements(segment), "", ""]
        if e[1] != str(self._sets):
            self._report(
                self._problem(
                    "ge-count",
                    i,
                    f"GE01 says {e[1] or '(empty)'} transaction sets; the group holds {self._sets}",
                    element=1,
                )
            )
        group = self._group.control_number if self._group else ""
        if e[2] != group:
            self._report(
                self._problem(
                    "ge-control",
                    i,
                    f"GE02 {e[2][:9] or '(empty)'} is not GS06 {group or '(none)'}",
                    element=2,
                )
            )
        self._state = 1
        self._group = None
        return -i - 2  # tables change: go on from i + 1

    def _iea(self, segment: str, i: int) -> int | None:
        if self._state >= 3:
            self._cut_transaction(i, "IEA")
        if self._state >= 2:
            self._report(self._problem("envelope-order", i, "IEA before the GE of its group"))
        if self._state == 0:
            self._report(self._problem("envelope-order", i, "IEA without its ISA"))
            return None
        e = [*self._elements(segment), "", ""]
        if e[1] != str(self._groups):
            self._report(
                self._problem(
                    "iea-count",
                    i,
                    f"IEA01 says {e[1] or '(empty)'} groups; the interchange holds {self._groups}",
                    element=1,
                )
            )
        control = self._interchange.control_number if self._interchange else ""
        if e[2] != control:
            self._report(
                self._problem(
                    "iea-control",
                    i,
                    f"IEA02 {e[2][:9] or '(empty)'} is not ISA13 {control or '(none)'}",
                    element=2,
                )
            )
        self._state = 0
        self._interchange = None
        self._outside_reported = False
        return -i - 2  # tables change: go on from i + 1

    def _cut_transaction(self, i: int, what: str) -> None:
        """A transaction still open when `what` arrives: its SE is missing."""
        self._report(
            self._problem(
                "truncated",
                i,
                f"transaction {self._header.control_number if self._header else ''} has no SE"
                f" before {what}",
            )
        )
        if self._state == 3:
            self._end(i, closed=False)
        self._state = 2
        self._header = None

    def _empty(self, segment: str, i: int) -> None:
        self._report(
            self._problem("empty-segment", i, "an empty segment (two terminators in a row)")
        )

    def _unknown(self, segment: str, i: int) -> None:
        assert self._delimiters is not None
        segment_id = segment.split(self._delimiters.element, 1)[0]
        if segment_id in self._unknown_seen:
            return
        self._unknown_seen.add(segment_id)
        if segment_id in self.segment_ids or segment_id in _ENVELOPE:
            message = f"segment {segment_id} has no elements"
        else:
            message = (
                f"a segment id that transaction set {self.transaction_set} does not have (not"
                " quoted: a damaged segment may start with a patient's data; reported once per"
                " transaction)"
            )
        self._report(self._problem("unknown-segment", i, message))

    def _outside(self, segment: str, i: int) -> None:
        if self._outside_reported:
            return
        self._outside_reported = True
        where = ("outside an interchange", "between GS and ST", "between SE and ST")[
            min(self._state, 2)
        ]
        if self._state == 0:
            code, message = "trailing-data", "segments after the IEA; they are not read"
        else:
            code, message = "outside-transaction", f"segments {where}; they are not read"
        self._report(self._problem(code, i, message))

    def _fatal(self, exc: Unreadable) -> None:
        if self._state == 3:
            self._end(-1, closed=False)
        self._report(
            X12Problem(
                exc.code,
                Severity.FATAL,
                exc.message,
                transaction=self._header.control_number if self._header else None,
                offset=exc.offset,
                line=exc.line if exc.offset else 1,
            )
        )
        self._state = 0

    def _finish(self, end: tuple[int, int] | None) -> None:
        """End of input: whatever is still open was cut short."""
        offset, line = end or (None, None)
        if self._state == 0:
            if self._cut_inside:
                self._report(
                    X12Problem(
                        "trailing-data",
                        Severity.WARNING,
                        "data after the last IEA, not even a whole segment",
                        offset=offset,
                        line=line,
                    )
                )
            return
        missing = [
            name for level, name in ((3, "SE"), (2, "GE"), (1, "IEA")) if self._state >= level
        ]
        inside = "inside a segment, " if self._cut_inside else ""
        self._report(
            X12Problem(
                "truncated",
                Severity.TRANSACTION,
                f"the file ends {inside}before {', '.join(missing)}: it was cut short",
                transaction=self._header.control_number if self._header else None,
                offset=offset,
                line=line,
            )
        )
        if self._state == 3:
            self._end(-1, closed=False)
        self._state = 0


_NO_INTERCHANGE: Final = Interchange(
    "", "", "", "", None, "", "", "", "", Delimiters("*", ":", "^", "~")
)

"""837P claim files checked, priced and reported: the one question the CLI (`check FILE.837`,
`claims scrub`), the API (`POST /api/v1/claims/check` with an X12 body) and the web page
(`/claims/file`) ask.

    files = ClaimFiles(reference, [("claims.837", path_or_stream), ...])
    for report in files:                      # claims.ClaimReport, streamed in input order
        ...
    files.summary, files.problems, files.unreadable

One `Scrubber` runs over every input in order, so a later file's claims see the earlier
files' patients (history, duplicates). The JSON answer (`json_chunks`) is written as it goes:
`{"claims": [...], "problems": [...], "unreadable": [...], "summary": {...}}`.

`input_kind` (in _core) tells a claim JSON file from an X12 file by its first bytes. Nothing
here logs or keeps what a file says about a patient.
"""

from __future__ import annotations

import gc
import json
import math
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from medpayiq.claims import ClaimReport, Scrubber, Summary, problem_dict

if TYPE_CHECKING:
    from medpayiq.changes import Volume
from medpayiq.errors import InputError
from medpayiq.reference import ReferenceData
from medpayiq.x12 import Claim837, Severity, Source, X12Problem, read_837p

__all__ = ["ClaimFiles", "TrackedFile", "Unreadable", "json_chunks", "volume_from_837p"]


class TrackedFile:
    """A file read as a binary stream that says how far it has been read (`position`), for
    a progress bar; opened at the first read (a file that cannot be opened is the reader's
    to report, as for a path), closed by `close`."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = path
        self.handle: IO[bytes] | None = None

    def read(self, size: int = -1) -> bytes:
        if self.handle is None:
            self.handle = open(self.path, "rb")  # noqa: SIM115 (closed by `close`)
        return self.handle.read(size)

    def position(self) -> int:
        """Bytes read so far (0 before the first read and once closed)."""
        return self.handle.tell() if self.handle is not None and not self.handle.closed else 0

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


def file_problems(
    problems: Iterable[X12Problem], claims_read: int
) -> tuple[list[X12Problem], list[X12Problem]]:
    """A file's own problems once it is read: (those that make it unreadable, the others).
    A fatal problem makes the file unreadable when it gave no claim at all (the CLI exits 2,
    the API answers 400); after some claims it is one of the file's problems (a file cut
    short: the claims before the cut stand). Claim files and remittances alike."""
    lost: list[X12Problem] = []
    others: list[X12Problem] = []
    for problem in problems:
        fatal = problem.severity is Severity.FATAL and claims_read == 0
        (lost if fatal else others).append(problem)
    return lost, others


@dataclass(frozen=True, slots=True)
class Unreadable:
    """An input that could not be read at all: its name and the reader's fatal problem."""

    file: str
    problem: X12Problem

    @property
    def message(self) -> str:
        return f"{self.file}: {self.problem.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, **problem_dict(self.problem)}


class ClaimFiles:
    """Scrub 837P inputs in order (module docstring). Iterate once; `summary`, `problems`
    (every structural problem, each with its file: those of rejected claims as they come,
    then the envelope's and the file's) and `unreadable` are complete when the iteration
    ends."""

    def __init__(
        self,
        reference: ReferenceData,
        sources: Sequence[tuple[str, Source]],
        *,
        chunk_size: int = 1 << 20,
    ) -> None:
        self.scrubber = Scrubber(reference)
        self.sources = sources
        self.problems: list[tuple[str, X12Problem]] = []
        self.unreadable: list[Unreadable] = []
        self._chunk_size = chunk_size

    @property
    def summary(self) -> Summary:
        return self.scrubber.summary

    def __iter__(self) -> Iterator[ClaimReport]:
        scrub = self.scrubber.scrub
        try:
            with _full_collections_paused():
                for name, source in self.sources:
                    self.summary.files.append(name)
                    reader = read_837p(source, chunk_size=self._chunk_size)
                    for item in reader:
                        report = scrub(item, file=name)
                        if report.problems:
                            self.problems.extend((name, p) for p in report.problems)
                        yield report
                    # each file's own, once it is read
                    lost, others = file_problems(reader.problems, reader.claims_read)
                    self.unreadable.extend(Unreadable(name, p) for p in lost)
                    self.problems.extend((name, p) for p in others)
                self.summary.problems = len(self.problems)
        finally:  # also when the reader stops early (a client gone, an error)
            self.scrubber.close()

    @property
    def readable(self) -> bool:
        """False when every input was unreadable (check after the iteration)."""
        return len(self.unreadable) < len(self.sources)


_NO_FULL_COLLECTIONS = 1 << 30  # gen-1 collections before a full one: never, in practice
_paused = 0
_thresholds = (700, 10, 10)
_pause_lock = threading.Lock()


@contextmanager
def _full_collections_paused() -> Iterator[None]:
    """Full collections of the cyclic garbage collector held off while claims are scrubbed
    (the young generations are still collected as usual). With the reference data loaded the
    collector tracks millions of objects, and a full collection, which the checker's kept
    encounters bring on every few thousand claims, took 0.5-1 s: a quarter of a 100,000-claim
    scrub (bench/x12_837.py). A claim leaves almost no cyclic garbage. Counted, so that
    concurrent scrubs (API requests) restore the thresholds only when the last one ends."""
    global _paused, _thresholds
    with _pause_lock:
        _paused += 1
        if _paused == 1:
            _thresholds = gc.get_threshold()
            gc.set_threshold(_thresholds[0], _thresholds[1], _NO_FULL_COLLECTIONS)
    try:
        yield
    finally:
        with _pause_lock:
            _paused -= 1
            if _paused == 0:
                gc.set_threshold(*_thresholds)


def volume_from_837p(data: bytes, *, name: str = "claims.837") -> Volume:
    """A practice's volume (`medpayiq changes --volume FILE.837`) from the service lines of
    an 837P file: code, modifiers, place of service, the claim's locality ZIP and units
    (decimals rounded up); void claims and claims the reader rejected are left out. A row's
    `line` is its SV1's position in its transaction. InputError when the file cannot be read
    at all."""
    from medpayiq.changes import VolumeRow, volume_from_rows  # Polars: only when asked

    reader = read_837p(data)
    rows = [
        VolumeRow(
            hcpcs=line.hcpcs,
            units=max(1, math.ceil(line.units)),
            modifier=",".join(line.modifiers),
            pos=line.place_of_service,
            zip=item.locality_zip or "",
            line=line.segment,
        )
        for item in reader
        if isinstance(item, Claim837) and not item.is_void
        for line in item.lines
    ]
    fatal = [p for p in reader.problems if p.severity is Severity.FATAL]
    if fatal and not rows:
        raise InputError(f"{name} cannot be read: {fatal[0]}", parameter="volume")
    return volume_from_rows(rows, source=name)


def json_chunks(files: ClaimFiles) -> Iterator[str]:
    """The JSON answer, a piece at a time (one per claim): a 100,000-claim file is never
    held as one document."""
    yield '{"claims": ['
    first = True
    for report in files:
        yield ("" if first else ",\n") + report.as_json()
        first = False
    problems = [{"file": name, **problem_dict(p)} for name, p in files.problems]
    rest = {
        "problems": problems,
        "unreadable": [u.as_dict() for u in files.unreadable],
        "summary": files.summary.as_dict(),
    }
    yield "],\n" + json.dumps(rest, ensure_ascii=False)[1:]

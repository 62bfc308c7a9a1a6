"""837P files scrubbed by several processes (`medpayiq claims scrub --workers N`): the
claim checker is pure Python, so one process uses one core.

    files = ClaimFilesInWorkers(db, [("a.837", "a.837")], render=writer.render, workers=2)
    for text in files:              # each claim rendered (`render`), in input order
        writer.write_text(text)
    files.summary, files.problems, files.unreadable

Claims are shared out by patient (payer, member id and, for a dependant, birth date and sex,
as `claims.patient_key` tells patients apart), so each patient's claims are all scrubbed by
one worker, in input order: history and duplicates, which never cross patients, come out as
one process gives them. Each worker opens the store itself (`db`), reads every file (reading
is a tenth of the work) and scrubs its own patients' claims; it sends each claim rendered as
the report's text with its summary tally (`claims.tally`), 200 at a time, and the parent
merges them back into input order (`where`: the input and how far a worker had read it when
it read the claim last yielded, for a progress bar). The answers are those of one process (a
test compares them); the cost is each worker's own reference data in memory. Workers are
forked where that is safe (`start_method`), so they begin with the modules the parent
imported; `start()` starts them before the caller starts a thread of its own (the CLI's
progress bar). `auto_workers` is how many the CLI starts when the user does not say.
"""

from __future__ import annotations

import heapq
import multiprocessing
import os
import sys
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any, BinaryIO, Literal, cast

from medpayiq.claims import ClaimReport, Scrubber, Summary, tally
from medpayiq.errors import MedPayIQError
from medpayiq.x12 import Claim837, RejectedClaim, X12Problem, read_837p

from ._claim_files import TrackedFile, Unreadable, _full_collections_paused, file_problems

if TYPE_CHECKING:  # ForkContext is not defined where there is no fork
    from multiprocessing.context import ForkContext, SpawnContext

__all__ = [
    "AUTO_BYTES",
    "ClaimFilesInWorkers",
    "auto_workers",
    "owner",
    "start_method",
    "usable_cores",
]

_BATCH = 200
AUTO_BYTES = 4 << 20  # inputs smaller than this are scrubbed by one process (`auto_workers`)
AUTO_MOST = 4  # each worker holds its own reference data (about 200 MB)
_END = 1 << 62  # sorts after every claim of a file: the file's own problems


def auto_workers(input_bytes: int, cores: int) -> int:
    """How many processes scrub an input of `input_bytes` on `cores` usable cores when the
    user does not say: one per core, at most `AUTO_MOST`, for `AUTO_BYTES` (4,000-6,000
    claims) and more; one for less. A worker warms its own reference data (2-4 s of CPU),
    which a smaller input does not repay: with forked workers, the whole command took 5.4 s
    in two and 6.7 s in one for 5,000 claims (3.6 MB), and 2.7-3.8 s against 3.7-4.3 s for
    2,000, on a slow machine (docs/x12.md, "Processes")."""
    if input_bytes < AUTO_BYTES:
        return 1
    return max(1, min(cores, AUTO_MOST))


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system tells)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def start_method() -> Literal["fork", "spawn"]:
    """How workers are started: "fork" where the system has it and this process runs no
    other thread, so that a worker begins with every module the parent imported (a spawned
    one imports them again: 1-3 s of CPU each, the command line's modules included); "spawn"
    otherwise, since a fork copies the locks other threads hold, and never their release.
    The command line starts its workers before its progress bar starts a thread."""
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return "fork"
    return "spawn"


def owner(item: Claim837 | RejectedClaim, sequence: int, workers: int) -> int:
    """The worker that scrubs `item`: by patient (a stable hash, the same in every process);
    a rejected claim, which has no history, by its place in the file."""
    if isinstance(item, RejectedClaim):
        return sequence % workers
    subscriber = item.subscriber
    patient = item.patient
    key = f"{subscriber.payer.payer_id}\x1f{subscriber.member_id}"
    if patient is not None:
        key += f"\x1f{patient.birth_date}\x1f{patient.sex}"
    return zlib.crc32(key.encode("utf-8")) % workers


def _work(
    db: str | None,
    sources: Sequence[tuple[str, str]],
    render: Callable[[ClaimReport], str],
    index: int,
    workers: int,
    out: Connection,
) -> None:
    """One worker: its patients' claims, rendered and tallied, sent in batches."""
    try:
        from medpayiq.store import open_store

        scrubber = Scrubber(open_store(db).reference())
        with _full_collections_paused():
            for number, (name, path) in enumerate(sources):
                source = TrackedFile(path)  # how far it is read: the parent's progress
                reader = read_837p(cast(BinaryIO, source))
                batch: list[Any] = []
                for sequence, item in enumerate(reader):
                    if owner(item, sequence, workers) != index:
                        continue
                    report = scrubber.scrub(item, file=name)
                    batch.append((number, sequence, render(report), tally(report),
                                  report.problems, source.position()))  # fmt: skip
                    if len(batch) >= _BATCH:
                        out.send(batch)
                        batch = []
                source.close()
                problems = tuple(reader.problems) if index == 0 else ()
                batch.append((number, _END, None, reader.claims_read, problems, 0))
                out.send(batch)
        scrubber.close()
        out.send(("done", list(scrubber.summary.notes)))
    except MedPayIQError as exc:
        out.send(("error", str(exc)))
    finally:
        out.close()


class ClaimFilesInWorkers:
    """`ClaimFiles` over `workers` processes, yielding each claim's rendered text (module
    docstring). `summary`, `problems` and `unreadable` are complete when the iteration ends.
    Raises MedPayIQError with a worker's message (no data loaded ...)."""

    def __init__(
        self,
        db: str | None,
        sources: Sequence[tuple[str, str]],
        *,
        render: Callable[[ClaimReport], str],
        workers: int = 2,
    ) -> None:
        self.db = db
        self.sources = list(sources)
        self.render = render
        self.workers = max(1, workers)
        self.summary = Summary()
        self.problems: list[tuple[str, X12Problem]] = []
        self.unreadable: list[Unreadable] = []
        # (input number, bytes of it read) as of the claim last yielded: for a progress bar
        self.where: tuple[int, int] = (0, 0)
        self._pipes: list[Connection] = []
        self._processes: list[BaseProcess] = []

    @property
    def readable(self) -> bool:
        return len(self.unreadable) < len(self.sources)

    def start(self) -> None:
        """Start the workers (iterating starts them too): before any thread of this process,
        so that they can be forked (`start_method`). Once started, this does nothing."""
        if self._processes:
            return
        context: ForkContext | SpawnContext = (
            multiprocessing.get_context("fork")
            if start_method() == "fork"
            else multiprocessing.get_context("spawn")
        )
        # A forked worker flushes its copy of what the parent had not yet written out.
        sys.stdout.flush()
        sys.stderr.flush()
        for index in range(self.workers):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(
                target=_work,
                args=(self.db, self.sources, self.render, index, self.workers, send),
                daemon=True,
            )
            process.start()
            send.close()
            self._pipes.append(receive)
            self._processes.append(process)

    def __iter__(self) -> Iterator[str]:
        self.start()
        pipes, processes = self._pipes, self._processes
        notes: list[str] = []
        try:
            self.summary.files.extend(name for name, _ in self.sources)
            streams = [self._stream(pipe, notes) for pipe in pipes]
            merged = heapq.merge(*streams, key=lambda item: (item[0], item[1]))
            for number, sequence, text, counted, problems, position in merged:
                name = self.sources[number][0]
                if sequence == _END:
                    self._file_end(name, counted, problems)
                    continue
                self.where = (number, position)
                self.summary.add_tally(counted)
                self.problems.extend((name, p) for p in problems)
                yield text
            for note in notes:
                if note not in self.summary.notes and len(self.summary.notes) < 1000:
                    self.summary.notes[note] = None
            self.summary.problems = len(self.problems)
        finally:
            for process in processes:
                process.join(timeout=5)
                if process.is_alive():
                    process.terminate()
            for pipe in pipes:
                pipe.close()

    def _file_end(self, name: str, claims_read: int, problems: tuple[X12Problem, ...]) -> None:
        lost, others = file_problems(problems, claims_read)
        self.unreadable.extend(Unreadable(name, p) for p in lost)
        self.problems.extend((name, p) for p in others)

    @staticmethod
    def _stream(pipe: Connection, notes: list[str]) -> Iterator[tuple[Any, ...]]:
        """A worker's items in its order (which is input order), until it is done."""
        while True:
            try:
                message = pipe.recv()
            except EOFError:
                raise MedPayIQError("a scrub worker stopped before it was done") from None
            if isinstance(message, tuple):
                kind, payload = message
                if kind == "error":
                    raise MedPayIQError(payload)
                notes.extend(payload)
                return
            yield from message

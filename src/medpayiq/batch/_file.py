"""Reading the input CSV in chunks, pricing each, writing the output CSV."""

from __future__ import annotations

import csv
import gc
import io
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

import polars as pl

from medpayiq.errors import InputError
from medpayiq.reference import ReferenceData

from ._keys import KEY_COLUMNS, DType
from ._vector import OUTPUT_COLUMNS, Batch, CsvChunk, csv_chunk, price_chunk

__all__ = ["BatchSummary", "Progress", "check_columns", "check_file", "price_file", "price_frame"]

CHUNK_BYTES = 64 * 1024 * 1024
# Called after each chunk with (bytes read, file size, lines written so far).
Progress = Callable[[int, int, int], None]


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """What a run did: lines written, how many the line engine priced, and how many have
    an amount."""

    lines: int
    line_engine: int
    priced: int


def check_columns(columns: list[str], *, date_default: date | None) -> None:
    """Raise InputError naming what is missing from a header (names already lower-cased)."""
    have = set(columns)
    required = ["line_id", "hcpcs", "modifier", "pos"]
    if date_default is None:
        required.append("date_of_service")
    missing = [c for c in required if c not in have]
    if "zip" not in have and not {"carrier", "locality"} <= have:
        missing.append("zip (or carrier and locality)")
    if missing:
        raise InputError(
            f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)} "
            f"(the file has: {', '.join(columns) or 'no header'})",
            parameter="columns",
        )
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        raise InputError(f"column repeated: {', '.join(duplicated)}", parameter="columns")


def check_file(source: str | Path, *, date_default: date | None = None) -> list[str]:
    """The file's columns (lower-cased); raises InputError when it cannot be read or lacks a
    required column. Reads the header line only."""
    path = Path(source)
    try:
        with path.open("rb") as handle:
            header = handle.readline()
    except OSError as exc:
        raise InputError(f"{source}: {exc.strerror or exc}", parameter="input") from None
    columns = _header(header, path)
    check_columns(columns, date_default=date_default)
    return columns


def price_frame(
    reference: ReferenceData, frame: pl.DataFrame, *, date_default: date | None = None
) -> pl.DataFrame:
    """Price the lines of `frame` (input columns as text) in memory: the output columns,
    one row per input row, in order."""
    frame = frame.rename({c: c.strip().lower() for c in frame.columns})
    check_columns(frame.columns, date_default=date_default)
    batch = Batch(reference, date_default)
    frame = frame.select(
        pl.col(c).cast(pl.String).cast(batch.columns[c].dtype)
        if c in batch.columns
        else pl.col(c).cast(pl.String)
        for c in frame.columns
        if c in KEY_COLUMNS or c == "line_id"
    )
    out, _ = price_chunk(frame, batch, claims="claim_id" in frame.columns)
    return out.with_columns(pl.all().cast(pl.String))


def price_file(
    reference: ReferenceData,
    source: str | Path,
    target: str | Path,
    *,
    date_default: date | None = None,
    progress: Progress | None = None,
    chunk_bytes: int = CHUNK_BYTES,
) -> BatchSummary:
    """Price every line of the CSV `source` into the CSV `target`. Raises InputError when
    the header lacks a column (nothing is written) or the file cannot be read."""
    path = Path(source)
    try:
        size = path.stat().st_size
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"{source}: {exc.strerror or exc}", parameter="input") from None
    with handle, _objects_held():
        header = handle.readline()
        columns = _header(header, path)
        check_columns(columns, date_default=date_default)
        claims = "claim_id" in columns
        batch = Batch(reference, date_default)
        wanted = [c for c in columns if c in KEY_COLUMNS or c == "line_id"]
        schema = batch.schema(wanted)
        lines = line_engine = priced = 0
        done = len(header)
        first = True
        try:
            out = Path(target).open("wb")  # noqa: SIM115 - closed by the with below
        except OSError as exc:
            raise InputError(f"{target}: {exc.strerror or exc}", parameter="output") from None
        with out, ThreadPoolExecutor(2, thread_name_prefix="price-batch") as pool:
            # Three chunks in flight: the next one read and parsed, this one priced, the
            # last one written (Polars reads and writes without holding the GIL).
            names = _header_line(columns)
            pieces = _chunks(handle, size if claims else chunk_bytes, names)

            def load() -> tuple[int, pl.DataFrame] | None:
                piece = next(pieces, None)
                return None if piece is None else (piece[0], _read(piece[1], wanted, schema))

            loading = pool.submit(load)
            writing: Future[None] | None = None
            while (item := loading.result()) is not None:
                loading = pool.submit(load)
                read, frame = item
                done += read
                chunk = csv_chunk(frame, batch, claims=claims)
                if writing is not None:
                    writing.result()
                writing = pool.submit(_write, chunk, out, first)
                first = False
                lines += chunk.lines
                line_engine += chunk.line_engine
                priced += chunk.priced
                if progress is not None:
                    progress(done, size, lines)
            if writing is not None:
                writing.result()
            if first:
                pl.DataFrame(schema=dict.fromkeys(OUTPUT_COLUMNS, pl.String)).write_csv(out)
    return BatchSummary(lines, line_engine, priced)


@contextmanager
def _objects_held() -> Iterator[None]:
    """Keep the objects that exist before the run (the reference data: hundreds of
    thousands) out of the garbage collector's full collections while it runs: the run's
    allocations would trigger a couple, each scanning them all for nothing (about 0.8 s of
    CPU on a 10 M-line file). They go back to the collector at the end. Left alone when
    the process has frozen objects itself (gc.freeze before a fork, say)."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


_OUTPUT_HEADER = (",".join(OUTPUT_COLUMNS) + "\n").encode()


def _write(chunk: CsvChunk, out: BinaryIO, header: bool) -> None:
    """Write a priced chunk (the header line first when `header`)."""
    if header:
        out.write(_OUTPUT_HEADER)
        out.flush()  # Polars may write to the file descriptor itself
    chunk.frame.write_csv(out, include_header=False, quote_style=chunk.quote_style)


def _header(line: bytes, path: Path) -> list[str]:
    text = line.decode("utf-8-sig", errors="replace").rstrip("\r\n")
    if not text.strip():
        raise InputError(f"{path}: the file is empty (no header line)", parameter="input")
    return [c.strip().lower() for c in next(csv.reader([text]))]


def _header_line(columns: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(columns)
    return buffer.getvalue().encode()


def _chunks(
    handle: io.BufferedReader, size: int, header: bytes = b""
) -> Iterator[tuple[int, bytes]]:
    """The file after its header in pieces of about `size` bytes, each ending at the end of
    a record (a newline outside quotes): (the piece's length in the file, `header` + the
    piece). Each block is read into one reused buffer and copied once, into the piece (a
    new 64 MB buffer per read, then a slice of it and the header added to that, made three
    copies, each of fresh pages)."""
    block = bytearray(max(size, 1))
    view = memoryview(block)
    carry = b""
    while True:
        read = handle.readinto(view)
        if not read:
            break
        cut = _record_end(block, read, carry.count(b'"'))
        if cut == 0:
            carry += view[:read]
            continue
        yield len(carry) + cut, b"".join((header, carry, view[:cut]))
        carry = bytes(view[cut:read])
    view.release()
    if carry.strip():
        piece = carry if carry.endswith(b"\n") else carry + b"\n"
        yield len(piece), header + piece


def _record_end(buffer: bytearray, length: int, quotes: int) -> int:
    """Where the last record in the first `length` bytes of `buffer` ends (0: none ends
    there), `quotes` being the number of quotes before them in the record they start in."""
    end = buffer.rfind(b"\n", 0, length)
    while end != -1:
        if (quotes + buffer.count(b'"', 0, end)) % 2 == 0:
            return end + 1
        end = buffer.rfind(b"\n", 0, end)
    return 0


def _read(data: bytes, columns: list[str], schema: dict[str, DType]) -> pl.DataFrame:
    """The wanted columns of a piece of CSV (with its header line): key columns as the
    run's categories, the rest as text."""
    return pl.read_csv(
        data,
        columns=columns,
        schema_overrides=schema,
        infer_schema=False,
        encoding="utf8-lossy",
        truncate_ragged_lines=True,
    )

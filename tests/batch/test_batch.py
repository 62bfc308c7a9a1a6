"""`medpayiq.batch` and `medpayiq price-batch` on the real 2025/2026 files (the `catalog`
fixture): CMS figures, bad rows reported on their own row, a missing column refused."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from medpayiq.batch import price_file, price_frame
from medpayiq.cli import _register, app
from medpayiq.errors import InputError

_register()
runner = CliRunner()
HEADER = "line_id,hcpcs,modifier,pos,date_of_service,zip,carrier,locality,units"


def frame(*rows: str, header: str = HEADER) -> pl.DataFrame:
    names = header.split(",")
    values = [r.split(",") for r in rows]
    return pl.DataFrame({n: [v[i] or None for v in values] for i, n in enumerate(names)})


def by_id(out: pl.DataFrame) -> dict[str, dict[str, str | None]]:
    return {row["line_id"]: row for row in out.iter_rows(named=True)}


def test_cms_figures(catalog):
    out = by_id(price_frame(catalog, frame(
        "a,62323,,11,2025-11-03,,,,",          # national, RVU25D: 246.80 (CMS)
        "b,62323,,22,2025-11-03,,,,",          # facility: 96.07
        "c,62323,,11,2026-08-03,,,,",          # RVU26C: 273.22
        "d,62323,,11,2025-11-03,77030,,,",     # Houston 04412-18: 250.42
        "e,62323,,11,2025-11-03,,04412,18,",   # the same by carrier/locality
    )))  # fmt: skip
    assert [out[k]["allowed"] for k in "abcde"] == ["246.80", "96.07", "273.22", "250.42",
                                                    "250.42"]  # fmt: skip
    assert out["c"]["release"] == "RVU26C" and out["a"]["release"] == "RVU25D"
    assert out["d"]["locality"] == "04412-18" and out["b"]["setting"] == "facility"
    assert all(out[k]["message"] == "priced" and out[k]["confidence"] == "high" for k in "abde")


def test_bad_rows_get_their_own_message(catalog):
    out = by_id(price_frame(catalog, frame(
        "ok,99213,,11,2025-11-03,77030,,,",
        "date,99213,,11,2025-13-01,77030,,,",
        "code,99999,,11,2025-11-03,77030,,,",
        "zip,99213,,11,2025-11-03,00000,,,",
        "units,99213,,11,2025-11-03,77030,,,0",
        "year,99213,,11,2024-05-01,77030,,,",
        "lab,36415,,11,2025-11-03,77030,,,",
        "letters,99213,,11,2025-11-03,77030,,,abc",
        "na,27447,,11,2025-11-03,77030,,,1.5",  # NA in the office, and the units are wrong
    )))  # fmt: skip
    assert out["ok"]["allowed"] is not None
    assert out["date"]["message"] == 'date_of_service "2025-13-01" is not a date (YYYY-MM-DD)'
    assert "99999 is not in the fee schedule release RVU25D" in out["code"]["message"]
    assert out["zip"]["message"] == "ZIP 00000 is not in the ZIP to locality file 20254"
    assert out["units"]["message"] == "units must be a whole number from 1 to 9999, not 0"
    assert "RVU24B" in out["year"]["message"]
    assert "status X" in out["lab"]["message"]
    # price_line checks the units before the row's status or NA flag.
    assert out["letters"]["message"] == "units must be a whole number from 1 to 9999, not 'abc'"
    assert out["na"]["message"] == "units must be a whole number from 1 to 9999, not '1.5'"
    bad = ("date", "code", "zip", "units", "year", "lab", "letters", "na")
    assert all(out[k]["allowed"] is None for k in bad)
    assert all(out[k]["setting"] is None for k in ("letters", "na"))


def test_line_engine_rows_say_so(catalog):
    out = by_id(price_frame(catalog, frame(
        "bilat,64483,50,11,2025-11-03,77030,,,",
        "alias,62323,,11,2025-11-03,,01112,18,",
    )))  # fmt: skip
    assert out["bilat"]["message"] == "priced by the line engine: modifier 50"
    assert out["alias"]["locality"] == "01182-18"
    assert out["alias"]["message"].startswith("priced by the line engine")


def test_repeated_unusual_lines_each_get_their_own_answer(catalog):
    # The line engine is asked once per distinct answer: these lines share code and
    # modifier but not date, ZIP or place of service; each must still get its own answer.
    out = by_id(price_frame(catalog, frame(
        "a,64483,50,11,2025-11-03,77030,,,",    # Houston, office
        "b,64483,50,11,2025-11-04,77030,,,",    # next day, same answer
        "c,64483,50,22,2025-11-03,77030,,,",    # facility
        "d,64483,50,11,2025-11-03,,,,",         # national
        "e,64483,50,11,2026-08-03,77030,,,",    # RVU26C
        "f,99999,,11,2025-11-03,77030,,,",      # unknown code: the message names the date
        "g,99999,,11,2025-11-04,77030,,,",
        "h,64483,50,11,2025-11-03,,01112,18,",  # OPPSCAP form of 01182-18
    )))  # fmt: skip
    alone = by_id(price_frame(catalog, frame("a,64483,,11,2025-11-03,77030,,,")))
    # bilateral indicator 1: 150% of the one-side amount, half-up to cents
    one_side = Decimal(alone["a"]["allowed"])
    assert out["a"]["allowed"] == str((one_side * Decimal("1.5")).quantize(Decimal("0.01"),
                                                                        ROUND_HALF_UP))  # fmt: skip
    assert out["b"]["allowed"] == out["a"]["allowed"]
    assert len({out[k]["allowed"] for k in "acde"}) == 4
    assert out["c"]["setting"] == "facility" and out["d"]["locality"] == ""
    assert out["e"]["release"] == "RVU26C"
    assert "used for 2025-11-03" in out["f"]["message"]
    assert "used for 2025-11-04" in out["g"]["message"]
    assert out["h"]["locality"] == "01182-18" and out["h"]["allowed"] is not None
    assert all(out[k]["message"] == "priced by the line engine: modifier 50" for k in "abcde")


def test_claim_rules_apply_across_lines(catalog):
    # 62323 ranks first (100%), 20610 second (50%): the claim engine prices them together.
    header = HEADER + ",claim_id"
    lines = ("1,20610,,11,2025-11-03,,,,,C", "2,62323,,11,2025-11-03,,,,,C")
    claim = price_frame(catalog, frame(*lines, header=header))
    alone = price_frame(catalog, frame("1,20610,,11,2025-11-03,,,,", header=HEADER))
    assert claim["allowed"].to_list() == ["31.70", "246.80"]  # 63.40 x 50%; full
    assert alone["allowed"].to_list() == ["63.40"]


def test_missing_column_is_refused(catalog, tmp_path: Path):
    source = tmp_path / "in.csv"
    source.write_text("line_id,hcpcs,pos,date_of_service\n1,99213,11,2025-11-03\n")
    with pytest.raises(InputError, match="missing columns: modifier, zip"):
        price_file(catalog, source, tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_file_in_chunks_keeps_order(catalog, tmp_path: Path):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    rows = [f"{i},99213,,11,2025-11-03,77030,,,\n" if i % 7 else f'{i},"99214",25,11,,77030,,,\n'
            for i in range(500)]  # fmt: skip
    source.write_text(HEADER + "\n" + "".join(rows))
    summary = price_file(catalog, source, target, chunk_bytes=1000)
    out = pl.read_csv(target, infer_schema=False)
    assert out["line_id"].to_list() == [str(i) for i in range(500)]
    assert summary.lines == 500 and summary.priced == 500 - 72  # the blank dates
    assert out.filter(pl.col("line_id") == "7")["message"].item().startswith("no date")


def test_chunks_answer_as_one_frame(catalog, tmp_path: Path):
    # A run keeps what it learnt across chunks (the line engine's answers, other schedules'
    # places, amount tables of the codes seen): lines that come back in later chunks, next
    # to codes, dates and releases the earlier chunks did not have, get the answers the
    # whole file priced as one frame gets.
    rows = [
        "64483,50,11,2025-11-03,77030,,,1",  # line engine, modifier 50
        "99213,,11,2025-11-03,60142,,,1",  # a ZIP that spans localities
        "99999,,11,2025-11-03,77030,,,1",  # unknown code: the message names the date
        "80053,,11,2026-02-10,77030,,,1",  # clinical lab fee schedule
        "E0601,RR,12,2026-05-04,35004,,,1",  # DMEPOS, by the beneficiary's state
        "J3301,,11,2026-02-10,77030,,,2",  # a drug with no loaded schedule
        "71046,26,22,2026-08-03,,01112,18,1",  # RVU26C, OPPSCAP locality form
        "97110,GP,11,2025-03-14,10001,,,3",  # RVU25A, units reduced by indicator 5
        "64483,50,11,2026-08-03,77030,,,1",
        "99999,,11,2026-08-03,77030,,,1",
        "E0601,RR,12,2026-08-03,99501,,,2",
        "93000,,11,2025-03-14,60142,,,1",
    ]
    # Each chunk holds two or three lines; the rows come back in a different order.
    lines = [f"{i},{row}" for i, row in enumerate(rows + rows[::-1] + rows[1::2])]
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(HEADER + "\n" + "\n".join(lines) + "\n")
    price_file(catalog, source, target, chunk_bytes=80)
    chunked = pl.read_csv(target, infer_schema=False)
    whole = price_frame(catalog, frame(*lines))
    assert chunked.height == len(lines)
    assert chunked.to_dicts() == whole.to_dicts()
    assert chunked["message"][0] == "priced by the line engine: modifier 50"
    assert chunked["allowed"][0] == chunked["allowed"][2 * len(rows) - 1]
    assert "used for 2026-08-03" in chunked["message"][9]


def test_bilateral_lines_are_priced_without_the_line_engine(catalog, tmp_path: Path):
    # Modifier 50 on one unit: the row's amount times the bilateral factor (DOMAIN.md
    # section 4), half-up to cents: 64493 has indicator 1 (150%), 69210 indicator 2 (100%:
    # the RVUs are already bilateral), 73562 and its 26 row indicator 3 (200%), 71046
    # indicator 0 (100%). The one-side amount is the same line without 50. Two units and
    # 11300 (indicator 9: price_line refuses 50) still go to the line engine.
    cases = [("64493", "", "1.5"), ("69210", "", "1"), ("73562", "", "2"),
             ("73562", "26", "2"), ("71046", "TC", "1")]  # fmt: skip
    lines = []
    for i, (code, row, _) in enumerate(cases):
        mods = ",".join(m for m in (row, "50") if m)
        lines.append(f"b{i},{code},{row},11,2025-11-03,77030,,,1")
        lines.append(f'a{i},{code},"{mods} lt",22,2025-11-03,77030,,,1')
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(HEADER + "\n" + "\n".join(lines) + "\n")
    summary = price_file(catalog, source, target)
    out = by_id(pl.read_csv(target, infer_schema=False))
    assert summary.line_engine == 0
    alone = by_id(price_frame(catalog, frame(*(line.replace(",11,", ",22,") for line in lines
                                               if line.startswith("b")))))  # fmt: skip
    for i, (code, row, factor) in enumerate(cases):
        one_side = Decimal(alone[f"b{i}"]["allowed"])
        want = (one_side * Decimal(factor)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert out[f"a{i}"]["allowed"] == str(want), (code, row)
        mods = ",".join(m for m in (row, "50") if m)
        assert out[f"a{i}"]["message"] == f"priced by the line engine: modifier {mods} LT"
        assert out[f"a{i}"]["setting"] == "facility"
    assert out["a0"]["allowed"] != out["b0"]["allowed"]
    more = ["c,64493,50,11,2025-11-03,77030,,,2", "d,11300,50,11,2025-11-03,77030,,,1"]
    source.write_text(HEADER + "\n" + "\n".join(more) + "\n")
    summary = price_file(catalog, source, target)
    out = by_id(pl.read_csv(target, infer_schema=False))
    assert summary.line_engine == 2
    assert out["d"]["message"].startswith("modifier 50 is not valid with 11300")
    assert out["c"]["message"] == "priced by the line engine: modifier 50"


def test_file_bytes_are_the_frame_as_polars_writes_it(catalog, tmp_path: Path):
    # price_file prints a chunk's five text columns as one pre-quoted column when every
    # line_id prints without quotes, and the usual way otherwise: either way the file holds
    # the bytes of price_frame's answer written by Polars. Messages here have commas and
    # double quotes (a bad date, a status X code); some chunks have a line_id that needs
    # quotes (a comma, a quote) or is empty.
    rows = [
        "99213,,11,2025-11-03,77030,,,1",
        "99213,,11,2025/11/03,77030,,,1",  # 'date_of_service "2025/11/03" is not a date'
        "80053,,11,2025-11-03,77030,,,1",  # status X: a message with commas
        "99213,,11,2025-11-03,77030,,,abc",  # units: a comma and quotes in the message
        "64483,50,22,2026-02-10,,01112,18,1",
        "71046,26,22,2026-08-03,60142,,,1",
    ]
    ids = ["1", '"a,b"', "3", '"q""x"', "5", '""', "7", "8"]
    lines = [f"{ids[i % len(ids)]},{rows[i % len(rows)]}" for i in range(48)]
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(HEADER + "\n" + "\n".join(lines) + "\n")
    for chunk_bytes in (60, 400, 1 << 20):
        price_file(catalog, source, target, chunk_bytes=chunk_bytes)
        whole = price_frame(catalog, pl.read_csv(source, infer_schema=False))
        assert target.read_bytes() == whole.write_csv().encode()
    assert whole["line_id"][1] == "a,b" and whole["line_id"][5] == ""
    assert whole["message"][1] == 'date_of_service "2025/11/03" is not a date (YYYY-MM-DD)'


def test_cli_missing_column_exits_2(tmp_path: Path):
    source = tmp_path / "in.csv"
    source.write_text("line_id,hcpcs\n1,99213\n")
    result = runner.invoke(app, ["price-batch", str(source), str(tmp_path / "out.csv")])
    assert result.exit_code == 2, result.output
    assert "missing columns" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_cli_bad_default_date_exits_2(tmp_path: Path):
    source = tmp_path / "in.csv"
    source.write_text(HEADER + "\n")
    result = runner.invoke(app, ["price-batch", str(source), str(tmp_path / "o.csv"),
                                 "--date-default", "2025-02-30"])  # fmt: skip
    assert result.exit_code == 2 and "--date-default" in result.output


_ALLOCATOR = "import os, medpayiq.batch; print(os.environ.get('_RJEM_MALLOC_CONF', ''))"


def _allocator_setting(code: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    done = subprocess.run([sys.executable, "-c", code], env={**clean, **env},
                          capture_output=True, text=True, check=True)  # fmt: skip
    return done.stdout.strip()


def test_polars_allocator_decay_set_before_polars():
    """`medpayiq.batch` sets Polars' jemalloc decay before Polars is imported (its values
    come after Polars' own, so they win), and leaves a user's setting alone."""
    assert _allocator_setting(_ALLOCATOR).endswith(",dirty_decay_ms:30000,muzzy_decay_ms:30000")
    assert _allocator_setting(_ALLOCATOR, _RJEM_MALLOC_CONF="narenas:2").endswith(",narenas:2")


def test_chunks_end_at_records():
    """The file's pieces end at the end of a record (a newline outside quotes), whatever
    the read size; together they are the file after its header, each after the header."""
    import io
    import random

    from medpayiq.batch._file import _chunks

    rng = random.Random(5)
    cells = ["a", '"x,\ny"', '"q""\n"', "", '""', "bb"]
    records = [",".join(rng.choices(cells, k=3)) + "\n" for _ in range(60)]
    body = "".join(records).encode()
    header = b"h1,h2,h3\n"
    for size in (1, 2, 7, 40, 300, len(body), 10 * len(body)):
        pieces = list(_chunks(io.BufferedReader(io.BytesIO(body)), size, header))
        assert b"".join(p[len(header) :] for _, p in pieces) == body
        assert all(p.startswith(header) and n == len(p) - len(header) for n, p in pieces)
        for _, piece in pieces:
            assert piece.count(b'"') % 2 == 0 and piece.endswith(b"\n")
    unterminated = list(_chunks(io.BufferedReader(io.BytesIO(b"a,b")), 2, header))
    assert unterminated == [(4, header + b"a,b\n")]

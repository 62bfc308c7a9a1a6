"""Files that must not replace what serves: two rows for one key, a GPCI file without a
locality, a file that loses keys; and files that say what is wrong with them (empty,
damaged zip, UTF-16, binary). Each refused file leaves the earlier data serving."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import typer
from typer.testing import CliRunner

from medpayiq.cli import data as data_cli
from medpayiq.records import LocalityId
from medpayiq.releases import Kind
from medpayiq.store import LoadStatus, open_store

RVU26C = "cms/pfs/RVU26C/PPRRVU2026_Jul_nonQPP.csv"
RVU26A = "cms/pfs/RVU26A"
PFREV4 = "cms/payment-files/2025"
DAY = date(2026, 7, 15)
HOUSTON = LocalityId("04412", "18")
app = typer.Typer()
data_cli.register(app)


def _copy(data_dir: Path, name: str, folder: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    source = data_dir / name
    target = folder / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    lines = source.read_bytes().split(b"\n")
    target.write_bytes(b"\n".join(edit(lines)))
    return target


def test_two_rows_for_one_code_refuse_the_file(any_db: str, data_dir: Path, tmp_path: Path) -> None:
    # 62323 is line 6907; a second, different row for it goes in at line 9001.
    def twice(lines: list[bytes]) -> list[bytes]:
        row = lines[6906].replace(b",1.76,", b",3.52,", 1)
        return [*lines[:9000], row, *lines[9000:]]

    bad = _copy(data_dir, RVU26C, tmp_path / "RVU26C", twice)
    with open_store(any_db) as store:
        store.load([data_dir / RVU26C, data_dir / RVU26A])
        (result,) = store.load([bad])
        assert result.status is LoadStatus.FAILED
        assert "lines 6907 and 9001" in result.message, result.message
        assert 'hcpcs "62323", modifier ""' in result.message
        rvus = store.reference().fee_schedule(DAY).rvus
        assert rvus[("62323", "")].work == Decimal("1.76")  # the earlier data serves


def test_exact_repeats_are_dropped_and_counted(tmp_path: Path, data_dir: Path) -> None:
    # CMS's PFREV4.txt lists each of its 763 records twice.
    with open_store(str(tmp_path / "s.sqlite")) as store:
        (result,) = [r for r in store.load([data_dir / PFREV4]) if r.file == "PFREV4.txt"]
    assert (result.status, result.rows, result.duplicates) == (LoadStatus.LOADED, 763, 763)
    assert "dropped 763 exact duplicate rows" in result.message


def test_gpci_without_a_locality_is_refused(any_db: str, data_dir: Path, tmp_path: Path) -> None:
    def without_houston(lines: list[bytes]) -> list[bytes]:
        return [line for line in lines if not line.startswith(b"04412,TX,18,")]

    bad = _copy(data_dir, f"{RVU26A}/GPCI2026.csv", tmp_path / "RVU26A", without_houston)
    with open_store(any_db) as store:
        store.load([data_dir / RVU26A, data_dir / RVU26C])
        (result,) = store.load([bad])
        assert result.status is LoadStatus.FAILED
        assert "lacks 1 of the localities of 26LOCCO.csv (RVU26A): 04412-18" in result.message
        (gpci,) = [d for d in store.datasets() if d.kind is Kind.GPCI]
        assert (gpci.source_file, gpci.rows) == ("GPCI2026.csv", 109)
        # Houston still has its GPCIs (from the good file): it can be priced.
        houston = store.reference().fee_schedule(DAY).gpcis[HOUSTON]
        assert (houston.work, houston.pe, houston.mp) == (
            Decimal("1.008"),
            Decimal("0.993"),
            Decimal("1.376"),
        )


def test_a_file_that_drops_keys_needs_allow_shrink(tmp_path: Path, data_dir: Path) -> None:
    # Every 20th code gone: 5% of RVU26C's rows (more than the 2% a release may drop).
    def thinner(lines: list[bytes]) -> list[bytes]:
        head, body = lines[:10], lines[10:]
        return head + [line for i, line in enumerate(body) if i % 20 != 7]

    thin = _copy(data_dir, RVU26C, tmp_path / "RVU26C", thinner)
    db = str(tmp_path / "s.sqlite")
    with open_store(db) as store:
        store.load([data_dir / RVU26C])
        (refused,) = store.load([thin])
        assert refused.status is LoadStatus.FAILED
        assert "lacks 968 of the 19,356 keys of pprrvu RVU26C" in refused.message
        assert "--allow-shrink" in refused.message
        assert [d.rows for d in store.datasets()] == [19_356]
    runner = CliRunner()
    done = runner.invoke(app, ["data", "load", "--db", db, "--allow-shrink", str(thin)])
    assert done.exit_code == 0, done.output
    with open_store(db) as store:
        assert [d.rows for d in store.datasets()] == [19_356 - 968]


def _bad_files(folder: Path, data_dir: Path) -> dict[str, str]:
    """Broken files and what the load must say about each."""
    import zipfile

    folder.mkdir()
    (folder / "PPRRVU2026_Jul_nonQPP.csv").write_bytes(b"")
    with zipfile.ZipFile(folder / "whole.zip", "w") as archive:
        for name in ("GPCI2026.csv", "ANES2026.csv", "26LOCCO.csv"):
            archive.write(data_dir / RVU26A / name, name)
    whole = (folder / "whole.zip").read_bytes()
    (folder / "whole.zip").unlink()
    (folder / "rvu26a.zip").write_bytes(whole[: len(whole) // 2])
    text = (data_dir / RVU26A / "26LOCCO.csv").read_text(encoding="utf-8")
    (folder / "26LOCCO.csv").write_bytes(text.encode("utf-16"))
    (folder / "GPCI2026.csv").write_bytes(b"MAC,State\n10112,AL\n\x00\x01\x02garbage\xff\n")
    return {
        "PPRRVU2026_Jul_nonQPP.csv": "empty file (0 bytes)",
        "rvu26a.zip": "a damaged or truncated zip",
        "26LOCCO.csv": "UTF-16 text",
        "GPCI2026.csv": "line 3: binary data (byte 0x00)",
    }


def test_broken_files_say_what_they_are(tmp_path: Path, data_dir: Path) -> None:
    expected = _bad_files(tmp_path / "bad", data_dir)
    db = str(tmp_path / "s.sqlite")
    runner = CliRunner()
    for name, reason in expected.items():
        done = runner.invoke(app, ["data", "load", "--db", db, str(tmp_path / "bad" / name)])
        assert done.exit_code == 2, done.output
        assert f"{name}: {reason}" in done.output, done.output
    # A folder: every skipped file listed with its reason, not a count.
    done = runner.invoke(app, ["data", "load", "--db", db, str(tmp_path / "bad")])
    assert "4 file(s) skipped:" in done.output, done.output
    for name, reason in expected.items():
        assert f"  {name}: {reason}" in done.output, done.output

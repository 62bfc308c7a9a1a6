"""Broken files give one clear line naming file, line and field, never a stack trace.

Each broken file is made in tmp_path from real lines of the official files, with one fault.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medpayiq import sources
from medpayiq.errors import ParseError, UnknownFileError

RVU25D = "cms/pfs/RVU25D"


def parse_all(path: Path) -> list[Any]:
    (file,) = list(sources.iter_files(path))
    return list(sources.parse(file).records)


def real_lines(path: Path, count: int) -> list[str]:
    return path.read_text(encoding="ascii").split("\n")[:count]


def write(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ParseError) as err:
        parse_all(path)
    message = str(err.value)
    assert "\n" not in message
    return message


def test_pprrvu_txt_row_cut_short(tmp_path: Path, data_dir: Path) -> None:
    lines = real_lines(data_dir / RVU25D / "PPRRVU2025_Oct.txt", 20)
    lines[11] = lines[11][:100]  # line 12: 00120, cut inside NON-FACILITY TOTAL
    path = write(tmp_path / "RVU25D" / "PPRRVU2025_Oct.txt", lines)
    assert error_of(path) == (
        'PPRRVU2025_Oct.txt line 12, field "FACILITY TOTAL" (columns 97-102): the line ends at '
        "column 100: the row is cut short (a full row is 171 characters)"
    )


def test_pprrvu_csv_row_cut_short(tmp_path: Path, data_dir: Path) -> None:
    lines = real_lines(data_dir / RVU25D / "PPRRVU2025_Oct.csv", 20)
    lines[14] = lines[14][: lines[14].index(",32.3465")]  # line 15: ends after ENDO BASE
    path = write(tmp_path / "RVU25D" / "PPRRVU2025_Oct.csv", lines)
    assert error_of(path) == (
        'PPRRVU2025_Oct.csv line 15, field "CONV FACTOR": missing: the row has 24 of 31 '
        "columns (2025 layout)"
    )


def test_pprrvu_csv_column_missing(tmp_path: Path, data_dir: Path) -> None:
    """The WORK RVU column (the 6th) is removed from the header and every row."""
    lines = real_lines(data_dir / RVU25D / "PPRRVU2025_Oct.csv", 20)
    cut = [",".join(line.split(",")[:5] + line.split(",")[6:]) for line in lines]
    path = write(tmp_path / "RVU25D" / "PPRRVU2025_Oct.csv", cut)
    message = error_of(path)
    assert message.startswith('PPRRVU2025_Oct.csv line 10, field "WORK RVU": column 6 of the ')
    assert message.endswith(
        'header is "NON-FAC PE RVU"; expected "WORK RVU" (the 2025 layout has 31 columns, '
        "the header has 30)"
    )


def test_pprrvu_non_numeric_rvu(tmp_path: Path, data_dir: Path) -> None:
    lines = real_lines(data_dir / RVU25D / "PPRRVU2025_Oct.csv", 20)
    assert lines[12].startswith("00100,,Anesth salivary gland,J,,0.00,")
    lines[12] = lines[12].replace(",J,,0.00,", ',J,,"1,2",', 1)
    path = write(tmp_path / "RVU25D" / "PPRRVU2025_Oct.csv", lines)
    assert error_of(path) == 'PPRRVU2025_Oct.csv line 13, field "WORK RVU": "1,2" is not a decimal'


def test_pprrvu_txt_non_numeric_rvu_names_the_columns(tmp_path: Path, data_dir: Path) -> None:
    lines = real_lines(data_dir / RVU25D / "PPRRVU2025_Oct.txt", 20)
    lines[9] = lines[9][:59] + "   1,2" + lines[9][65:]  # line 10: 00100, WORK RVU
    path = write(tmp_path / "RVU25D" / "PPRRVU2025_Oct.txt", lines)
    assert error_of(path) == (
        'PPRRVU2025_Oct.txt line 10, field "WORK RVU" (columns 60-65): "1,2" is not a decimal'
    )


def test_pprrvu_bad_na_indicator(tmp_path: Path, data_dir: Path) -> None:
    lines = real_lines(data_dir / RVU25D / "PPRRVU2025_Oct.csv", 20)
    fields = lines[10].split(",")
    fields[9] = "N/A"  # FACILITY NA INDICATOR
    lines[10] = ",".join(fields)
    path = write(tmp_path / "RVU25D" / "PPRRVU2025_Oct.csv", lines)
    assert error_of(path) == (
        'PPRRVU2025_Oct.csv line 11, field "FACILITY NA INDICATOR": "N/A" is not empty or "NA"'
    )


def test_gpci_non_numeric_index(tmp_path: Path, data_dir: Path) -> None:
    lines = real_lines(data_dir / RVU25D / "GPCI2025.csv", 10)
    lines[3] = lines[3].replace(",0.869,", ",O.869,")  # letter O for zero
    path = write(tmp_path / "RVU25D" / "GPCI2025.csv", lines)
    assert error_of(path) == 'GPCI2025.csv line 4, field "PE GPCI": "O.869" is not a decimal'


def test_zip5_bad_locality(tmp_path: Path, data_dir: Path) -> None:
    lines = real_lines(data_dir / "cms/zip-locality/ZIP-OCT2025/ZIP5_OCT2025.txt", 5)
    lines[2] = lines[2][:12] + "X1" + lines[2][14:]
    path = write(tmp_path / "ZIP5_OCT2025.txt", lines)
    assert error_of(path) == (
        'ZIP5_OCT2025.txt line 3, field "Pricing Locality" (columns 13-14): "X1" is not a '
        "2-digit number"
    )


def test_payment_file_missing_column(tmp_path: Path, data_dir: Path) -> None:
    lines = real_lines(data_dir / "cms/payment-files/2025/PFREV25C.txt", 5)
    lines[3] = lines[3][: lines[3].rindex(',"')]  # drop OPPS FACILITY FEE
    path = write(tmp_path / "PFREV25C.txt", lines)
    assert error_of(path) == (
        'PFREV25C.txt line 4, field "OPPS FACILITY FEE": missing: the row has 15 of 16 '
        "columns (PFALL/PFREV record)"
    )


def test_unknown_file(tmp_path: Path) -> None:
    path = write(tmp_path / "claims_export.csv", ["patient,code,amount", "x,99213,100.00"])
    (file,) = list(sources.iter_files(path))
    with pytest.raises(UnknownFileError) as err:
        sources.detect(file)
    message = str(err.value)
    assert message.startswith("claims_export.csv: not a file MedPayIQ knows")
    assert "\n" not in message


def test_known_name_with_foreign_content_is_unknown(tmp_path: Path) -> None:
    """A file named like a PPRRVU whose content is not one is not claimed by a sniffer."""
    path = write(tmp_path / "PPRRVU2025_Oct.csv", ["patient,code,amount", "x,99213,100.00"])
    (file,) = list(sources.iter_files(path))
    with pytest.raises(UnknownFileError):
        sources.detect(file)

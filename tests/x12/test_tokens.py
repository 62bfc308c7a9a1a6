"""The shared tokenizer: delimiters from the ISA, segments by chunks, positions on demand; and
problems as data."""

from __future__ import annotations

import io

import pytest

import medpayiq.x12 as x12
from medpayiq.x12 import CODES, Delimiters, Severity, X12Problem, read_837p, read_batches, read_isa

from .builders import ISA, VALID_NPI, interchange, tr3


def segments_of(data: bytes, chunk_size: int) -> list[str]:
    return [
        s for batch in read_batches(io.BytesIO(data), chunk_size=chunk_size) for s in batch.segments
    ]


def test_delimiters_come_from_the_isa() -> None:
    delimiters, elements = read_isa((ISA + "~").encode())
    assert delimiters == Delimiters("*", ":", ">", "~")
    assert elements[13] == "000010216" and elements[12] == "00501"
    pipe = ISA.replace("*", "|")[:-1] + "^"
    assert read_isa((pipe + "\n").encode())[0] == Delimiters("|", "^", ">", "\n")
    assert Delimiters("|", "^", ">", "\n").key("HL") == "HL|"


def test_a_4010_isa_has_no_repetition_separator() -> None:
    old = ISA.replace("*>*00501*", "*U*00401*")
    assert read_isa((old + "~").encode())[0].repetition == ""


@pytest.mark.parametrize("chunk_size", [1, 17, 106, 107, 4096])
@pytest.mark.parametrize("end", ["~", "~\n", "~\r\n"])
def test_segments_do_not_depend_on_chunks_or_line_breaks(chunk_size: int, end: str) -> None:
    text = interchange(tr3(), end=end)
    expected = [*[s for s in text.replace("\r", "").replace("\n", "").split("~")][:-1]]
    assert segments_of(text.encode(), chunk_size) == expected
    assert len(expected) == 46


def test_a_newline_may_be_the_terminator() -> None:
    isa = ISA[:-1] + ":"
    text = (
        "\n".join([isa, "GS*HC*A*B*20260101*1200*1*X*005010X222A1", "GE*0*1", "IEA*1*000010216"])
        + "\n"
    )
    assert segments_of(text.encode(), 50)[1:] == [
        "GS*HC*A*B*20260101*1200*1*X*005010X222A1",
        "GE*0*1",
        "IEA*1*000010216",
    ]


def test_positions_are_bytes_and_lines_of_the_file() -> None:
    text = interchange(tr3(), end="~\r\n")
    data = text.encode()
    for chunk_size in (64, 1 << 20):
        for batch in read_batches(io.BytesIO(data), chunk_size=chunk_size):
            for index, segment in enumerate(batch.segments):
                start = batch.start_of(index)
                assert data[start : start + len(segment)].decode() == segment
                assert batch.line_of(index) == data[:start].count(b"\n") + 1


def test_utf8_and_latin1_names_do_not_break_reading() -> None:
    for encoding in ("utf-8", "latin-1"):
        text = interchange([s.replace("BEN KILDARE", "BÉN KÏLDARE") for s in tr3(VALID_NPI)])
        [claim] = list(read_837p(text.encode(encoding)))
        assert claim.billing_provider.name == "BÉN KÏLDARE SERVICE"  # type: ignore[union-attr]


def test_problem_codes_are_a_closed_list() -> None:
    with pytest.raises(ValueError, match="unknown X12 problem code"):
        X12Problem("no-such-code", Severity.CLAIM, "x")
    with pytest.raises(ValueError, match="severity"):
        X12Problem("bad-date", "claim", "x")  # type: ignore[arg-type]
    assert all(isinstance(severity, Severity) for severity, _ in CODES.values())


def test_a_problem_says_where() -> None:
    problem = X12Problem(
        "bad-number",
        Severity.CLAIM,
        "SV102 is not a number",
        "0021",
        37,
        "SV1",
        "2400",
        2,
        None,
        1520,
        39,
        "C1",
    )
    assert problem.where == "transaction 0021, segment 37 (SV102), loop 2400, line 39, byte 1520"
    assert str(problem) == problem.where + ": SV102 is not a number"
    assert X12Problem("not-x12", Severity.FATAL, "empty").where == "the file"


def test_messages_never_carry_a_persons_data() -> None:
    segments = tr3(VALID_NPI)
    segments[segments.index("DMG*D8*19430501*F")] = "DMG*D8*19431501*F"
    segments[segments.index("DMG*D8*19730501*M")] = "DMG*D8*1973050*M"
    segments[segments.index("NM1*QC*1*SMITH*TED")] = "NM1*QC*1*SMITH*TED*Q"
    segments[segments.index("HL*3*2*23*0")] = "HL*3*JS00111223333*23*0"
    segments[segments.index("SV1*HC:99213*40*UN*1***1")] = "SV1*HC:99213*40*UN*1***9"
    reader = read_837p(interchange(segments).encode())
    items = list(reader)
    messages = [p.message for item in items for p in getattr(item, "problems", ())]
    messages += [p.message for p in reader.problems]
    assert len(messages) >= 3
    for message in messages:
        for secret in ("SMITH", "JANE", "TED", "JS001", "1943", "1973", "0501"):
            assert secret not in message, message


def test_every_exported_name_exists_and_all_is_sorted() -> None:
    for name in x12.__all__:
        assert hasattr(x12, name), name
    constants = [n for n in x12.__all__ if n.isupper()]
    others = [n for n in x12.__all__ if not n.isupper()]
    assert x12.__all__ == sorted(constants) + sorted(others, key=lambda n: (n[0].islower(), n))


def test_every_problem_code_is_documented() -> None:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "x12.md").read_text()
    for code in CODES:
        assert f"`{code}`" in text, code

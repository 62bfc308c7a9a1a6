"""The envelope (ISA/GS/ST ... SE/GE/IEA) and files that are not X12 at all."""

from __future__ import annotations

import io

import pytest

from medpayiq.x12 import Claim837, RejectedClaim, Severity, X12Problem, read_837p

from .builders import GS, IEA, ISA, VALID_NPI, interchange, position, tr3


def read(data: bytes | str) -> tuple[list[Claim837 | RejectedClaim], list[X12Problem]]:
    reader = read_837p(data.encode() if isinstance(data, str) else data)
    return list(reader), reader.problems


def codes(
    problems: list[X12Problem],
) -> list[tuple[str, Severity, str | None, int | None, int | None]]:
    return [(p.code, p.severity, p.segment_id, p.segment_position, p.element) for p in problems]


def second_transaction() -> list[str]:
    segments = tr3(VALID_NPI)
    return [s.replace("*0021", "*0022").replace("CLM*26463774", "CLM*26463775") for s in segments]


def test_two_transactions_in_one_group() -> None:
    items, problems = read(interchange(tr3(VALID_NPI), second_transaction()))
    assert problems == []
    assert [(item.claim_id, item.transaction.control_number) for item in items] == [  # type: ignore[union-attr]
        ("26463774", "0021"),
        ("26463775", "0022"),
    ]


def test_two_interchanges_in_one_file() -> None:
    text = interchange(tr3(VALID_NPI)) + interchange(second_transaction())
    items, problems = read(text)
    assert problems == []
    assert [item.claim_id for item in items] == ["26463774", "26463775"]


def test_a_second_interchange_with_other_delimiters() -> None:
    first = interchange(tr3(VALID_NPI))
    table = str.maketrans({"*": "|", ":": "^", "~": "!"})
    other = [s.translate(table) for s in second_transaction()]
    isa = ISA.translate(table)[:-1] + "}"  # ISA16: component separator "}"
    other = [
        s.replace("HC^", "HC}")
        .replace("11^B^1", "11}B}1")
        .replace("BK^", "BK}")
        .replace("BF^", "BF}")
        for s in other
    ]
    text = (
        first
        + "!\n".join([isa, GS.translate(table), *other, "GE|1|20213", IEA.translate(table)])
        + "!\n"
    )
    for chunk_size in (64, 1 << 20):
        reader = read_837p(text.encode(), chunk_size=chunk_size)
        items = list(reader)
        assert reader.problems == []
        assert [item.claim_id for item in items] == ["26463774", "26463775"]
        assert [len(item.lines) for item in items if isinstance(item, Claim837)] == [4, 4]


def test_se_control_number() -> None:
    segments = tr3(VALID_NPI)
    segments[-1] = "SE*42*0099"
    items, problems = read(interchange(segments))
    assert [type(item) for item in items] == [Claim837]
    assert codes(problems) == [("se-control", Severity.TRANSACTION, "SE", 42, 2)]
    assert problems[0].message == "SE02 0099 is not ST02 0021"


def test_ge_and_iea_counts_and_control_numbers() -> None:
    text = (
        interchange(tr3(VALID_NPI))
        .replace("GE*1*20213", "GE*2*20214")
        .replace(IEA, "IEA*3*000010217")
    )
    _, problems = read(text)
    assert codes(problems) == [
        ("ge-count", Severity.TRANSACTION, "GE", None, 1),
        ("ge-control", Severity.TRANSACTION, "GE", None, 2),
        ("iea-count", Severity.TRANSACTION, "IEA", None, 1),
        ("iea-control", Severity.TRANSACTION, "IEA", None, 2),
    ]
    assert [p.line for p in problems] == [45, 45, 46, 46]
    assert problems[0].message == "GE01 says 2 transaction sets; the group holds 1"


def test_missing_se_before_the_next_st() -> None:
    first = tr3(VALID_NPI)[:-1]  # no SE
    text = interchange(first, second_transaction())
    items, problems = read(text)
    assert [type(item) for item in items] == [RejectedClaim, Claim837]
    # found at the next ST: the 42nd segment counted from the ST of 0021
    assert codes(problems) == [("truncated", Severity.TRANSACTION, "ST", 42, None)]
    assert problems[0].message == "transaction 0021 has no SE before the next ST"
    assert problems[0].transaction == "0021"


def test_missing_ge_and_iea() -> None:
    items, problems = read(interchange(tr3(VALID_NPI), close=False))
    assert [type(item) for item in items] == [Claim837]
    assert [(p.code, p.message) for p in problems] == [
        ("truncated", "the file ends before GE, IEA: it was cut short")
    ]


def test_segments_outside_a_transaction() -> None:
    text = interchange(tr3(VALID_NPI)).replace(
        GS + "~\n", GS + "~\nNTE*ADD*STRAY~\nNTE*ADD*AGAIN~\n"
    )
    items, problems = read(text)
    assert [type(item) for item in items] == [Claim837]
    assert codes(problems) == [("outside-transaction", Severity.TRANSACTION, "NTE", None, None)]
    assert problems[0].line == 3


def test_data_after_the_last_iea_is_a_warning() -> None:
    _, problems = read(interchange(tr3(VALID_NPI)) + "NTE*ADD*AFTER~\n")
    assert codes(problems) == [("trailing-data", Severity.WARNING, "NTE", None, None)]


def test_an_835_is_not_read_by_the_837_reader() -> None:
    body = ["ST*835*0001*005010X221A1", "BPR*I*100*C*CHK", "TRN*1*12345*1512345678", "SE*4*0001"]
    text = interchange(body, tr3(VALID_NPI))
    items, problems = read(text)
    assert [item.claim_id for item in items] == ["26463774"]
    assert codes(problems) == [("transaction-type", Severity.TRANSACTION, "ST", 1, 1)]
    assert "835" in problems[0].message and problems[0].transaction == "0001"


def test_the_a2_version_label_is_read() -> None:
    segments = [s.replace("005010X222A1", "005010X222A2") for s in tr3(VALID_NPI)]
    items, problems = read(interchange(segments, gs=GS.replace("X222A1", "X222A2")))
    assert problems == [] and [type(item) for item in items] == [Claim837]
    assert items[0].transaction.version == "005010X222A2"  # type: ignore[union-attr]


def test_unknown_segment_id_is_reported_once() -> None:
    segments = tr3(VALID_NPI)
    segments[segments.index("LX*2")] = "LX*2"
    segments.insert(5, "ZZZ*1")
    segments.insert(6, "ZZZ*2")
    segments[-1] = "SE*44*0021"
    text = interchange(segments)
    _, problems = read(text)
    assert codes(problems) == [
        ("unknown-segment", Severity.TRANSACTION, None, position(text, "ZZZ"), None)
    ]


def test_a_damaged_segment_id_is_never_quoted() -> None:
    # A segment cut off mid-value starts with data, perhaps a patient's name or member id.
    segments = tr3(VALID_NPI)
    segments.insert(5, "DOE*JANE")
    segments.insert(6, "1EG4TE5MK73*2")
    segments[-1] = "SE*44*0021"
    text = interchange(segments)
    _, problems = read(text)
    assert [(p.code, p.segment_id, p.segment_position) for p in problems] == [
        ("unknown-segment", None, position(text, "DOE*JANE")),
        ("unknown-segment", None, position(text, "1EG4TE5MK73")),
    ]
    assert not any("DOE" in p.message or "1EG" in p.message for p in problems)


@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        (b"", "not-x12", "the input is empty: no ISA segment"),
        (b"   \n\t", "not-x12", "the input is empty: no ISA segment"),
        (
            b"hello, world: this is not X12\n",
            "not-x12",
            "the input does not start with an ISA segment",
        ),
        (b'{"claim_id": "C-1"}', "not-x12", "the input does not start with an ISA segment"),
        (bytes(range(256)) * 4, "not-x12", "the input does not start with an ISA segment"),
        (ISA.replace("ZZ*123456789012345", "ZZ*12345").encode() + b"~", "isa-layout", None),
        (b"ISA*00*", "isa-layout", "the ISA is cut short: 7 bytes where the fixed ISA has 106"),
        (ISA[:-1].encode() + b"A~GS*HC~", "delimiters", None),
        (ISA[:-1].encode() + b"~~GS*HC~", "delimiters", None),
    ],
)
def test_files_that_cannot_be_read_give_one_fatal_problem(
    data: bytes, code: str, message: str | None
) -> None:
    items, problems = read(data)
    assert items == []
    [problem] = problems
    assert (problem.code, problem.severity) == (code, Severity.FATAL)
    if message:
        assert problem.message == message


def test_no_terminator_in_a_megabyte_is_fatal() -> None:
    data = (ISA + "~").encode() + b"GS*HC*" + b"X" * (3 << 20)
    items, problems = read(data)
    assert items == []
    assert [(p.code, p.severity) for p in problems] == [("no-terminator", Severity.FATAL)]


def test_a_byte_order_mark_and_leading_blank_lines_are_skipped() -> None:
    text = interchange(tr3(VALID_NPI))
    items, problems = read(b"\xef\xbb\xbf\r\n" + text.encode())
    assert problems == [] and len(items) == 1
    assert items[0].segment == 27


def test_reads_from_a_path_and_from_a_stream(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "claims.837"
    text = interchange(tr3(VALID_NPI))
    path.write_text(text)
    assert [item.claim_id for item in read_837p(path)] == ["26463774"]
    assert [item.claim_id for item in read_837p(str(path))] == ["26463774"]
    assert [item.claim_id for item in read_837p(io.BytesIO(text.encode()))] == ["26463774"]


def test_a_missing_file_is_a_read_error() -> None:
    reader = read_837p("/nonexistent/claims.837")
    assert list(reader) == []
    assert [(p.code, p.severity) for p in reader.problems] == [("read-error", Severity.FATAL)]


def test_a_reader_reads_once() -> None:
    reader = read_837p(interchange(tr3(VALID_NPI)).encode())
    list(reader)
    with pytest.raises(RuntimeError):
        list(reader)

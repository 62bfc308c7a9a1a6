"""The engine keeps per-snapshot answers (pricing/_context.py): they must never be served for
other data. A reloaded Catalog, or another reference object, answers from its own rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from medpayiq.errors import UnknownLocation
from medpayiq.pricing import LineRequest, Location, ServiceLine, price_amounts, price_line
from medpayiq.records import Gpci, LocalityId
from medpayiq.reference import Catalog, Confidence
from medpayiq.releases import Kind, pfs_release

from .conftest import GPCI_2025, _prov, build_catalog

D = Decimal
DAY = date(2025, 11, 3)
HOUSTON = Location(locality="04412-18")


def test_reloaded_catalog_is_priced_from_its_new_rows():
    catalog = build_catalog()
    request = LineRequest("62323", DAY, location=HOUSTON, pos="11")
    assert price_line(catalog, request).allowed == D("250.42")  # GPCI2025 Houston
    # Replace the GPCI file with one where Houston is 1.000 everywhere: national 246.80.
    flat = [Gpci(LocalityId("04412", "18"), "TX", "HOUSTON", D(1), D(1), D(1))]
    catalog.add(_prov(Kind.GPCI, pfs_release("RVU25D"), flat), flat)
    assert price_line(catalog, request).allowed == D("246.80")
    # And a locality no longer in the file is an error again, not a remembered answer.
    with pytest.raises(UnknownLocation):
        price_line(catalog, LineRequest("62323", DAY, location=Location(locality="13202-01")))


def test_two_references_do_not_share_answers():
    full, flat = build_catalog(), build_catalog()
    rows = [Gpci(LocalityId("04412", "18"), "TX", "HOUSTON", D(1), D(1), D(1)), *GPCI_2025[1:]]
    flat.add(_prov(Kind.GPCI, pfs_release("RVU25D"), rows), rows)
    request = LineRequest("62323", DAY, location=HOUSTON)
    for _ in range(2):  # the second round is answered from each one's kept answers
        assert price_line(full, request).allowed == D("250.42")
        assert price_line(flat, request).allowed == D("246.80")


def test_repeated_request_gives_an_equal_result(tiny):
    request = LineRequest("62323", DAY, location=HOUSTON, pos="22", units=2)
    first = price_line(tiny, request, deductible_remaining=D("100"))
    again = price_line(tiny, request, deductible_remaining=D("100"))
    assert first == again and first.as_dict() == again.as_dict()
    assert first.trail is not again.trail  # each result owns its trail


def test_a_date_priced_from_another_dates_lines_keeps_its_own_confidence(catalog):
    # ZIP5_JAN2026 (20261) is the newest ZIP file: on 2026-07-15 and 2026-09-30 the 2026 Q3
    # file applies but is not loaded, so a line located by ZIP has medium confidence. The
    # second date reuses the first one's prepared lines (same rows, GPCIs and ZIP file),
    # and must still name its own ZIP file.
    fresh = Catalog(datasets_by_key=dict(catalog.datasets_by_key))
    lines = [ServiceLine("62323")]
    answers = [
        price_amounts(fresh, day, lines, location=Location(zip="77030"), pos="11")
        for day in (date(2026, 7, 15), date(2026, 9, 30))
    ]
    assert [a.allowed for a in answers] == [(D("274.36"),)] * 2
    alone = price_line(
        fresh, LineRequest("62323", date(2026, 9, 30), location=Location(zip="77030"))
    )
    assert [a.confidence for a in answers] == [Confidence.MEDIUM] * 2 == [alone.confidence] * 2
    assert "ZIP to locality 20263 applies to 2026-09-30" in answers[1].confidence_reason


def _answers(reference: Catalog) -> list[object]:
    """Lines and claims over codes, modifiers, places and dates that repeat (so kept
    answers are read back as well as made), each line's full result and each claim's."""
    days = [date(2025, 3, 3), date(2025, 11, 3), date(2026, 2, 2), date(2026, 7, 15)]
    places = [Location(zip="77030"), HOUSTON, Location(zip="10001"), Location(locality="01112-05")]
    codes = [("62323", ()), ("99213", ()), ("77003", ("26",)), ("64483", ("50",)), ("20610", ())]
    out: list[object] = []
    for round_ in range(2):
        for day in days:
            for n, where in enumerate(places):
                pos = "22" if (n + round_) % 2 else "11"
                for code, modifiers in codes:
                    request = LineRequest(code, day, modifiers, 2, where, pos)
                    out.append(price_line(reference, request).as_dict())
                lines = [ServiceLine(c, m, 1 + n) for c, m in codes[n : n + 3]]
                out.append(price_amounts(reference, day, lines, location=where, pos=pos))
    return out


def test_full_tables_drop_answers_and_change_none(catalog, monkeypatch):
    """With every pricing table bounded to two entries (each full one dropping its older
    half on nearly every line), the same answers as with the usual bounds."""
    from medpayiq.pricing import _amounts, _context, _engine

    usual = _answers(Catalog(datasets_by_key=dict(catalog.datasets_by_key)))
    for module, names in (
        (_context, ("DAY_TABLE", "CONTEXTS", "SHARED_KEPT")),
        (_amounts, ("SHARED_CLAIMS", "SHARED_LINES", "SHARED_PLACES")),
        (_engine, ("DAY_TABLE", "SHARED_LINES", "_CODES")),
    ):
        for name in names:
            monkeypatch.setattr(module, name, 2)
    small = _answers(Catalog(datasets_by_key=dict(catalog.datasets_by_key)))
    assert small == usual and len(usual) == 2 * 4 * 4 * 6


def test_the_catalog_keeps_a_dates_answers_together_and_drops_them_a_date_at_a_time():
    # A claim file's date asks for several answers (fee schedule, geography, NCCI, ...).
    # Bounded by entries, a cache of three held one and a half dates, and a file's dates had
    # their tables rebuilt again and again; bounded by dates, it holds three whole dates.
    catalog = build_catalog()
    catalog._cache.limit = 3
    days = [date(2025, 11, n) for n in (3, 4, 5, 6)]
    first = {day: (catalog.fee_schedule(day), catalog.geography(day)) for day in days[:3]}
    for day in days[:3]:
        assert catalog.fee_schedule(day) is first[day][0]
        assert catalog.geography(day) is first[day][1]
    catalog.fee_schedule(days[3])  # a fourth date: the first one goes, both its answers
    assert catalog.geography(days[1]) is first[days[1]][1]
    assert catalog.fee_schedule(days[2]) is first[days[2]][0]
    assert catalog.geography(days[0]) is not first[days[0]][1]


def test_a_dropped_shared_table_is_not_filled_and_does_not_split_a_quarter(monkeypatch):
    """The tables shared by a quarter's dates are bounded per reference (SHARED_KEPT). A
    dropped one is left to be freed, not filled through a date's context, and the quarter's
    dates still share one period (its key holds a `PriceClass`, not the tables): with the
    tables themselves in the key, keeping few split a quarter (tests/edits/test_periods)."""
    from medpayiq.pricing import _context, price_period

    monkeypatch.setattr(_context, "SHARED_KEPT", 1)
    catalog = build_catalog()
    first, later = date(2025, 11, 3), date(2025, 11, 20)
    lines = [ServiceLine("62323")]
    answer = price_amounts(catalog, first, lines, location=HOUSTON, pos="11")
    fee = catalog.fee_schedule(first)
    ctx = _context.context_for(catalog, fee, first, False)
    tables = ctx.shared(catalog, fee)
    assert len(tables.claims) == 1 and not tables.dropped
    period = price_period(catalog, first)
    # Priced as a qualifying APM participant: another class, whose tables take the one place.
    price_amounts(catalog, first, lines, location=HOUSTON, pos="11", qp=True)
    assert tables.dropped
    again = price_amounts(catalog, first, lines, location=HOUSTON, pos="11")
    price_amounts(catalog, first, [ServiceLine("99213")], location=HOUSTON, pos="11")
    assert again == answer and len(tables.claims) == 1  # the dropped tables did not grow
    assert ctx.shared(catalog, fee) is not tables
    assert price_period(catalog, later) == period


def test_the_claim_rules_answer_for_their_lines_whatever_else_is_billed():
    """The multiple procedure ranking is kept by the lines it ranks: the same two procedures
    among other codes read it back, and a third procedure ranks them again. Houston, RVU25D:
    62323 $250.42, 20610 $65.58, 64483 $239.62, 99213 $91.00 (indicator 0) alone."""
    catalog = build_catalog()

    def allowed(*lines: tuple[str, int]) -> tuple[Decimal | None, ...]:
        billed = [ServiceLine(code, (), units) for code, units in lines]
        return price_amounts(catalog, DAY, billed, location=HOUSTON, pos="11").allowed

    assert allowed(("62323", 1), ("20610", 1)) == (D("250.42"), D("32.79"))  # 65.58 at 50%
    assert allowed(("99213", 1), ("62323", 1), ("20610", 1)) == (D("91.00"), D("250.42"),
                                                                 D("32.79"))  # fmt: skip
    assert allowed(("62323", 1), ("99213", 2), ("20610", 1)) == (D("250.42"), D("182.00"),
                                                                 D("32.79"))  # fmt: skip
    # 239.62 and 65.58 at 50%: 119.81 and 32.79.
    assert allowed(("64483", 1), ("62323", 1), ("20610", 1)) == (D("119.81"), D("250.42"),
                                                                 D("32.79"))  # fmt: skip
    assert allowed(("20610", 2)) == (D("98.37"),)  # 65.58 + 32.79

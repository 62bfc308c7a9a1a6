"""What keeps a scrub's memory flat in the size of its input: the checker's memo tables keep
at most a bound of entries (a full one drops its older half), and the input index keeps at
most a bound of patients in memory (the older half goes to a temporary database on disk and
comes back when the patient does). Neither may change an answer."""

from __future__ import annotations

import pytest

from medpayiq.claims import Scrubber, _index
from medpayiq.edits import _day, _memo, _ncci, remember
from medpayiq.reference import Catalog
from medpayiq.services import ClaimFiles
from medpayiq.x12 import read_837p

from .files import practice_file


def test_a_full_memo_table_drops_its_older_half() -> None:
    table: dict[int, str] = {}
    for key in range(8):
        remember(table, key, str(key), 8)
    assert list(table) == list(range(8))
    remember(table, 8, "8", 8)
    assert table == {4: "4", 5: "5", 6: "6", 7: "7", 8: "8"}
    for key in range(9, 100):
        remember(table, key, str(key), 8)
    assert len(table) <= 8 and list(table)[-1] == 99 and table[99] == "99"


def test_patients_past_the_resident_bound_go_to_disk_and_come_back(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The practice file scrubbed with two patients in memory: a patient's history (the
    knee replacement whose global period a later visit falls in) and line keys (the visit
    sent twice) come back from the spill database when a later claim of theirs comes, after
    two other patients'. The same reports, byte for byte, with never more than two patients
    in memory."""
    data = practice_file().encode()
    usual = [r.as_json() for r in ClaimFiles(catalog, [("practice.837", data)])]
    monkeypatch.setattr(_index, "RESIDENT", 2)
    scrubber = Scrubber(catalog)
    index = scrubber._index
    small = []
    for item in read_837p(data):
        small.append(scrubber.scrub(item, file="practice.837").as_json())
        assert index.resident <= 2
    assert small == usual and len(usual) == 19
    assert index.spilled >= 5
    said = "\n".join(usual)
    assert "global" in said and "duplicates claim D1" in said


def test_the_spill_database_is_deleted_when_the_input_is_scrubbed(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once a file's claims are all reported, its scrubber closes the spill database (a
    server may keep the finished objects a while) and then refuses to scrub on: the
    patients it spilled are gone, and a claim checked without them would miss their
    history. Closed too when the reader stops early."""
    data = practice_file().encode()
    monkeypatch.setattr(_index, "RESIDENT", 2)
    files = ClaimFiles(catalog, [("practice.837", data)])
    index = files.scrubber._index
    reports = iter(files)
    next(reports)
    for _ in range(9):
        next(reports)
    assert index.spilled > 0 and index._spill is not None
    assert len(list(reports)) == 9 and files.summary.claims == 19
    assert index._spill is None
    first = next(iter(read_837p(data)))
    with pytest.raises(RuntimeError, match="closed"):
        files.scrubber.scrub(first)
    early = ClaimFiles(catalog, [("practice.837", data)])
    stream = iter(early)
    for _ in range(10):
        next(stream)
    assert early.scrubber._index._spill is not None
    stream.close()  # type: ignore[attr-defined]
    assert early.scrubber._index._spill is None


def test_small_memo_tables_give_the_same_reports(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The practice file scrubbed with the usual bound, then with memo tables of four
    entries and two dates, periods and NCCI codes kept (every encounter, price and finding
    worked out again and again): the same report, byte for byte."""
    data = practice_file().encode()
    usual = [r.as_json() for r in ClaimFiles(catalog, [("practice.837", data)])]
    monkeypatch.setattr(_memo, "BOUND", 4)
    monkeypatch.setattr(_day, "DAYS", 2)
    monkeypatch.setattr(_day, "PERIODS", 2)
    monkeypatch.setattr(_ncci, "NCCI_CODES", 2)
    small = [r.as_json() for r in ClaimFiles(catalog, [("practice.837", data)])]
    assert small == usual and len(usual) == 19


def test_the_periods_memo_budget_drops_tables_and_gives_the_same_reports(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The practice file scrubbed with a budget of eight memo entries for all periods
    together, counted at every look-up of a date: the tables of the periods asked longest
    ago are dropped (down to half the budget) and their answers worked out again, and the
    reports are the same, byte for byte."""
    data = practice_file().encode()
    usual = [r.as_json() for r in ClaimFiles(catalog, [("practice.837", data)])]
    periods = {id(t.period): t.period for t in _memo.memo_for(catalog, "days").values()}
    assert sum(p.memo_entries() for p in periods.values()) > 8  # what the budget will cut
    monkeypatch.setattr(_day, "PERIOD_ENTRIES", 8)
    monkeypatch.setattr(_day, "SWEEP_EVERY", 1)
    small = [r.as_json() for r in ClaimFiles(catalog, [("practice.837", data)])]
    assert small == usual and len(usual) == 19
    _day._keep_memos_within_budget(catalog)
    periods = {id(t.period): t.period for t in _memo.memo_for(catalog, "days").values()}
    assert sum(p.memo_entries() for p in periods.values()) <= 4

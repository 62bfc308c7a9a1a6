"""What keeps a scrub's memory flat in the size of its input: the checker's memo tables keep
at most a bound of entries (a full one drops its older half), and the input index keeps its
line keys in a compact hash table. Neither may change an answer."""

from __future__ import annotations

import random

import pytest

from medpayiq.claims._index import LineTable
from medpayiq.edits import _day, _memo, _ncci, remember
from medpayiq.reference import Catalog
from medpayiq.services import ClaimFiles

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


def test_the_line_table_answers_as_a_dict() -> None:
    rng = random.Random(5)
    table = LineTable(slots=8)  # grows many times
    plain: dict[int, int] = {}
    # Hashes of either sign, 0 (kept as 1: the table's empty mark), and keys that share
    # their low bits (the same slot: linear probing).
    keys = [rng.getrandbits(64) - (1 << 63) for _ in range(3000)]
    keys += [0, 1, -1, 2**63 - 1, -(2**63)] + [k << 20 for k in range(1, 200)]
    for key in keys:
        value = rng.randrange(2**32)
        assert table.setdefault(key, value) == plain.setdefault(key or 1, value)
        assert table.get(key) == plain[key or 1]
    assert len(table) == len(plain)
    for key in keys:
        assert table.get(key) == plain[key or 1]
    for _ in range(3000):
        missing = rng.getrandbits(64) - (1 << 63)
        assert table.get(missing) == plain.get(missing or 1)


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

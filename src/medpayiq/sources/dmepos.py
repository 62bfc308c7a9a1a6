"""DMEPOS and PEN: CMS's fee schedules for durable medical equipment, prosthetics, orthotics
and supplies, and for parenteral and enteral nutrition (quarterly, `DMEyyX` zips).

Layouts read (XLSX as CMS publishes them, and the CSV copies some zips carry):

- DMEPOS (`DMEPOS26_JAN.xlsx`): title rows ("January 2026 Fee Schedule"), then
  `HCPCS, Mod, Mod2, JURIS, CATG, Ceiling, Floor, AL (NR), AL (R), ..., VI (R), Description`.
- PEN (`DMEPEN26_JAN.xlsx`): the same without JURIS, CATG, Ceiling and Floor, state columns
  written `AL(NR)`, the last column `Desc`. Its rows are kept under variant "pen".

One record per code, modifier pair and state (`records.DmeFee`), amounts as published: CMS
writes 0.00 where a column has no amount (the rural column of most items, every column of an
item the contractor prices). A code and modifier pair listed twice is refused with both
lines. The quarter comes from the month in the file name or the title ("January 2026").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from medpayiq.errors import ParseError, SourcePos
from medpayiq.records import DmeFee
from medpayiq.releases import Family, Kind, Release, quarter_release
from medpayiq.sources._csvutil import bad_value, cell_text, code_text, csv_records, xlsx_rows
from medpayiq.sources._money import money_cell
from medpayiq.sources._registry import Layout, ParsedFile, SourceFile, register

_NAME = re.compile(r"DME(POS|PEN)", re.IGNORECASE)
_STATE = re.compile(r"^([A-Z]{2})\s*\((NR|R)\)$")
_HCPCS = re.compile(r"^[A-Z0-9]\d{3}[A-Z0-9]$")
_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")
_QUARTER_OF_MONTH = {
    "JAN": 1, "JANUARY": 1, "APR": 2, "APRIL": 2, "JUL": 3, "JULY": 3, "OCT": 4, "OCTOBER": 4,
}  # fmt: skip
_NAME_DATE = re.compile(r"DME(?:POS|PEN)(\d{2})[ _-]*(JAN|APR|JUL|OCT)", re.IGNORECASE)
_TITLE_DATE = re.compile(r"(JANUARY|APRIL|JULY|OCTOBER)\s+(20\d{2})", re.IGNORECASE)


def _sniff(file: SourceFile) -> bool:
    name = file.basename
    return bool(_NAME.search(name)) and name.lower().endswith((".xlsx", ".csv"))


def is_pen(file: SourceFile, titles: Sequence[str]) -> bool:
    """The PEN file: named DMEPEN, or titled "Parenteral and Enteral Nutrition"."""
    if "DMEPEN" in file.basename.upper():
        return True
    return any("PARENTERAL" in t.upper() for t in titles)


class _Header:
    """Where each column is; `states` lists (state, non-rural index, rural index)."""

    def __init__(self, file: SourceFile, line: int, cells: Sequence[str]) -> None:
        names = [" ".join(c.split()).upper() for c in cells]
        self.file = file
        self.line = line
        self.index = {name: i for i, name in enumerate(names) if name}
        pairs: dict[str, dict[str, int]] = {}
        for i, name in enumerate(names):
            if m := _STATE.match(name):
                pairs.setdefault(m.group(1), {})[m.group(2)] = i
        self.states = [(s, p["NR"], p["R"]) for s, p in pairs.items() if {"NR", "R"} <= set(p)]
        self._require("HCPCS", "MOD", "MOD2")
        if not self.states:
            raise ParseError(
                SourcePos(file.name, line, "AL (NR)"),
                "no state columns such as AL (NR) and AL (R) in the header",
            )
        self.description = next(
            (self.index[n] for n in ("DESCRIPTION", "DESC") if n in self.index), None
        )
        self.dmepos = "JURIS" in self.index
        if self.dmepos:
            self._require("CATG", "CEILING", "FLOOR")

    def _require(self, *names: str) -> None:
        for name in names:
            if name not in self.index:
                raise ParseError(
                    SourcePos(self.file.name, self.line, name),
                    f'column "{name}" is missing from the header',
                )


def _cell(cells: Sequence[Any], at: int | None) -> Any:
    return cells[at] if at is not None and at < len(cells) else None


def _records(
    file: SourceFile, header: _Header, rows: list[tuple[int, Sequence[Any]]]
) -> Iterator[DmeFee]:
    seen: dict[tuple[str, str, str], int] = {}
    for line, cells in rows:
        if not any(cell_text(c) for c in cells):
            continue
        code = code_text(_cell(cells, header.index["HCPCS"]))
        if not _HCPCS.match(code):
            raise bad_value(file, line, "HCPCS", f'"{code}" is not a HCPCS code')
        mods = []
        for name in ("MOD", "MOD2"):
            mod = cell_text(_cell(cells, header.index[name])).upper()
            if mod and not _MODIFIER.match(mod):
                raise bad_value(file, line, name, f'"{mod}" is not a modifier')
            mods.append(mod)
        key = (code, mods[0], mods[1])
        first = seen.setdefault(key, line)
        if first != line:
            shown = "-".join(k for k in key if k)
            raise bad_value(
                file, line, "HCPCS", f"{shown} is listed twice (lines {first} and {line})"
            )
        yield from _state_rows(file, header, line, cells, key)


def _state_rows(
    file: SourceFile,
    header: _Header,
    line: int,
    cells: Sequence[Any],
    key: tuple[str, str, str],
) -> Iterator[DmeFee]:
    juris = catg = ""
    ceiling: Decimal | None = None
    floor: Decimal | None = None
    if header.dmepos:
        juris = cell_text(_cell(cells, header.index["JURIS"])).upper()
        catg = cell_text(_cell(cells, header.index["CATG"])).upper()
        ceiling = money_cell(_cell(cells, header.index["CEILING"]), file, line, "Ceiling")
        floor = money_cell(_cell(cells, header.index["FLOOR"]), file, line, "Floor")
    description = cell_text(_cell(cells, header.description))
    for state, nr, r in header.states:
        nonrural = money_cell(_cell(cells, nr), file, line, f"{state} (NR)")
        rural = money_cell(_cell(cells, r), file, line, f"{state} (R)")
        yield DmeFee(
            key[0], key[1], key[2], state, nonrural, rural, juris, catg, ceiling, floor, description
        )


def _release(file: SourceFile, titles: Sequence[str]) -> Release:
    for text in (file.basename, file.name):
        if m := _NAME_DATE.search(text):
            quarter = _QUARTER_OF_MONTH[m.group(2).upper()]
            return quarter_release(Family.DMEPOS, f"20{m.group(1)}Q{quarter}")
    for title in titles:
        if m := _TITLE_DATE.search(title):
            quarter = _QUARTER_OF_MONTH[m.group(1).upper()]
            return quarter_release(Family.DMEPOS, f"{m.group(2)}Q{quarter}")
    raise ParseError(
        SourcePos(file.name, 1),
        "cannot tell which quarter this DMEPOS file is for: neither its name (DMEPOS26_JAN) "
        'nor its title ("January 2026 Fee Schedule") says',
    )


def _parse(file: SourceFile, rows: Iterator[tuple[int, Sequence[Any]]]) -> ParsedFile:
    titles: list[str] = []
    header: _Header | None = None
    body: list[tuple[int, Sequence[Any]]] = []
    for line, cells in rows:
        if header is not None:
            body.append((line, cells))
            continue
        texts = [cell_text(c) for c in cells]
        if texts and texts[0].upper() == "HCPCS":
            header = _Header(file, line, texts)
        elif line > 20:
            break
        else:
            titles.extend(t for t in texts if t)
    if header is None:
        raise ParseError(
            SourcePos(file.name, 1),
            'no header row starting "HCPCS" in the first 20 rows: not a DMEPOS fee schedule',
        )
    pen = is_pen(file, titles)
    suffix = file.basename.rsplit(".", 1)[-1].lower()
    return ParsedFile(
        file,
        f"{'dmepen' if pen else 'dmepos'}-{suffix}",
        Kind.DMEPOS,
        _release(file, titles),
        _records(file, header, body),
        variant="pen" if pen else "",
    )


def _parse_any(file: SourceFile) -> ParsedFile:
    if file.basename.lower().endswith(".csv"):
        return _parse(file, csv_records(file))
    return _parse(file, xlsx_rows(file))


register(Layout("dmepos", Kind.DMEPOS, _sniff, _parse_any))

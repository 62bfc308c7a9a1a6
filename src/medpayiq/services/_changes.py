"""What changed between two releases, and which release of each kind applies on a date.

    answer = changes(reference, before="RVU25D", after="RVU26C", codes="62323,99213")
    answer.as_dict()                      # the JSON twin of the page and the CLI table

    status = release_status(reference, date(2026, 7, 15))

The comparison itself is `medpayiq.changes.compare` (pure logic); this module checks the
parameters as the interfaces receive them (text), reads a volume upload, and renders JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from medpayiq import changes as logic
from medpayiq.errors import InputError, ReleaseNotLoaded
from medpayiq.pricing import Setting
from medpayiq.reference import ANNUAL_KINDS, ReferenceData, resolve
from medpayiq.releases import Family, Kind, Release, release_for
from medpayiq.services._claim_files import volume_from_837p
from medpayiq.services._core import (
    _AsDict,
    input_kind,
    jsonable,
    parse_bool,
    parse_code,
    parse_date,
    parse_setting,
    today,
)

__all__ = [
    "MAX_VOLUME_BYTES",
    "Changes",
    "KindStatus",
    "ReleaseStatus",
    "changes",
    "default_releases",
    "parse_codes",
    "parse_day",
    "parse_flag",
    "release_status",
]

MAX_CODES = 200
MAX_VOLUME_BYTES = 50_000_000
_FAMILIES = {f.value: f for f in (Family.PFS, Family.CLFS, Family.DMEPOS, Family.NCCI, Family.ZIP)}


def parse_codes(text: str | None) -> tuple[str, ...]:
    """ "62323, 99213" -> ("62323", "99213"); each checked as a CPT/HCPCS code."""
    if not text or not text.strip():
        return ()
    codes = tuple(
        dict.fromkeys(parse_code(c, parameter="codes") for c in re.split(r"[,\s]+", text) if c)
    )
    if len(codes) > MAX_CODES:
        raise InputError(f"at most {MAX_CODES} codes can be compared at once", parameter="codes")
    return codes


def parse_flag(text: str | bool | None, parameter: str) -> bool:
    """ "true"/"false" (and yes/no, 1/0); empty = False."""
    return text if isinstance(text, bool) else parse_bool(text, parameter)


def parse_day(text: str | None) -> date:
    """A YYYY-MM-DD date, today when empty."""
    return parse_date(text, today=today())[0]


def _kind(text: str | None) -> Family | None:
    if not text or not text.strip():
        return None
    found = _FAMILIES.get(text.strip().lower())
    if found is None:
        raise InputError(f'kind "{text}" is not one of {", ".join(_FAMILIES)}', parameter="kind")
    return found


def _limit(text: str | int | None) -> int:
    if text is None or (isinstance(text, str) and not text.strip()):
        return 25
    value = str(text).strip()
    if not value.isdigit() or not 1 <= int(value) <= 500:
        raise InputError(f'limit "{text}" is not a whole number from 1 to 500', parameter="limit")
    return int(value)


def default_releases(reference: ReferenceData) -> tuple[str, str]:
    """The comparison a page opens on: the newest loaded fee schedule release against the
    newest of an earlier year (else the one before it). Raises ReleaseNotLoaded."""
    ids = logic.loaded(reference, Family.PFS)
    if len(ids) < 2:
        raise ReleaseNotLoaded(
            f"two fee schedule releases are needed to compare; loaded: {', '.join(ids) or 'none'}"
        )
    newest = ids[-1]
    earlier = [i for i in ids if i[3:5] < newest[3:5]]
    return (earlier[-1] if earlier else ids[-2]), newest


@dataclass(frozen=True)
class Changes:
    """A comparison as the interfaces show it: the report, and the options it was run with."""

    report: logic.ChangeReport
    limit: int

    def place_label(self) -> str:
        """ "national", "HOUSTON (04412-18)" or a ZIP's localities before -> after."""
        place = self.report.place
        if place is None or place.national:
            return "national"
        names = self.report.locality_names

        def one(loc: str) -> str:
            return f"{names.get(loc, '').title()} ({loc})".strip() if loc else "national"

        text = (
            one(place.before) if not place.moved else f"{one(place.before)} -> {one(place.after)}"
        )
        return f"ZIP {place.zip}: {text}" if place.zip else text

    def as_dict(self) -> dict[str, Any]:
        r = self.report
        out: dict[str, Any] = jsonable(r)
        if r.place is not None:
            out["place"] = {
                "before": r.place.before,
                "after": r.place.after,
                "zip": r.place.zip,
                "label": self.place_label(),
            }
        return out


def changes(
    reference: ReferenceData,
    *,
    before: str | None,
    after: str | None,
    kind: str | None = None,
    codes: str | None = None,
    zip: str | None = None,
    locality: str | None = None,
    setting: str | None = None,
    limit: str | int | None = None,
    volume: bytes | None = None,
    volume_name: str = "volume.csv",
    all_localities: bool | str | None = False,
) -> Changes:
    """Compare two loaded releases (`medpayiq.changes.compare`), parameters as text. Without
    `before` and `after` the default comparison (`default_releases`) is made."""
    first, second = (before or "").strip(), (after or "").strip()
    if not first and not second:
        first, second = default_releases(reference)
    elif not first or not second:
        missing = "from" if not first else "to"
        raise InputError(f"{missing} is missing: give two releases such as RVU25D and RVU26C",
                         parameter=missing)  # fmt: skip
    chosen, _ = parse_setting(setting, None)
    zip5 = _zip(zip)
    loc = locality.strip() if locality and locality.strip().lower() != "national" else None
    if zip5 and loc:
        raise InputError("give a zip or a locality, not both", parameter="locality")
    parsed = None
    if volume is not None:
        if len(volume) > MAX_VOLUME_BYTES:
            raise InputError(
                f"the volume file is larger than {MAX_VOLUME_BYTES // 1_000_000} MB",
                parameter="volume",
            )
        if input_kind(volume[:4096]) == "x12":  # an 837P file: its service lines
            parsed = volume_from_837p(volume, name=volume_name)
        else:
            parsed = logic.read_volume_csv(volume, name=volume_name)
    count = _limit(limit)
    report = logic.compare(
        reference,
        first,
        second,
        family=_kind(kind),
        codes=parse_codes(codes),
        zip_code=zip5,
        locality=loc,
        setting=chosen or Setting.NON_FACILITY,
        volume=parsed,
        limit=count,
        all_localities=parse_flag(all_localities, "all_localities"),
    )
    return Changes(report, count)


def _zip(text: str | None) -> str | None:
    if not text or not text.strip():
        return None
    m = re.fullmatch(r"(\d{5})(?:-?\d{4})?", text.strip())
    if not m:
        raise InputError(f'zip "{text.strip()}" is not a ZIP code (5 digits, or ZIP+4)',
                         parameter="zip")  # fmt: skip
    return m.group(1)


# --- Which release applies on a date ------------------------------------------------------------

# Kinds the reference looks up by date, and how (reference.Catalog): the fee schedule files
# never cross a calendar year; the others fall back to the closest loaded release.
_BY_DATE = {
    Kind.PPRRVU: True,
    Kind.GPCI: True,
    Kind.LOCCO: True,
    Kind.ANES: True,
    Kind.OPPSCAP: True,
    Kind.ZIP5: False,
    Kind.PTP: False,
    Kind.MUE: False,
    Kind.MUE_OUTPATIENT: False,
    Kind.ADDON: False,
    Kind.ICD10CM: False,
    Kind.CLFS: False,
    Kind.DMEPOS: False,
}


@dataclass(frozen=True, slots=True)
class KindStatus(_AsDict):
    """One kind of data on one date: the release the calendar puts in effect (`applies`),
    whether it is loaded, the one that answers (`used`, as the reference resolves it) and
    the newest loaded."""

    kind: str
    family: str
    applies: str
    loaded: bool
    used: str | None
    confidence: str | None
    note: str
    newest: str | None


@dataclass(frozen=True, slots=True)
class ReleaseStatus(_AsDict):
    day: date
    kinds: tuple[KindStatus, ...]


def release_status(reference: ReferenceData, day: date) -> ReleaseStatus:
    """For each kind of data: which release applies on `day`, whether it is loaded, which
    one answers and the newest loaded."""
    by_kind: dict[Kind, set[Release]] = {}
    for p in reference.datasets():
        by_kind.setdefault(p.kind, set()).add(p.release)
    rows = []
    for kind in Kind:
        loaded = by_kind.get(kind, set())
        wanted = release_for(kind.family, day)
        newest = max(loaded).id if loaded else None
        used: str | None = None
        confidence: str | None = None
        if kind in _BY_DATE:
            try:
                found, _, level, note = resolve(
                    kind.family, loaded, day, kind_label=kind.value,
                    same_year_only=_BY_DATE[kind], annual=kind in ANNUAL_KINDS,
                )  # fmt: skip
                used, confidence = found.id, level.value
            except ReleaseNotLoaded as exc:
                note = str(exc)
        elif kind is Kind.PAYMENT:
            note = "CMS's own computed amounts: a check on the pricing engine, not an answer"
        elif loaded:
            used, note = newest, "the newest loaded release answers every date"
        else:
            note = "nothing loaded"
        rows.append(
            KindStatus(kind.value, kind.family.value, wanted.id,
                       any(r.id == wanted.id for r in loaded), used, confidence, note, newest)
        )  # fmt: skip
    return ReleaseStatus(day, tuple(rows))

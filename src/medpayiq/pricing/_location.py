"""Where a service was furnished -> the Medicare payment locality (DOMAIN.md section 2).

National (GPCI 1.000), carrier + locality from the GPCI file, a state (one locality, or a
list to choose from), a county (LOCCO text, as CMS writes it), or a ZIP code (ZIP5 file;
a ZIP whose plus-four flag is set spans localities and needs ZIP+4).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from medpayiq.errors import UnknownLocation
from medpayiq.records import LocalityCounties, LocalityId
from medpayiq.reference import FeeSchedule, Geography

from ._types import Location, ResolvedLocation

__all__ = ["AmbiguousLocation", "resolve_location", "state_name"]

NATIONAL_LOCATION = ResolvedLocation(None, "NATIONAL", "", "national amount (GPCI 1.000)")

STATES = {
    "AL": "ALABAMA", "AK": "ALASKA", "AZ": "ARIZONA", "AR": "ARKANSAS", "CA": "CALIFORNIA",
    "CO": "COLORADO", "CT": "CONNECTICUT", "DE": "DELAWARE", "DC": "DISTRICT OF COLUMBIA",
    "FL": "FLORIDA", "GA": "GEORGIA", "HI": "HAWAII", "ID": "IDAHO", "IL": "ILLINOIS",
    "IN": "INDIANA", "IA": "IOWA", "KS": "KANSAS", "KY": "KENTUCKY", "LA": "LOUISIANA",
    "ME": "MAINE", "MD": "MARYLAND", "MA": "MASSACHUSETTS", "MI": "MICHIGAN", "MN": "MINNESOTA",
    "MS": "MISSISSIPPI", "MO": "MISSOURI", "MT": "MONTANA", "NE": "NEBRASKA", "NV": "NEVADA",
    "NH": "NEW HAMPSHIRE", "NJ": "NEW JERSEY", "NM": "NEW MEXICO", "NY": "NEW YORK",
    "NC": "NORTH CAROLINA", "ND": "NORTH DAKOTA", "OH": "OHIO", "OK": "OKLAHOMA", "OR": "OREGON",
    "PA": "PENNSYLVANIA", "RI": "RHODE ISLAND", "SC": "SOUTH CAROLINA", "SD": "SOUTH DAKOTA",
    "TN": "TENNESSEE", "TX": "TEXAS", "UT": "UTAH", "VT": "VERMONT", "VA": "VIRGINIA",
    "WA": "WASHINGTON", "WV": "WEST VIRGINIA", "WI": "WISCONSIN", "WY": "WYOMING",
    "PR": "PUERTO RICO", "VI": "VIRGIN ISLANDS", "GU": "GUAM", "AS": "AMERICAN SAMOA",
    "MP": "NORTHERN MARIANA ISLANDS",
}  # fmt: skip
_ABBREVIATION = {name: abbr for abbr, name in STATES.items()}


class AmbiguousLocation(UnknownLocation):
    """The location matches more than one locality; `candidates` lists them."""

    def __init__(
        self, message: str, *, parameter: str, candidates: Sequence[ResolvedLocation]
    ) -> None:
        super().__init__(message, parameter=parameter)
        self.candidates = tuple(candidates)


def state_name(text: str) -> str | None:
    """'tx', 'Texas' -> 'TEXAS'; None if it is not a state or territory."""
    key = " ".join(text.upper().replace(".", "").split())
    if key in STATES:
        return STATES[key]
    return key if key in _ABBREVIATION else None


def resolve_location(
    query: Location, fee: FeeSchedule, geography: Geography | None
) -> ResolvedLocation:
    """The locality for `query`. Raises UnknownLocation (AmbiguousLocation when several
    localities fit) with `parameter` naming the input at fault."""
    if query.is_national:
        return NATIONAL_LOCATION
    if query.locality:
        return _by_locality(query.locality, fee)
    if query.zip:
        return _by_zip(query.zip, fee, _need(geography, "zip"))
    if query.state:
        return _by_state(query.state, query.county, fee, geography)
    raise UnknownLocation("a county needs its state (--state ST --county NAME)", parameter="county")


def _need(geography: Geography | None, parameter: str) -> Geography:
    if geography is None:
        raise UnknownLocation(
            "no ZIP to locality file is loaded: load CMS's ZIP5 file or give --locality",
            parameter=parameter,
        )
    return geography


def _resolved(locality: LocalityId, fee: FeeSchedule, how: str) -> ResolvedLocation:
    gpci = fee.gpcis.get(locality)
    if gpci is None:
        raise UnknownLocation(
            f"locality {locality} ({how}) is not in the GPCI file of {fee.vintage.used.id}",
            parameter="locality",
        )
    return ResolvedLocation(locality, gpci.name.strip(), gpci.state.strip(), how, gpci)


def _by_locality(text: str, fee: FeeSchedule) -> ResolvedLocation:
    try:
        locality = LocalityId.parse(text)
    except ValueError as exc:
        raise UnknownLocation(str(exc), parameter="locality") from None
    if locality not in fee.gpcis:
        # CMS's OPPSCAP file lists the Southern California localities (17, 18, 71-74) under
        # carrier 01112 where GPCI, LOCCO and ZIP5 say 01182: the same MAC jurisdiction
        # (first three digits) and locality number name one locality. Accept it, and say so.
        same = [
            k
            for k in fee.gpcis
            if k.locality == locality.locality and k.carrier[:3] == locality.carrier[:3]
        ]
        if len(same) == 1:
            return _resolved(
                same[0], fee, f"{locality} is listed in the GPCI file as {same[0]} (same MAC)"
            )
        carrier = sorted(str(k) for k in fee.gpcis if k.carrier == locality.carrier)
        hint = f"; carrier {locality.carrier} has {', '.join(carrier)}" if carrier else ""
        raise UnknownLocation(
            f"locality {locality} is not in the GPCI file of {fee.vintage.used.id}{hint}",
            parameter="locality",
        )
    return _resolved(locality, fee, f"carrier {locality.carrier}, locality {locality.locality}")


_ZIP = re.compile(r"^(\d{5})(?:-?(\d{4}))?$")


def _by_zip(text: str, fee: FeeSchedule, geography: Geography) -> ResolvedLocation:
    m = _ZIP.match(text.strip())
    if not m:
        raise UnknownLocation(
            f'"{text}" is not a ZIP code: expected 5 digits (or ZIP+4 such as 77030-1234)',
            parameter="zip",
        )
    zip5 = m.group(1)
    rows = geography.zips.get(zip5, ())
    release = geography.vintage.used.id
    if not rows:
        raise UnknownLocation(
            f"ZIP {zip5} is not in the ZIP to locality file {release}", parameter="zip"
        )
    localities = list(dict.fromkeys(r.locality for r in rows))
    if len(localities) == 1 and not any(r.plus_four for r in rows):
        return _resolved(localities[0], fee, f"ZIP {zip5} (ZIP5 file {release})")
    # The ZIP spans localities: ZIP5 gives the locality for most of it; the others can be
    # anywhere in the state (the ZIP9 file would say). List the candidates.
    state = rows[0].state.strip()
    others = [g.locality for g in fee.gpcis.values() if g.state.strip() == state]
    candidates = [
        _resolved(loc, fee, f"ZIP {zip5} candidate")
        for loc in dict.fromkeys([*localities, *sorted(others, key=str)])
        if loc in fee.gpcis
    ]
    suffix = f" (ZIP+4 {zip5}-{m.group(2)} given, but no ZIP9 file is loaded)" if m.group(2) else ""
    raise AmbiguousLocation(
        f"ZIP {zip5} spans Medicare localities (plus-four flag in {release}): ZIP+4 is needed"
        f"{suffix}; the ZIP5 file assigns {', '.join(map(str, localities))}; candidates: "
        + "; ".join(f"{c.locality} {c.name}" for c in candidates),
        parameter="zip",
        candidates=candidates,
    )


# --- States and counties (LOCCO) ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Clause:
    """One statement of a LOCCO row: these counties (or all others, except some) of a state."""

    locality: LocalityId
    state: str
    counties: tuple[str, ...]
    all_others: bool
    excepted: tuple[str, ...]
    text: str
    truncated: bool = False


def _norm_county(text: str) -> str:
    t = text.upper().replace(".", "").replace("'", "").replace("’", "")
    t = re.sub(r"\b(COUNTY|CNTY|CNTYS|COUNTIES|PARISH)\b", " ", t)
    t = re.sub(r"\bSAINT\b", "ST", t)
    return " ".join(t.split())


def _split_names(text: str) -> tuple[str, ...]:
    parts = re.split(r",|/|;|\bAND\b", text.upper())
    return tuple(n for n in (_norm_county(p) for p in parts) if n)


_IN_STATE = re.compile(r"^(.*)\bIN ([A-Z ]+)$")


def _clauses(rows: Sequence[LocalityCounties], fee: FeeSchedule) -> list[_Clause]:
    out: list[_Clause] = []
    # The fixed-width 25LOCCO.txt cuts the counties column at its width: several rows of
    # exactly the longest length are cut off, and a county missing from them is unknown.
    longest = max((len(r.counties.strip()) for r in rows), default=0)
    at_width = [r for r in rows if len(r.counties.strip()) == longest]
    cut = len(at_width) > 1
    for row in rows:
        # CMS leaves the state blank on a state's later rows (and on every California row
        # of 25LOCCO.txt): the GPCI file knows the locality's state.
        gpci = fee.gpcis.get(row.locality)
        current_state = " ".join(row.state.upper().split()) or (
            STATES.get(gpci.state.strip().upper(), "") if gpci else ""
        )
        truncated = cut and len(row.counties.strip()) == longest
        for segment in row.counties.upper().split(";"):
            seg = " ".join(segment.split())
            if not seg:
                continue
            state = current_state
            if (m := _IN_STATE.match(seg)) and state_name(m.group(2)):
                seg, state = m.group(1).strip(" ,"), state_name(m.group(2)) or state
            head, _, excepted = seg.partition("EXCEPT")
            if head.startswith("ALL"):
                names = _split_names(excepted)
                out.append(_Clause(row.locality, state, (), True, names, seg, truncated))
            else:
                names = _split_names(seg)
                out.append(_Clause(row.locality, state, names, False, (), seg, truncated))
    return out


def _states_of(clause_state: str) -> set[str]:
    # "HAWAII/GUAM" covers both.
    return {s.strip() for s in clause_state.split("/")}


def _by_state(
    text: str, county: str | None, fee: FeeSchedule, geography: Geography | None
) -> ResolvedLocation:
    name = state_name(text)
    if name is None:
        raise UnknownLocation(
            f'"{text}" is not a US state or territory (use a 2-letter code such as TX)',
            parameter="state",
        )
    abbr = _ABBREVIATION[name]
    rows = list(geography.counties) if geography else []
    clauses = [c for c in _clauses(rows, fee) if name in _states_of(c.state)]
    if county:
        return _by_county(county, name, clauses, fee, geography)
    localities = {g.locality for g in fee.gpcis.values() if g.state.strip().upper() == abbr}
    localities |= {c.locality for c in clauses if c.locality in fee.gpcis}
    if not localities:
        raise UnknownLocation(f"no Medicare locality is listed for {name}", parameter="state")
    ordered = sorted(localities, key=str)
    if len(ordered) == 1:
        return _resolved(ordered[0], fee, f"state {abbr} (a single locality)")
    candidates = [_resolved(loc, fee, f"state {abbr} candidate") for loc in ordered]
    raise AmbiguousLocation(
        f"{name} has {len(ordered)} Medicare localities; give a county, ZIP or locality: "
        + "; ".join(f"{c.locality} {c.name}" for c in candidates),
        parameter="state",
        candidates=candidates,
    )


def _by_county(
    county: str,
    state: str,
    clauses: list[_Clause],
    fee: FeeSchedule,
    geography: Geography | None,
) -> ResolvedLocation:
    if geography is None or not geography.counties:
        raise UnknownLocation(
            "no county to locality file (LOCCO) is loaded: give --zip or --locality",
            parameter="county",
        )
    wanted = _norm_county(county)
    if not wanted:
        raise UnknownLocation(f'"{county}" is not a county name', parameter="county")
    named = {c.locality for c in clauses if wanted in c.counties}
    how = f"{wanted} county, {state} (LOCCO)"
    if not named:
        # CMS's own text has typos ("ORAGNGE"): accept a close spelling, and say so.
        spelled = {n: c for c in clauses for n in c.counties}
        close = difflib.get_close_matches(wanted, list(spelled), n=1, cutoff=0.85)
        if close:
            named = {spelled[close[0]].locality}
            how = f'{wanted} county, {state}: LOCCO spells it "{close[0]}"'
    if len(named) == 1:
        return _resolved(named.pop(), fee, how)
    if len(named) > 1:
        candidates = [_resolved(loc, fee, how) for loc in sorted(named, key=str)]
        raise AmbiguousLocation(
            f"{wanted} county, {state} is listed under several localities: "
            + "; ".join(f"{c.locality} {c.name}" for c in candidates),
            parameter="county",
            candidates=candidates,
        )
    rest = [c for c in clauses if c.all_others and wanted not in c.excepted]
    localities = list(dict.fromkeys(c.locality for c in rest))
    if any(c.all_others and wanted in c.excepted for c in clauses) and not rest:
        raise UnknownLocation(
            f"LOCCO excludes {wanted} county from {state}'s other localities, but no readable "
            "row of the loaded file names it (the county list may be cut off): give a ZIP or "
            "locality",
            parameter="county",
        )
    cut = [c for c in clauses if c.truncated]
    if cut:
        # The county may be in the part of a list the file cut off: do not guess.
        candidates = [
            _resolved(loc, fee, f"{wanted} county, {state} candidate")
            for loc in dict.fromkeys([*(c.locality for c in cut), *localities])
        ]
        raise AmbiguousLocation(
            f"{wanted} county, {state} is not named in the loaded LOCCO file, whose county "
            f"list is cut off for {', '.join(str(c.locality) for c in cut)}: give a ZIP or "
            "locality; candidates: " + "; ".join(f"{c.locality} {c.name}" for c in candidates),
            parameter="county",
            candidates=candidates,
        )
    if len(localities) == 1:
        return _resolved(
            localities[0],
            fee,
            f"{wanted} county, {state}: not named in LOCCO, so in {rest[0].text.lower()}",
        )
    raise UnknownLocation(
        f"county {wanted} is not listed for {state} in LOCCO (check the spelling)",
        parameter="county",
    )

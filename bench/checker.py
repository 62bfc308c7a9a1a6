"""Claims per second for the claim checker, in process, on generated 5-line claims.

    .venv/bin/python bench/checker.py [--claims 20000] [--reference catalog|store|both]
        [--mix practice|scattered|both] [--db /tmp/checker-bench.sqlite] [--data ../shared/data]

`--reference store` needs a store loaded from the shared data:
`.venv/bin/medpayiq data load --source /work/shared/data --db /tmp/checker-bench.sqlite`.

Claims are 5 lines from 14 encounter templates with realistic codes (E/M with joint
injections, epidurals, transforaminal and facet blocks, imaging, labs, drugs, vaccines,
therapy, biopsies, podiatry), whose E/M level (8 codes), side, units and diagnoses (19 codes,
one a header code) vary; 6 providers (physicians and NPs, par and non-par); 35% carry 1-4
earlier services (global surgery, the epidural frequency rule). About 9 in 10 claims have a
finding: the templates bill labs (status X), drugs (J codes, not on the fee schedule) and
supplies (status B), which the checker flags.

Two mixes of dates and places:
- `practice` (how claims arrive): 150 practices, each of one specialty (its templates and
  places of service), with 1-3 ZIP codes from the ZIP5 file and 1-4 providers; dates of
  service trail 2026-11-20 by 0-7 days (60%), 8-30 (25%), 31-90 (10%) or up to a year (5%).
- `scattered` (a stress case): every claim draws its date (any weekday from 2025-10-01 to
  2026-11-20: RVU25D and RVU26C, ICD-10-CM FY2025 and FY2026), ZIP (400), provider, place
  of service (11, 22, 19, 24) and template on its own, so nearly every line is priced at a
  date and place not seen before.

Steady state of a long-running service: a first set of claims (another seed, same mix) warms
the per-date and per-code tables, then a fresh set is timed, so no timed claim was seen
before. Prints `check_claim` claims/s, then `as_dict()` and `json.dumps` separately, then
`parse_claim` + `check_claim` + `as_dict` on a third fresh set (what the JSON API's
POST /api/v1/claims/check does, before `json.dumps`), `parse_claim` alone, and `check_claim`
on the timed claims again, where every claim's encounter is already worked out: the cost of
a claim's own checks. It asserts nothing about speed.

Each timed row starts with `gc.collect()`. The in-memory Catalog holds some 3 million objects
the cyclic garbage collector tracks (2.5 million PTP edits), so a full collection takes about
a second; one falls due after every ~1.4 million new long-lived objects (a new encounter
keeps about 50), so a timed row of 20,000 claims rarely meets one. `--freeze` calls
`gc.freeze()` after the load instead, to see the other trade: smaller, more frequent full
collections of what the checker keeps.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from medpayiq.edits import CheckResult, check_claim, parse_claim
from medpayiq.reference import Catalog, ReferenceData

ROOT = Path(__file__).resolve().parent.parent

# (code, modifiers, units); "EM" is an office visit whose level is drawn per claim, "SIDE" an
# RT or LT drawn per claim.
Template = list[tuple[str, list[str], int]]
ENCOUNTERS: list[Template] = [
    [("EM", ["25"], 1), ("20610", ["SIDE"], 1), ("J1040", [], 1), ("73562", ["SIDE"], 1),
     ("36415", [], 1)],
    [("62323", [], 1), ("EM", ["25"], 1), ("77003", [], 1), ("J1040", [], 1), ("J2001", [], 1)],
    [("64483", ["SIDE"], 1), ("64484", ["SIDE"], 1), ("EM", [], 1), ("J3301", [], 1),
     ("A4550", [], 1)],
    [("EM", [], 1), ("93000", [], 1), ("71046", [], 1), ("80053", [], 1), ("85025", [], 1)],
    [("97110", ["GP"], 2), ("97140", ["GP", "59"], 1), ("97530", ["GP"], 1),
     ("97112", ["GP"], 1), ("97035", ["GP"], 1)],
    [("EM", [], 1), ("11721", [], 1), ("G0127", [], 1), ("99213", [], 1), ("17000", [], 1)],
    [("64493", ["SIDE"], 1), ("64494", ["SIDE"], 1), ("EM", ["25"], 1), ("J1030", [], 1),
     ("77003", ["26"], 1)],
    [("EM", ["25"], 1), ("20611", ["SIDE"], 1), ("J7325", [], 1), ("73564", ["SIDE"], 1),
     ("G2211", [], 1)],
    [("EM", [], 1), ("83036", [], 1), ("80061", [], 1), ("82947", [], 1), ("81002", [], 1)],
    [("62321", [], 1), ("EM", ["25"], 1), ("72040", [], 1), ("J1100", [], 1), ("99152", [], 1)],
    [("EM", ["24"], 1), ("73560", ["SIDE"], 1), ("97161", ["GP"], 1), ("97110", ["GP"], 3),
     ("29530", ["SIDE"], 1)],
    [("11102", [], 1), ("11103", [], 2), ("EM", ["25"], 1), ("17110", [], 1), ("88305", [], 1)],
    [("EM", [], 1), ("96372", [], 1), ("J3420", [], 1), ("90471", [], 1), ("90715", [], 1)],
    [("64490", ["SIDE"], 1), ("64491", ["SIDE"], 1), ("64492", ["SIDE"], 1),
     ("EM", ["25"], 1), ("J3301", [], 2)],
]  # fmt: skip
VISITS = ["99212", "99213", "99213", "99214", "99214", "99215", "99203", "99204"]
DIAGNOSES = [
    "M54.16", "M48.062", "M17.11", "M17.12", "I10", "E11.9", "M79.604", "M54.50", "R07.9",
    "M47.816", "M51.26", "M25.561", "E78.5", "J06.9", "L57.0", "B07.9", "Z23", "M54.2",
    "M54.5",  # a header code since FY2022: the checker lists its billable children
]  # fmt: skip
HISTORY_CODES = ["62323", "99213", "27447", "64483", "20610", "64493", "11721"]
NPIS = ["1234567893", "1245319599", "1003000126", "1164025631", "1588667638", "1902809254"]
POS = ["11", "11", "11", "22", "19", "24"]


def zip_codes(reference: ReferenceData, count: int, rng: random.Random) -> list[str]:
    """`count` ZIP codes from the ZIP5 file that name one locality (no ZIP+4 needed)."""
    zips = reference.geography(date(2026, 1, 15)).zips
    usable = sorted(z for z, rows in zips.items() if len(rows) == 1 and not rows[0].plus_four)
    return rng.sample(usable, count)


def weekdays(first: date, last: date) -> list[date]:
    days = (first + timedelta(days=i) for i in range((last - first).days + 1))
    return [d for d in days if d.weekday() < 5]


# Specialties: the encounter templates a practice bills (indexes into ENCOUNTERS) and its
# places of service.
SPECIALTIES: list[tuple[list[int], list[str]]] = [
    ([1, 2, 6, 9, 13, 0], ["11", "11", "22", "24"]),  # pain management
    ([0, 7, 10, 3], ["11", "11", "19"]),  # orthopaedics
    ([3, 8, 12, 5], ["11"]),  # primary care
    ([4, 10], ["11"]),  # physical therapy
    ([11, 5, 8], ["11"]),  # dermatology and podiatry
]
TODAY = date(2026, 11, 20)


@dataclass(frozen=True)
class Practice:
    zips: tuple[str, ...]
    providers: tuple[int, ...]  # indexes into NPIS
    templates: tuple[int, ...]
    places: tuple[str, ...]


def practices(count: int, zips: list[str], rng: random.Random) -> list[Practice]:
    out = []
    for _ in range(count):
        templates, places = rng.choice(SPECIALTIES)
        out.append(
            Practice(
                tuple(rng.sample(zips, rng.choice([1, 1, 2, 3]))),
                tuple(rng.sample(range(len(NPIS)), rng.randint(1, 4))),
                tuple(templates),
                tuple(places),
            )
        )
    return out


def service_day(rng: random.Random) -> date:
    """A date of service as claims arrive: most within days, a tail back a year (timely
    filing allows 12 months)."""
    roll = rng.random()
    lag = (
        rng.randint(0, 7)
        if roll < 0.6
        else rng.randint(8, 30)
        if roll < 0.85
        else rng.randint(31, 90)
        if roll < 0.95
        else rng.randint(91, 365)
    )
    day = TODAY - timedelta(days=lag)
    return day - timedelta(days=max(0, day.weekday() - 4))  # weekend visits move to Friday


def generate(count: int, zips: list[str], seed: int, mix: str = "practice") -> list[dict[str, Any]]:
    """`practice`: 150 practices (specialty, 1-3 ZIPs, 1-4 providers) sending claims whose
    dates of service trail the day they are sent. `scattered`: every claim picks its date
    (any weekday from 2025-10-01 to 2026-11-20), ZIP, provider, POS and template alone."""
    rng = random.Random(seed)
    offices = practices(150, zips, random.Random(13))  # the same practices in every set
    days = weekdays(date(2025, 10, 1), date(2026, 11, 20))
    claims = []
    for i in range(count):
        if mix == "practice":
            office = rng.choice(offices)
            day = service_day(rng)
            zip_code = rng.choice(office.zips)
            provider = rng.choice(office.providers)
            place = rng.choice(office.places)
            template = ENCOUNTERS[rng.choice(office.templates)]
        else:
            day = rng.choice(days)
            zip_code = rng.choice(zips)
            provider = rng.randrange(len(NPIS))
            place = rng.choice(POS)
            template = rng.choice(ENCOUNTERS)
        visit = rng.choice(VISITS)
        side = rng.choice(["RT", "LT"])
        lines = []
        for code, mods, units in template:
            mods = [side if m == "SIDE" else m for m in mods]
            lines.append(
                {
                    "hcpcs": visit if code == "EM" else code,
                    "modifiers": mods,
                    "units": units,
                    "diagnosis_pointers": [1, 2],
                }
            )
        history = []
        if rng.random() < 0.35:
            for _ in range(rng.randint(1, 4)):
                history.append(
                    {
                        "date_of_service": (day - timedelta(days=rng.randint(1, 300))).isoformat(),
                        "hcpcs": rng.choice(HISTORY_CODES),
                        "provider_npi": rng.choice(NPIS[:2]),
                    }
                )
        claims.append(
            {
                "claim_id": f"B-{seed}-{i}",
                "patient": {"id": f"P-{i}"},
                "provider": {
                    "npi": NPIS[provider],
                    "type": "np" if provider >= 4 else "physician",
                    "participating": provider != 3,
                },
                "place_of_service": place,
                "zip": zip_code,
                "date_of_service": day.isoformat(),
                "diagnoses": rng.sample(DIAGNOSES, 2),
                "lines": lines,
                "history": history,
            }
        )
    return claims


def timed(label: str, count: int, run: Callable[[], object]) -> float:
    gc.collect()
    started = time.perf_counter()
    run()
    elapsed = time.perf_counter() - started
    print(
        f"  {label:<40} {count:>7,} claims in {elapsed:6.2f} s = {count / elapsed:>8,.0f} claims/s"
        f"  ({elapsed / count * 1e6:,.0f} us/claim)"
    )
    return elapsed


def measure(name: str, reference: ReferenceData, count: int, mix: str) -> None:
    print(f"{name}, {mix} mix:")
    zips = zip_codes(reference, 400, random.Random(11))
    warm_raw = generate(count, zips, seed=1, mix=mix)
    raw = generate(count, zips, seed=2, mix=mix)
    started = time.perf_counter()
    for data in warm_raw:
        check_claim(reference, parse_claim(data))
    print(f"  warm-up: {count:,} other claims in {time.perf_counter() - started:.1f} s")

    claims = [parse_claim(c) for c in raw]
    results: list[CheckResult] = []
    timed("check_claim", count, lambda: results.extend(check_claim(reference, c) for c in claims))
    dicts: list[dict[str, object]] = []
    timed("as_dict()", count, lambda: dicts.extend(r.as_dict() for r in results))
    timed("json.dumps(as_dict())", count, lambda: [json.dumps(d) for d in dicts])
    fresh = generate(count, zips, seed=3, mix=mix)
    timed(
        "parse_claim + check_claim + as_dict (new)",
        count,
        lambda: [check_claim(reference, parse_claim(c)).as_dict() for c in fresh],
    )
    timed(
        "parse_claim alone",
        count,
        lambda: [parse_claim(c) for c in fresh],
    )
    timed(
        "check_claim again (encounters known)",
        count,
        lambda: [check_claim(reference, c) for c in claims],
    )
    findings = sum(len(r.findings) for r in results)
    flagged = sum(1 for r in results if r.findings)
    days = len({c.date_of_service for c in claims})
    places = len({c.zip for c in claims})
    print(
        f"  mix: {days} dates, {places} ZIPs, {findings:,} findings, {flagged:,} claims "
        f"with a finding ({flagged / count:.0%})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--reference", choices=["catalog", "store", "both"], default="catalog")
    parser.add_argument("--mix", choices=["practice", "scattered", "both"], default="practice")
    parser.add_argument("--db", default="/tmp/checker-bench.sqlite")
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument(
        "--freeze", action="store_true", help="gc.freeze() the reference data once loaded"
    )
    args = parser.parse_args()
    mixes = ["practice", "scattered"] if args.mix == "both" else [args.mix]

    if args.reference in ("catalog", "both"):
        started = time.perf_counter()
        catalog = Catalog.from_sources([args.data])
        print(f"in-memory Catalog loaded in {time.perf_counter() - started:.1f} s")
        settle(args.freeze)
        for mix in mixes:
            measure("in-memory Catalog", catalog, args.claims, mix)
        del catalog
        gc.unfreeze()
    if args.reference in ("store", "both"):
        from medpayiq.store import open_store

        store = open_store(args.db)
        settle(args.freeze)
        for mix in mixes:
            measure(f"SQLite store {args.db}", store.reference(), args.claims, mix)


def settle(freeze: bool) -> None:
    """Collect once the reference data is loaded (and with `freeze`, leave it out of the
    cyclic GC from then on)."""
    gc.collect()
    if freeze:
        gc.freeze()
        print(f"gc.freeze(): {gc.get_freeze_count():,} objects left out of garbage collection")


if __name__ == "__main__":
    main()

"""Claims per second for the claim checker, in process, on generated 5-line claims.

    .venv/bin/python bench/checker.py [--claims 5000] [--data ../shared/data]

Loads the shared data into an in-memory Catalog (as the tests do), generates claims with
realistic code mixes (E/M, epidural injections, joint injections, imaging, labs, therapy),
then times `check_claim` (and, separately, `parse_claim` + `check_claim`). Prints figures; it
asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path
from typing import Any

from medpayiq.edits import Claim, check_claim, parse_claim
from medpayiq.reference import Catalog

ROOT = Path(__file__).resolve().parent.parent
ENCOUNTERS: list[list[tuple[str, list[str], int]]] = [
    [
        ("99213", ["25"], 1),
        ("20610", ["RT"], 1),
        ("J1040", [], 1),
        ("73562", ["RT"], 1),
        ("36415", [], 1),
    ],
    [("62323", [], 1), ("99214", ["25"], 1), ("77003", [], 1), ("J1040", [], 1), ("J2001", [], 1)],
    [
        ("64483", ["LT"], 1),
        ("64484", ["LT"], 1),
        ("99213", [], 1),
        ("J3301", [], 1),
        ("A4550", [], 1),
    ],
    [("99214", [], 1), ("93000", [], 1), ("71046", [], 1), ("80053", [], 1), ("85025", [], 1)],
    [
        ("97110", ["GP"], 2),
        ("97140", ["GP", "59"], 1),
        ("97530", ["GP"], 1),
        ("97112", ["GP"], 1),
        ("97035", ["GP"], 1),
    ],
    [("99215", [], 1), ("11721", [], 1), ("G0127", [], 1), ("99213", [], 1), ("17000", [], 1)],
]
DIAGNOSES = ["M54.16", "M48.062", "M17.11", "I10", "E11.9", "M79.604", "M54.50", "R07.9"]
ZIPS = ["77030", "10001", "60601", "94105", "30301", "02110", "73301", "85001"]


def generate(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    claims = []
    for i in range(count):
        lines = rng.choice(ENCOUNTERS)
        history = [
            {
                "date_of_service": f"2026-0{rng.randint(1, 6)}-1{rng.randint(0, 9)}",
                "hcpcs": rng.choice(["62323", "99213", "27447", "64483"]),
                "provider_npi": "1234567893",
            }
            for _ in range(rng.randint(0, 3))
        ]
        claims.append(
            {
                "claim_id": f"B-{i}",
                "patient": {"id": f"P-{i}"},
                "provider": {"npi": "1234567893"},
                "place_of_service": rng.choice(["11", "11", "22"]),
                "zip": rng.choice(ZIPS),
                # A batch is a week of a practice's claims.
                "date_of_service": f"2026-07-{rng.randint(13, 17):02d}",
                "diagnoses": rng.sample(DIAGNOSES, 2),
                "lines": [
                    {"hcpcs": code, "modifiers": mods, "units": units, "diagnosis_pointers": [1, 2]}
                    for code, mods, units in lines
                ],
                "history": history,
            }
        )
    return claims


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=5000)
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    args = parser.parse_args()

    started = time.perf_counter()
    catalog = Catalog.from_sources([args.data])
    print(f"loaded reference data in {time.perf_counter() - started:.1f} s")
    raw = generate(args.claims)
    claims: list[Claim] = [parse_claim(c) for c in raw]
    for claim in claims[:200]:  # warm the per-date caches, as a long-running service has them
        check_claim(catalog, claim)

    started = time.perf_counter()
    findings = sum(len(check_claim(catalog, claim).findings) for claim in claims)
    elapsed = time.perf_counter() - started
    print(
        f"check_claim: {len(claims)} claims of 5 lines in {elapsed:.2f} s = "
        f"{len(claims) / elapsed:,.0f} claims/s ({findings} findings)"
    )

    started = time.perf_counter()
    for data in raw:
        check_claim(catalog, parse_claim(data)).as_dict()
    elapsed = time.perf_counter() - started
    print(f"parse_claim + check_claim + as_dict: {len(raw) / elapsed:,.0f} claims/s")


if __name__ == "__main__":
    main()

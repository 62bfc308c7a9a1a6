"""837P reading speed and memory: ours against pyx12 and x12sdk, on one generated file; and
with `--db`, every claim read, checked, priced and reported end to end.

    .venv/bin/python bench/x12_837.py [--claims 100000] [--prefix 5000] [--seed 7]
        [--keep DIR [--reuse]] [--skip-libraries] [--compiled] [--db STORE.sqlite]
        [--skip-parse] [--mix random|practice|both] [--workers N]

Generates a realistic 837P (005010X222A1) into a temporary folder with the package's writer,
streaming (the claims are never all in memory): `--claims` claims (1-10 lines, 5.45 on
average) from 40 practices (group billing NPIs, 1-3 rendering providers with taxonomy, a ZIP,
a specialty's codes: E/M 99202-99215, 62323, 64483, 20610, 77003, 36415, 80053, 85025, 93000,
71046, 97110 ..., J-codes, E0601), a file grouping each practice's claims, 60% of patients
with a second claim, about 8% dependants (2000C) on commercial payers, 6% with an
other-subscriber (2320/2330A/B) loop the reader must pass over, 4% replacement (7, REF*F8) and
1% void (8) claims, a 2310C service facility off the office, DTP*472 dates over 90 days with
3% RD8 ranges, up to four modifiers, units with decimals, a 2410 NDC loop on J-code lines and
a note on 1 line in 20. People's names and addresses are the writer's short placeholders, so
100,000 claims make 69 MB (real files run to about 1 KB a claim); `--claims 1500000` about
1 GB.

Then, each in its own subprocess so that its peak RSS (VmHWM in /proc/self/status) is its
own, on the same file:
- ours: `read_837p` over the whole file, typed claims counted: claims/s and peak RSS, best
  of two runs (warm page cache: the file was just written);
- pyx12's `X12Reader` (its tokenizer: segments, no claims, no implementation guide) over the
  whole file; and pyx12's validating `x12n_document` on the first `--prefix` claims;
- x12sdk's `X12ModelReader` (Pydantic models of the 005010X222A2 guide) on the first
  `--prefix` claims (a file of its own, written from the same generator);
then the ratio of our claims/s to the faster library's. Rates are per CPU second: the
machine is shared, and the wall clock also counts other processes' turns (it is printed too).

`--compiled` also builds the reader's hot modules with mypyc into a copy of the package (as
`MEDPAYIQ_COMPILE=1 pip install .` compiles them; `DIR/compiled` with `--keep`, else a
temporary folder; about 20 s of CPU, and a C compiler) and measures "ours (compiled)" on the
same files, beside the pure figure, with its ratio to the faster library. Each "ours" line
says how many of the compiled modules it ran compiled (`compiled_modules`: 0 is pure Python;
an interpreter where the compiled build is installed runs it in both).

With `--db` (a store loaded with `medpayiq data load`), the end-to-end run: the file read by
`services.ClaimFiles` (each claim converted, checked by the claim checker with the file rules
and the patient's history from earlier claims, priced) and every claim written to a JSON
report (`batch.open_report`, as `medpayiq claims scrub FILE --out report.json` does), in a
fresh process with the store opened cold, as a command run would; on the big file and on the
prefix file, whose peak RSS against the big one's shows memory flat in file size; the RSS
is also noted every 100,000 claims (`rss_mb_by_claims`), to show how it grows. `--keep DIR
--reuse` uses the files a run with the same `--claims`, `--prefix`, `--seed` and `--mix`
left in DIR instead of writing them again (1.5 million claims take minutes to generate).

`--mix`: the file above is the `random` mix, where each claim draws its lines (1-10 from the
specialty's codes) and their dates (the claim's day, or 1 or 7 days later: 2.1 encounters a
claim), so most encounters the checker sees are new to it. A practice's real files repeat
their encounters: `practice` gives each practice 6-14 visit templates of 1-6 lines, billed
the first most (weights 1, 1/2, 1/3 ...), every line on the claim's date; the patients,
places, diagnoses, payers and the rest are drawn as in the random mix. `both` measures the
end-to-end run on each (the parse and library figures use the first).

x12sdk is the `bench` extra (`pip install -e .[bench]`); a library that is not installed is
reported as such. Nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import sys
import tempfile
import time
import zlib
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from _measure import build_compiled, compiled_count, peak_rss_mb, report, rss_mb, run_child
from _measure import measure_pyx12_reader as pyx12_reader
from medpayiq.x12 import (
    BillingProvider,
    Claim837,
    ClaimDate,
    DateSpan,
    Diagnosis,
    Facility,
    Patient,
    Payer,
    ProviderRef,
    Service,
    ServiceLine,
    Subscriber,
)
from medpayiq.x12._writer837 import new_transaction, write_837p

ROOT = Path(__file__).resolve().parent.parent
RSS_EVERY = 100_000  # the end-to-end run notes its RSS every so many claims

# Specialties: (codes with typical modifiers, units and a charge), places of service.
Code = tuple[str, tuple[str, ...], str, str]  # code, modifiers, units, charge
SPECIALTIES: dict[str, tuple[list[Code], list[str], str]] = {
    "pain": (
        [
            ("62323", (), "1", "950.00"),
            ("77003", ("26",), "1", "180.00"),
            ("64483", ("RT",), "1", "1100.00"),
            ("64484", ("RT",), "1", "420.00"),
            ("64493", ("LT",), "1", "980.00"),
            ("20610", ("RT",), "1", "250.00"),
            ("J1040", (), "1", "35.00"),
            ("J3301", (), "4", "22.50"),
            ("J2001", (), "0.5", "18.00"),
        ],
        ["11", "11", "22", "24"],
        "208VP0014X",
    ),
    "primary": (
        [
            ("36415", (), "1", "15.00"),
            ("80053", (), "1", "45.00"),
            ("85025", (), "1", "28.00"),
            ("93000", (), "1", "75.00"),
            ("71046", ("26",), "1", "95.00"),
            ("83036", ("QW",), "1", "32.00"),
            ("90471", (), "1", "40.00"),
            ("G0439", (), "1", "210.00"),
        ],
        ["11"],
        "207Q00000X",
    ),
    "ortho": (
        [
            ("20610", ("LT",), "1", "250.00"),
            ("20611", ("RT",), "1", "310.00"),
            ("73562", ("RT", "26"), "1", "120.00"),
            ("29530", ("LT",), "1", "95.00"),
            ("J7325", (), "48", "12.00"),
            ("E0601", ("NU", "KX"), "1", "850.00"),
            ("L3908", ("RT",), "1", "140.00"),
        ],
        ["11", "11", "19", "22"],
        "207X00000X",
    ),
    "therapy": (
        [
            ("97110", ("GP", "KX"), "2", "60.00"),
            ("97140", ("GP", "59"), "1", "55.00"),
            ("97530", ("GP",), "1", "65.00"),
            ("97112", ("GP", "CQ", "KX", "59"), "1", "58.00"),
            ("97161", ("GP",), "1", "140.00"),
        ],
        ["11"],
        "225100000X",
    ),
}
VISITS = ["99202", "99203", "99204", "99205", "99211", "99212", "99213", "99214", "99215"]
DIAGNOSES = [
    "M5416", "M48062", "M1711", "M1712", "I10", "E119", "M79604", "M5450", "R079", "M47816",
    "M5126", "M25561", "E785", "J069", "Z23", "M542", "G4733", "S83241A", "Z0000", "N390",
]  # fmt: skip
PAYERS = [
    ("MEDICARE PART B", "04412", "MB"),
    ("BLUE PLAN", "00590", "CI"),
    ("AETNA", "60054", "CI"),
]


def npi(base: int) -> str:
    """A valid NPI from a 9-digit base (Luhn over 80840 + base)."""
    digits = str(base)
    total = 24
    for position, char in enumerate(reversed(digits)):
        d = int(char) * (2 if position % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return digits + str((10 - total % 10) % 10)


def generate(count: int, seed: int, created: date, mix: str = "random") -> Iterator[Claim837]:
    """`count` claims, deterministic for a seed, one at a time (a 1 GB file is never held).
    `mix` "random": each claim draws its lines and their dates; "practice": each practice
    bills its own few visit templates (`practice_templates`), all lines on the claim's date."""
    rng = random.Random(seed)
    transaction = new_transaction(created, reference="BENCH")
    practices = []
    for p in range(40):
        specialty = rng.choice(list(SPECIALTIES))
        _, places, taxonomy = SPECIALTIES[specialty]
        billing = BillingProvider(
            npi(120000000 + p * 7919),
            f"PRACTICE {p} MEDICAL GROUP",
            "2",
            taxonomy,
            f"{740000000 + p}",
            "HOUSTON",
            "TX",
            f"{77001 + p % 90:05d}{rng.randint(1000, 9999)}",
            "",
        )
        renderers = [npi(150000000 + p * 101 + r) for r in range(rng.randint(1, 3))]
        templates = None
        if mix == "practice":
            templates = practice_templates(rng, SPECIALTIES[specialty][0])
        practices.append((specialty, billing, renderers, places, templates))
    made = member = 0
    first_day = created - timedelta(days=90)
    per_practice = count // len(practices) + 1
    for specialty, billing, renderers, places, templates in practices:  # grouped by practice
        codes = SPECIALTIES[specialty][0]
        start = made
        while made - start < per_practice and made < count:
            member += 1
            payer_name, payer_id, filing = rng.choice(PAYERS)
            subscriber = Subscriber(
                f"{rng.randint(1, 9)}EG4{member:07d}",
                "P",
                "18",
                None,
                filing,
                date(1940 + rng.randint(0, 45), rng.randint(1, 12), rng.randint(1, 28)),
                rng.choice("FM"),
                Payer(payer_name, payer_id),
                "",
            )
            patient = None
            if filing == "CI" and rng.random() < 0.16:
                patient = Patient(
                    rng.choice(["01", "19"]),
                    date(1990 + rng.randint(0, 25), rng.randint(1, 12), rng.randint(1, 28)),
                    rng.choice("FM"),
                    "",
                )
            for _visit in range(2 if rng.random() < 0.6 and made + 1 < count else 1):
                yield _claim(rng, made, billing, renderers, places, codes, subscriber, patient,
                             first_day, transaction, templates)  # fmt: skip
                made += 1


def practice_templates(rng: random.Random, codes: list[Code]) -> list[list[Code]]:
    """A practice's visits as it bills them day after day: 6-14 templates (a visit alone, a
    visit with its procedures, a procedure day, labs ...) of 1-6 lines, the first ones
    billed most (weights 1, 1/2, 1/3 ...)."""
    templates = []
    for _ in range(rng.randint(6, 14)):
        count = rng.choice([1, 2, 3, 3, 4, 5, 6])
        lines: list[Code] = []
        if rng.random() < 0.7:
            lines.append((rng.choice(VISITS), ("25",) if count > 1 else (), "1", "180.00"))
        while len(lines) < count:
            lines.append(rng.choice(codes))
        templates.append(lines)
    return templates


def _claim(  # type: ignore[no-untyped-def]
    rng,
    number,
    billing,
    renderers,
    places,
    codes,
    subscriber,
    patient,
    first_day,
    transaction,
    templates=None,
):
    day = first_day + timedelta(days=rng.randint(0, 89))
    place = rng.choice(places)
    diagnoses = tuple(
        Diagnosis(code, "ABK" if i == 0 else "ABF")
        for i, code in enumerate(rng.sample(DIAGNOSES, rng.randint(1, 4)))
    )
    rendering = rng.choice(renderers)
    facility = None
    if (place != "11" and rng.random() < 0.8) or rng.random() < 0.05:
        facility = Facility(
            "SURGERY CENTER", npi(170000000 + rng.randint(0, 50)), "HOUSTON", "TX", "77030"
        )
    lines = []
    template = None
    if templates is not None:
        template = rng.choices(templates, weights=[1 / (i + 1) for i in range(len(templates))])[0]
    count = len(template) if template else rng.choice([1, 2, 3, 4, 5, 5, 6, 7, 8, 9, 10])
    for n in range(1, count + 1):
        if template:
            code, modifiers, units, charge = template[n - 1]
        elif n == 1 and rng.random() < 0.7:
            code, modifiers, units, charge = (
                rng.choice(VISITS),
                ("25",) if count > 1 else (),
                "1",
                "180.00",
            )
        else:
            code, modifiers, units, charge = rng.choice(codes)
        span_day = day + timedelta(days=0 if template else rng.choice([0, 0, 0, 0, 1, 7]))
        span = DateSpan(span_day, span_day + timedelta(days=2) if rng.random() < 0.03 else span_day)
        line_charge = Decimal(charge) * (Decimal(units) if "." not in units else 1)
        pointers = tuple(range(1, min(len(diagnoses), 4) + 1))[: rng.randint(1, 4)]
        service = Service(
            "HC", code, modifiers, line_charge.quantize(Decimal("0.01")), "UN", Decimal(units), "",
            pointers,
        )  # fmt: skip
        control = f"L{number}-{n}" if rng.random() < 0.3 else None
        lines.append(ServiceLine(n, service, place, span, rendering, facility, control, 0))
    frequency = "7" if rng.random() < 0.04 else "8" if rng.random() < 0.01 else "1"
    dates = (
        (ClaimDate("431", DateSpan(day - timedelta(days=30), day - timedelta(days=30))),)
        if rng.random() < 0.2
        else ()
    )
    total = sum((line.charge for line in lines), Decimal(0))
    authorization = f"AUTH{number}" if rng.random() < 0.05 else None
    original = f"2026{number:010d}" if frequency != "1" else None
    return Claim837(
        f"PCN{number:08d}", total, place, frequency, True, "A", "Y", "Y", diagnoses, dates,
        authorization, original, ProviderRef(rendering, "1", billing.taxonomy), facility,
        tuple(lines), billing, subscriber, patient, transaction, 0,
    )  # fmt: skip


def cob_loops(claim: Claim837) -> list[list[str]]:
    """An other-subscriber loop (2320, 2330A, 2330B) on about 6% of claims."""
    if zlib.crc32(claim.claim_id.encode()) % 100 >= 6:
        return []
    return [
        ["SBR", "S", "18", "", "", "", "", "", "", "CI"],
        ["CAS", "CO", "45", "12.00"],
        ["AMT", "D", "0"],
        ["OI", "", "", "Y", "", "", "Y"],
        ["NM1", "IL", "1", "OTHER", "INSURED", "", "", "", "MI", "W1234567"],
        ["N3", "1 OTHER ST"],
        ["N4", "AUSTIN", "TX", "78701"],
        ["NM1", "PR", "2", "OTHER PLAN", "", "", "", "", "PI", "99999"],
        ["DTP", "573", "D8", "20261001"],
        ["REF", "F8", "OTHERCLAIM1"],
    ]


def drug_and_notes(claim: Claim837, line: ServiceLine) -> list[list[str]]:
    """A 2410 drug loop (NDC) on J-code lines, as payers require; a line note on 1 in 20."""
    segments = []
    if zlib.crc32(f"{claim.claim_id}/{line.number}".encode()) % 20 == 0:
        segments.append(["NTE", "ADD", "PATIENT TOLERATED PROCEDURE WELL"])
    if line.hcpcs.startswith("J"):
        segments += [["LIN", "", "N4", "00409123401"], ["CTP", "", "", "", str(line.units), "UN"]]
    return segments


class Counted:
    """Claims passing through to the writer, their lines counted on the way."""

    def __init__(self, claims: Iterable[Claim837]) -> None:
        self.claims = claims
        self.count = self.lines = 0

    def __iter__(self) -> Iterator[Claim837]:
        for claim in self.claims:
            self.count += 1
            self.lines += len(claim.lines)
            yield claim


def write_file(path: Path, claims: Iterable[Claim837]) -> None:
    with path.open("w", encoding="ascii", newline="") as out:
        write_837p(claims, out, extra_2300=cob_loops, extra_2400=drug_and_notes)


# --- measurements, each run in a subprocess ------------------------------------------------


def measure_ours(path: str) -> dict[str, object]:
    from medpayiq.x12 import Claim837, read_837p

    runs = []
    for _ in range(2):
        start, cpu = time.perf_counter(), time.process_time()
        reader = read_837p(path)
        claims = lines = 0
        for item in reader:
            if isinstance(item, Claim837):
                claims += 1
                lines += len(item.lines)
        runs.append((time.process_time() - cpu, time.perf_counter() - start))
    cpu_seconds, seconds = min(runs)
    return {
        "claims": claims,
        "lines": lines,
        "rejected": reader.claims_rejected,
        "problems": len(reader.problems),
        "compiled_modules": compiled_count(),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_rss_mb": peak_rss_mb(),
    }


def measure_pyx12_reader(path: str) -> dict[str, object]:
    return pyx12_reader(path, "CLM")


def measure_pyx12_validate(path: str) -> dict[str, object]:
    import io

    import pyx12.params
    import pyx12.x12n_document

    param = pyx12.params.params()
    param.set("charset", "E")
    start, cpu = time.perf_counter(), time.process_time()
    with open(path, encoding="ascii") as fd:
        ok = pyx12.x12n_document.x12n_document(param, fd, io.StringIO(), None, None)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    segments = Path(path).read_text(encoding="ascii").replace("\n", "").split("~")
    claims = sum(1 for segment in segments if segment.startswith("CLM*"))
    return {
        "claims": claims,
        "valid": bool(ok),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_rss_mb": peak_rss_mb(),
    }


def measure_x12sdk(path: str) -> dict[str, object]:
    from x12sdk.io import X12ModelReader

    start, cpu = time.perf_counter(), time.process_time()
    claims = transactions = 0
    with X12ModelReader(path) as reader:
        for model in reader.models():
            transactions += 1
            for billing in getattr(model, "loop_2000a", []) or []:
                for subscriber in billing.loop_2000b or []:
                    claims += len(subscriber.loop_2300 or [])
                    for patient in subscriber.loop_2000c or []:
                        claims += len(patient.loop_2300 or [])
    return {
        "claims": claims,
        "transactions": transactions,
        "seconds": time.perf_counter() - start,
        "cpu_seconds": time.process_time() - cpu,
        "peak_rss_mb": peak_rss_mb(),
    }


def measure_end_to_end(path: str, db: str, workers: str = "1") -> dict[str, object]:
    import resource

    from medpayiq.batch import open_report
    from medpayiq.services import ClaimFiles, ClaimFilesInWorkers
    from medpayiq.store import open_store

    start, cpu = time.perf_counter(), time.process_time()
    files: Any
    rss: dict[int, int] = {}  # claims so far -> RSS (MB), every RSS_EVERY claims
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        writer = open_report(report)
        if int(workers) > 1:
            files = ClaimFilesInWorkers(db, [(path, path)], render=writer.render,
                                        workers=int(workers))  # fmt: skip
            for text in files:
                writer.write_text(text)
        else:
            files = ClaimFiles(open_store(db).reference(), [(path, path)])
            for n, claim in enumerate(files, start=1):
                writer.write(claim)
                if n % RSS_EVERY == 0:
                    rss[n] = round(rss_mb())
        writer.close(files)
        size = report.stat().st_size
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary = files.summary
    return {
        "claims": summary.claims,
        "lines": summary.lines,
        **{status: summary.by_status[status] for status in ("clean", "review", "deny", "void")},
        "report_mb": round(size / 1e6, 1),
        "workers": int(workers),
        "seconds": time.perf_counter() - start,
        # every process's CPU: this one's and the workers'
        "cpu_seconds": time.process_time() - cpu + children.ru_utime + children.ru_stime,
        "peak_rss_mb": max(peak_rss_mb(), children.ru_maxrss / 1024),
        **({"rss_mb_by_claims": rss} if rss else {}),
    }


MEASURES = {
    "ours": measure_ours,
    "pyx12-reader": measure_pyx12_reader,
    "pyx12-validate": measure_pyx12_validate,
    "x12sdk": measure_x12sdk,
    "end-to-end": measure_end_to_end,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--prefix", type=int, default=5_000, help="claims for the slow libraries")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --keep: use the files already there (same --claims, --prefix, --seed, --mix)",
    )
    parser.add_argument("--skip-libraries", action="store_true")
    parser.add_argument(
        "--compiled",
        action="store_true",
        help="also measure the reader compiled with mypyc (built into DIR/compiled or a temp)",
    )
    parser.add_argument("--db", help="a loaded store: also measure end to end")
    parser.add_argument("--skip-parse", action="store_true", help="only the end-to-end runs")
    parser.add_argument("--workers", type=int, default=1, help="end-to-end processes")
    parser.add_argument(
        "--mix",
        choices=["random", "practice", "both"],
        default="random",
        help="random line mixes, a practice's repeated visits, or both (end to end)",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        name, *rest = args.child
        print(json.dumps(MEASURES[name](*rest)))
        return
    folder = args.keep or Path(tempfile.mkdtemp(prefix="x12-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    big, small = folder / f"bench-{args.claims}.837", folder / f"bench-{args.prefix}.837"
    start = time.perf_counter()
    created = date(2026, 11, 20)
    first = "practice" if args.mix == "practice" else "random"
    written = [big, small]
    if args.reuse and args.keep and big.exists() and small.exists():
        print(f"reused {big.stat().st_size / 1e6:,.1f} MB: {big}")
    else:
        counted = Counted(generate(args.claims, args.seed, created, first))
        write_file(big, counted)
        write_file(small, itertools.islice(generate(args.claims, args.seed, created, first),
                                           args.prefix))  # fmt: skip
        print(
            f"generated {counted.count:,} claims ({first} mix,"
            f" {counted.lines / counted.count:.2f} lines a claim),"
            f" {big.stat().st_size / 1e6:,.1f} MB, in {time.perf_counter() - start:.1f} s: {big}"
        )
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    if args.db:
        workers = str(args.workers)
        report(f"e2e {first}", run_child(__file__, "end-to-end", big, args.db, workers))
        report("e2e (prefix)", run_child(__file__, "end-to-end", small, args.db, workers))
        if args.mix == "both":
            practice = folder / f"bench-{args.claims}-practice.837"
            written.append(practice)
            if args.reuse and practice.exists():
                print(f"reused {practice.stat().st_size / 1e6:,.1f} MB: {practice}")
            else:
                counted = Counted(generate(args.claims, args.seed, created, "practice"))
                write_file(practice, counted)
                print(
                    f"generated {counted.count:,} claims (practice mix,"
                    f" {counted.lines / counted.count:.2f} lines a claim),"
                    f" {practice.stat().st_size / 1e6:,.1f} MB: {practice}"
                )
            report("e2e practice", run_child(__file__, "end-to-end", practice, args.db, workers))
    ours = None if args.skip_parse else report("ours", run_child(__file__, "ours", big))
    if not args.skip_parse:
        report("ours (prefix)", run_child(__file__, "ours", small))
    compiled = None
    if args.compiled and not args.skip_parse:
        target = folder / "compiled" if args.keep else Path(tempfile.mkdtemp(prefix="x12-mypyc-"))
        start = time.perf_counter()
        try:
            built = build_compiled(target)
        except RuntimeError as exc:
            print(f"ours (compiled) not measured: {exc}")
        else:
            print(f"built the compiled reader in {time.perf_counter() - start:.1f} s: {built}")
            compiled = report("ours (compiled)", run_child(__file__, "ours", big, path_first=built))
            report("compiled prefix", run_child(__file__, "ours", small, path_first=built))
            if ours and compiled:
                print(f"ours (compiled) / ours: {compiled / ours:.2f}x")
        if not args.keep:
            shutil.rmtree(target, ignore_errors=True)
    rates: dict[str, float] = {}
    if not args.skip_libraries and not args.skip_parse:
        for name, path in (
            ("pyx12-reader", big),
            ("pyx12-validate", small),
            ("x12sdk", small),
        ):
            rate = report(name, run_child(__file__, name, path))
            if rate is not None:
                rates[name] = rate
    if ours and rates:
        faster = max(rates, key=lambda k: rates[k])
        claim_readers = {k: v for k, v in rates.items() if k != "pyx12-reader"}
        print(f"ours / fastest ({faster}): {ours / rates[faster]:.1f}x")
        if compiled:
            print(f"ours (compiled) / fastest ({faster}): {compiled / rates[faster]:.1f}x")
        if claim_readers:
            best = max(claim_readers, key=lambda k: claim_readers[k])
            print(f"ours / fastest claim-level library ({best}): {ours / claim_readers[best]:.1f}x")
    if not args.keep:
        for path in written:
            path.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()

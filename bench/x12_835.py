"""835 reading speed and memory: ours against pyx12 and x12sdk, on one generated remittance.

    .venv/bin/python bench/x12_835.py [--claims 100000] [--prefix 5000] [--seed 7]
        [--keep DIR] [--skip-libraries]

Generates a realistic 835 (005010X221A1) into a temporary folder with the package's writer,
streaming a transaction (one payment to one practice, up to 2,000 claims) at a time: 40
practices, Medicare Part B and commercial payers, 1-6 service lines a claim (E/M visits, pain
procedures, labs, imaging, therapy, J-codes) with AMT*B6 allowed amounts; paid lines carry
CO-45 and CO-253 (sequestration) with PR-2 coinsurance, 10% a PR-1 deductible in the same
CAS; about 12% of lines are denied (CO-97 bundling with M15, CO-50 with N115, CO-16 with
MA130/N290, CO-151, OA-18), a claim whose lines are all denied is CLP02 4, 1% of claims are
denied at claim level only (CO-29, no SVC), 2% are reversed (CLP02 22, every amount negated)
and corrected right after, and a third of transactions end with a PLB (WO recovery, L6
interest). BPR02 balances with the claims and the PLB. 100,000 claims make 44.6 MB.

Then, each in its own subprocess so that its peak RSS (VmHWM) is its own, on the same file:
- ours: `read_835` over the whole file, `ClaimPayment`s counted: claims/s and peak RSS, best
  of two runs;
- pyx12's `X12Reader` (its tokenizer: segments, no claims) over the whole file;
- x12sdk's `X12ModelReader` (Pydantic models of the 005010X221A1 guide) on the first
  `--prefix` claims (a file of its own, from the same generator);
then the ratio of our claims/s to the faster library's. Rates are per CPU second (the
machine is shared; the wall clock is printed too). `--claims 1000000 --skip-libraries` shows
memory flat in file size. Nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from _measure import measure_pyx12_reader as pyx12_reader
from _measure import peak_rss_mb, report, rss_mb, run_child
from medpayiq.x12 import (
    Adjustment,
    ClaimPayment,
    DateSpan,
    Party,
    PatientName,
    ProviderAdjustment,
    Remittance,
    RemittanceEnd,
    ServicePayment,
    new_remittance,
    write_835,
)

CENT = Decimal("0.01")
# code, modifiers, charge, allowed (Medicare-like, 2026)
SERVICES = [
    ("99213", (), "150.00", "95.86"),
    ("99214", (), "180.00", "137.41"),
    ("99214", ("25",), "180.00", "137.41"),
    ("99204", (), "260.00", "177.40"),
    ("62323", (), "950.00", "274.36"),
    ("77003", (), "180.00", "104.75"),
    ("64483", ("RT",), "1100.00", "327.20"),
    ("20610", ("LT",), "250.00", "68.35"),
    ("36415", (), "15.00", "3.00"),
    ("80053", (), "45.00", "10.56"),
    ("85025", (), "28.00", "7.77"),
    ("93000", (), "75.00", "16.88"),
    ("71046", ("26",), "95.00", "10.85"),
    ("97110", ("GP", "KX"), "60.00", "29.93"),
    ("97140", ("GP", "59"), "55.00", "27.46"),
    ("J1040", (), "35.00", "7.22"),
]
DENIALS = [("CO", "97", "M15"), ("CO", "50", "N115"), ("CO", "16", "MA130"),
           ("CO", "151", "N362"), ("OA", "18", "N111")]  # fmt: skip
PAYERS = [("NOVITAS SOLUTIONS JH", "04412", "MB"), ("BLUE PLAN", "00590", "12"),
          ("AETNA", "60054", "HM")]  # fmt: skip
LAST = ["SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "GARCIA", "MILLER", "DAVIS"]
FIRST = ["MARY", "JAMES", "PATRICIA", "ROBERT", "LINDA", "MICHAEL", "BARBARA", "DAVID"]
PER_TRANSACTION = 2000


def npi(base: int) -> str:
    """A valid NPI from a 9-digit base (Luhn over 80840 + base)."""
    digits = str(base)
    total = 24
    for position, char in enumerate(reversed(digits)):
        d = int(char) * (2 if position % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return digits + str((10 - total % 10) % 10)


def _line(rng: random.Random, day: date) -> ServicePayment:
    code, modifiers, charge_text, allowed_text = rng.choice(SERVICES)
    charge, allowed = Decimal(charge_text), Decimal(allowed_text)
    dates = DateSpan(day, day)
    roll = rng.random()
    if roll < 0.12:  # denied line
        group, reason, remark = rng.choice(DENIALS)
        return ServicePayment("HC", code, modifiers, charge, Decimal(0), None, Decimal(1), None,
                              (), None, dates, (Adjustment(group, reason, charge),), None,
                              (remark,), None, None, 0)  # fmt: skip
    deductible = Decimal(0)
    if roll < 0.22:
        deductible = min(allowed, Decimal(rng.randint(10, 150)))
    coinsurance = ((allowed - deductible) * Decimal("0.2")).quantize(CENT, ROUND_HALF_UP)
    payment = allowed - deductible - coinsurance
    sequestration = (payment * Decimal("0.02")).quantize(CENT, ROUND_HALF_UP)
    paid = payment - sequestration
    adjustments = [Adjustment("CO", "45", charge - allowed)]
    if sequestration:
        adjustments.append(Adjustment("CO", "253", sequestration))
    if deductible:
        adjustments.append(Adjustment("PR", "1", deductible))
    if coinsurance:
        adjustments.append(Adjustment("PR", "2", coinsurance))
    return ServicePayment("HC", code, modifiers, charge, paid, None, Decimal(1), None, (), None,
                          dates, tuple(adjustments), allowed, (), None, None, 0)  # fmt: skip


def _claim(rng: random.Random, number: int, payer: tuple[str, str, str], day: date,
           rendering: str, placeholder: Remittance) -> ClaimPayment:  # fmt: skip
    patient = PatientName(rng.choice(LAST), rng.choice(FIRST), "MI", f"{rng.randint(1, 9)}EG4TE5M"
                          f"{number % 100:02d}")  # fmt: skip
    received = day + timedelta(days=rng.randint(2, 10))
    if rng.random() < 0.01:  # denied at claim level: timely filing
        charge = Decimal(rng.choice(SERVICES)[2])
        return ClaimPayment(placeholder, f"PCN{number:08d}", "4", charge, Decimal(0), Decimal(0),
                            payer[2], f"2{number:013d}", "11", "1", patient, None, None, None,
                            DateSpan(day, day), received, (Adjustment("CO", "29", charge),),
                            ("N211",), None, (), "1", 0, ())  # fmt: skip
    lines = tuple(_line(rng, day) for _ in range(rng.choice([1, 1, 2, 2, 3, 3, 4, 5, 6])))
    charge = sum((line.charge for line in lines), Decimal(0))
    paid = sum((line.paid for line in lines), Decimal(0))
    responsibility = sum(
        (a.amount for line in lines for a in line.adjustments if a.group == "PR"), Decimal(0)
    )
    status = "4" if all(line.allowed is None for line in lines) else "1"
    return ClaimPayment(placeholder, f"PCN{number:08d}", status, charge, paid, responsibility,
                        payer[2], f"2{number:013d}", "11", "1", patient, None, None,
                        rendering if rng.random() < 0.5 else None, None, received, (),
                        ("MA01",) if payer[2] == "MB" else (), None, lines, "1", 0, ())  # fmt: skip


def _reversed(claim: ClaimPayment) -> ClaimPayment:
    def neg(a: Adjustment) -> Adjustment:
        return replace(a, amount=-a.amount)

    lines = tuple(
        replace(line, charge=-line.charge, paid=-line.paid,
                adjustments=tuple(neg(a) for a in line.adjustments),
                allowed=-line.allowed if line.allowed is not None else None)
        for line in claim.lines
    )  # fmt: skip
    responsibility = claim.patient_responsibility
    return replace(
        claim,
        status="22",
        charge=-claim.charge,
        paid=-claim.paid,
        patient_responsibility=-responsibility if responsibility is not None else None,
        adjustments=tuple(neg(a) for a in claim.adjustments),
        lines=lines,
    )


def generate(count: int, seed: int) -> Iterator[ClaimPayment | RemittanceEnd]:
    """`count` claims in transactions of up to 2,000, deterministic for a seed."""
    rng = random.Random(seed)
    paid_on = date(2026, 11, 20)
    placeholder = new_remittance(Decimal(0), paid_on, payer=Party("", None, None),
                                 payee=Party("", None, None))  # fmt: skip
    made = transaction = 0
    while made < count:
        transaction += 1
        practice = transaction % 40
        payer = PAYERS[transaction % len(PAYERS)]
        payee_npi = npi(120000000 + practice * 7919)
        payee = Party(f"PRACTICE {practice} MEDICAL GROUP", "XX", payee_npi, "HOUSTON", "TX",
                      f"{77001 + practice:05d}1234", payee_npi,
                      f"{740000000 + practice}")  # fmt: skip
        rendering = npi(150000000 + practice * 101)
        claims: list[ClaimPayment] = []
        while len(claims) < PER_TRANSACTION and made < count:
            day = paid_on - timedelta(days=rng.randint(10, 90))
            claim = _claim(rng, made, payer, day, rendering, placeholder)
            if rng.random() < 0.02 and made + 1 < count and claim.lines:  # reversed, corrected
                claims.append(_reversed(claim))
                made += 1
                claim = _claim(rng, made, payer, day, rendering, placeholder)
                claim = replace(claim, claim_id=claims[-1].claim_id)
            claims.append(claim)
            made += 1
        plb: list[ProviderAdjustment] = []
        if rng.random() < 0.33:
            recovered = f"2{rng.randint(0, 10**12):013d}"
            plb.append(ProviderAdjustment(payee_npi, date(2026, 12, 31), "WO", recovered,
                                          Decimal("25.00")))  # fmt: skip
            if rng.random() < 0.5:
                plb.append(ProviderAdjustment(payee_npi, date(2026, 12, 31), "L6", None,
                                              Decimal("-1.37")))  # fmt: skip
        total = sum((c.paid for c in claims), Decimal(0))
        amount = total - sum((a.amount for a in plb), Decimal(0))
        remittance = new_remittance(
            amount,
            paid_on,
            payer=Party(payer[0], "XV", payer[1], "CAMP HILL", "PA", "17011"),
            payee=payee,
            control_number=f"{transaction:04d}",
            trace_number=f"EFT{transaction:08d}",
            payer_tin="1512345678",
            production_date=paid_on - timedelta(days=2),
        )  # fmt: skip
        for claim in claims:
            yield replace(claim, remittance=remittance)
        yield RemittanceEnd(remittance, tuple(plb), len(claims), total, ())


class Counted:
    """Counts claims and lines as they are written."""

    def __init__(self, items: Iterable[ClaimPayment | RemittanceEnd]) -> None:
        self.items = items
        self.count = self.lines = 0

    def __iter__(self) -> Iterator[ClaimPayment | RemittanceEnd]:
        for item in self.items:
            if isinstance(item, ClaimPayment):
                self.count += 1
                self.lines += len(item.lines)
            yield item


def write_file(path: Path, items: Iterable[ClaimPayment | RemittanceEnd]) -> None:
    with path.open("w", encoding="ascii", newline="") as out:
        write_835(items, out)


# --- measurements, each run in a subprocess ------------------------------------------------


def measure_ours(path: str) -> dict[str, object]:
    from medpayiq.x12 import read_835

    runs = []
    rss: list[str] = []  # resident memory every 200,000 claims of the first run
    for run in range(2):
        start, cpu = time.perf_counter(), time.process_time()
        reader = read_835(path)
        claims = lines = problems = 0
        for item in reader:
            if isinstance(item, ClaimPayment):
                claims += 1
                lines += len(item.lines)
                if not run and not claims % 200_000:
                    rss.append(f"{claims // 1000}k:{rss_mb():.0f}")
            problems += len(item.problems)
        runs.append((time.process_time() - cpu, time.perf_counter() - start))
    cpu_seconds, seconds = min(runs)
    sampled = {"rss_mb": " ".join(rss)} if rss else {}
    return {
        "claims": claims,
        "lines": lines,
        **sampled,
        "remittances": reader.remittances_read,
        "problems": problems + len(reader.problems),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_rss_mb": peak_rss_mb(),
    }


def measure_pyx12_reader(path: str) -> dict[str, object]:
    return pyx12_reader(path, "CLP")


def measure_x12sdk(path: str) -> dict[str, object]:
    from x12sdk.io import X12ModelReader

    start, cpu = time.perf_counter(), time.process_time()
    claims = transactions = lines = 0
    with X12ModelReader(path) as reader:
        for model in reader.models():
            transactions += 1
            for header in getattr(model, "loop_2000", []) or []:
                for claim in header.loop_2100 or []:
                    claims += 1
                    lines += len(getattr(claim, "loop_2110", None) or [])
    return {
        "claims": claims,
        "lines": lines,
        "transactions": transactions,
        "seconds": time.perf_counter() - start,
        "cpu_seconds": time.process_time() - cpu,
        "peak_rss_mb": peak_rss_mb(),
    }


MEASURES = {"ours": measure_ours, "pyx12-reader": measure_pyx12_reader, "x12sdk": measure_x12sdk}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--prefix", type=int, default=5_000, help="claims for x12sdk")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    parser.add_argument("--skip-libraries", action="store_true")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        name, *rest = args.child
        print(json.dumps(MEASURES[name](*rest)))
        return
    folder = args.keep or Path(tempfile.mkdtemp(prefix="x12-835-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    big, small = folder / f"bench-{args.claims}.835", folder / f"bench-{args.prefix}.835"
    start = time.perf_counter()
    counted = Counted(generate(args.claims, args.seed))
    write_file(big, counted)
    write_file(small, generate(args.prefix, args.seed))
    print(
        f"generated {counted.count:,} claims ({counted.lines / counted.count:.2f} lines a claim),"
        f" {big.stat().st_size / 1e6:,.1f} MB, in {time.perf_counter() - start:.1f} s: {big}"
    )
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    ours = report("ours", run_child(__file__, "ours", big))
    report("ours (prefix)", run_child(__file__, "ours", small))
    rates: dict[str, float] = {}
    if not args.skip_libraries:
        for name, path in (("pyx12-reader", big), ("x12sdk", small)):
            rate = report(name, run_child(__file__, name, path))
            if rate is not None:
                rates[name] = rate
    if ours and rates:
        for name, rate in rates.items():
            print(f"ours / {name}: {ours / rate:.1f}x")
    if not args.keep:
        big.unlink()
        small.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()

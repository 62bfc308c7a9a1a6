"""Modifiers and the payment indicators of a PPRRVU row (DOMAIN.md section 4).

26 and TC (and 53 where CMS publishes it) choose their own PPRRVU row; 50, 62, 80/81/82,
AS and 54/55/56 are percentages of the row's amount, allowed or not by the row's
indicators; 52, 66 and 53 without a row have no fee schedule amount (carrier priced).
Other modifiers (59, 25, LT, ...) do not change the price and are noted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from medpayiq.errors import InputError, InvalidModifier, UnknownCode
from medpayiq.records import Modifier, RvuRow
from medpayiq.reference import FeeSchedule

__all__ = ["PRICING", "ModifierPlan", "plan_modifiers", "row_modifier", "status_reason"]

_FORMAT = re.compile(r"^[A-Z0-9]{2}$")
_CODE = re.compile(r"^[A-Z0-9]{5}$")
ROW_MODIFIERS = ("26", "TC", "53")

PCTC_MEANING = {
    "0": "physician service: no professional/technical split",
    "1": "diagnostic test with professional and technical components",
    "2": "professional component only code",
    "3": "technical component only code",
    "4": "global test only code",
    "5": "incident-to code",
    "6": "laboratory physician interpretation code",
    "7": "physical therapy service (not payable in a hospital)",
    "8": "physician interpretation code",
    "9": "the professional/technical concept does not apply",
}

STATUS_REASON = {
    "A": "active code, paid on the fee schedule",
    "R": "restricted coverage: paid only in special circumstances",
    "T": "paid only if no other fee schedule service is billed on the same date by the same "
    "provider",
    "B": "bundled: payment is included in another service (status B), no separate payment",
    "C": "carrier priced (status C): the MAC sets the amount, there is no national RVU price",
    "D": "deleted code (status D)",
    "E": "excluded from the physician fee schedule by regulation (status E): when covered, "
    "paid by another method",
    "F": "deleted or discontinued code (status F)",
    "G": "not valid for Medicare: another code is used instead (status G)",
    "H": "deleted modifier row (status H)",
    "I": "not valid for Medicare (status I): Medicare uses another code",
    "J": "anesthesia service (status J): paid as (base + time units) x the anesthesia CF, not "
    "from RVUs; base units are not loaded",
    "M": "measurement code (status M): reported for quality programs, no payment",
    "N": "non-covered service (status N)",
    "P": "bundled or excluded (status P): no separate payment",
    "Q": "therapy functional information code (status Q), no payment",
    "X": "excluded from the physician fee schedule by statute (status X): when covered, paid "
    "on another fee schedule (clinical laboratory, DMEPOS, ambulance, drugs at ASP)",
}
PAID_STATUSES = frozenset("ART")


def status_reason(status: str) -> str:
    return STATUS_REASON.get(status, f"status {status!r}: not paid on the fee schedule")


@dataclass(frozen=True, slots=True)
class Factor:
    modifier: str
    factor: Decimal
    rule: str


@dataclass(frozen=True, slots=True)
class ModifierPlan:
    """What the modifiers do to a line. `no_amount` is the reason the line has no fee
    schedule amount, when it has none; `review` lists what a person must check."""

    row: RvuRow
    row_modifier: str
    factors: tuple[Factor, ...]
    no_amount: str | None
    review: tuple[str, ...]
    notes: tuple[tuple[str, str], ...]
    includes_npp_rate: bool


def normalise_code(hcpcs: str) -> str:
    code = hcpcs.strip().upper()
    if not _CODE.match(code):
        raise InputError(
            f'"{hcpcs}" is not a CPT/HCPCS code (5 letters or digits, such as 62323 or G0283)',
            parameter="hcpcs",
        )
    return code


def normalise_modifiers(
    modifiers: Sequence[str], known: Mapping[str, Modifier] | None
) -> tuple[str, ...]:
    out: list[str] = []
    for raw in modifiers:
        mod = raw.strip().upper()
        if not mod:
            continue
        if not _FORMAT.match(mod):
            raise InvalidModifier(
                f'"{raw}" is not a modifier (two letters or digits, such as 26 or TC)',
                parameter="modifier",
            )
        if known and mod not in known and mod not in PRICING:
            raise InvalidModifier(
                f"modifier {mod} is not a CPT or HCPCS modifier", parameter="modifier"
            )
        if mod not in out:
            out.append(mod)
    return tuple(out)


def row_modifier(modifiers: Sequence[str]) -> str:
    """The modifier whose own PPRRVU row a valid line is priced from, where CMS lists one
    (`find_row`): 26 or TC, else 53; "" for none, and for 26 with TC (the engine's error).
    The router (`medpayiq.schedules`) and the checker's code check read it too, so that a
    line's schedule and status come from the row it is priced from."""
    split = [m for m in modifiers if m in ("26", "TC")]
    if len(split) == 1:
        return split[0]
    return "53" if not split and "53" in modifiers else ""


def find_row(
    fee: FeeSchedule, hcpcs: str, modifiers: Sequence[str], day: object
) -> tuple[RvuRow, str]:
    """The PPRRVU row for the code and its row modifier (26, TC, 53 or "")."""
    base = fee.rvus.get((hcpcs, ""))
    rows = _row_keys(fee, hcpcs)
    release = fee.vintage.used
    if base is None and not rows:
        raise UnknownCode(
            f"{hcpcs} is not in the fee schedule release {release.id} (in effect from "
            f"{release.effective_from}) used for {day}: not a valid code on that date",
            parameter="hcpcs",
        )
    split = [m for m in modifiers if m in ("26", "TC")]
    if len(split) > 1:
        raise InvalidModifier(
            "modifiers 26 and TC cannot be on the same line", parameter="modifier"
        )
    if split:
        mod = split[0]
        row = fee.rvus.get((hcpcs, mod))
        if row is None:
            any_row = base or next(iter(rows.values()))
            meaning = PCTC_MEANING.get(any_row.pctc, f"PCTC indicator {any_row.pctc}")
            raise InvalidModifier(
                f"modifier {mod} is not valid with {hcpcs}: PCTC indicator {any_row.pctc} "
                f"({meaning}); {release.id} has no {hcpcs}-{mod} row",
                parameter="modifier",
            )
        return row, mod
    if "53" in modifiers and (row := fee.rvus.get((hcpcs, "53"))) is not None:
        return row, "53"
    if base is None:
        only = ", ".join(f"{hcpcs}-{m}" for (_, m) in rows)
        raise InvalidModifier(
            f"{hcpcs} is priced only with a modifier in {release.id}: {only}",
            parameter="modifier",
        )
    return base, ""


def _row_keys(fee: FeeSchedule, hcpcs: str) -> dict[tuple[str, str], RvuRow]:
    return {(hcpcs, m): r for m in ROW_MODIFIERS if (r := fee.rvus.get((hcpcs, m))) is not None}


_D = Decimal
_BILATERAL = {
    "0": (_D("1.00"), "bilateral indicator 0: the 150% adjustment does not apply; 100% paid"),
    "1": (_D("1.50"), "bilateral indicator 1: 150% of the amount for both sides"),
    "2": (_D("1.00"), "bilateral indicator 2: the RVUs are already bilateral; 100% paid"),
    "3": (_D("2.00"), "bilateral indicator 3: each side paid at 100%"),
}
_ASSISTANT = _D("0.16")
_ASSISTANT_NPP = _D("0.136")  # 85% of 16%
_CO_SURGEON = _D("0.625")
PRICING = frozenset(
    {"26", "TC", "53", "52", "66", "50", "62", "80", "81", "82", "AS", "54", "55", "56", "51"}
)


def plan_modifiers(row: RvuRow, row_modifier: str, modifiers: Sequence[str]) -> ModifierPlan:
    factors: list[Factor] = []
    review: list[str] = []
    notes: list[tuple[str, str]] = []
    no_amount: str | None = None
    npp_included = False
    code = row.hcpcs
    for mod in modifiers:
        if mod == row_modifier:
            notes.append((mod, f"priced from the {code}-{mod} row"))
        elif mod == "53":
            no_amount = (
                "modifier 53 (discontinued procedure): the file has no 53 row, so the MAC prices it"
            )
            review.append("modifier 53: carrier priced, review the documentation")
        elif mod == "52":
            no_amount = "modifier 52 (reduced services): the MAC sets the reduction"
            review.append("modifier 52: carrier priced, review the documentation")
        elif mod == "66":
            no_amount = (
                f"modifier 66 (team surgery, indicator {row.team_surg}): priced by report, "
                "no fee schedule amount"
            )
            review.append("modifier 66: team surgery priced by report")
        elif mod == "50":
            entry = _BILATERAL.get(row.bilat_surg)
            if entry is None:
                raise InvalidModifier(
                    f"modifier 50 is not valid with {code}: bilateral indicator {row.bilat_surg} "
                    "(the bilateral concept does not apply)",
                    parameter="modifier",
                )
            factors.append(Factor("50", entry[0], entry[1]))
        elif mod == "62":
            if row.co_surg in ("0", "9"):
                why = "not permitted" if row.co_surg == "0" else "does not apply"
                no_amount = (
                    f"modifier 62: co-surgeons {why} for {code} "
                    f"(co-surgery indicator {row.co_surg})"
                )
            else:
                factors.append(
                    Factor(
                        "62",
                        _CO_SURGEON,
                        f"co-surgeon indicator {row.co_surg}: 62.5% to each surgeon",
                    )
                )
                if row.co_surg == "1":
                    review.append(
                        "modifier 62: co-surgery paid with supporting documentation (indicator 1)"
                    )
        elif mod in ("80", "81", "82", "AS"):
            if row.asst_surg in ("1", "9"):
                why = "never paid" if row.asst_surg == "1" else "does not apply"
                no_amount = (
                    f"modifier {mod}: assistant at surgery {why} for {code} "
                    f"(indicator {row.asst_surg})"
                )
            else:
                if mod == "AS":
                    factors.append(
                        Factor(
                            "AS",
                            _ASSISTANT_NPP,
                            "non-physician assistant at surgery: 85% of 16% = 13.6%",
                        )
                    )
                    npp_included = True
                else:
                    factors.append(
                        Factor(
                            mod,
                            _ASSISTANT,
                            f"assistant at surgery (indicator {row.asst_surg}): 16%",
                        )
                    )
                if row.asst_surg == "0":
                    review.append(
                        f"modifier {mod}: assistant paid only with documentation of "
                        "medical necessity (indicator 0)"
                    )
        elif mod in ("54", "55", "56"):
            factors.append(_split_care(row, mod, modifiers))
        elif mod == "51":
            notes.append(("51", "multiple procedure rules apply across the claim (price_claim)"))
        else:
            notes.append((mod, "no effect on the fee schedule amount"))
    return ModifierPlan(
        row, row_modifier, tuple(factors), no_amount, tuple(review), tuple(notes), npp_included
    )


def _split_care(row: RvuRow, mod: str, modifiers: Sequence[str]) -> Factor:
    if sum(m in ("54", "55", "56") for m in modifiers) > 1:
        raise InvalidModifier(
            "modifiers 54, 55 and 56 split one global package between providers: use one per line",
            parameter="modifier",
        )
    if row.global_days not in ("010", "090") or not (row.pre_op or row.intra_op or row.post_op):
        raise InvalidModifier(
            f"modifier {mod} is not valid with {row.hcpcs}: global period {row.global_days} "
            "has no pre/intra/post-operative split (010 or 090 codes only)",
            parameter="modifier",
        )
    # Medicare Claims Processing Manual ch. 12 section 40.2: 54 pays the pre-operative and
    # intra-operative shares, 55 the post-operative share, 56 the pre-operative share.
    if mod == "54":
        share, what = row.pre_op + row.intra_op, f"pre-op {row.pre_op} + intra-op {row.intra_op}"
    elif mod == "55":
        share, what = row.post_op, f"post-op {row.post_op}"
    else:
        share, what = row.pre_op, f"pre-op {row.pre_op}"
    return Factor(mod, share, f"modifier {mod}: {what} share of the global package")

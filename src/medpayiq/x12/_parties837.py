"""The parties of an 837P's hierarchy as they are read: billing provider (HL 20), subscriber
(HL 22) and patient (HL 23), and the records built from them once their first claim closes.

A party that is found wanting (no NM1, an invalid NPI, an HL without its parent, a bad birth
date) keeps its problems; every claim under it is rejected with them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Final

from medpayiq.records import positional_maker
from medpayiq.x12._model import BillingProvider, Patient, Payer, Subscriber
from medpayiq.x12._problems import X12Problem
from medpayiq.x12._tokens import SegmentBatch
from medpayiq.x12._values import quoted_id

Where = tuple[SegmentBatch, int]
# (code, where, message, loop, element) -> a positioned problem
ProblemAt = Callable[[str, Where, str, str, "int | None"], X12Problem]


_new_subscriber: Final = positional_maker(Subscriber)


class Party:
    """One HL level being read, with the fields its loops fill (only those of its level).

    Fields not yet read fall back to the class's defaults, so a party costs four stores to
    start (there is one per subscriber, so one per claim or two in most files)."""

    problems: list[X12Problem]
    name_at: Where | None = None  # its NM1 (85, IL or QC)
    built: BillingProvider | Subscriber | Patient | None = None
    bad = False  # checked and found wanting: its claims are rejected
    claims = 0
    reported = False  # a missing claim under it was already reported
    dob: date | None = None
    # one name a line: mypyc compiles no multiple assignment in a class body
    sex = ""
    npi = ""
    qualifier = ""
    entity = ""
    name = ""
    taxonomy = ""
    tax_id = ""
    city = ""
    state = ""
    zip = ""
    member = ""
    relationship = ""
    group = ""
    filing = ""
    responsibility: str | None = None
    payer: Payer | None = None

    def __init__(self, hl_id: str, level: str, where: Where) -> None:
        self.hl_id = hl_id
        self.level = level
        self.where = where  # its HL
        self.problems = []


def billing_provider(
    party: Party, problem_at: ProblemAt, npi_ok: Callable[[str], bool]
) -> BillingProvider | None:
    """The billing provider's record, or None (its problems recorded) when it cannot be."""
    if isinstance(party.built, BillingProvider) or party.bad:
        return party.built if isinstance(party.built, BillingProvider) else None
    if party.name_at is None:
        party.problems.append(
            problem_at(
                "missing-segment",
                party.where,
                f"billing provider HL {quoted_id(party.hl_id)} has no NM1*85 (2010AA)",
                "2000A",
                None,
            )
        )
    elif party.qualifier != "XX" or not npi_ok(party.npi):
        party.problems.append(
            problem_at(
                "bad-npi",
                party.name_at,
                "NM108/NM109 of 2010AA must be XX and a valid NPI",
                "2010AA",
                9,
            )
        )
    if party.problems:
        party.bad = True
        return None
    built = BillingProvider(
        party.npi,
        party.name,
        party.entity,
        party.taxonomy or None,
        party.tax_id or None,
        party.city or None,
        party.state or None,
        party.zip or None,
        party.hl_id,
    )
    party.built = built
    return built


def subscriber(party: Party, problem_at: ProblemAt) -> Subscriber | None:
    """The subscriber's record (with its payer), or None when it cannot be."""
    if isinstance(party.built, Subscriber) or party.bad:
        return party.built if isinstance(party.built, Subscriber) else None
    if party.responsibility is None:
        party.problems.append(
            problem_at(
                "missing-segment",
                party.where,
                f"subscriber HL {quoted_id(party.hl_id)} has no SBR",
                "2000B",
                None,
            )
        )
    if party.name_at is None:
        party.problems.append(
            problem_at(
                "missing-segment",
                party.where,
                f"subscriber HL {quoted_id(party.hl_id)} has no NM1*IL (2010BA)",
                "2010BA",
                None,
            )
        )
    elif not party.member:
        party.problems.append(
            problem_at(
                "missing-element",
                party.name_at,
                "NM109 of 2010BA, the member id, is empty",
                "2010BA",
                9,
            )
        )
    if party.payer is None:
        party.problems.append(
            problem_at(
                "missing-segment",
                party.where,
                f"subscriber HL {quoted_id(party.hl_id)} has no payer (2010BB NM1*PR)",
                "2010BB",
                None,
            )
        )
    if party.problems or party.payer is None or party.responsibility is None:
        party.bad = True
        return None
    built = _new_subscriber(
        party.member,
        party.responsibility,
        party.relationship or None,
        party.group or None,
        party.filing or None,
        party.dob,
        party.sex or None,
        party.payer,
        party.hl_id,
    )
    party.built = built
    return built


def patient(party: Party, problem_at: ProblemAt) -> Patient | None:
    """The dependant's record, or None when it cannot be."""
    if isinstance(party.built, Patient) or party.bad:
        return party.built if isinstance(party.built, Patient) else None
    if party.name_at is None:
        party.problems.append(
            problem_at(
                "missing-segment",
                party.where,
                f"patient HL {quoted_id(party.hl_id)} has no NM1*QC (2010CA)",
                "2000C",
                None,
            )
        )
    if party.problems:
        party.bad = True
        return None
    built = Patient(party.relationship, party.dob, party.sex or None, party.hl_id)
    party.built = built
    return built

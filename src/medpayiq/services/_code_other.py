"""The code page of a code the physician fee schedule does not pay: a clinical laboratory
test, a DMEPOS item, a Part B drug, an anesthesia or ambulance service, or a valid code no
loaded schedule pays. It says what the code is, which schedule pays it and how, the amounts
that schedule publishes (priced by its own engine, `medpayiq.schedules`), what the patient
owes, and the NCCI edits that still apply (lab codes have pairs and unit limits)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from medpayiq import pricing, schedules
from medpayiq.errors import InputError, UnknownLocation
from medpayiq.reference import ReferenceData
from medpayiq.services._code_advice import pair_denial, unit_limit_denial
from medpayiq.services._code_edits import ncci_edits
from medpayiq.services._code_types import ScheduleCodeReport, ScheduleLine
from medpayiq.services._core import (
    DISCLAIMER,
    Query,
    ama_notice,
    category_of,
    jsonable,
    place_label,
    price,
    resolve_place,
)

__all__ = ["described", "schedule_line", "schedule_report"]


def schedule_line(found: schedules.Route) -> ScheduleLine:
    info = found.schedule
    return ScheduleLine(
        info.name, info.title, info.pays, info.patient, info.load, found.reason, found.priced
    )


def described(reference: ReferenceData, code: str, day: date) -> tuple[str, str]:
    """The code's long descriptor and the file it is from: the HCPCS Level II list, else the
    clinical laboratory fee schedule; ("", "") when no loaded file has one (CPT long
    descriptors are the AMA's and are not in CMS's public files)."""
    entry = reference.code_sets().hcpcs_level2.get(code)
    if entry is not None and entry.long_description:
        return entry.long_description, "the HCPCS Level II long descriptor (CMS)"
    found = schedules.route(reference, code, day)
    if found.schedule.name == "clfs" and found.description:
        return found.description, "the clinical laboratory fee schedule's long descriptor (CMS)"
    return "", ""


def schedule_report(
    reference: ReferenceData,
    code: str,
    query: Query,
    found: schedules.Route,
    *,
    modifiers: Sequence[str] = (),
) -> ScheduleCodeReport:
    try:
        place = resolve_place(reference, query)
    except UnknownLocation:
        # A state with several physician fee schedule localities still names the state a
        # DMEPOS fee is read for: the page says so instead of failing.
        place = pricing.ResolvedLocation(None, query.state or "", query.state or "", "state")
    notices: list[str] = []
    mods = tuple(modifiers)
    try:
        priced = price(reference, code, query, modifiers=mods)
    except InputError as exc:
        if not mods or exc.parameter != "modifier":
            raise
        notices.append(f"Modifier {'-'.join(mods)}: {exc}. Shown without it.")
        mods = ()
        priced = price(reference, code, query)
    pairs, ncci_release, limit, _, ncci_note = ncci_edits(reference, code, query)
    denials = []
    if pairs:
        denials.append(pair_denial(reference, code, pairs, pairs[0].amount))
    if limit is not None:
        denials.append(unit_limit_denial(reference, code, limit, priced.allowed))
    long_text, long_source = described(reference, code, query.day)
    text = long_text or priced.description or found.description
    year = query.day.year
    return ScheduleCodeReport(
        code=code,
        descriptor=priced.description or found.description,
        ama_notice=ama_notice(year),
        category=category_of(code),
        explanation=text,
        explanation_source=long_source or "the schedule's own file",
        schedule=schedule_line(found),
        payable=priced.payable,
        message=priced.message,
        day=query.day,
        place=place,
        place_label=f"{query.state} (state)" if place.how == "state" else place_label(place),
        modifiers=mods,
        amounts=tuple(a.as_dict() for a in priced.amounts),
        allowed=priced.allowed,
        cost_share=None if priced.cost_share is None else priced.cost_share.as_dict(),
        review=priced.review,
        ncci_pairs=pairs,
        ncci_release=ncci_release,
        ncci_note=ncci_note,
        unit_limit=limit,
        denials=tuple(denials),
        release=priced.release,
        confidence=priced.confidence.value,
        confidence_reason=priced.confidence_reason,
        trail=tuple(step.as_dict() for step in priced.trail),
        sources=tuple(jsonable(s) for s in priced.provenance),
        disclaimer=DISCLAIMER,
        notices=tuple(notices),
    )

"""A policy pack's part of a code page: the code's family in the pack (each priced by the
engine at the page's place and setting), its rules in force and the pack's own account of
the code."""

from __future__ import annotations

from medpayiq.errors import MedPayIQError
from medpayiq.knowledge import PolicyPack
from medpayiq.reference import ReferenceData
from medpayiq.services._code_types import FamilyCode, PolicyInfo, amount_of, chosen_amount
from medpayiq.services._core import Place, Query, _line_request, _price_line

__all__ = ["policy_info"]


def policy_info(
    reference: ReferenceData, pack: PolicyPack, code: str, query: Query, place: Place
) -> PolicyInfo:
    spec = pack.codes[code]
    family = []
    for other in sorted(pack.codes.values(), key=lambda c: c.hcpcs):
        try:
            result = _price_line(reference, _line_request(other.hcpcs, query, place), qp=query.qp)
            amount = amount_of(chosen_amount(result, query.effective_setting))
        except MedPayIQError:
            amount = None
        family.append(
            FamilyCode(
                other.hcpcs,
                pack.regions[other.region],
                other.approach,
                other.imaging,
                other.addon,
                amount,
                other.hcpcs == code,
            )
        )
    return PolicyInfo(
        pack=pack.id,
        title=pack.title,
        region=pack.regions[spec.region],
        approach=spec.approach,
        imaging=spec.imaging,
        addon=spec.addon,
        explanation=_pack_explanation(pack, code),
        sources=tuple({"id": s.id, "title": s.title, "url": s.url} for s in pack.sources),
        rules=tuple(
            {"id": r.id, "summary": r.summary, "citation": r.citation}
            for r in pack.rules
            if r.in_force(query.day)
        ),
        documentation=pack.documentation,
        family=tuple(family),
    )


def _pack_explanation(pack: PolicyPack, code: str) -> str:
    """The pack's own account of a code: approach, region, and imaging guidance in or out,
    naming the sibling codes that differ by one of them."""
    spec = pack.codes[code]
    region = pack.regions[spec.region]
    approach = {
        "interlaminar": "between the laminae (interlaminar)",
        "transforaminal": "through the neural foramen (transforaminal)",
    }.get(spec.approach, spec.approach)
    what = "Each additional level of an" if spec.addon else "An"
    text = f"{what} epidural injection {approach} in the {region} spine"
    same = [
        c
        for c in pack.codes.values()
        if c.approach == spec.approach and c.addon == spec.addon and c.hcpcs != code
    ]
    other_imaging = [c.hcpcs for c in same if c.region == spec.region and c.imaging != spec.imaging]
    other_region = [c.hcpcs for c in same if c.region != spec.region and c.imaging == spec.imaging]
    if spec.imaging:
        text += (
            ", including imaging guidance (fluoroscopy or CT): the guidance is "
            "part of the code and is not billed separately (77003, 77012)."
        )
        if other_imaging:
            text += f" {', '.join(other_imaging)} is the same injection without imaging guidance."
    else:
        text += ", without imaging guidance."
        if other_imaging:
            text += f" {', '.join(other_imaging)} is the same injection with imaging guidance."
    if other_region:
        regions = {pack.regions[c.region] for c in same if c.hcpcs in other_region}
        text += (
            f" {', '.join(other_region)} is the same service in the "
            f"{' / '.join(sorted(regions))} spine: the spinal region is the "
            "difference."
        )
    return text

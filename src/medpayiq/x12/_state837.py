"""What the 837P reader keeps while it reads, shared by its parts: where it stands in the
hierarchy (the region), the claim being read, the problem helpers; and the constants.

`Reader837` (in `_reader837.py`) is built on `ClaimSegments` (`_claims837.py`: CLM, DTP, HI,
the lines read segment by segment, and closing a claim), itself on `PartySegments`
(`_segments837.py`: NM1, N4, REF, PRV, SBR, PAT, DMG), on `ReaderState`: a single chain, as
mypyc's compiled classes take one base class (docs/x12.md, "The compiled reader").
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Final

from medpayiq.records import positional_maker, slots_twin
from medpayiq.x12._checks837 import Issue
from medpayiq.x12._compiled import mypyc_attr
from medpayiq.x12._envelope import TransactionReader
from medpayiq.x12._model import (
    Claim837,
    ClaimDate,
    DateSpan,
    Diagnosis,
    Facility,
    Payer,
    ProviderRef,
    RejectedClaim,
    Service,
    ServiceLine,
    Transaction837,
)
from medpayiq.x12._parties837 import Party, Where
from medpayiq.x12._problems import Severity, X12Problem
from medpayiq.x12._tokens import SegmentBatch
from medpayiq.x12._values import CACHE_LIMIT, ValueCache

# Regions: where in the hierarchy the reader stands, which decides what an NM1 opens.
# (one Final each, not unpacked from a range: compiled, a Final int is a constant in the code,
# where any other module name is a look-up in the module's dict at each use)
IN_HEADER: Final = 0
IN_A: Final = 1
IN_B: Final = 2
IN_C: Final = 3
IN_CLAIM: Final = 4
IN_LINE: Final = 5
IN_COB: Final = 6
IN_ORPHAN: Final = 7
NM1_LOOPS: Final[list[dict[str, str]]] = [  # by region: NM101 entity code -> the loop it opens
    {"41": "1000A", "40": "1000B"},
    {"85": "2010AA", "87": "2010AB", "PE": "2010AC"},
    {"IL": "2010BA", "PR": "2010BB"},
    {"QC": "2010CA"},
    {
        "DN": "2310A",
        "P3": "2310A",
        "82": "2310B",
        "77": "2310C",
        "DQ": "2310D",
        "PW": "2310E",
        "45": "2310F",
    },
    {
        "82": "2420A",
        "QB": "2420B",
        "77": "2420C",
        "DQ": "2420D",
        "DK": "2420E",
        "DN": "2420F",
        "P3": "2420F",
        "PW": "2420G",
        "45": "2420H",
    },
]
REGION_LOOP: Final = {
    IN_HEADER: "1000",
    IN_A: "2000A",
    IN_B: "2000B",
    IN_C: "2000C",
    IN_CLAIM: "2300",
}


def _twin(record: type[Any]) -> type[Any]:
    twin = slots_twin(record)
    if twin is None:
        raise TypeError(f"{record.__name__} has no slots twin")
    return twin


new_line: Final = positional_maker(ServiceLine)
LINE_TWIN: Final = _twin(ServiceLine)  # what new_line fills, for the loop that writes it out
new_claim: Final = positional_maker(Claim837)
UNREADABLE: Final = DateSpan(date.min, date.min)  # a DTP*472 that was there but could not be read


class ClaimDraft:
    """A 2300 loop being read: every field set at the CLM (slots: a claim's fields are read
    and written many times, and a slot costs less than an instance dict)."""

    __slots__ = (
        "claim_id", "dates", "diagnoses", "facility", "facility_fields", "flags", "frequency",
        "has_hi", "hi_unreadable", "lines", "payer_claim_number", "pos", "prior_authorization",
        "problems", "rendering", "rendering_fields", "rendering_npi", "segment", "service_date",
        "total", "where",
    )  # fmt: skip

    def __init__(self, claim_id: str, where: Where, segment: int) -> None:
        self.claim_id = claim_id
        self.where = where
        self.segment = segment
        self.diagnoses: list[Diagnosis] = []
        self.lines: list[ServiceLine] = []
        self.problems: list[X12Problem] = []
        self.total: Decimal | None = None
        self.pos = self.frequency = ""
        self.flags: tuple[str, str, str, str] = ("", "", "", "")
        self.has_hi = False
        self.hi_unreadable = False  # an HI composite could not be read: no pointer checks
        self.dates: tuple[ClaimDate, ...] = ()
        self.service_date: DateSpan | None = None
        self.prior_authorization: str | None = None
        self.payer_claim_number: str | None = None
        self.rendering_fields: list[str] | None = None
        self.rendering: ProviderRef | None = None
        self.rendering_npi: str | None = None
        self.facility_fields: list[str] | None = None
        self.facility: Facility | None = None

    def parties_read(self, interned: dict[tuple[str, ...], ProviderRef | Facility]) -> None:
        """The 2310 loops are over (the first LX): the rendering provider and service facility
        the lines inherit, shared with earlier claims that named the same (`interned`)."""
        if self.rendering_fields is not None and self.rendering is None:
            rendering = self.rendering = provider_ref(self.rendering_fields, interned)
            self.rendering_npi = rendering.npi
        if self.facility_fields is not None and self.facility is None:
            self.facility = facility_ref(self.facility_fields, interned)


def provider_ref(
    fields: list[str], interned: dict[tuple[str, ...], ProviderRef | Facility]
) -> ProviderRef:
    """The rendering provider of 2310B's fields (NM109 NPI, NM102 entity, PRV03 taxonomy),
    the same record as every claim before that named the same."""
    key = tuple(fields)
    rendering = interned.get(key)
    if not isinstance(rendering, ProviderRef):
        npi, entity, taxonomy = key
        rendering = interned[key] = ProviderRef(npi or None, entity, taxonomy or None)
    return rendering


def facility_ref(
    fields: list[str], interned: dict[tuple[str, ...], ProviderRef | Facility]
) -> Facility:
    """The service facility of 2310C's fields, shared like `provider_ref`'s records."""
    key = ("77", *fields)
    facility = interned.get(key)
    if not isinstance(facility, Facility):
        facility = interned[key] = facility_of(fields)
    return facility


def facility_of(fields: list[str]) -> Facility:
    name, npi, city, state, zip_code = fields
    return Facility(name, npi or None, city or None, state or None, zip_code or None)


@mypyc_attr(allow_interpreted_subclasses=True)  # as Reader837 (compiled bases must)
class ReaderState(TransactionReader[Claim837 | RejectedClaim]):
    """The 837P reader's state (set up in `Reader837._reset`) and its problem helpers."""

    claims_read: int
    claims_rejected: int
    _values: ValueCache
    _el: str
    _co: str
    _p_payer: str  # "NM1*PR*"
    _p_rendering: str  # "NM1*82*"
    _p_facility: str  # "NM1*77*"
    _p_prv: str  # "PRV*"
    _p_n3: str  # "N3*"
    _p_n4: str  # "N4*"
    _p_hi: str  # "HI*"
    _renderings: dict[tuple[str, str], ProviderRef]  # (NM1*82, PRV) texts -> 2310B
    _facilities: dict[tuple[str, str], Facility]  # (NM1*77, N4) texts -> 2310C
    _region: int
    _loop: str
    _names: dict[str, tuple[str, str]]
    _payers: dict[tuple[str, str], Payer]
    _interned: dict[tuple[str, ...], ProviderRef | Facility]
    _claim_dates: dict[str, ClaimDate]
    _repeated: dict[str, list[str]]
    _known: dict[str, Diagnosis]
    _his: dict[str, tuple[list[Diagnosis], list[Issue], bool]]
    _clm_tails: dict[str, tuple[str, str, list[Issue], tuple[str, str, str, str]]]
    _txn: Transaction837 | None
    _billing: Party | None
    _subscriber: Party | None
    _patient: Party | None
    _last_hl: Party | None
    _claim: ClaimDraft | None
    _line_open: bool
    _line_number: str
    _line_at: Where | None
    _line_sv1_at: Where | None
    _line_service: Service | None
    _line_date: DateSpan | None
    _line_rendering: str | None
    _line_facility: list[str] | None
    _line_control: str | None

    def _reset_line(self) -> None:
        """No line open (the segment-by-segment path's state)."""
        self._line_open = False
        self._line_number = ""
        self._line_at = None
        self._line_sv1_at = None
        self._line_service = None
        self._line_date = None
        self._line_rendering = None
        self._line_facility = None
        self._line_control = None

    def _split10(self, segment: str) -> list[str]:
        """The elements of a segment whose text comes back claim after claim (a rendering
        provider's NM1 and PRV, a payer's NM1, an SBR), padded to 10; kept by its text, as a
        split costs several times a look-up. Never to be changed by the caller."""
        e = self._repeated.get(segment)
        if e is None:
            e = segment.split(self._el)
            if len(e) < 10:
                e += [""] * (10 - len(e))
            if len(self._repeated) >= CACHE_LIMIT:
                self._repeated.clear()
            self._repeated[segment] = e
        return e

    # --- problems ---------------------------------------------------------------------------

    def _at(self, index: int) -> Where:
        batch = self._batch
        assert batch is not None
        return batch, index

    def _claim_problem(
        self,
        code: str,
        index: int,
        message: str,
        *,
        element: int | None = None,
        component: int | None = None,
        loop: str | None = None,
        batch: SegmentBatch | None = None,
    ) -> None:
        """A problem rejecting the open claim (outside a claim, the HL level in effect)."""
        problem = self._problem(
            code,
            index,
            message,
            element=element,
            component=component,
            loop=loop or self._loop,
            severity=Severity.CLAIM,
            batch=batch,
        )
        if self._claim is not None:
            self._claim.problems.append(problem)
        elif self._last_hl is not None:
            self._last_hl.problems.append(problem)
        else:
            self._report(problem)

    def _issues(self, issues: list[Issue], index: int, loop: str | None = None) -> None:
        for code, message, element, component in issues:
            self._claim_problem(
                code, index, message, element=element, component=component, loop=loop
            )

    def _party_problem(
        self, code: str, at: Where, message: str, loop: str, element: int | None
    ) -> X12Problem:
        return self._problem(
            code, at[1], message, element=element, loop=loop, severity=Severity.CLAIM, batch=at[0]
        )

    def _reject(
        self,
        claim_id: str | None,
        total: Decimal | None,
        segment: int | None,
        problems: list[X12Problem],
    ) -> None:
        self.claims_rejected += 1
        self._emit(RejectedClaim(claim_id, total, segment, self._txn, tuple(problems)))

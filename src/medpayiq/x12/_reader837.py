"""The 837P (005010X222A1) reader: claims out of an X12 file, one at a time, in file order.

    reader = read_837p(path_or_bytes_or_stream)
    for item in reader:              # Claim837 or RejectedClaim
        ...
    reader.problems                  # the file's and the envelope's problems, once read

The hierarchy is followed with one HL of each level in effect at a time (billing provider 20,
subscriber 22, patient 23): a child names its parent in HL02, and the parent must be the one
in effect, as the TR3 requires children to follow their parent. Memory does not grow with the
number of HLs or claims.

Loops the claim model does not need are passed over without splitting a segment: 2010AB/AC
pay-to, 2310A/D/E/F and 2420B/D-H providers, 2320/2330x other subscribers (from the 2300's
SBR up to the first LX), 2410 drug identification, 2430 line adjudication, 2440 forms, and
segments such as PWK, NTE, K3, AMT, CAS. What the checker needs is read and checked; a
problem confined to one claim rejects that claim (a `RejectedClaim` in its place) and the
reader goes on with the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import ClassVar

from medpayiq.x12._envelope import Handler, Source, TransactionHeader, TransactionReader
from medpayiq.x12._model import (
    ICD9_QUALIFIERS,
    ICD10_QUALIFIERS,
    PRINCIPAL_QUALIFIERS,
    BillingProvider,
    Claim837,
    ClaimDate,
    DateSpan,
    Diagnosis,
    Facility,
    Patient,
    Payer,
    ProviderRef,
    RejectedClaim,
    ServiceLine,
    Subscriber,
    Transaction837,
    positional_maker,
)
from medpayiq.x12._problems import Severity, X12Problem
from medpayiq.x12._tokens import Delimiters, SegmentBatch
from medpayiq.x12._values import ValueCache

VERSIONS_837P = ("005010X222A1", "005010X222A2", "005010X222")
SEGMENTS_837P = frozenset(
    ["BHT", "NM1", "PER", "HL", "PRV", "N3", "N4", "REF", "SBR", "PAT", "DMG", "CLM", "DTP", "PWK", "CN1", "AMT", "K3", "NTE", "CR1", "CR2", "CRC", "HI", "HCP", "LX", "SV1", "SV5", "CR3", "QTY", "MEA", "PS1", "LIN", "CTP", "SVD", "CAS", "LQ", "FRM", "OI", "MOA"]
)
MAX_LINES = 50
MAX_DIAGNOSES = 12
PROCEDURE_QUALIFIERS = frozenset({"HC", "ER", "IV", "WK"})
FREQUENCY_CODES = frozenset({"1", "7", "8"})
_DIAGNOSIS_QUALIFIERS = ICD10_QUALIFIERS | ICD9_QUALIFIERS

# Regions: where in the hierarchy the reader stands, which decides what an NM1 opens.
_HEADER, _A, _B, _C, _CLAIM, _COB, _LINE, _SKIP, _ORPHAN = range(9)
_NM1_LOOPS: dict[tuple[int, str], str] = {
    (_HEADER, "41"): "1000A",
    (_HEADER, "40"): "1000B",
    (_A, "85"): "2010AA",
    (_A, "87"): "2010AB",
    (_A, "PE"): "2010AC",
    (_B, "IL"): "2010BA",
    (_B, "PR"): "2010BB",
    (_C, "QC"): "2010CA",
    (_CLAIM, "DN"): "2310A",
    (_CLAIM, "P3"): "2310A",
    (_CLAIM, "82"): "2310B",
    (_CLAIM, "77"): "2310C",
    (_CLAIM, "DQ"): "2310D",
    (_CLAIM, "PW"): "2310E",
    (_CLAIM, "45"): "2310F",
    (_LINE, "82"): "2420A",
    (_LINE, "QB"): "2420B",
    (_LINE, "77"): "2420C",
    (_LINE, "DQ"): "2420D",
    (_LINE, "DK"): "2420E",
    (_LINE, "DN"): "2420F",
    (_LINE, "P3"): "2420F",
    (_LINE, "PW"): "2420G",
    (_LINE, "45"): "2420H",
}
_REGION_LOOP = {_HEADER: "1000", _A: "2000A", _B: "2000B", _C: "2000C", _CLAIM: "2300"}
# A line read from SV1: qualifier, code, modifiers, charge, unit basis, units, place of
# service in effect, diagnosis pointers, SV1's position in the transaction.
_LineValues = tuple[str, str, tuple[str, ...], Decimal, str, Decimal, str, tuple[int, ...], int]


@dataclass(slots=True)
class _Party:
    """A 2000A/B/C level being read: its HL and the fields its segments fill."""

    hl_id: str
    level: str
    where: tuple[SegmentBatch, int]
    problems: list[X12Problem] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    name_at: tuple[SegmentBatch, int] | None = None  # its NM1
    dob: date | None = None
    built: BillingProvider | Subscriber | Patient | None = None
    bad: bool = False  # checked and found wanting: its claims are rejected
    claims: int = 0
    reported: bool = False  # its missing claim was already reported


@dataclass(slots=True)
class _Claim:
    """A 2300 loop being read."""

    claim_id: str
    total: Decimal | None
    where: tuple[SegmentBatch, int]
    segment: int
    pos: str = ""
    frequency: str = ""
    flags: tuple[str, str, str, str] = ("", "", "", "")
    diagnoses: list[Diagnosis] = field(default_factory=list)
    dates: list[ClaimDate] = field(default_factory=list)
    service_date: DateSpan | None = None
    prior_authorization: str | None = None
    payer_claim_number: str | None = None
    rendering: ProviderRef | None = None
    rendering_fields: list[str] | None = None
    rendering_npi: str | None = None
    facility: Facility | None = None
    facility_fields: list[str] | None = None
    lines: list[ServiceLine] = field(default_factory=list)
    problems: list[X12Problem] = field(default_factory=list)
    has_hi: bool = False


class Reader837(TransactionReader[Claim837 | RejectedClaim]):
    """Reads 837P transactions; iterate for `Claim837` and `RejectedClaim` in file order."""

    transaction_set = "837"
    versions: ClassVar[tuple[str, ...]] = VERSIONS_837P
    segment_ids: ClassVar[frozenset[str]] = SEGMENTS_837P

    def __init__(self, source: Source, *, chunk_size: int = 1 << 20) -> None:
        super().__init__(source, chunk_size=chunk_size)
        self._values = ValueCache()
        self._pointer_cache: dict[str, tuple[int, ...] | None] = {}
        self._spans: dict[str, DateSpan] = {}  # DTP*472 segment text -> its date or range
        self._p_sv1, self._p_dtp472, self._p_ref6r = "SV1*", "DTP*472*", "REF*6R*"
        self._line_ends = frozenset({"LX*", "CLM", "HL*", "SE*"})
        self._el = "*"
        self._co = ":"
        self.claims_read = 0
        self.claims_rejected = 0
        self._reset()

    def _reset(self) -> None:
        self._region = _HEADER
        self._loop = "1000"
        self._bht: list[str] | None = None
        self._bht_at: tuple[SegmentBatch, int] | None = None
        self._names: dict[str, tuple[str, str]] = {}
        self._txn: Transaction837 | None = None
        self._txn_problem: X12Problem | None = None
        self._hl_count = 0
        self._hl_sequence_reported = False
        self._billing: _Party | None = None
        self._subscriber: _Party | None = None
        self._patient: _Party | None = None
        self._last_hl: _Party | None = None
        self._claim: _Claim | None = None
        self._reset_line()

    def _reset_line(self) -> None:
        self._line_open = False
        self._line_number = ""
        self._line_at: tuple[SegmentBatch, int] | None = None
        self._line_sv1_at: tuple[SegmentBatch, int] | None = None
        self._line_values: _LineValues | None = None
        self._line_date: DateSpan | None = None
        self._line_rendering: str | None = None
        self._line_facility: list[str] | None = None
        self._line_control: str | None = None

    # --- dispatch -------------------------------------------------------------------------

    def _handlers(self, delimiters: Delimiters) -> dict[str, Handler | None]:
        self._el, self._co = el, co = delimiters.element, delimiters.component
        self._p_sv1, self._p_dtp472, self._p_ref6r = f"SV1{el}", f"DTP{el}472{el}", f"REF{el}6R{el}"
        self._line_ends = frozenset({f"LX{el}", "CLM", f"HL{el}", f"SE{el}"})
        del co
        key = delimiters.key
        return {
            key("BHT"): self._bht_segment,
            key("NM1"): self._nm1,
            key("N4"): self._n4,
            key("REF"): self._ref,
            key("PRV"): self._prv,
            key("SBR"): self._sbr,
            key("PAT"): self._pat,
            key("DMG"): self._dmg,
            key("HL"): self._hl,
            key("CLM"): self._clm,
            key("DTP"): self._dtp,
            key("HI"): self._hi,
            key("LX"): self._lx,
            key("SV1"): self._sv1,
            key("SVD"): self._skip_loop,
            key("LQ"): self._skip_loop,
            key("LIN"): self._skip_loop,
        }

    def _begin(self, header: TransactionHeader, index: int) -> None:
        self._reset()

    def _end(self, index: int, *, closed: bool) -> None:
        claim = self._claim
        if not closed and claim is not None:
            claim.problems.append(
                self._problem(
                    "truncated",
                    claim.where[1],
                    "the transaction is cut short inside this claim: it may be incomplete",
                    severity=Severity.CLAIM,
                    loop="2300",
                    claim_id=claim.claim_id or None,
                    batch=claim.where[0],
                )
            )
        self._close_claim()
        if closed:
            self._check_empty_hl(None)
        self._reset()

    # --- small helpers ----------------------------------------------------------------------

    def _at(self, index: int) -> tuple[SegmentBatch, int]:
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
    ) -> bool:
        """A problem rejecting the open claim (outside a claim, the HL level in effect).
        Returns False, so a check can read `ok = self._claim_problem(...)`."""
        claim = self._claim
        problem = self._problem(
            code,
            index,
            message,
            element=element,
            component=component,
            loop=loop or self._loop,
            severity=Severity.CLAIM,
            claim_id=(claim.claim_id or None) if claim else None,
            batch=batch,
        )
        if claim is not None:
            claim.problems.append(problem)
        elif self._last_hl is not None:
            self._last_hl.problems.append(problem)
        else:
            self._report(problem)
        return False

    def _party_problem(
        self,
        party: _Party,
        code: str,
        at: tuple[SegmentBatch, int],
        message: str,
        *,
        loop: str,
        element: int | None = None,
    ) -> None:
        """A problem of a billing provider, subscriber or patient: it rejects their claims."""
        party.problems.append(
            self._problem(
                code,
                at[1],
                message,
                element=element,
                loop=loop,
                severity=Severity.CLAIM,
                batch=at[0],
            )
        )

    def _composite(self, text: str, index: int, element: int, name: str) -> list[str] | None:
        """A composite's components, or None (problem reported) when it is empty or written
        with something other than the component separator."""
        co = self._co
        if co in text:
            return text.split(co)
        if text.isalnum():
            return [text]
        if not text:
            self._claim_problem("missing-element", index, f"{name} is empty", element=element)
        else:
            self._claim_problem(
                "bad-composite",
                index,
                f"{name} is a composite but is not split by the component separator {co!r}",
                element=element,
            )
        return None

    def _span(self, e: list[str], index: int) -> DateSpan | None:
        """DTP02/DTP03 as a date or range; None with a claim problem when unreadable."""
        qualifier = e[1] if len(e) > 1 else ""
        fmt = e[2] if len(e) > 2 else ""
        text = e[3] if len(e) > 3 else ""
        dates = self._values.date
        if fmt == "D8":
            day = dates(text)
            if day is not None:
                return DateSpan(day, day)
            expected = "CCYYMMDD"
        elif fmt == "RD8":
            first, _, last = text.partition("-")
            start, end = dates(first), dates(last)
            if start is not None and end is not None:
                if start <= end:
                    return DateSpan(start, end)
                self._claim_problem(
                    "bad-date",
                    index,
                    f"DTP*{qualifier}: the range ends before it starts",
                    element=3,
                )
                return None
            expected = "CCYYMMDD-CCYYMMDD"
        else:
            self._claim_problem(
                "bad-code",
                index,
                f"DTP02 {fmt[:8] or '(empty)'} is not D8 (a date) or RD8 (a range)",
                element=2,
            )
            return None
        self._claim_problem(
            "bad-date", index, f"DTP*{qualifier}: DTP03 is not a valid {expected} date", element=3
        )
        return None

    # --- header ---------------------------------------------------------------------------

    def _bht_segment(self, segment: str, i: int) -> None:
        self._bht = segment.split(self._el) + [""] * 7
        self._bht_at = self._at(i)

    def _transaction(self, index: int) -> Transaction837 | None:
        """The transaction's record, built when the first HL (at `index`) needs it."""
        if self._txn is not None or self._txn_problem is not None:
            return self._txn
        header = self.header
        assert header is not None
        bht = self._bht
        created = self._values.date(bht[4]) if bht else None
        if bht is None or created is None:
            batch, at = self._bht_at or self._at(index)
            self._txn_problem = self._problem(
                "bad-segment",
                at,
                "BHT04, the date the claims were created, is not a valid CCYYMMDD date"
                if bht
                else "the transaction has no BHT before its first HL",
                element=4 if bht else None,
                severity=Severity.TRANSACTION,
                batch=batch,
            )
            self._report(self._txn_problem)
            return None
        submitter = self._names.get("1000A", ("", ""))
        receiver = self._names.get("1000B", ("", ""))
        self._txn = Transaction837(header, bht[2], bht[3], created, bht[6], *submitter, *receiver)
        return self._txn

    # --- hierarchy ------------------------------------------------------------------------

    def _hl(self, segment: str, i: int) -> None:
        self._close_claim()
        e = segment.split(self._el) + ["", "", "", ""]
        hl_id, parent, level = e[1], e[2], e[3]
        self._hl_count += 1
        if hl_id != str(self._hl_count) and not self._hl_sequence_reported:
            self._hl_sequence_reported = True
            self._report(
                self._problem(
                    "hl-sequence",
                    i,
                    f"HL01 should be {self._hl_count}, counting up by one from 1",
                    element=1,
                )
            )
        party = _Party(hl_id, level, self._at(i))
        self._check_empty_hl(party)
        if level == "20":
            self._billing, self._subscriber, self._patient = party, None, None
            self._region, self._loop = _A, "2000A"
            if parent:
                self._party_problem(
                    party,
                    "hl-parent",
                    party.where,
                    "a billing provider HL (20) has no parent: HL02 must be empty",
                    loop="2000A",
                    element=2,
                )
        elif level in ("22", "23"):
            above = self._billing if level == "22" else self._subscriber
            if level == "22":
                self._subscriber, self._patient = party, None
                self._region, self._loop = _B, "2000B"
            else:
                self._patient = party
                self._region, self._loop = _C, "2000C"
            expected = above.hl_id if above else None
            if parent != expected or not parent:
                what = "billing provider" if level == "22" else "subscriber"
                self._party_problem(
                    party,
                    "hl-parent",
                    party.where,
                    f"HL02 {parent[:12] or '(empty)'} is not the {what} HL in effect"
                    f" ({expected or 'none'})",
                    loop=self._loop,
                    element=2,
                )
        else:
            self._patient = party
            self._region, self._loop = _C, "2000C"
            self._party_problem(
                party,
                "hl-level",
                party.where,
                f"HL03 {level[:8] or '(empty)'} is not 20 (billing provider), 22 (subscriber)"
                " or 23 (patient)",
                loop="2000",
                element=3,
            )
        self._last_hl = party
        if self._transaction(i) is None and self._txn_problem is not None:
            party.problems.append(self._txn_problem)

    def _check_empty_hl(self, following: _Party | None) -> None:
        """A subscriber or patient HL with no claim under it: its CLM is missing (unless the
        next HL is its patient)."""
        last = self._last_hl
        if last is None or last.claims or last.level == "20" or last.reported:
            return
        if following is not None and following.level == "23" and last.level == "22":
            return
        last.reported = True
        batch, index = last.where
        problem = self._problem(
            "missing-segment",
            index,
            f"HL {last.hl_id[:12]} (level {last.level[:4]}) has no claim: its CLM is missing",
            loop="2000C" if last.level == "23" else "2000B",
            severity=Severity.CLAIM,
            batch=batch,
        )
        self._reject(None, None, problem.segment_position, [*last.problems, problem])

    def _reject(
        self,
        claim_id: str | None,
        total: Decimal | None,
        segment: int | None,
        problems: list[X12Problem],
    ) -> None:
        self.claims_rejected += 1
        self._emit(RejectedClaim(claim_id, total, segment, self._txn, tuple(problems)))

    # --- parties ---------------------------------------------------------------------------

    def _nm1(self, segment: str, i: int) -> None:
        region = self._region
        if region >= _COB and region != _LINE:
            return  # other subscriber loops, 2430, lines without a claim: nothing to read
        e = segment.split(self._el)
        loop = _NM1_LOOPS.get((region, e[1] if len(e) > 1 else ""))
        if loop is None:
            self._loop = f"{_REGION_LOOP.get(region, '2400')}/NM1"  # a loop we skip
            return
        self._loop = loop
        e += [""] * (10 - len(e))
        if loop == "2010AA":
            billing = self._billing
            if billing is not None:
                billing.fields.update(npi=e[9], qualifier=e[8], entity=e[2], name=_name(e))
                billing.name_at = self._at(i)
        elif loop == "2010BA":
            subscriber = self._subscriber
            if subscriber is not None:
                subscriber.fields["member"] = e[9]
                subscriber.name_at = self._at(i)
        elif loop == "2010BB":
            subscriber = self._subscriber
            if subscriber is not None:
                subscriber.fields.update(payer_name=e[3], payer_id=e[9])
        elif loop == "2010CA":
            if self._patient is not None:
                self._patient.name_at = self._at(i)
        elif loop in ("2310B", "2420A", "2310C", "2420C"):
            self._claim_party(loop, e, i)
        elif loop in ("1000A", "1000B"):
            self._names[loop] = (e[3], e[9])

    def _claim_party(self, loop: str, e: list[str], i: int) -> None:
        """A rendering provider or service facility of the claim (2310) or line (2420)."""
        npi = e[9]
        if npi and not self._values.npi(npi):
            self._claim_problem(
                "bad-npi", i, f"NM109 of {loop} is not a valid NPI", element=9, loop=loop
            )
        claim = self._claim
        if claim is None:
            return
        if loop == "2310B":
            claim.rendering_fields = [npi, e[2], ""]
        elif loop == "2420A":
            self._line_rendering = npi or None
        elif loop == "2310C":
            claim.facility_fields = [e[3], npi, "", "", ""]
        else:
            self._line_facility = [e[3], npi, "", "", ""]

    def _n4(self, segment: str, i: int) -> None:
        loop = self._loop
        if loop == "2010AA":
            billing = self._billing
            if billing is not None:
                e = segment.split(self._el) + ["", "", ""]
                billing.fields.update(city=e[1], state=e[2], zip=e[3])
        elif loop in ("2310C", "2420C"):
            if loop == "2420C":
                fields = self._line_facility
            else:
                fields = self._claim.facility_fields if self._claim else None
            if fields is not None:
                e = segment.split(self._el) + ["", "", ""]
                fields[2:5] = e[1:4]

    def _ref(self, segment: str, i: int) -> None:
        loop = self._loop
        if loop == "2400":
            e = segment.split(self._el) + ["", ""]
            if e[1] == "6R":
                self._line_control = e[2] or None
        elif loop == "2300":
            claim = self._claim
            if claim is None:
                return
            e = segment.split(self._el) + ["", ""]
            if e[1] == "G1":
                claim.prior_authorization = e[2] or None
            elif e[1] == "F8":
                claim.payer_claim_number = e[2] or None
        elif loop == "2010AA":
            e = segment.split(self._el) + ["", ""]
            billing = self._billing
            if billing is not None and e[1] in ("EI", "SY"):
                billing.fields["tax_id"] = e[2]

    def _prv(self, segment: str, i: int) -> None:
        loop = self._loop
        if loop == "2000A" and self._billing is not None:
            self._billing.fields["taxonomy"] = (segment.split(self._el) + ["", "", ""])[3]
        elif loop == "2310B" and self._claim and self._claim.rendering_fields:
            self._claim.rendering_fields[2] = (segment.split(self._el) + ["", "", ""])[3]

    def _sbr(self, segment: str, i: int) -> None:
        region = self._region
        if region == _B:
            subscriber = self._subscriber
            if subscriber is not None:
                e = segment.split(self._el) + [""] * 10
                subscriber.fields.update(
                    responsibility=e[1], relationship=e[2], group=e[3], filing=e[9]
                )
        elif region in (_CLAIM, _COB):
            self._region, self._loop = _COB, "2320"  # other subscriber: skipped up to LX
        elif region == _LINE:
            self._claim_problem(
                "unexpected-segment",
                i,
                "SBR (2320 other subscriber) after the service lines: it must come before LX",
            )

    def _pat(self, segment: str, i: int) -> None:
        if self._region == _C and self._patient is not None:
            self._patient.fields["relationship"] = (segment.split(self._el) + [""])[1]

    def _dmg(self, segment: str, i: int) -> None:
        loop = self._loop
        party = (
            self._subscriber if loop == "2010BA" else self._patient if loop == "2010CA" else None
        )
        if party is None:
            return
        e = segment.split(self._el) + ["", "", ""]
        day = self._values.date(e[2]) if e[1] == "D8" else None
        if day is None:
            self._party_problem(
                party,
                "bad-date",
                self._at(i),
                "DMG02, the birth date, is not a valid CCYYMMDD date (DMG01 D8)",
                loop=loop,
                element=2,
            )
        party.dob = day
        party.fields["sex"] = e[3]

    def _built_billing(self) -> BillingProvider | None:
        billing = self._billing
        if billing is None or billing.bad:
            return None
        if isinstance(billing.built, BillingProvider):
            return billing.built
        f = billing.fields
        if billing.name_at is None:
            self._party_problem(
                billing,
                "missing-segment",
                billing.where,
                f"billing provider HL {billing.hl_id[:12]} has no NM1*85 (2010AA)",
                loop="2000A",
            )
        elif f["qualifier"] != "XX" or not self._values.npi(f["npi"]):
            self._party_problem(
                billing,
                "bad-npi",
                billing.name_at,
                "NM108/NM109 of 2010AA must be XX and a valid NPI",
                loop="2010AA",
                element=9,
            )
        if billing.problems:
            billing.bad = True
            return None
        billing.built = BillingProvider(
            f["npi"],
            f["name"],
            f["entity"],
            f.get("taxonomy") or None,
            f.get("tax_id") or None,
            f.get("city") or None,
            f.get("state") or None,
            f.get("zip") or None,
            billing.hl_id,
        )
        return billing.built

    def _built_subscriber(self) -> Subscriber | None:
        subscriber = self._subscriber
        if subscriber is None or subscriber.bad:
            return None
        if isinstance(subscriber.built, Subscriber):
            return subscriber.built
        f = subscriber.fields
        if "responsibility" not in f:
            self._party_problem(
                subscriber,
                "missing-segment",
                subscriber.where,
                f"subscriber HL {subscriber.hl_id[:12]} has no SBR",
                loop="2000B",
            )
        if subscriber.name_at is None:
            self._party_problem(
                subscriber,
                "missing-segment",
                subscriber.where,
                f"subscriber HL {subscriber.hl_id[:12]} has no NM1*IL (2010BA)",
                loop="2010BA",
            )
        elif not f["member"]:
            self._party_problem(
                subscriber,
                "missing-element",
                subscriber.name_at,
                "NM109 of 2010BA, the member id, is empty",
                loop="2010BA",
                element=9,
            )
        if "payer_id" not in f:
            self._party_problem(
                subscriber,
                "missing-segment",
                subscriber.where,
                f"subscriber HL {subscriber.hl_id[:12]} has no payer (2010BB NM1*PR)",
                loop="2010BB",
            )
        if subscriber.problems:
            subscriber.bad = True
            return None
        subscriber.built = Subscriber(
            f["member"],
            f["responsibility"],
            f.get("relationship") or None,
            f.get("group") or None,
            f.get("filing") or None,
            subscriber.dob,
            f.get("sex") or None,
            Payer(f["payer_name"], f["payer_id"]),
            subscriber.hl_id,
        )
        return subscriber.built

    def _built_patient(self) -> Patient | None:
        patient = self._patient
        if patient is None or patient.bad:
            return None
        if isinstance(patient.built, Patient):
            return patient.built
        if patient.name_at is None:
            self._party_problem(
                patient,
                "missing-segment",
                patient.where,
                f"patient HL {patient.hl_id[:12]} has no NM1*QC (2010CA)",
                loop="2000C",
            )
        if patient.problems:
            patient.bad = True
            return None
        f = patient.fields
        patient.built = Patient(
            f.get("relationship", ""), patient.dob, f.get("sex") or None, patient.hl_id
        )
        return patient.built

    # --- claim ----------------------------------------------------------------------------

    def _clm(self, segment: str, i: int) -> None:
        self._close_claim()
        region = self._region
        batch = self._batch
        assert batch is not None
        e = segment.split(self._el)
        e += [""] * (10 - len(e))
        claim = _Claim(e[1], None, (batch, i), batch.first + i - self._st_first + 1)
        self._claim = claim
        self._region, self._loop = _CLAIM, "2300"
        party = self._patient or self._subscriber
        if party is None or region == _A:
            self._claim_problem("unexpected-segment", i, "CLM outside a subscriber or patient HL")
        else:
            party.claims += 1
        if not e[1]:
            self._claim_problem("missing-element", i, "CLM01, the claim id, is empty", element=1)
        total = self._values.decimal(e[2])
        if total is None:
            self._claim_problem(
                "bad-number" if e[2] else "missing-element",
                i,
                f"CLM02, the total charge, {e[2][:15]!r} is not a number"
                if e[2]
                else "CLM02, the total charge, is empty",
                element=2,
            )
        claim.total = total
        parts = self._composite(e[5], i, 5, "CLM05 (place:B:frequency)")
        if parts is not None:
            parts += ["", "", ""]
            pos, frequency = parts[0], parts[2]
            if len(pos) != 2 or not pos.isdigit():
                self._claim_problem(
                    "bad-code",
                    i,
                    f"CLM05-1 {pos[:8] or '(empty)'} is not a 2-digit place of service",
                    element=5,
                    component=1,
                )
            if frequency not in FREQUENCY_CODES:
                self._claim_problem(
                    "bad-code",
                    i,
                    f"CLM05-3 {frequency[:8] or '(empty)'} is not a claim frequency code"
                    " 1 (original), 7 (replacement) or 8 (void)",
                    element=5,
                    component=3,
                )
            claim.pos, claim.frequency = pos, frequency
        claim.flags = (e[6], e[7], e[8], e[9])

    def _dtp(self, segment: str, i: int) -> None:
        loop = self._loop
        if loop == "2400":
            e = segment.split(self._el)
            if len(e) > 1 and e[1] == "472":
                if self._line_date is not None:
                    self._claim_problem("too-many", i, "a second DTP*472 in one service line")
                self._line_date = self._span(e, i) or _NO_SPAN
        elif self._region == _CLAIM and loop[:2] == "23" and self._claim is not None:
            e = segment.split(self._el)
            span = self._span(e, i)
            if span is not None:
                self._claim.dates.append(ClaimDate(e[1], span))
                if e[1] == "472":
                    self._claim.service_date = span

    def _hi(self, segment: str, i: int) -> None:
        claim = self._claim
        if claim is None or self._region != _CLAIM:
            if self._region != _COB:
                self._claim_problem("unexpected-segment", i, "HI outside a claim's 2300 loop")
            return
        co = self._co
        diagnoses = claim.diagnoses
        for element, text in enumerate(segment.split(self._el)[1:], 1):
            if not text:
                continue
            if co not in text:
                self._claim_problem(
                    "bad-composite",
                    i,
                    f"HI{element:02d} is not split by the component separator {co!r}",
                    element=element,
                )
                continue
            qualifier, code = text.split(co, 2)[:2]
            if qualifier not in _DIAGNOSIS_QUALIFIERS:
                continue  # anesthesia, condition and other HI codes the checker does not use
            claim.has_hi = True
            if not code:
                self._claim_problem(
                    "missing-element", i, f"HI{element:02d}-2, the code, is empty", element=element
                )
            elif (qualifier in PRINCIPAL_QUALIFIERS) == bool(diagnoses):
                self._claim_problem(
                    "bad-code",
                    i,
                    f"HI{element:02d}-1 {qualifier}: the first diagnosis must be the principal"
                    " (ABK or BK), and only the first",
                    element=element,
                    component=1,
                )
            elif len(diagnoses) >= MAX_DIAGNOSES:
                self._claim_problem(
                    "too-many", i, f"more than {MAX_DIAGNOSES} diagnosis codes", element=element
                )
            else:
                diagnoses.append(Diagnosis(code, qualifier))

    # --- lines ------------------------------------------------------------------------------

    def _body(self, segments: list[str], start: int, count: int) -> int:
        """The hot loop: the common 2400 loop (LX, SV1, DTP*472, perhaps REF*6R, then the
        next LX, CLM, HL or SE, all valid) is read here at once; every other segment, and any
        line that is not that simple, goes to its handler."""
        handlers, default = self._table()
        get = handlers.get
        el = self._el
        tag_lx = f"LX{el}"
        p_sv1, p_dtp472, p_ref6r, ends = self._p_sv1, self._p_dtp472, self._p_ref6r, self._line_ends
        spans = self._spans
        decimals = self._values.decimals
        pointer_cache = self._pointer_cache
        co = self._co
        batch = self._batch
        assert batch is not None
        base = batch.first - self._st_first + 1  # segment i is at position base + i
        last = count - 3
        i = start
        while i < count:
            segment = segments[i]
            tag = segment[:3]
            if tag == tag_lx and i < last:
                claim = self._claim
                sv1, dtp = segments[i + 1], segments[i + 2]
                if (
                    claim is not None
                    and not self._line_open
                    and sv1[:4] == p_sv1
                    and dtp[:8] == p_dtp472
                    and len(claim.lines) < MAX_LINES
                ):
                    going = i + 3
                    following = segments[going]
                    control = None
                    if following[:7] == p_ref6r:
                        control = following.split(el)[2] or None
                        going += 1
                        following = segments[going] if going < count else ""
                    span = spans.get(dtp) or self._dtp472(dtp)
                    e = sv1.split(el)
                    if following[:3] in ends and span is not None and len(e) == 8:
                        composite = e[1]
                        parts = composite.split(co) if co in composite else None
                        charge = decimals.get(e[2]) or self._values.decimal(e[2])
                        units = decimals.get(e[4]) or self._values.decimal(e[4])
                        basis, pos = e[3], e[5]
                        pointers = pointer_cache.get(e[7])
                        if (
                            parts is not None
                            and parts[0] in PROCEDURE_QUALIFIERS
                            and parts[1]
                            and charge is not None
                            and units is not None
                            and (basis == "UN" or basis == "MJ")
                            and pointers
                            and max(pointers) <= len(claim.diagnoses)
                            and (not pos or (len(pos) == 2 and pos.isdigit()))
                            and units >= 0
                        ):
                            if self._region != _LINE:
                                _claim_parties(claim)
                                self._region, self._loop = _LINE, "2400"
                            number = segment[3:]
                            claim.lines.append(
                                _new_line(
                                    int(number) if number.isdigit() else 0,
                                    parts[0],
                                    parts[1],
                                    tuple([m for m in parts[2:6] if m]) if len(parts) > 2 else (),
                                    charge,
                                    basis,
                                    units,
                                    pos or claim.pos,
                                    pointers,
                                    span,
                                    claim.rendering_npi,
                                    claim.facility,
                                    control,
                                    base + i + 1,
                                )
                            )
                            i = going
                            continue
            handler = get(tag, default)
            if handler is None:
                i += 1
                continue
            going_to = handler(segment, i)
            if going_to is None:
                i += 1
            elif going_to < 0:
                return -going_to - 1
            else:
                i = going_to
        return count

    def _lx(self, segment: str, i: int) -> None:
        claim = self._claim
        if claim is None:
            self._orphan_lines(i)
            return
        if self._line_open:
            self._close_line()
        elif self._region != _LINE:
            _claim_parties(claim)  # the 2310 loops are read: lines take their NPI and facility
        self._reset_line()
        self._region, self._loop = _LINE, "2400"
        self._line_open = True
        self._line_number = segment[3:] if segment[2:3] == self._el else ""
        self._line_at = self._at(i)

    def _dtp472(self, segment: str) -> DateSpan | None:
        """A DTP*472 segment's date or range, kept by its text; None when it is not valid."""
        e = segment.split(self._el)
        if len(e) != 4:
            return None
        dates = self._values.date
        if e[2] == "D8":
            start = end = dates(e[3])
        elif e[2] == "RD8":
            first, _, last = e[3].partition("-")
            start, end = dates(first), dates(last)
        else:
            return None
        if start is None or end is None or end < start:
            return None
        if len(self._spans) >= 4096:
            self._spans.clear()
        span = self._spans[segment] = DateSpan(start, end)
        return span

    def _orphan_lines(self, i: int) -> None:
        """LX with no claim open: the CLM is missing; skip its lines, report once."""
        if self._region == _ORPHAN:
            return
        self._region = _ORPHAN
        last = self._last_hl
        problem = self._problem(
            "missing-segment",
            i,
            "service lines (LX) without a claim: the CLM is missing",
            loop="2300",
            severity=Severity.CLAIM,
        )
        if last is not None:
            last.reported = True
        self._reject(
            None, None, problem.segment_position, [*(last.problems if last else []), problem]
        )

    def _sv1(self, segment: str, i: int) -> None:
        if not self._line_open or self._loop != "2400" or self._line_sv1_at is not None:
            if self._region != _ORPHAN:
                self._claim_problem("unexpected-segment", i, "SV1 not right after its LX")
            return
        claim = self._claim
        assert claim is not None
        batch = self._batch
        assert batch is not None
        self._line_sv1_at = (batch, i)
        e = segment.split(self._el)
        values = self._sv1_values(e, claim, batch.first + i - self._st_first + 1)
        self._line_values = values or self._sv1_checked(e, i, claim)

    def _sv1_values(self, e: list[str], claim: _Claim, position: int) -> _LineValues | None:
        """SV1's elements when all is well; None when anything needs a closer look."""
        if len(e) < 8:
            return None
        composite = e[1]
        co = self._co
        if co not in composite:
            return None
        parts = composite.split(co)
        qualifier, code = parts[0], parts[1]
        values = self._values
        charge = values.decimal(e[2])
        units = values.decimal(e[4])
        basis = e[3]
        pos = e[5]
        pointers = self._pointer_cache.get(e[7])
        if (
            qualifier not in PROCEDURE_QUALIFIERS
            or not code
            or charge is None
            or units is None
            or units < 0
            or (basis != "UN" and basis != "MJ")
            or (pos and (len(pos) != 2 or not pos.isdigit()))
            or not pointers
            or max(pointers) > len(claim.diagnoses)
        ):
            return None
        modifiers = tuple([m for m in parts[2:6] if m]) if len(parts) > 2 else ()
        return (
            qualifier,
            code,
            modifiers,
            charge,
            basis,
            units,
            pos or claim.pos,
            pointers,
            position,
        )

    def _sv1_checked(self, e: list[str], i: int, claim: _Claim) -> _LineValues | None:
        """SV1 off the fast path: find and report what is wrong, element by element."""
        values = self._values
        ok = True
        parts = self._composite(e[1], i, 1, "SV101 (qualifier:procedure:modifiers)")
        if parts is None:
            ok = False
        else:
            parts += ["", ""]
            if parts[0] not in PROCEDURE_QUALIFIERS:
                ok = self._claim_problem(
                    "bad-code",
                    i,
                    f"SV101-1 {parts[0][:8] or '(empty)'} is not HC, ER, IV or WK",
                    element=1,
                    component=1,
                )
            if not parts[1]:
                ok = self._claim_problem(
                    "missing-element",
                    i,
                    "SV101-2, the procedure code, is empty",
                    element=1,
                    component=2,
                )
        charge = values.decimal(e[2])
        if charge is None:
            ok = self._claim_problem(
                "bad-number" if e[2] else "missing-element",
                i,
                f"SV102, the line charge, {e[2][:15]!r} is not a number"
                if e[2]
                else "SV102, the line charge, is empty",
                element=2,
            )
        if e[3] not in ("UN", "MJ"):
            ok = self._claim_problem(
                "bad-code",
                i,
                f"SV103 {e[3][:8] or '(empty)'} is not UN (units) or MJ (minutes)",
                element=3,
            )
        units = values.decimal(e[4])
        if units is None or units < 0:
            ok = self._claim_problem(
                "bad-number" if e[4] else "missing-element",
                i,
                f"SV104, the units, {e[4][:15]!r} is not a number of units"
                if e[4]
                else "SV104, the units, is empty",
                element=4,
            )
        if e[5] and (len(e[5]) != 2 or not e[5].isdigit()):
            ok = self._claim_problem(
                "bad-code", i, f"SV105 {e[5][:8]} is not a 2-digit place of service", element=5
            )
        pointers = self._pointers(e[7], i, len(claim.diagnoses))
        if not ok or parts is None or charge is None or units is None or pointers is None:
            return None
        batch = self._batch
        assert batch is not None
        return (
            parts[0],
            parts[1],
            tuple(m for m in parts[2:6] if m),
            charge,
            e[3],
            units,
            e[5] or claim.pos,
            pointers,
            batch.first + i - self._st_first + 1,
        )

    def _pointers(self, text: str, index: int, count: int) -> tuple[int, ...] | None:
        """SV107 as 1-based pointers into the claim's diagnoses; None (reported) if bad."""
        parts = self._composite(text, index, 7, "SV107 (diagnosis pointers)")
        if parts is None:
            return None
        if len(parts) > 4 or not all(p.isdigit() for p in parts):
            self._claim_problem(
                "bad-code", index, "SV107 must be one to four diagnosis pointers 1-12", element=7
            )
            return None
        pointers = tuple(int(p) for p in parts)
        if len(self._pointer_cache) < 4096:
            self._pointer_cache[text] = pointers
        for component, pointer in enumerate(pointers, 1):
            if not 1 <= pointer <= count:
                self._claim_problem(
                    "bad-pointer",
                    index,
                    f"SV107 points to diagnosis {pointer}; the claim has {count}",
                    element=7,
                    component=component,
                )
                return None
        return pointers

    def _skip_loop(self, segment: str, i: int) -> None:
        """SVD (2430), LQ (2440), LIN (2410): the line's sub-loops we pass over."""
        if self._region == _LINE:
            first = segment[:3]
            self._loop = "2430" if first == "SVD" else "2410" if first == "LIN" else "2440"

    def _close_line(self) -> None:
        """Finish the open 2400 loop into a ServiceLine on the open claim."""
        self._line_open = False
        claim = self._claim
        assert claim is not None
        if self._line_sv1_at is None:
            assert self._line_at is not None
            batch, at = self._line_at
            self._claim_problem(
                "missing-segment",
                at,
                f"service line {self._line_number[:6] or '?'} has no SV1",
                loop="2400",
                batch=batch,
            )
            return
        span = self._line_date or claim.service_date
        if span is None:
            batch, at = self._line_sv1_at
            self._claim_problem(
                "missing-segment",
                at,
                f"service line {self._line_number[:6] or '?'} has no date of service (DTP*472)",
                loop="2400",
                batch=batch,
            )
            return
        values = self._line_values
        if values is None or span is _NO_SPAN:
            return
        if len(claim.lines) >= MAX_LINES:
            assert self._line_at is not None
            batch, at = self._line_at
            if len(claim.lines) == MAX_LINES:
                self._claim_problem(
                    "too-many", at, f"more than {MAX_LINES} service lines", loop="2400", batch=batch
                )
            return
        qualifier, hcpcs, modifiers, charge, basis, units, pos, pointers, position = values
        facility_fields = self._line_facility
        number = self._line_number
        claim.lines.append(
            _new_line(
                int(number) if number.isdigit() else 0,
                qualifier,
                hcpcs,
                modifiers,
                charge,
                basis,
                units,
                pos,
                pointers,
                span,
                self._line_rendering or claim.rendering_npi,
                _facility(facility_fields) if facility_fields else claim.facility,
                self._line_control,
                position,
            )
        )

    def _close_claim(self) -> None:
        """Finish the open claim: check it whole, then emit a Claim837 or a RejectedClaim."""
        claim = self._claim
        if claim is None:
            return
        if self._line_open:
            self._close_line()
        self._claim = None
        self._reset_line()
        _claim_parties(claim)
        batch, at = claim.where
        if not claim.has_hi:
            claim.problems.append(
                self._problem(
                    "missing-segment",
                    at,
                    "the claim has no diagnosis (HI with ABK or BK)",
                    loop="2300",
                    severity=Severity.CLAIM,
                    batch=batch,
                )
            )
        if not claim.lines and not claim.problems:
            claim.problems.append(
                self._problem(
                    "missing-segment",
                    at,
                    "the claim has no service line (LX/SV1)",
                    loop="2300",
                    severity=Severity.CLAIM,
                    batch=batch,
                )
            )
        if not claim.problems and claim.total is not None:
            total = sum([line.charge for line in claim.lines], Decimal(0))
            if total != claim.total:
                claim.problems.append(
                    self._problem(
                        "charge-mismatch",
                        at,
                        f"CLM02 {claim.total} is not the sum of the lines' SV102 ({total})",
                        element=2,
                        loop="2300",
                        severity=Severity.CLAIM,
                        batch=batch,
                    )
                )
        billing = self._built_billing()
        subscriber = self._built_subscriber()
        patient = self._built_patient()
        transaction = self._txn
        if (
            claim.problems
            or billing is None
            or subscriber is None
            or transaction is None
            or (self._patient is not None and patient is None)
        ):
            self._reject_claim(claim)
            return
        assert claim.total is not None
        flags = claim.flags
        self.claims_read += 1
        self._emit(
            _new_claim(
                claim.claim_id,
                claim.total,
                claim.pos,
                claim.frequency,
                flags[0] == "Y",
                flags[1],
                flags[2],
                flags[3],
                tuple(claim.diagnoses),
                tuple(claim.dates),
                claim.prior_authorization,
                claim.payer_claim_number,
                claim.rendering,
                claim.facility,
                tuple(claim.lines),
                billing,
                subscriber,
                patient,
                transaction,
                claim.segment,
            )
        )

    def _reject_claim(self, claim: _Claim) -> None:
        chain = [
            problem
            for party in (self._billing, self._subscriber, self._patient)
            if party is not None
            for problem in party.problems
        ]
        problems = [*chain, *claim.problems]
        if not problems:
            batch, at = claim.where
            problems.append(
                self._problem(
                    "missing-segment",
                    at,
                    "the claim has no billing provider or subscriber HL above it",
                    loop="2300",
                    severity=Severity.CLAIM,
                    batch=batch,
                )
            )
        claim_id = claim.claim_id or None
        if claim_id is not None:
            problems = [
                p
                if p.claim_id or p.severity is not Severity.CLAIM
                else replace(p, claim_id=claim_id)
                for p in problems
            ]
        self._reject(claim_id, claim.total, claim.segment, problems)


_new_line = positional_maker(ServiceLine)
_new_claim = positional_maker(Claim837)
_NO_SPAN = DateSpan(date.min, date.min)  # a DTP*472 that was there but could not be read


def _name(e: list[str]) -> str:
    """NM103 (organisation or last name), with NM104 (first name) for a person."""
    return f"{e[3]}, {e[4]}" if e[2] == "1" and e[4] else e[3]


def _claim_parties(claim: _Claim) -> None:
    """Build the claim's rendering provider and service facility from their 2310 loops."""
    if claim.rendering_fields is not None and claim.rendering is None:
        npi, entity, taxonomy = claim.rendering_fields
        claim.rendering = ProviderRef(npi or None, entity, taxonomy or None)
        claim.rendering_npi = npi or None
    if claim.facility_fields is not None and claim.facility is None:
        claim.facility = _facility(claim.facility_fields)


def _facility(fields: list[str]) -> Facility:
    name, npi, city, state, zip_code = fields
    return Facility(name, npi or None, city or None, state or None, zip_code or None)


def read_837p(source: Source, *, chunk_size: int = 1 << 20) -> Reader837:
    """A reader over the 837P claims in `source` (a path, bytes, or a binary stream).

    Iterate it for `Claim837` and `RejectedClaim` items in file order; afterwards `problems`
    holds the file's and the envelope's problems, `claims_read` and `claims_rejected` the
    counts. Reading streams: memory does not grow with the file."""
    return Reader837(source, chunk_size=chunk_size)

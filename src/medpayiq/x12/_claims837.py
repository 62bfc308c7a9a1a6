"""837P segments of a claim: CLM, DTP, HI; the service lines read segment by segment (the
ones the reader's fast path leaves: 2420 loops, problems); and closing a claim into a
`Claim837` or a `RejectedClaim`."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Final

from medpayiq.x12 import _parties837 as parties
from medpayiq.x12._checks837 import (
    MAX_LINES,
    Issue,
    parse_clm05,
    parse_hi,
    parse_service,
    parse_span,
    pointer_issue,
    service_issues,
)
from medpayiq.x12._compiled import mypyc_attr
from medpayiq.x12._model import ClaimDate
from medpayiq.x12._problems import Severity, X12Problem
from medpayiq.x12._segments837 import PartySegments
from medpayiq.x12._state837 import (
    IN_A,
    IN_CLAIM,
    IN_COB,
    IN_LINE,
    IN_ORPHAN,
    UNREADABLE,
    ClaimDraft,
    facility_of,
    facility_ref,
    new_claim,
    new_line,
    provider_ref,
)
from medpayiq.x12._values import CACHE_LIMIT

_ZERO: Final = Decimal(0)


@mypyc_attr(allow_interpreted_subclasses=True)  # as Reader837 (compiled bases must)
class ClaimSegments(PartySegments):
    """Handlers of CLM, DTP, HI, LX, SV1 and the line's sub-loops; closing lines and claims."""

    def _clm(self, segment: str, i: int) -> int:
        if self._claim is not None:
            self._close_claim()
        region = self._region
        batch = self._batch
        assert batch is not None
        # CLM03 to CLM09 (place, frequency, flags) come back claim after claim: they are read
        # once per text; only the claim id and the total are split off every CLM
        head = segment.split(self._el, 3)
        if len(head) == 4:
            _, claim_id, text, rest = head
            tail = self._clm_tails.get(rest)
            if tail is None:
                tail = self._clm_tail(segment)
                if len(self._clm_tails) >= CACHE_LIMIT:
                    self._clm_tails.clear()
                self._clm_tails[rest] = tail
        else:
            head += ["", ""]
            claim_id, text = head[1], head[2]
            tail = self._clm_tail(segment)
        claim = ClaimDraft(claim_id, (batch, i), batch.first + i - self._st_first + 1)
        self._claim = claim
        self._region, self._loop = IN_CLAIM, "2300"
        party = self._patient or self._subscriber
        if party is None or region == IN_A:
            self._claim_problem("unexpected-segment", i, "CLM outside a subscriber or patient HL")
        else:
            party.claims += 1
        if not claim_id:
            self._claim_problem("missing-element", i, "CLM01, the claim id, is empty", element=1)
        total = self._values.decimals.get(text) or self._values.decimal(text)
        if total is None:
            self._claim_problem(
                "bad-number" if text else "missing-element",
                i,
                f"CLM02, the total charge, {text[:15]!r} is not a number"
                if text
                else "CLM02, the total charge, is empty",
                element=2,
            )
        claim.total = total
        claim.pos, claim.frequency, issues, claim.flags = tail
        if issues:
            self._issues(issues, i)
        return self._claim_head(batch.segments, i + 1)

    def _clm_tail(self, segment: str) -> tuple[str, str, list[Issue], tuple[str, str, str, str]]:
        """CLM05's place of service and frequency code (and what is wrong with them), and
        CLM06 to CLM09."""
        e = segment.split(self._el)
        if len(e) < 10:
            e += [""] * (10 - len(e))
        pos, frequency, issues = parse_clm05(e[5], self._co)
        return pos, frequency, issues, (e[6], e[7], e[8], e[9])

    def _claim_head(self, segments: list[str], j: int) -> int:
        """The segments after a CLM as most files write them (its DTPs and REFs, HI, the
        rendering provider's NM1*82 and PRV, the facility's NM1*77, N3, N4), handed to their
        handlers without the dispatch (which would pick the same ones). Returns the index of
        the first segment left to the dispatch."""
        count = len(segments)
        while j < count:  # 2300 DTP and REF come before HI
            tag = segments[j][:3]
            if tag == "DTP":
                self._dtp(segments[j], j)
            elif tag == "REF":
                self._ref(segments[j], j)
            else:
                break
            j += 1
        if j < count and segments[j][:3] == self._p_hi:
            self._hi(segments[j], j)
            j += 1
        if j + 1 < count and segments[j][:7] == self._p_rendering:
            if segments[j + 1][:4] == self._p_prv:
                j = self._rendering_pair(segments[j], segments[j + 1], j)
            else:
                self._nm1(segments[j], j)
                j += 1
        if j + 2 < count and segments[j][:7] == self._p_facility:
            j = self._facility_loop(segments, j)
        return j

    def _rendering_pair(self, nm1: str, prv: str, j: int) -> int:
        """2310B as NM1*82 then PRV: the provider is kept by the two texts, as a claim after
        claim names the same few; read through the handlers the first time (or every time,
        when they find a problem). Returns the index after the PRV."""
        claim = self._claim
        assert claim is not None
        rendering = self._renderings.get((nm1, prv))
        if rendering is not None:
            # what the handlers and `parties_read` would make of the same texts
            claim.rendering_fields = [
                rendering.npi or "",
                rendering.entity_type,
                rendering.taxonomy or "",
            ]
            claim.rendering, claim.rendering_npi = rendering, rendering.npi
            self._loop = "2310B"
            return j + 2
        problems = len(claim.problems)
        self._nm1(nm1, j)
        self._prv(prv, j + 1)
        fields = claim.rendering_fields
        if self._loop == "2310B" and fields is not None and len(claim.problems) == problems:
            rendering = claim.rendering = provider_ref(fields, self._interned)
            claim.rendering_npi = rendering.npi
            if len(self._renderings) >= CACHE_LIMIT:
                self._renderings.clear()
            self._renderings[nm1, prv] = rendering
        return j + 2

    def _facility_loop(self, segments: list[str], j: int) -> int:
        """2310C as NM1*77, N3, N4: the facility kept by the NM1 and N4 texts (N3, the street,
        is not read), like `_rendering_pair`. Returns the index of the segment after them, or
        after the NM1 alone when the N3 and N4 are not right behind it."""
        claim = self._claim
        assert claim is not None
        nm1, n3, n4 = segments[j], segments[j + 1], segments[j + 2]
        if n3[:3] != self._p_n3 or n4[:3] != self._p_n4:
            self._nm1(nm1, j)
            return j + 1
        facility = self._facilities.get((nm1, n4))
        if facility is not None:
            claim.facility_fields = [
                facility.name,
                facility.npi or "",
                facility.city or "",
                facility.state or "",
                facility.zip or "",
            ]
            claim.facility = facility
            self._loop = "2310C"
            return j + 3
        problems = len(claim.problems)
        self._nm1(nm1, j)
        self._n4(n4, j + 2)
        fields = claim.facility_fields
        if self._loop == "2310C" and fields is not None and len(claim.problems) == problems:
            facility = claim.facility = facility_ref(fields, self._interned)
            if len(self._facilities) >= CACHE_LIMIT:
                self._facilities.clear()
            self._facilities[nm1, n4] = facility
        return j + 3

    def _dtp(self, segment: str, i: int) -> None:
        loop = self._loop
        if loop == "2400":
            e = segment.split(self._el)
            if len(e) > 1 and e[1] == "472":
                if self._line_date is not None:
                    self._claim_problem("too-many", i, "a second DTP*472 in one service line")
                span, issue = parse_span(e, self._values)
                if issue:
                    self._issues([issue], i)
                self._line_date = span or UNREADABLE
        elif self._region == IN_CLAIM and loop[:2] == "23" and self._claim is not None:
            dated = self._claim_dates.get(segment)
            if dated is None:
                e = segment.split(self._el)
                span, issue = parse_span(e, self._values)
                if issue or span is None:
                    self._issues([issue] if issue else [], i)
                    return
                dated = ClaimDate(e[1], span)
                if len(self._claim_dates) >= CACHE_LIMIT:
                    self._claim_dates.clear()
                self._claim_dates[segment] = dated
            self._claim.dates += (dated,)
            if dated.qualifier == "472":
                self._claim.service_date = dated.span

    def _hi(self, segment: str, i: int) -> None:
        claim = self._claim
        if claim is None or self._region != IN_CLAIM:
            if claim is not None and self._region != IN_COB:
                self._claim_problem("unexpected-segment", i, "HI after the claim's 2300 loop")
            return  # with no claim open, the missing CLM is what gets reported
        first = not claim.diagnoses
        read = self._his.get(segment) if first else None
        if read is None:
            found, issues = parse_hi(
                segment.split(self._el)[1:], self._co, len(claim.diagnoses), self._known
            )
            unreadable = bool(issues) and any(code == "bad-composite" for code, *_ in issues)
            read = (found, issues, unreadable)
            if first:  # the claim's first HI reads the same whatever the claim: keep it
                if len(self._his) >= CACHE_LIMIT:
                    self._his.clear()
                self._his[segment] = read
        found, issues, unreadable = read
        if found or issues:
            claim.has_hi = True
            claim.diagnoses += found
            claim.hi_unreadable = claim.hi_unreadable or unreadable
        if issues:
            self._issues(issues, i)

    # --- lines (the segment-by-segment path) ----------------------------------------------

    def _lx(self, segment: str, i: int) -> None:
        claim = self._claim
        if claim is None:
            self._orphan_lines(i)
            return
        if self._line_open:
            self._close_line()
        elif self._region != IN_LINE:
            claim.parties_read(self._interned)
        self._reset_line()
        self._region, self._loop = IN_LINE, "2400"
        self._line_open = True
        self._line_number = segment[3:] if segment[2:3] == self._el else ""
        self._line_at = self._at(i)

    def _orphan_lines(self, i: int) -> None:
        """LX with no claim open: the CLM is missing; pass over its lines, report once."""
        if self._region == IN_ORPHAN:
            return
        self._region = IN_ORPHAN
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
            if self._region != IN_ORPHAN:
                self._claim_problem("unexpected-segment", i, "SV1 not right after its LX")
            return
        claim = self._claim
        assert claim is not None
        self._line_sv1_at = self._at(i)
        e = segment.split(self._el)
        service = parse_service(e, self._co, self._values)
        if service is None:
            self._issues(service_issues(e, self._co, self._values), i, "2400")
            return
        issue = (
            None
            if claim.hi_unreadable
            else pointer_issue(service.diagnosis_pointers, len(claim.diagnoses))
        )
        if issue:
            self._issues([issue], i, "2400")
            return
        self._line_service = service

    def _sub_loop(self, segment: str, i: int) -> None:
        """SVD (2430), LQ (2440), LIN (2410): the line's sub-loops we pass over."""
        if self._region == IN_LINE:
            first = segment[:3]
            self._loop = "2430" if first == "SVD" else "2410" if first == "LIN" else "2440"

    def _close_line(self) -> None:
        """Finish a line read segment by segment into a ServiceLine on the open claim."""
        self._line_open = False
        claim = self._claim
        assert claim is not None and self._line_at is not None
        number = self._line_number
        if self._line_sv1_at is None:
            batch, at = self._line_at
            self._claim_problem(
                "missing-segment",
                at,
                f"service line {number[:6] or '?'} has no SV1",
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
                f"service line {number[:6] or '?'} has no date of service (DTP*472)",
                loop="2400",
                batch=batch,
            )
            return
        service = self._line_service
        if service is None or span is UNREADABLE:
            return
        if len(claim.lines) >= MAX_LINES:
            if len(claim.lines) == MAX_LINES:
                batch, at = self._line_at
                self._claim_problem(
                    "too-many", at, f"more than {MAX_LINES} service lines", loop="2400", batch=batch
                )
            return
        batch, at = self._line_sv1_at
        facility = self._line_facility
        claim.lines.append(
            new_line(
                int(number) if number.isdigit() else 0,
                service,
                service.place_of_service or claim.pos,
                span,
                self._line_rendering or claim.rendering_npi,
                facility_of(facility) if facility else claim.facility,
                self._line_control,
                batch.first + at - self._st_first + 1,
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
        if self._line_at is not None:
            self._reset_line()  # a line was read segment by segment
        if self._region != IN_LINE and (
            claim.rendering_fields is not None or claim.facility_fields is not None
        ):  # in the lines, the claim's 2310 loops were read at its first LX
            claim.parties_read(self._interned)
        problems = claim.problems
        if not claim.has_hi:
            problems.append(
                self._claim_level("the claim has no diagnosis (HI with ABK or BK)", claim)
            )
        lines = claim.lines
        if not lines and not problems:
            problems.append(self._claim_level("the claim has no service line (LX/SV1)", claim))
        if not problems and claim.total is not None:
            total = _ZERO
            for line in lines:
                total += line.service.charge
            if total != claim.total:
                problems.append(
                    self._claim_level(
                        f"CLM02 {claim.total} is not the sum of the lines' SV102 ({total})",
                        claim,
                        code="charge-mismatch",
                        element=2,
                    )
                )
        # each party's record is built at its first claim and shared by the ones after it
        billing = subscriber = patient = None
        party = self._billing
        if party is not None:
            billing = party.built or parties.billing_provider(
                party, self._party_problem, self._values.npi
            )
        party = self._subscriber
        if party is not None:
            subscriber = party.built or parties.subscriber(party, self._party_problem)
        party = self._patient
        if party is not None:
            patient = party.built or parties.patient(party, self._party_problem)
        transaction = self._txn
        if (
            problems
            or billing is None
            or subscriber is None
            or transaction is None
            or claim.total is None
            or (self._patient is not None and patient is None)
        ):
            self._reject_claim(claim)
            return
        flags = claim.flags
        self.claims_read += 1
        self._out.append(
            new_claim(
                claim.claim_id,
                claim.total,
                claim.pos,
                claim.frequency,
                flags[0] == "Y",
                flags[1],
                flags[2],
                flags[3],
                tuple(claim.diagnoses),
                claim.dates,
                claim.prior_authorization,
                claim.payer_claim_number,
                claim.rendering,
                claim.facility,
                tuple(lines),
                billing,
                subscriber,
                patient,
                transaction,
                claim.segment,
            )
        )

    def _claim_level(
        self,
        message: str,
        claim: ClaimDraft,
        *,
        code: str = "missing-segment",
        element: int | None = None,
    ) -> X12Problem:
        batch, at = claim.where
        return self._problem(
            code, at, message, element=element, loop="2300", severity=Severity.CLAIM, batch=batch
        )

    def _reject_claim(self, claim: ClaimDraft) -> None:
        chain = [
            problem
            for party in (self._billing, self._subscriber, self._patient)
            if party is not None
            for problem in party.problems
        ]
        problems = [*chain, *claim.problems]
        if not problems:
            problems.append(
                self._claim_level(
                    "the claim has no billing provider or subscriber HL above it", claim
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

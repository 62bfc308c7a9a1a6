"""837P segments that name the parties: NM1 (and the loop it opens), N4, REF, PRV, SBR, PAT
and DMG. Which loop an NM1 opens depends on where the reader stands: NM1*82 is the claim's
rendering provider in 2310B, a line's in 2420A, another payer's in 2330D (passed over)."""

from __future__ import annotations

from medpayiq.x12._compiled import mypyc_attr
from medpayiq.x12._model import Payer
from medpayiq.x12._state837 import (
    IN_B,
    IN_C,
    IN_CLAIM,
    IN_COB,
    IN_LINE,
    NM1_LOOPS,
    REGION_LOOP,
    ReaderState,
)
from medpayiq.x12._values import CACHE_LIMIT, date8


@mypyc_attr(allow_interpreted_subclasses=True)  # as Reader837 (compiled bases must)
class PartySegments(ReaderState):
    """Handlers of NM1, N4, REF, PRV, SBR, PAT, DMG."""

    def _nm1(self, segment: str, i: int) -> None:
        region = self._region
        if region >= IN_COB:
            return  # other subscriber loops, lines without a claim: nothing to read
        if region >= IN_CLAIM or segment[:7] == self._p_payer:
            e = self._split10(segment)  # a provider or payer named claim after claim
        else:
            e = segment.split(self._el)
            if len(e) < 10:
                e += [""] * (10 - len(e))
        loop = NM1_LOOPS[region].get(e[1])
        if loop is None:
            self._loop = f"{REGION_LOOP.get(region, '2400')}/NM1"  # a loop we pass over
            return
        self._loop = loop
        if loop in ("2310B", "2420A", "2310C", "2420C"):  # the most common first
            self._claim_party(loop, e, i)
        elif loop == "2010BA":
            if self._subscriber is not None:
                self._subscriber.member = e[9]
                self._subscriber.name_at = self._at(i)
        elif loop == "2010BB":
            if self._subscriber is not None:
                key = (e[3], e[9])
                payer = self._payers.get(key)
                if payer is None:
                    if len(self._payers) >= CACHE_LIMIT:
                        self._payers.clear()
                    payer = self._payers[key] = Payer(*key)
                self._subscriber.payer = payer
        elif loop == "2010AA":
            billing = self._billing
            if billing is not None:
                billing.npi, billing.qualifier, billing.entity = e[9], e[8], e[2]
                billing.name = f"{e[3]}, {e[4]}" if e[2] == "1" and e[4] else e[3]
                billing.name_at = self._at(i)
        elif loop == "2010CA":
            if self._patient is not None:
                self._patient.name_at = self._at(i)
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
        # a record the claim head kept (`_rendering_pair`, `_facility_loop`) no longer holds
        if loop == "2310B":
            claim.rendering_fields = [npi, e[2], ""]
            claim.rendering = None
        elif loop == "2420A":
            self._line_rendering = npi or None
        elif loop == "2310C":
            claim.facility_fields = [e[3], npi, "", "", ""]
            claim.facility = None
        else:
            self._line_facility = [e[3], npi, "", "", ""]

    def _n4(self, segment: str, i: int) -> None:
        loop = self._loop
        if loop == "2010AA":
            billing = self._billing
            if billing is not None:
                e = [*segment.split(self._el), "", "", ""]
                billing.city, billing.state, billing.zip = e[1], e[2], e[3]
        elif loop in ("2310C", "2420C"):
            if loop == "2420C":
                fields = self._line_facility
            elif self._claim is not None:
                fields = self._claim.facility_fields
                self._claim.facility = None  # read again from the fields at the first LX
            else:
                fields = None
            if fields is not None:
                fields[2:5] = [*segment.split(self._el), "", "", ""][1:4]

    def _ref(self, segment: str, i: int) -> None:
        loop = self._loop
        if loop == "2400":
            e = [*segment.split(self._el), "", ""]
            if e[1] == "6R":
                self._line_control = e[2] or None
        elif loop == "2300":
            claim = self._claim
            if claim is None:
                return
            e = [*segment.split(self._el), "", ""]
            if e[1] == "G1":
                claim.prior_authorization = e[2] or None
            elif e[1] == "F8":
                claim.payer_claim_number = e[2] or None
        elif loop == "2010AA":
            e = [*segment.split(self._el), "", ""]
            if self._billing is not None and e[1] in ("EI", "SY"):
                self._billing.tax_id = e[2]

    def _prv(self, segment: str, i: int) -> None:
        loop = self._loop
        if loop == "2000A" and self._billing is not None:
            self._billing.taxonomy = self._split10(segment)[3]
        elif loop == "2310B" and self._claim and self._claim.rendering_fields:
            self._claim.rendering_fields[2] = self._split10(segment)[3]
            self._claim.rendering = None  # read again from the fields at the first LX

    def _sbr(self, segment: str, i: int) -> None:
        region = self._region
        if region == IN_B:
            subscriber = self._subscriber
            if subscriber is not None:
                e = self._split10(segment)
                subscriber.responsibility = e[1]
                subscriber.relationship, subscriber.group, subscriber.filing = e[2], e[3], e[9]
        elif region in (IN_CLAIM, IN_COB):
            self._region, self._loop = IN_COB, "2320"  # other subscriber: passed over up to LX
        elif region == IN_LINE:
            self._claim_problem(
                "unexpected-segment",
                i,
                "SBR (2320 other subscriber) after the service lines: it must come before LX",
            )

    def _pat(self, segment: str, i: int) -> None:
        if self._region == IN_C and self._patient is not None:
            self._patient.relationship = [*segment.split(self._el), ""][1]

    def _dmg(self, segment: str, i: int) -> None:
        loop = self._loop
        party = (
            self._subscriber if loop == "2010BA" else self._patient if loop == "2010CA" else None
        )
        if party is None:
            return
        e = segment.split(self._el)
        if len(e) < 4:
            e += ["", "", ""]
        # not through the value cache: birth dates rarely repeat, a miss costs more than a parse
        day = date8(e[2]) if e[1] == "D8" else None
        if day is None:
            party.problems.append(
                self._party_problem(
                    "bad-date",
                    self._at(i),
                    "DMG02, the birth date, is not a valid CCYYMMDD date (DMG01 D8)",
                    loop,
                    2,
                )
            )
        party.dob = day
        party.sex = e[3]

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

Speed: most of a file is service lines, and most lines are LX, SV1, DTP*472 (perhaps REF*6R)
written alike. `_body` reads such a line at once, with the SV1 and DTP texts looked up in
caches of what they were read as; any other line goes segment by segment through the
handlers, which also say what is wrong.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import ClassVar

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
from medpayiq.x12._envelope import Handler, Source, TransactionHeader, TransactionReader
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
    positional_maker,
)
from medpayiq.x12._parties837 import Party, Where
from medpayiq.x12._problems import Severity, X12Problem
from medpayiq.x12._tokens import Delimiters, SegmentBatch
from medpayiq.x12._values import ValueCache, quoted_id

VERSIONS_837P = ("005010X222A1", "005010X222A2", "005010X222")
SEGMENTS_837P = frozenset(
    [
        "BHT",
        "NM1",
        "PER",
        "HL",
        "PRV",
        "N3",
        "N4",
        "REF",
        "SBR",
        "PAT",
        "DMG",
        "CLM",
        "DTP",
        "PWK",
        "CN1",
        "AMT",
        "K3",
        "NTE",
        "CR1",
        "CR2",
        "CRC",
        "HI",
        "HCP",
        "LX",
        "SV1",
        "SV5",
        "CR3",
        "QTY",
        "MEA",
        "PS1",
        "LIN",
        "CTP",
        "SVD",
        "CAS",
        "LQ",
        "FRM",
        "OI",
        "MOA",
    ]
)
_CACHE_LIMIT = 1 << 14

# Regions: where in the hierarchy the reader stands, which decides what an NM1 opens.
_HEADER, _A, _B, _C, _CLAIM, _LINE, _COB, _ORPHAN = range(8)
_NM1_LOOPS: list[dict[str, str]] = [  # by region: NM101 entity code -> the loop it opens
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
_REGION_LOOP = {_HEADER: "1000", _A: "2000A", _B: "2000B", _C: "2000C", _CLAIM: "2300"}
# Segments of a 2400 loop (and its 2410/2430/2440 sub-loops) that the model does not carry
_LINE_SKIPS = tuple(
    [
        "NTE",
        "LIN",
        "CTP",
        "PS1",
        "K3",
        "HCP",
        "AMT",
        "QTY",
        "MEA",
        "CN1",
        "PWK",
        "CR1",
        "CR3",
        "CRC",
        "SV5",
        "LQ",
        "FRM",
        "SVD",
        "CAS",
    ]
)
_BAD_SERVICE = (None, 0)  # cached: this SV1 text is not for the fast path

_new_line = positional_maker(ServiceLine)
_new_claim = positional_maker(Claim837)
_UNREADABLE = DateSpan(date.min, date.min)  # a DTP*472 that was there but could not be read


class _Claim:
    """A 2300 loop being read. Fields not yet read fall back to the class's defaults."""

    total: Decimal | None = None
    pos = frequency = ""
    flags: tuple[str, str, str, str] = ("", "", "", "")
    has_hi = False
    hi_unreadable = False  # an HI composite could not be read: pointers cannot be checked
    dates: tuple[ClaimDate, ...] = ()
    service_date: DateSpan | None = None
    prior_authorization: str | None = None
    payer_claim_number: str | None = None
    rendering_fields: list[str] | None = None
    rendering: ProviderRef | None = None
    rendering_npi: str | None = None
    facility_fields: list[str] | None = None
    facility: Facility | None = None

    def __init__(self, claim_id: str, where: Where, segment: int) -> None:
        self.claim_id = claim_id
        self.where = where
        self.segment = segment
        self.diagnoses: list[Diagnosis] = []
        self.lines: list[ServiceLine] = []
        self.problems: list[X12Problem] = []

    def parties_read(self, interned: dict[tuple[str, ...], ProviderRef | Facility]) -> None:
        """The 2310 loops are over (the first LX): the rendering provider and service facility
        the lines inherit, shared with earlier claims that named the same (`interned`)."""
        if self.rendering_fields is not None and self.rendering is None:
            key = tuple(self.rendering_fields)
            rendering = interned.get(key)
            if not isinstance(rendering, ProviderRef):
                npi, entity, taxonomy = key
                rendering = interned[key] = ProviderRef(npi or None, entity, taxonomy or None)
            self.rendering = rendering
            self.rendering_npi = rendering.npi
        if self.facility_fields is not None and self.facility is None:
            key = ("77", *self.facility_fields)
            facility = interned.get(key)
            if not isinstance(facility, Facility):
                facility = interned[key] = _facility(self.facility_fields)
            self.facility = facility


class Reader837(TransactionReader[Claim837 | RejectedClaim]):
    """Reads 837P transactions; iterate for `Claim837` and `RejectedClaim` in file order."""

    transaction_set = "837"
    versions: ClassVar[tuple[str, ...]] = VERSIONS_837P
    segment_ids: ClassVar[frozenset[str]] = SEGMENTS_837P
    fast_lines: ClassVar[bool] = True  # False reads every line segment by segment (tests)

    def __init__(self, source: Source, *, chunk_size: int = 1 << 20) -> None:
        super().__init__(source, chunk_size=chunk_size)
        self.claims_read = 0
        self.claims_rejected = 0
        self._values = ValueCache()
        self._services: dict[str, tuple[Service | None, int]] = {}  # SV1 text -> (read, top)
        self._spans: dict[str, DateSpan] = {}  # DTP*472 text -> its date or range
        self._clm05: dict[str, tuple[str, str, list[Issue]]] = {}
        self._known: dict[str, Diagnosis] = {}  # HI composite text -> its Diagnosis
        self._his: dict[str, tuple[list[Diagnosis], list[Issue], bool]] = {}  # a first HI
        self._payers: dict[tuple[str, str], Payer] = {}
        self._interned: dict[tuple[str, ...], ProviderRef | Facility] = {}
        self._claim_dates: dict[str, ClaimDate] = {}  # 2300 DTP text -> what it reads as
        self._el, self._co = "*", ":"
        self._p_sv1 = self._p_dtp472 = self._p_ref6r = ""
        self._line_ends: frozenset[str] = frozenset()
        self._line_skips: frozenset[str] = frozenset()
        self._sub_loops: frozenset[str] = frozenset()
        self._lx_numbers: dict[str, int] = {}
        self._reset()

    def _reset(self) -> None:
        self._region = _HEADER
        self._loop = "1000"
        self._bht: list[str] | None = None
        self._bht_at: Where | None = None
        self._names: dict[str, tuple[str, str]] = {}
        self._txn: Transaction837 | None = None
        self._txn_problem: X12Problem | None = None
        self._hl_count = 0
        self._hl_sequence_reported = False
        self._billing: Party | None = None
        self._subscriber: Party | None = None
        self._patient: Party | None = None
        self._last_hl: Party | None = None
        self._claim: _Claim | None = None
        self._reset_line()

    def _reset_line(self) -> None:
        self._line_open = False
        self._line_number = ""
        self._line_at: Where | None = None
        self._line_sv1_at: Where | None = None
        self._line_service: Service | None = None
        self._line_date: DateSpan | None = None
        self._line_rendering: str | None = None
        self._line_facility: list[str] | None = None
        self._line_control: str | None = None

    # --- dispatch ---------------------------------------------------------------------------

    def _handlers(self, delimiters: Delimiters) -> dict[str, Handler | None]:
        self._el = el = delimiters.element
        self._co = delimiters.component
        self._p_sv1, self._p_dtp472, self._p_ref6r = f"SV1{el}", f"DTP{el}472{el}", f"REF{el}6R{el}"
        self._line_ends = frozenset({f"LX{el}", "CLM", f"HL{el}", f"SE{el}"})
        self._line_skips = frozenset(delimiters.key(s) for s in _LINE_SKIPS)
        self._sub_loops = frozenset(delimiters.key(s) for s in ("LIN", "SVD", "LQ"))
        self._lx_numbers = {f"LX{el}{n}": n for n in range(1, MAX_LINES + 1)}
        self._services.clear()
        self._spans.clear()
        self._clm05.clear()
        self._known.clear()
        self._his.clear()
        self._interned.clear()
        self._claim_dates.clear()
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
            key("SVD"): self._sub_loop,
            key("LQ"): self._sub_loop,
            key("LIN"): self._sub_loop,
        }

    def _body(self, segments: list[str], start: int, stop: int) -> int:
        """The hot loop. A simple 2400 loop (LX, SV1, DTP*472, perhaps REF*6R, then the next
        LX, CLM, HL or SE; everything valid) is read here at once; every other segment goes to
        its handler, and so does any line that is not that simple."""
        handlers, default = self._table()
        get = handlers.get
        tag_lx = "LX" + self._el
        _p_ref6r, ends = self._p_ref6r, self._line_ends
        services, spans, numbers = self._services, self._spans, self._lx_numbers
        batch = self._batch
        assert batch is not None
        base = batch.first - self._st_first + 1  # segment i stands at base + i in the set
        count = len(segments)
        last = count - 3 if self.fast_lines else -1
        i = start
        while i < stop:
            segment = segments[i]
            tag = segment[:3]
            if tag == tag_lx and i < last:
                claim = self._claim
                if claim is not None and not self._line_open:
                    if self._region != _LINE:  # the claim's first line: its 2310 loops are read
                        claim.parties_read(self._interned)
                        self._region, self._loop = _LINE, "2400"
                    lines = claim.lines
                    diagnoses = len(claim.diagnoses)
                    pos, rendering, facility = claim.pos, claim.rendering_npi, claim.facility
                    first = i
                    while True:  # the claim's simple lines, one after the other
                        sv1, dtp = segments[i + 1], segments[i + 2]
                        service, top = services.get(sv1) or self._service(sv1)
                        span = spans.get(dtp) or self._dtp472(dtp)
                        if service is None or span is None or top > diagnoses:
                            break
                        going = i + 3
                        following = segments[going]
                        control = None
                        if following[:3] not in ends:
                            going, control = self._line_rest(segments, going)
                            if going < 0:
                                break
                            following = segments[going]
                        if len(lines) >= MAX_LINES:
                            break
                        lines.append(
                            _new_line(
                                numbers.get(segment, 0),
                                service,
                                service.place_of_service or pos,
                                span,
                                rendering,
                                facility,
                                control,
                                base + i + 1,
                            )
                        )
                        i = going
                        if following[:3] != tag_lx or i >= last:
                            break
                        segment = following
                    if i != first:
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
        return i

    def _line_rest(self, segments: list[str], going: int) -> tuple[int, str | None]:
        """After a simple line's DTP*472: pass over what the model does not carry (NTE, a
        2410 drug loop, a 2430 adjudication ...) and take REF*6R, up to the next LX, CLM, HL or
        SE. Returns its index and the REF*6R, or (-1, None) when the line needs the slow path
        (a 2420 NM1, a second DTP*472, the end of the batch, anything else)."""
        ends, skips, p_ref6r, p_dtp472 = (
            self._line_ends,
            self._line_skips,
            self._p_ref6r,
            self._p_dtp472,
        )
        control = None
        sub_loop = False  # in 2410, 2430 or 2440, where a REF*6R is not the line's
        count = len(segments)
        while going < count:
            following = segments[going]
            tag = following[:3]
            if tag in ends:
                return going, control
            if tag in skips:
                sub_loop = sub_loop or tag in self._sub_loops
            elif tag == "REF":
                if following[:7] == p_ref6r and not sub_loop:
                    control = following.split(self._el)[2] or None
            elif tag != "DTP" or following[:8] == p_dtp472:
                return -1, None
            going += 1
        return -1, None

    def _service(self, sv1: str) -> tuple[Service | None, int]:
        """What an SV1 text reads as on the fast path (kept by its text); (None, 0) if it
        needs the slow path."""
        if sv1[:4] != self._p_sv1:
            return _BAD_SERVICE
        service = parse_service(sv1.split(self._el), self._co, self._values)
        found = (service, max(service.diagnosis_pointers)) if service else _BAD_SERVICE
        if len(self._services) >= _CACHE_LIMIT:
            self._services.clear()
        self._services[sv1] = found
        return found

    def _dtp472(self, segment: str) -> DateSpan | None:
        """A DTP*472 text's date or range (kept by its text); None if not one or not valid."""
        if segment[:8] != self._p_dtp472:
            return None
        span, _issue = parse_span(segment.split(self._el), self._values)
        if span is not None:
            if len(self._spans) >= _CACHE_LIMIT:
                self._spans.clear()
            self._spans[segment] = span
        return span

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
                    batch=claim.where[0],
                )
            )
            self._line_open = False  # its last line is cut too: nothing more to say of it
        self._close_claim()
        if closed:
            self._check_empty_hl(None)
        self._reset()

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

    # --- header -----------------------------------------------------------------------------

    def _bht_segment(self, segment: str, i: int) -> None:
        self._bht = [*segment.split(self._el), "", "", "", "", "", "", ""]
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

    # --- hierarchy --------------------------------------------------------------------------

    def _hl(self, segment: str, i: int) -> None:
        self._close_claim()
        e = segment.split(self._el)
        if len(e) < 5:
            e += ["", "", "", ""]
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
        party = Party(hl_id, level, self._at(i))
        last = self._last_hl
        if last is not None and not last.claims and not last.reported:
            self._check_empty_hl(party)
        above: Party | None = None
        if level == "20":
            self._billing, self._subscriber, self._patient = party, None, None
            self._region, self._loop = _A, "2000A"
            if parent:
                party.problems.append(
                    self._party_problem(
                        "hl-parent",
                        party.where,
                        "a billing provider HL (20) has no parent: HL02 must be empty",
                        "2000A",
                        2,
                    )
                )
        elif level == "22":
            above = self._billing
            self._subscriber, self._patient = party, None
            self._region, self._loop = _B, "2000B"
        elif level == "23":
            above = self._subscriber
            self._patient = party
            self._region, self._loop = _C, "2000C"
        else:
            self._patient = party
            self._region, self._loop = _C, "2000C"
            party.problems.append(
                self._party_problem(
                    "hl-level",
                    party.where,
                    f"HL03 {quoted_id(level)} is not 20 (billing provider), 22 (subscriber)"
                    " or 23 (patient)",
                    "2000",
                    3,
                )
            )
        if level in ("22", "23") and (not parent or above is None or parent != above.hl_id):
            what = "billing provider" if level == "22" else "subscriber"
            expected = quoted_id(above.hl_id) if above else "none"
            party.problems.append(
                self._party_problem(
                    "hl-parent",
                    party.where,
                    f"HL02 {quoted_id(parent)} is not the {what} HL in effect ({expected})",
                    self._loop,
                    2,
                )
            )
        self._last_hl = party
        if self._txn is None and self._transaction(i) is None and self._txn_problem is not None:
            party.problems.append(self._txn_problem)

    def _check_empty_hl(self, following: Party | None) -> None:
        """A subscriber or patient HL with no claim under it: its CLM is missing (unless the
        next HL is its patient)."""
        last = self._last_hl
        if last is None or last.claims or last.level == "20" or last.reported:
            return
        if following is not None and following.level == "23" and last.level == "22":
            return
        last.reported = True
        problem = self._party_problem(
            "missing-segment",
            last.where,
            f"HL {quoted_id(last.hl_id)} (level {quoted_id(last.level)}) has no claim:"
            " its CLM is missing",
            "2000C" if last.level == "23" else "2000B",
            None,
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

    # --- parties ----------------------------------------------------------------------------

    def _nm1(self, segment: str, i: int) -> None:
        region = self._region
        if region >= _COB:
            return  # other subscriber loops, lines without a claim: nothing to read
        e = segment.split(self._el)
        loop = _NM1_LOOPS[region].get(e[1] if len(e) > 1 else "")
        if loop is None:
            self._loop = f"{_REGION_LOOP.get(region, '2400')}/NM1"  # a loop we pass over
            return
        self._loop = loop
        if len(e) < 10:
            e += [""] * (10 - len(e))
        if loop == "2010BA":
            if self._subscriber is not None:
                self._subscriber.member = e[9]
                self._subscriber.name_at = self._at(i)
        elif loop == "2010BB":
            if self._subscriber is not None:
                key = (e[3], e[9])
                payer = self._payers.get(key)
                if payer is None:
                    if len(self._payers) >= _CACHE_LIMIT:
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
                e = [*segment.split(self._el), "", "", ""]
                billing.city, billing.state, billing.zip = e[1], e[2], e[3]
        elif loop in ("2310C", "2420C"):
            if loop == "2420C":
                fields = self._line_facility
            else:
                fields = self._claim.facility_fields if self._claim else None
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
            self._billing.taxonomy = [*segment.split(self._el), "", "", ""][3]
        elif loop == "2310B" and self._claim and self._claim.rendering_fields:
            self._claim.rendering_fields[2] = [*segment.split(self._el), "", "", ""][3]

    def _sbr(self, segment: str, i: int) -> None:
        region = self._region
        if region == _B:
            subscriber = self._subscriber
            if subscriber is not None:
                e = segment.split(self._el)
                if len(e) < 10:
                    e += [""] * (10 - len(e))
                subscriber.responsibility = e[1]
                subscriber.relationship, subscriber.group, subscriber.filing = e[2], e[3], e[9]
        elif region in (_CLAIM, _COB):
            self._region, self._loop = _COB, "2320"  # other subscriber: passed over up to LX
        elif region == _LINE:
            self._claim_problem(
                "unexpected-segment",
                i,
                "SBR (2320 other subscriber) after the service lines: it must come before LX",
            )

    def _pat(self, segment: str, i: int) -> None:
        if self._region == _C and self._patient is not None:
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
        day = self._values.date(e[2]) if e[1] == "D8" else None
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

    # --- claim ------------------------------------------------------------------------------

    def _clm(self, segment: str, i: int) -> None:
        self._close_claim()
        region = self._region
        batch = self._batch
        assert batch is not None
        e = segment.split(self._el)
        if len(e) < 10:
            e += [""] * (10 - len(e))
        claim = _Claim(e[1], (batch, i), batch.first + i - self._st_first + 1)
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
        clm05 = self._clm05.get(e[5])
        if clm05 is None:
            clm05 = parse_clm05(e[5], self._co)
            if len(self._clm05) < _CACHE_LIMIT:
                self._clm05[e[5]] = clm05
        claim.pos, claim.frequency, issues = clm05
        if issues:
            self._issues(issues, i)
        claim.flags = (e[6], e[7], e[8], e[9])

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
                self._line_date = span or _UNREADABLE
        elif self._region == _CLAIM and loop[:2] == "23" and self._claim is not None:
            dated = self._claim_dates.get(segment)
            if dated is None:
                e = segment.split(self._el)
                span, issue = parse_span(e, self._values)
                if issue or span is None:
                    self._issues([issue] if issue else [], i)
                    return
                dated = ClaimDate(e[1], span)
                if len(self._claim_dates) >= _CACHE_LIMIT:
                    self._claim_dates.clear()
                self._claim_dates[segment] = dated
            self._claim.dates += (dated,)
            if dated.qualifier == "472":
                self._claim.service_date = dated.span

    def _hi(self, segment: str, i: int) -> None:
        claim = self._claim
        if claim is None or self._region != _CLAIM:
            if claim is not None and self._region != _COB:
                self._claim_problem("unexpected-segment", i, "HI after the claim's 2300 loop")
            return  # with no claim open, the missing CLM is what gets reported
        first = not claim.diagnoses
        read = self._his.get(segment) if first else None
        if read is None:
            found, issues = parse_hi(
                segment.split(self._el)[1:], self._co, len(claim.diagnoses), self._known
            )
            unreadable = any(code == "bad-composite" for code, *_ in issues)
            read = (found, issues, unreadable)
            if first:  # the claim's first HI reads the same whatever the claim: keep it
                if len(self._his) >= _CACHE_LIMIT:
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
        elif self._region != _LINE:
            claim.parties_read(self._interned)
        self._reset_line()
        self._region, self._loop = _LINE, "2400"
        self._line_open = True
        self._line_number = segment[3:] if segment[2:3] == self._el else ""
        self._line_at = self._at(i)

    def _orphan_lines(self, i: int) -> None:
        """LX with no claim open: the CLM is missing; pass over its lines, report once."""
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
        if self._region == _LINE:
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
        if service is None or span is _UNREADABLE:
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
            _new_line(
                int(number) if number.isdigit() else 0,
                service,
                service.place_of_service or claim.pos,
                span,
                self._line_rendering or claim.rendering_npi,
                _facility(facility) if facility else claim.facility,
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
        if claim.rendering_fields is not None or claim.facility_fields is not None:
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
            total = Decimal(0)
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
        billing = subscriber = patient = None
        problem_at = self._party_problem
        if self._billing is not None:
            billing = self._billing.built or parties.billing_provider(
                self._billing, problem_at, self._values.npi
            )
        if self._subscriber is not None:
            subscriber = self._subscriber.built or parties.subscriber(self._subscriber, problem_at)
        if self._patient is not None:
            patient = self._patient.built or parties.patient(self._patient, problem_at)
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
        claim: _Claim,
        *,
        code: str = "missing-segment",
        element: int | None = None,
    ) -> X12Problem:
        batch, at = claim.where
        return self._problem(
            code, at, message, element=element, loop="2300", severity=Severity.CLAIM, batch=batch
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


def _facility(fields: list[str]) -> Facility:
    name, npi, city, state, zip_code = fields
    return Facility(name, npi or None, city or None, state or None, zip_code or None)


def read_837p(source: Source, *, chunk_size: int = 1 << 20) -> Reader837:
    """A reader over the 837P claims in `source` (a path, bytes, or a binary stream).

    Iterate it for `Claim837` and `RejectedClaim` items in file order; afterwards `problems`
    holds the file's and the envelope's problems, `claims_read` and `claims_rejected` the
    counts. Reading streams: memory does not grow with the file."""
    return Reader837(source, chunk_size=chunk_size)

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
handlers, which also say what is wrong. The segments after a CLM (DTP, REF, HI, 2310B,
2310C) and after a subscriber's HL (SBR, NM1*IL, N3, N4, DMG, NM1*PR) are read in the order
most files write them, the texts that come back claim after claim (CLM05-09, the first HI, a
rendering provider's NM1 and PRV, a facility's NM1 and N4, a payer's NM1) again looked up in
what they were read as; a handler that changes such a record's fields drops the kept one.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Final

from medpayiq.x12._checks837 import MAX_LINES, parse_service, parse_span
from medpayiq.x12._claims837 import ClaimSegments
from medpayiq.x12._compiled import mypyc_attr
from medpayiq.x12._envelope import Handler, Source, TransactionHeader
from medpayiq.x12._model import (
    DateSpan,
    Payer,
    Service,
    ServiceLine,
    Transaction837,
)
from medpayiq.x12._parties837 import Party, Where
from medpayiq.x12._problems import Severity, X12Problem
from medpayiq.x12._state837 import (
    IN_A,
    IN_B,
    IN_C,
    IN_HEADER,
    IN_LINE,
    LINE_TWIN,
)
from medpayiq.x12._tokens import Delimiters
from medpayiq.x12._values import CACHE_LIMIT, ValueCache, date8, quoted_id

VERSIONS_837P: Final = ("005010X222A1", "005010X222A2", "005010X222")
SEGMENTS_837P: Final = frozenset(  # every segment id of the 837P, read or passed over
    ("BHT", "NM1", "PER", "HL", "PRV", "N3", "N4", "REF", "SBR", "PAT", "DMG", "CLM", "DTP", "PWK",
     "CN1", "AMT", "K3", "NTE", "CR1", "CR2", "CRC", "HI", "HCP", "LX", "SV1", "SV5", "CR3", "QTY",
     "MEA", "PS1", "LIN", "CTP", "SVD", "CAS", "LQ", "FRM", "OI", "MOA")
)  # fmt: skip
# Segments of a 2400 loop (and its 2410/2430/2440 sub-loops) that the model does not carry
_LINE_SKIPS: Final = (
    "NTE", "LIN", "CTP", "PS1", "K3", "HCP", "AMT", "QTY", "MEA", "CN1", "PWK", "CR1", "CR3", "CRC",
    "SV5", "LQ", "FRM", "SVD", "CAS",
)  # fmt: skip
# cached for an SV1 text that is not for the fast path: a placeholder pointing past any
# claim's diagnoses, so the loop's pointer check sends the line to the slow path
_BAD_SERVICE: Final = (Service("", "", (), Decimal(0), "", Decimal(0), "", ()), 1 << 30)


@mypyc_attr(allow_interpreted_subclasses=True)  # a subclass may change `fast_lines`
class Reader837(ClaimSegments):
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
        self._services: dict[str, tuple[Service, int]] = {}  # SV1 text -> (read, top pointer)
        self._spans: dict[str, DateSpan] = {}  # DTP*472 text -> its date or range
        self._clm_tails = {}  # CLM text after CLM02 -> what it reads as
        self._known = {}  # HI composite text -> its Diagnosis
        self._his = {}  # a first HI
        self._payers = {}
        self._interned = {}
        self._claim_dates = {}  # 2300 DTP text -> what it reads as
        self._repeated = {}  # NM1 (2310, 2420, 2010BB), PRV, SBR text -> its elements
        self._renderings = {}
        self._facilities = {}
        self._payer_texts: dict[str, Payer] = {}  # NM1*PR text -> the payer (2010BB)
        self._el, self._co = "*", ":"
        self._p_sv1 = self._p_dtp472 = self._p_ref6r = self._p_payer = ""
        self._p_rendering = self._p_facility = self._p_prv = self._p_n3 = self._p_n4 = ""
        self._p_hi = self._p_sbr = self._p_subscriber = self._p_dmg = ""
        self._line_ends: frozenset[str] = frozenset()
        self._line_end_ids: tuple[str, ...] = ()  # the same, for str.startswith
        self._line_skips: frozenset[str] = frozenset()
        self._sub_loops: frozenset[str] = frozenset()
        self._lx_numbers: dict[str, int] = {}
        self._reset()

    def _reset(self) -> None:
        self._region = IN_HEADER
        self._loop = "1000"
        self._bht: list[str] | None = None
        self._bht_at: Where | None = None
        self._names = {}
        self._txn = None
        self._txn_problem: X12Problem | None = None
        self._hl_count = 0
        self._hl_sequence_reported = False
        self._billing = None
        self._subscriber = None
        self._patient = None
        self._last_hl = None
        self._claim = None
        self._reset_line()

    # --- dispatch ---------------------------------------------------------------------------

    def _handlers(self, delimiters: Delimiters) -> dict[str, Handler | None]:
        self._el = el = delimiters.element
        self._co = delimiters.component
        self._p_sv1, self._p_dtp472, self._p_ref6r = f"SV1{el}", f"DTP{el}472{el}", f"REF{el}6R{el}"
        self._line_end_ids = (f"LX{el}", "CLM", f"HL{el}", f"SE{el}")
        self._line_ends = frozenset(self._line_end_ids)
        self._line_skips = frozenset(delimiters.key(s) for s in _LINE_SKIPS)
        self._sub_loops = frozenset(delimiters.key(s) for s in ("LIN", "SVD", "LQ"))
        self._lx_numbers = {f"LX{el}{n}": n for n in range(1, MAX_LINES + 1)}
        self._services.clear()
        self._spans.clear()
        self._clm_tails.clear()
        self._known.clear()
        self._his.clear()
        self._interned.clear()
        self._claim_dates.clear()
        self._repeated.clear()
        self._renderings.clear()
        self._facilities.clear()
        self._payer_texts.clear()
        self._p_payer = f"NM1{el}PR{el}"
        self._p_rendering, self._p_facility = f"NM1{el}82{el}", f"NM1{el}77{el}"
        self._p_prv, self._p_n3, self._p_n4 = f"PRV{el}", f"N3{el}", f"N4{el}"
        self._p_hi, self._p_sbr, self._p_dmg = f"HI{el}", f"SBR{el}", f"DMG{el}"
        self._p_subscriber = f"NM1{el}IL{el}"
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
        el = self._el
        tag_lx = "LX" + el
        p_ref6r, ends = self._p_ref6r, self._line_end_ids
        services, spans, numbers = self._services, self._spans, self._lx_numbers
        batch = self._batch
        assert batch is not None
        # an LX at i has its SV1 at i + 1, which stands at sv1_base + i in the set
        sv1_base = batch.first - self._st_first + 2
        line_twin, service_line = LINE_TWIN, ServiceLine
        count = len(segments)
        last = count - 3 if self.fast_lines else -1
        i = start
        while i < stop:
            segment = segments[i]
            tag = segment[:3]
            if tag == tag_lx and i < last:
                claim = self._claim
                if claim is not None and not self._line_open and len(claim.lines) < MAX_LINES:
                    if self._region != IN_LINE:  # the claim's first line: its 2310 loops are read
                        claim.parties_read(self._interned)
                        self._region, self._loop = IN_LINE, "2400"
                    lines = claim.lines
                    # this run reads MAX_LINES - len(lines) lines at most: each takes three
                    # segments or more, so it stops by `bound` (the rest, if any, in the next)
                    bound = i + 3 * (MAX_LINES - len(lines))
                    if bound > last:
                        bound = last
                    diagnoses = len(claim.diagnoses)
                    pos, rendering, facility = claim.pos, claim.rendering_npi, claim.facility
                    first = i
                    number = numbers.get(segment, 0)
                    while True:  # the claim's simple lines, one after the other
                        sv1, dtp = segments[i + 1], segments[i + 2]
                        service, top = services.get(sv1) or self._service(sv1)
                        span = spans.get(dtp) or self._dtp472(dtp)
                        if span is None or top > diagnoses:
                            break
                        going = i + 3
                        following = segments[going]
                        control = None
                        # the next LX, the common case, is known by its number alone
                        following_number = numbers.get(following)
                        # (prefixes by startswith: a slice would be a new string to free)
                        if following_number is None and not following.startswith(ends):
                            if (
                                following.startswith(p_ref6r)
                                and going + 1 < count
                                and segments[going + 1].startswith(ends)
                            ):
                                # REF*6R alone after the date, the common case
                                control = following.split(el)[2] or None
                                going += 1
                            else:
                                going, control = self._line_rest(segments, going)
                                if going < 0:
                                    break
                            following = segments[going]
                            following_number = numbers.get(following)
                        # new_line(...) written out: the call would cost about as much as
                        # the stores (see `positional_maker`)
                        line = line_twin()
                        line.number = number
                        line.service = service
                        line.place_of_service = service.place_of_service or pos
                        line.service_date = span
                        line.rendering_npi = rendering
                        line.facility = facility
                        line.control_number = control
                        line.segment = sv1_base + i
                        line.__class__ = service_line
                        lines.append(line)
                        i = going
                        if i >= bound:
                            break
                        if following_number is not None:
                            number = following_number
                        elif following.startswith(tag_lx):
                            number = 0  # an LX whose number is not 1 to MAX_LINES
                        else:
                            break
                    if i != first:
                        continue  # (when nothing was read, `segment` is still the LX at i)
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
        ends, skips = self._line_ends, self._line_skips
        control = None
        sub_loop = False  # in 2410, 2430 or 2440, where a REF*6R is not the line's
        count = len(segments)
        while going < count:
            following = segments[going]
            tag = following[:3]
            if tag in ends:
                return going, control
            if tag in skips:
                if tag in self._sub_loops:
                    sub_loop = True
            elif tag == "REF":
                if following[:7] == self._p_ref6r and not sub_loop:
                    control = following.split(self._el)[2] or None
            elif tag != "DTP" or following[:8] == self._p_dtp472:
                return -1, None
            going += 1
        return -1, None

    def _service(self, sv1: str) -> tuple[Service, int]:
        """What an SV1 text reads as on the fast path (kept by its text) and its highest
        diagnosis pointer; _BAD_SERVICE if it needs the slow path."""
        if sv1[:4] != self._p_sv1:
            return _BAD_SERVICE
        service = parse_service(sv1.split(self._el), self._co, self._values)
        found = (service, max(service.diagnosis_pointers)) if service else _BAD_SERVICE
        if len(self._services) >= CACHE_LIMIT:
            self._services.clear()
        self._services[sv1] = found
        return found

    def _dtp472(self, segment: str) -> DateSpan | None:
        """A DTP*472 text's date or range (kept by its text); None if not one or not valid."""
        if segment[:8] != self._p_dtp472:
            return None
        span, _issue = parse_span(segment.split(self._el), self._values)
        if span is not None:
            if len(self._spans) >= CACHE_LIMIT:
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

    def _hl(self, segment: str, i: int) -> int | None:
        if self._claim is not None:
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
        party = Party(hl_id, level, (self._batch, i))  # type: ignore[arg-type]
        last = self._last_hl
        if last is not None and not last.claims and not last.reported:
            self._check_empty_hl(party)
        above: Party | None = None
        if level == "20":
            self._billing, self._subscriber, self._patient = party, None, None
            self._region, self._loop = IN_A, "2000A"
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
            self._region, self._loop = IN_B, "2000B"
        elif level == "23":
            above = self._subscriber
            self._patient = party
            self._region, self._loop = IN_C, "2000C"
        else:
            self._patient = party
            self._region, self._loop = IN_C, "2000C"
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
        if level == "22":
            return self._subscriber_loops(i + 1)
        return None

    def _subscriber_loops(self, j: int) -> int:
        """The segments after a subscriber HL as most files write them (SBR, NM1*IL, N3, N4,
        DMG, NM1*PR), read here without going through the dispatch: what their handlers
        would do for the subscriber just opened, the handlers themselves for anything out of
        the ordinary (N3 and N4 of 2010BA carry nothing the model keeps). Returns the index of
        the first segment left to the handlers, at the first that is not in that order."""
        batch = self._batch
        subscriber = self._subscriber
        assert batch is not None and subscriber is not None
        segments = batch.segments
        count = len(segments)
        el = self._el
        if j < count and segments[j][:4] == self._p_sbr:
            e = self._split10(segments[j])  # SBR texts repeat: kept by their text
            subscriber.responsibility = e[1]
            subscriber.relationship, subscriber.group, subscriber.filing = e[2], e[3], e[9]
            j += 1
        if j >= count or segments[j][:7] != self._p_subscriber:
            return j
        e = segments[j].split(el)
        subscriber.member = e[9] if len(e) > 9 else ""
        subscriber.name_at = (batch, j)
        self._loop = "2010BA"
        j += 1
        if j < count and segments[j][:3] == self._p_n3:
            j += 1
        if j < count and segments[j][:3] == self._p_n4:
            j += 1
        if j < count and segments[j][:4] == self._p_dmg:
            e = segments[j].split(el)
            day = date8(e[2]) if len(e) > 3 and e[1] == "D8" else None
            if day is None:
                self._dmg(segments[j], j)  # says what is wrong
            else:
                subscriber.dob, subscriber.sex = day, e[3]
            j += 1
        if j < count and segments[j][:7] == self._p_payer:
            payer = self._payer_texts.get(segments[j])
            if payer is None:
                self._nm1(segments[j], j)
                payer = subscriber.payer
                if payer is not None:
                    if len(self._payer_texts) >= CACHE_LIMIT:
                        self._payer_texts.clear()
                    self._payer_texts[segments[j]] = payer
            else:
                subscriber.payer = payer
                self._loop = "2010BB"
            j += 1
        return j

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


def read_837p(source: Source, *, chunk_size: int = 1 << 20) -> Reader837:
    """A reader over the 837P claims in `source` (a path, bytes, or a binary stream).

    Iterate it for `Claim837` and `RejectedClaim` items in file order; afterwards `problems`
    holds the file's and the envelope's problems, `claims_read` and `claims_rejected` the
    counts. Reading streams: memory does not grow with the file."""
    return Reader837(source, chunk_size=chunk_size)

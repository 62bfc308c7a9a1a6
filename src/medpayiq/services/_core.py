from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from medpayiq import pricing, schedules
from medpayiq.errors import (
    DateOutOfRange,
    InputError,
    MedPayIQError,
    ReleaseNotLoaded,
    UnknownCode,
    UnknownLocation,
)
from medpayiq.pricing import jsonable
from medpayiq.records import Gpci, LocalityId, RvuRow
from medpayiq.reference import Confidence, FeeSchedule, Provenance, ReferenceData
from medpayiq.releases import FIRST_SERVICE_DAY, LAST_SERVICE_DAY, Kind

if TYPE_CHECKING:
    from medpayiq import edits

__all__ = [
    "DISCLAIMER",
    "DataStatus",
    "InEffect",
    "LocalityInfo",
    "Place",
    "Query",
    "Setting",
    "ama_notice",
    "answerable_day",
    "category_of",
    "check_claim",
    "claim_lines",
    "data_status",
    "input_kind",
    "jsonable",
    "localities",
    "parse_bool",
    "parse_claim",
    "parse_code",
    "parse_diagnoses",
    "parse_limit",
    "parse_modifiers",
    "parse_query",
    "parse_units",
    "place_label",
    "price",
    "price_claim",
    "query_location",
    "resolve_place",
    "route",
    "title_case",
    "today",
]

DISCLAIMER = (
    "An estimate computed from CMS's public files, for information only. It is not a payment "
    "determination: your Medicare Administrative Contractor's adjudication is the authority. "
    "Check the release and confidence shown before relying on a figure."
)


def ama_notice(year: int) -> str:
    """The AMA notice every answer showing CPT codes or descriptors carries (the year of the
    fee schedule release the codes came from)."""
    return (
        f"CPT codes and descriptions only are copyright {year} American Medical Association. "
        "All Rights Reserved. Applicable FARS/DFARS apply."
    )


Setting = pricing.Setting


class _AsDict:
    def as_dict(self) -> dict[str, Any]:
        assert is_dataclass(self)
        return {
            f.name: jsonable(getattr(self, f.name))
            for f in fields(self)
            if not f.name.startswith("_")
        }


# --- Place and time: the query parameters every route takes -----------------------------------


@dataclass(frozen=True, slots=True)
class Query(_AsDict):
    """Where and when, as the user asked. `setting` None = not chosen (non-facility is shown
    first and the page says so); `pos` is kept to say why a setting applies."""

    day: date
    zip: str | None = None
    locality: LocalityId | None = None
    state: str | None = None
    setting: pricing.Setting | None = None
    pos: str | None = None
    qp: bool = False
    day_given: bool = False
    county: str | None = None  # with `state`: the county that names one locality

    @property
    def effective_setting(self) -> pricing.Setting:
        return self.setting or pricing.Setting.NON_FACILITY

    def params(self, **override: str | None) -> dict[str, str]:
        """The query as URL parameters (for links that keep place and time)."""
        out: dict[str, str] = {}
        if self.zip:
            out["zip"] = self.zip
        elif self.locality:
            out["locality"] = str(self.locality)
        elif self.state:
            out["state"] = self.state
        if self.day_given:
            out["date"] = self.day.isoformat()
        if self.setting:
            out["setting"] = self.setting.value
        if self.pos:
            out["pos"] = self.pos
        if self.qp:
            out["qp"] = "true"
        for key, value in override.items():
            if value is None:
                out.pop(key, None)
            else:
                out[key] = value
        return out


_ZIP = re.compile(r"^(\d{5})(?:-?\d{4})?$")
_STATE = re.compile(r"^[A-Za-z]{2}$")
_TRUE = {"1", "true", "yes", "on", "y"}
_FALSE = {"0", "false", "no", "off", "n", ""}
_SETTINGS = {
    "facility": pricing.Setting.FACILITY,
    "f": pricing.Setting.FACILITY,
    "fac": pricing.Setting.FACILITY,
    "non-facility": pricing.Setting.NON_FACILITY,
    "nonfacility": pricing.Setting.NON_FACILITY,
    "non_facility": pricing.Setting.NON_FACILITY,
    "nf": pricing.Setting.NON_FACILITY,
    "office": pricing.Setting.NON_FACILITY,
}


def _blank(value: str | None) -> str | None:
    value = value.strip() if value is not None else None
    return value or None


def today() -> date:
    """The default date of service (the server's date)."""
    return date.today()


def answerable_day(reference: ReferenceData) -> date:
    """Today when a loaded fee schedule answers it, else the first day of the newest loaded
    release (where a page that cannot answer its own date sets its picker)."""
    day = today()
    try:
        reference.fee_schedule(day)
        return day
    except ReleaseNotLoaded:
        pass
    releases = [p.release for p in reference.datasets() if p.kind is Kind.PPRRVU]
    return max((r.effective_from for r in releases), default=day)


def parse_date(text: str | None, *, today: date, parameter: str = "date") -> tuple[date, bool]:
    text = _blank(text)
    if text is None:
        return today, False
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f'date "{text}" is not a date: write it as YYYY-MM-DD', parameter=parameter
        ) from None
    check_service_year(day, parameter)
    return day, True


FIRST_YEAR, LAST_YEAR = FIRST_SERVICE_DAY.year, LAST_SERVICE_DAY.year  # releases.py says why


def check_service_year(day: date, parameter: str = "date") -> None:
    """Refuse a date of service outside 2000-2099 (`DateOutOfRange`), naming the parameter:
    no release can cover it, and it used to be priced against the release of the same two
    digits, or fail deep in the engine."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise DateOutOfRange(
            f"{parameter} is outside {FIRST_YEAR}-{LAST_YEAR}: give a date of service "
            "in those years",
            parameter=parameter,
        )


def parse_setting(
    setting: str | None, pos: str | None
) -> tuple[pricing.Setting | None, str | None]:
    setting, pos = _blank(setting), _blank(pos)
    chosen: pricing.Setting | None = None
    if setting is not None:
        chosen = _SETTINGS.get(setting.lower())
        if chosen is None:
            raise InputError(
                f'setting "{setting}" is not "facility" or "non-facility"', parameter="setting"
            )
    if pos is not None:
        if not (pos.isdigit() and 1 <= len(pos) <= 2):
            raise InputError(
                f'pos "{pos}" is not a place of service code (two digits, such as 11)',
                parameter="pos",
            )
        pos = pos.zfill(2)
        if chosen is not None:
            # The setting of a place of service is the pricing engine's to say (from the
            # loaded POS code set): one of the two is asked, never both.
            raise InputError(
                f"give a place of service (pos={pos}) or a setting (setting={chosen.value}), "
                "not both",
                parameter="setting",
            )
    return chosen, pos


def parse_bool(text: str | None, parameter: str) -> bool:
    value = (text or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InputError(f'{parameter} "{text}" is not true or false', parameter=parameter)


_today = today


def parse_query(
    reference: ReferenceData,
    *,
    zip: str | None = None,
    locality: str | None = None,
    state: str | None = None,
    pos: str | None = None,
    setting: str | None = None,
    date: str | None = None,
    qp: str | None = None,
    today: date | None = None,
    county: str | None = None,
) -> Query:
    """Check the place-and-time parameters (syntax only; `resolve_place` checks they exist)."""
    day, given = parse_date(date, today=today or _today())
    zip5: str | None = None
    if (zip_text := _blank(zip)) is not None:
        m = _ZIP.match(zip_text)
        if not m:
            raise InputError(
                f'zip "{zip_text}" is not a ZIP code (5 digits, or ZIP+4)', parameter="zip"
            )
        zip5 = m.group(1)
    loc: LocalityId | None = None
    if (loc_text := _blank(locality)) is not None and loc_text.lower() != "national":
        try:
            loc = LocalityId.parse(loc_text)
        except ValueError as exc:
            raise InputError(str(exc), parameter="locality") from None
    st: str | None = None
    if (st_text := _blank(state)) is not None:
        if not _STATE.match(st_text):
            raise InputError(
                f'state "{st_text}" is not a two-letter state code such as TX', parameter="state"
            )
        st = st_text.upper()
    chosen, pos_code = parse_setting(setting, pos)
    place = _blank(county)
    if place is not None and st is None:
        raise InputError("a county needs its state (state=TX&county=Harris)", parameter="county")
    qp_on = parse_bool(qp, "qp")
    return Query(day, zip5, loc, st, chosen, pos_code, qp_on, given, place)


Place = pricing.ResolvedLocation


def place_label(place: Place) -> str:
    """ "Houston, TX (04412-18)" or "National average"."""
    if place.locality is None:
        return "National average"
    return f"{title_case(place.name)}, {place.state} ({place.locality})"


def title_case(name: str) -> str:
    """CMS writes locality names in capitals ("HOUSTON", "REST OF TEXAS*"): title case them."""
    words = name.replace("*", "").strip().title().split()
    small = {"Of", "And", "The", "In"}
    return " ".join(w.lower() if i and w in small else w for i, w in enumerate(words))


def resolve_place(reference: ReferenceData, query: Query) -> Place:
    """The locality a query names, by ZIP, locality or state (in that order), or national.
    The pricing engine resolves it, so the page and the price agree."""
    fs = _fee_schedule(reference, query)
    if query.zip:
        location = pricing.Location(zip=query.zip)
    elif query.locality:
        location = pricing.Location(locality=str(query.locality))
    elif query.state:
        location = pricing.Location(state=query.state)
    else:
        location = pricing.Location()
    geography = None
    if query.zip or query.state:
        try:
            geography = reference.geography(query.day)
        except ReleaseNotLoaded as exc:
            raise UnknownLocation(f"ZIP look-up unavailable: {exc}", parameter="zip") from None
    return pricing.resolve_location(location, fs, geography)


@dataclass(frozen=True, slots=True)
class LocalityInfo(_AsDict):
    locality: LocalityId
    state: str
    name: str
    work: Decimal
    pe: Decimal
    mp: Decimal
    counties: str


def localities(
    reference: ReferenceData, query: Query, *, check_place: bool = True
) -> list[LocalityInfo]:
    """Every Medicare locality in effect on the query's date, by state then locality.
    `check_place`: the query's own place must name one locality (the API's question; a
    page picker lists them whatever was asked: a state alone is a DMEPOS code's place)."""
    fs = _fee_schedule(reference, query)
    if check_place:
        resolve_place(reference, query)
    counties: dict[LocalityId, str] = {}
    try:
        for row in reference.geography(query.day).counties:
            counties.setdefault(row.locality, row.counties)
    except ReleaseNotLoaded:
        pass
    return [
        LocalityInfo(
            g.locality,
            g.state,
            title_case(g.name),
            _work_gpci(fs, g),
            g.pe,
            g.mp,
            counties.get(g.locality, ""),
        )
        for g in sorted(fs.gpcis.values(), key=lambda g: (g.state, str(g.locality)))
    ]


def _work_gpci(fs: FeeSchedule, gpci: Gpci) -> Decimal:
    if not fs.work_gpci_floor and gpci.work_no_floor is not None:
        return gpci.work_no_floor
    return gpci.work


def _fee_schedule(reference: ReferenceData, query: Query) -> FeeSchedule:
    try:
        return reference.fee_schedule(query.day, qp=query.qp)
    except ReleaseNotLoaded as exc:
        raise InputError(str(exc), parameter="date") from None


# --- Categories -------------------------------------------------------------------------------

_CPT_RANGES: tuple[tuple[str, str, str], ...] = (
    ("00100", "01999", "Anesthesia"),
    ("10004", "19499", "Surgery: integumentary system"),
    ("20100", "29999", "Surgery: musculoskeletal system"),
    ("30000", "32999", "Surgery: respiratory system"),
    ("33016", "37799", "Surgery: cardiovascular system"),
    ("38100", "38999", "Surgery: hemic and lymphatic systems"),
    ("39000", "39599", "Surgery: mediastinum and diaphragm"),
    ("40490", "49999", "Surgery: digestive system"),
    ("50010", "53899", "Surgery: urinary system"),
    ("54000", "55899", "Surgery: male genital system"),
    ("55920", "59899", "Surgery: female genital system and maternity care"),
    ("60000", "60699", "Surgery: endocrine system"),
    ("61000", "64999", "Surgery: nervous system"),
    ("65091", "68899", "Surgery: eye and ocular adnexa"),
    ("69000", "69990", "Surgery: auditory system"),
    ("70010", "79999", "Radiology"),
    ("80047", "89398", "Pathology and laboratory"),
    ("90281", "99199", "Medicine"),
    ("99202", "99499", "Evaluation and management (E/M)"),
    ("99500", "99607", "Medicine"),
)
_LEVEL2 = {
    "A": "transportation, medical and surgical supplies",
    "B": "enteral and parenteral therapy",
    "C": "outpatient prospective payment system",
    "D": "dental procedures",
    "E": "durable medical equipment",
    "G": "procedures and professional services",
    "H": "behavioral health services",
    "J": "drugs administered other than by mouth",
    "K": "durable medical equipment (temporary)",
    "L": "orthotics and prosthetics",
    "M": "other medical services",
    "P": "pathology and laboratory",
    "Q": "temporary codes",
    "R": "diagnostic radiology",
    "S": "temporary national codes (non-Medicare)",
    "T": "state Medicaid agency codes",
    "U": "laboratory (coronavirus)",
    "V": "vision and hearing services",
}


def category_of(code: str) -> str:
    """The CPT section or HCPCS Level II group of a code, from its form and range."""
    code = code.upper()
    if len(code) != 5:
        return "Unknown"
    if code[:4].isdigit() and code[4] == "F":
        return "CPT Category II (performance measurement)"
    if code[:4].isdigit() and code[4] == "T":
        return "CPT Category III (emerging technology)"
    if code[:4].isdigit() and code[4] in "UM":
        return "Pathology and laboratory (proprietary and multianalyte assays)"
    if code.isdigit():
        for low, high, name in _CPT_RANGES:
            if low <= code <= high:
                return name
        return "CPT"
    if code[0].isalpha() and code[1:].isdigit():
        return f"HCPCS Level II: {_LEVEL2.get(code[0], 'national codes')}"
    return "Unknown"


# --- Data status and health -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DatasetInfo(_AsDict):
    kind: str
    release: str
    variant: str
    file: str
    rows: int
    sha256: str
    effective_from: date
    effective_to: date | None
    loaded_at: str | None


def dataset_info(p: Provenance) -> DatasetInfo:
    return DatasetInfo(
        p.kind.value,
        p.release.id,
        p.variant,
        p.file,
        p.rows,
        p.sha256,
        p.release.effective_from,
        p.release.effective_to,
        p.loaded_at.isoformat() if p.loaded_at else None,
    )


@dataclass(frozen=True, slots=True)
class InEffect(_AsDict):
    """Which loaded release answers a date for one kind of data, how surely, and what to
    load when it is not the one in effect."""

    what: str
    release: str
    confidence: str
    note: str


@dataclass(frozen=True, slots=True)
class DataStatus(_AsDict):
    datasets: tuple[DatasetInfo, ...]
    fee_schedule_today: str
    confidence_today: str
    note_today: str
    day: date
    in_effect: tuple[InEffect, ...] = ()


def data_status(reference: ReferenceData, query: Query) -> DataStatus:
    """What is loaded, and which fee schedule answers the query's date (and how surely)."""
    infos = tuple(
        sorted(
            (dataset_info(p) for p in reference.datasets()),
            key=lambda d: (d.kind, d.effective_from, d.variant),
        )
    )
    try:
        fs = reference.fee_schedule(query.day, qp=query.qp)
        used, confidence, note = fs.vintage.used.id, fs.confidence.value, _confidence_reason(fs)
    except ReleaseNotLoaded as exc:
        used, confidence, note = "", Confidence.LOW.value, str(exc)
    return DataStatus(infos, used, confidence, note, query.day, _in_effect(reference, query))


def _in_effect(reference: ReferenceData, query: Query) -> tuple[InEffect, ...]:
    """What answers the date for each kind of data the answers use (the data page's lead)."""
    day = query.day

    def one(what: str, ask: Any) -> InEffect:
        try:
            vintage = ask()
        except MedPayIQError as exc:  # ReleaseNotLoaded: nothing loaded answers the date
            return InEffect(what, "", Confidence.LOW.value, str(exc))
        except (ValueError, OverflowError):
            # The release calendar names no release for a date so far out (year 767, 9999).
            return InEffect(what, "", Confidence.LOW.value, f"no release covers {day}")
        note = "" if vintage.confidence is Confidence.HIGH else vintage.note
        return InEffect(what, vintage.used.id, vintage.confidence.value, note)

    def snapshot(kind: Kind, label: str) -> Any:
        return reference.snapshot(kind, day, _count, label=label)[1]

    return (
        one("Physician fee schedule", lambda: reference.fee_schedule(day, qp=query.qp).vintage),
        one("ZIP code to locality", lambda: reference.geography(day).vintage),
        one("NCCI edits (PTP, MUE, add-on)", lambda: reference.ncci(day).vintage),
        one("ICD-10-CM", lambda: reference.icd10cm(day).vintage),
        one("Clinical laboratory fee schedule", lambda: snapshot(Kind.CLFS, "CLFS")),
        one("DMEPOS fee schedule", lambda: snapshot(Kind.DMEPOS, "DMEPOS fee schedule")),
    )


def _count(records: Sequence[Any]) -> int:
    return len(records)


def _confidence_reason(fs: FeeSchedule) -> str:
    vintages = [fs.vintage, *fs.component_vintages.values()]
    lowered = [v.note for v in vintages if v.confidence is not Confidence.HIGH]
    return "; ".join(lowered) if lowered else fs.vintage.note


# --- Pricing ----------------------------------------------------------------------------------


def _location(place: Place) -> pricing.Location:
    return pricing.Location(locality=str(place.locality)) if place.locality else pricing.Location()


def _line_request(
    code: str, query: Query, place: Place, *, modifiers: Sequence[str] = (), units: int = 1
) -> pricing.LineRequest:
    return pricing.LineRequest(
        hcpcs=code,
        date_of_service=query.day,
        modifiers=tuple(modifiers),
        units=units,
        location=_location(place),
        pos=query.pos,
        setting=None if query.pos else query.setting,  # the engine takes one of the two
    )


def _price_line(
    reference: ReferenceData,
    request: pricing.LineRequest,
    *,
    qp: bool,
    non_participating: bool = False,
) -> pricing.LineResult:
    return pricing.price_line(reference, request, qp=qp, non_participating=non_participating)


_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")


def parse_modifiers(text: str | None) -> tuple[str, ...]:
    if not (text := _blank(text)):
        return ()
    mods = tuple(m.strip().upper() for m in re.split(r"[,\s]+", text) if m.strip())
    for m in mods:
        if not _MODIFIER.match(m):
            raise InputError(
                f'modifier "{m}" is not a two-character modifier such as 26 or 50',
                parameter="modifier",
            )
    if len(mods) > 4:
        raise InputError("at most 4 modifiers fit on a claim line", parameter="modifier")
    return mods


def parse_code(code: str | None, *, parameter: str = "code") -> str:
    text = (code or "").strip().upper()
    if not text:
        raise InputError(
            "code is missing: give a CPT/HCPCS code such as 62323", parameter=parameter
        )
    if not re.fullmatch(r"[A-Z0-9]{5}", text):
        raise InputError(
            f'code "{code}" is not a CPT/HCPCS code (5 letters or digits)', parameter=parameter
        )
    return text


def parse_units(text: str | None) -> int:
    if not (text := _blank(text)):
        return 1
    if not text.isdigit() or not 1 <= int(text) <= 9999:
        raise InputError(f'units "{text}" is not a whole number from 1 to 9999', parameter="units")
    return int(text)


def parse_limit(text: str | None) -> int:
    if not (text := _blank(text)):
        return 50
    if not text.isdigit() or not 1 <= int(text) <= 200:
        raise InputError(f'limit "{text}" is not a whole number from 1 to 200', parameter="limit")
    return int(text)


_ICD_TEXT = re.compile(r"^[A-Z]\d[0-9A-Z](\.?[0-9A-Z]{1,4})?$")


def parse_diagnoses(text: str | None) -> tuple[str, ...]:
    """ICD-10-CM codes to check on the code page ("M48.06, M54.5")."""
    if not (text := _blank(text)):
        return ()
    codes = tuple(dict.fromkeys(c.strip().upper() for c in re.split(r"[,\s]+", text) if c.strip()))
    for c in codes:
        if not _ICD_TEXT.match(c):
            raise InputError(
                f'dx "{c}" is not written as an ICD-10-CM code such as M54.16', parameter="dx"
            )
    if len(codes) > 12:
        raise InputError("at most 12 diagnoses can be checked at once", parameter="dx")
    return codes


def query_location(query: Query) -> pricing.Location:
    """The place a query names, as the schedules read it (each resolves what it needs: the
    physician fee schedule a locality, DMEPOS a state)."""
    if query.zip:
        return pricing.Location(zip=query.zip)
    if query.locality:
        return pricing.Location(locality=str(query.locality))
    if query.state:
        return pricing.Location(state=query.state, county=query.county)
    return pricing.Location()


def route(reference: ReferenceData, code: str, query: Query) -> schedules.Route:
    """The fee schedule that pays `code` on the query's date, and why."""
    return schedules.route(reference, code, query.day)


def price(
    reference: ReferenceData,
    code: str,
    query: Query,
    *,
    modifiers: Sequence[str] = (),
    units: int = 1,
    rural: bool | None = None,
    charge: Decimal | None = None,
    deductible_remaining: Decimal | None = None,
    non_participating: bool = False,
    npp: bool = False,
) -> schedules.Priced:
    """One line priced on the fee schedule that pays its code, at the query's place and time
    (a state alone is enough for DMEPOS; the physician fee schedule needs one locality)."""
    request = schedules.PriceRequest(
        code,
        query.day,
        tuple(modifiers),
        units,
        query_location(query),
        pos=query.pos,
        setting=None if query.pos else query.setting,  # the engine takes one of the two
        rural=rural,
        charge=charge,
    )
    terms = schedules.Terms(query.qp, non_participating, npp, deductible_remaining)
    try:
        return schedules.price_line(reference, request, terms)
    except UnknownCode as exc:
        if exc.parameter != "hcpcs":
            raise
        # The engines name their own field; the question's parameter is `code`.
        raise UnknownCode(str(exc), parameter="code") from None


def _require_code(reference: ReferenceData, code: str, query: Query) -> RvuRow:
    """The code's PPRRVU row (the code page of a physician fee schedule code)."""
    fs = _fee_schedule(reference, query)
    row = fs.rvus.get((code, ""))
    if row is None:
        raise UnknownCode(
            f"code {code} is not in the fee schedule {fs.vintage.used.id}", parameter="code"
        )
    return row


# --- Claims -----------------------------------------------------------------------------------


def parse_claim(body: Any) -> edits.Claim:
    """The claim checker's schema, validated (ClaimInputError lists every bad field)."""
    from medpayiq import edits  # the claim checker: imported by the questions that use it

    if not isinstance(body, Mapping):
        raise InputError("the claim must be a JSON object", parameter="body")
    return edits.parse_claim(dict(body))


def claim_lines(claim: edits.Claim) -> list[pricing.LineRequest]:
    """The claim's lines as the pricing engine takes them."""
    if claim.zip:
        location = pricing.Location(zip=claim.zip)
    else:
        location = pricing.Location(locality=f"{claim.carrier}-{claim.locality}")
    return [
        pricing.LineRequest(
            hcpcs=line.hcpcs,
            date_of_service=claim.date_of_service,
            modifiers=tuple(line.modifiers),
            units=line.units,
            location=location,
            pos=claim.place_of_service,
            line_id=str(number),
        )
        for number, line in enumerate(claim.lines, start=1)
    ]


def price_claim(reference: ReferenceData, body: Any) -> pricing.ClaimResult:
    """A whole claim priced with the claim-level rules (multiple procedure reductions)."""
    claim = parse_claim(body)
    return pricing.price_claim(
        reference,
        claim_lines(claim),
        non_participating=not claim.provider.participating,
        npp=claim.provider.type in {"np", "pa", "cns"},
    )


def check_claim(reference: ReferenceData, body: Any) -> edits.CheckResult:
    """The claim checker's findings (NCCI, MUE, add-on, ICD-10-CM, policy packs) and prices."""
    from medpayiq import edits

    return edits.check_claim(reference, parse_claim(body))


_BLANK = b" \t\r\n\x00"
_BOM = b"\xef\xbb\xbf"


def input_kind(head: bytes) -> str | None:
    """ "x12" for data that starts (after a byte order mark and blank space) with an ISA
    segment, "json" for an object or array, None for anything else. Here, not beside the
    claim files, so that checking a JSON claim does not import the 837P reader."""
    text = head.removeprefix(_BOM).lstrip(_BLANK)
    if text[:3] == b"ISA":
        return "x12"
    if text[:1] in (b"{", b"["):
        return "json"
    return None

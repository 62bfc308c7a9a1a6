"""Search: codes by code ("62323"), range ("62320-62327") or words ("knee replacement"), over
every loaded code set: the physician fee schedule's PPRRVU rows, the HCPCS Level II list, the
clinical laboratory and the DMEPOS/PEN fee schedules. Each hit says which schedule pays the
code (`medpayiq.schedules.route`) and its national amount from that schedule's own engine,
so search and the code page never disagree.

Ranking (words): the codes a biller's phrase means come first (`knowledge.search_terms`:
"office visit" -> 99202-99215), then by how well the words match (the descriptor itself,
then a policy pack's title or a biller's synonym, then the glossary's plain-English
reading), then by how commonly the code is billed (the same packaged table's tiers), then
by code.
"""

from __future__ import annotations

import bisect
import re
import sys
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from medpayiq import pricing, schedules
from medpayiq.errors import InputError, MedPayIQError, ReleaseNotLoaded
from medpayiq.knowledge import policy_packs, search_terms
from medpayiq.knowledge.glossary import explain
from medpayiq.reference import CodeSets, FeeSchedule, ReferenceData
from medpayiq.releases import Kind
from medpayiq.services._core import (
    Query,
    _AsDict,
    _fee_schedule,
    category_of,
    resolve_place,
    today,
)

__all__ = ["SearchHit", "SearchResult", "search", "warm"]


@dataclass(frozen=True, slots=True)
class SearchHit(_AsDict):
    """One code found. `nonfacility`/`facility`: national one-unit amounts on the physician
    fee schedule (the pricing engine's, QP conversion factor included when asked);
    `amount`: the national amount on another schedule (the CLFS rate), with `amount_note`
    when there is none (DMEPOS fees are set by state)."""

    code: str
    descriptor: str
    category: str
    status: str
    nonfacility: Decimal | None
    facility: Decimal | None
    why: str
    schedule: str
    schedule_title: str
    amount: Decimal | None
    amount_note: str
    common: int


@dataclass(frozen=True, slots=True)
class SearchResult(_AsDict):
    q: str
    kind: str  # "code", "range", "words"
    hits: tuple[SearchHit, ...]
    total: int
    release: str
    day: date
    ranking: str


@dataclass(frozen=True, slots=True)
class _Entry:
    code: str
    descriptor: str
    status: str  # the PPRRVU status, "" off the physician fee schedule
    # Tuples, not sets: matching reads every word anyway (prefixes), and a tuple of 20 words
    # is a fifth of a frozenset's size (the words' sets were 32 of an index's 45 MiB).
    words: tuple[str, ...]  # every descriptor's words (short, long, lab, DME)
    pack: tuple[str, ...]  # the titles of the policy packs that list the code
    extra: tuple[str, ...]  # the glossary's reading of the short descriptor
    text: str  # the descriptors, lower case, for phrase matches


_WORD = re.compile(r"[a-z0-9]+(?:[/-][a-z0-9]+)*")
_RANGE = re.compile(r"^([A-Za-z0-9]{5})\s*(?:-|–|to|\.\.)\s*([A-Za-z0-9]{5})$")
_LAB_LABEL = "clinical laboratory fee schedule (CLFS)"
_DME_LABEL = "DMEPOS fee schedule"


def _words(text: str) -> tuple[str, ...]:
    """Words of a descriptor, once each, with slashed and hyphenated words also split ("o/p",
    "o", "p"). Interned: some 20,000 entries repeat a few thousand words, one string each."""
    found = _WORD.findall(text.lower())
    parts = [p for w in found for p in re.split(r"[/-]", w) if p]
    return tuple(dict.fromkeys(map(sys.intern, [*found, *parts])))


def _lab_descriptors(records: Sequence[Any]) -> tuple[tuple[str, str], ...]:
    seen: dict[str, str] = {}
    for r in records:
        seen.setdefault(r.hcpcs, r.long_description or r.short_description)
    return tuple(seen.items())


def _dme_descriptors(records: Sequence[Any]) -> tuple[tuple[str, str], ...]:
    seen: dict[str, str] = {}
    for r in records:
        seen.setdefault(r.hcpcs, r.description)
    return tuple(seen.items())


def _optional_snapshot(
    reference: ReferenceData, kind: Kind, day: date, build: Any, label: str
) -> tuple[tuple[str, str], ...]:
    try:
        found, _ = reference.snapshot(kind, day, build, label=label)
    except ReleaseNotLoaded:
        return ()
    return found  # type: ignore[no-any-return]


# The index of a date's code sets, built once per combination of the data it reads: the fee
# schedule release's rows, the code sets, the lab and DMEPOS descriptors (the same objects for
# every date a release covers) and which HCPCS Level II codes are in force (`_level2_span`).
# Not once per date: an index took 56 MiB (13 now, its entries shared) and seconds to build,
# and a server asked for 730 dates held eight of them and rebuilt one per new date. Each entry
# holds weak references to the objects it was built from: a reference made after a load (new
# objects) never reads an index built for another, and the table is bounded (least recently
# used out).
_INDEXES: dict[tuple[int, ...], tuple[tuple[weakref.ref[Any], ...], tuple[_Entry, ...]]] = {}
_INDEX_LIMIT = 8
_SPANS = "_medpayiq_level2_spans"
# The entries every index of one code sets object has built, by what they are made of: a code
# whose descriptors did not change between two releases is one entry in both indexes (an
# index alone held 56-95 MiB; the second one of a year now costs little more than its tuple).
# Kept on the code sets object, so it goes with its reference.
_ENTRIES = "_medpayiq_search_entries"


def _level2_span(code_sets: CodeSets, day: date) -> int:
    """Which span of dates between the Level II codes' added and terminated dates `day`
    falls in: two dates in one span have the same codes in force (`_build` filters on them).
    The boundaries are computed once per code sets object (kept on it)."""
    bounds: list[date] | None = code_sets.__dict__.get(_SPANS)
    if bounds is None:
        found = set()
        for entry in code_sets.hcpcs_level2.values():
            if entry.added:
                found.add(entry.added)  # in force from its added date
            if entry.terminated:
                found.add(entry.terminated + timedelta(days=1))  # out the day after
        bounds = code_sets.__dict__.setdefault(_SPANS, sorted(found))
    return bisect.bisect_right(bounds, day)


def _index(reference: ReferenceData, fs: FeeSchedule, day: date) -> tuple[_Entry, ...]:
    labs = _optional_snapshot(reference, Kind.CLFS, day, _lab_descriptors, _LAB_LABEL)
    dme = _optional_snapshot(reference, Kind.DMEPOS, day, _dme_descriptors, _DME_LABEL)
    code_sets = reference.code_sets()
    owners: tuple[Any, ...] = (fs.rvus, code_sets, labs, dme)
    key = (*(id(o) for o in owners), _level2_span(code_sets, day))
    found = _INDEXES.get(key)
    if found is not None and all(ref() is o for ref, o in zip(found[0], owners, strict=True)):
        _INDEXES[key] = _INDEXES.pop(key)  # most recently used last
        return found[1]
    shared: dict[tuple[str, ...], _Entry] = code_sets.__dict__.setdefault(_ENTRIES, {})
    entries = _build(fs, code_sets.hcpcs_level2.values(), labs, dme, day, shared)
    while len(_INDEXES) >= _INDEX_LIMIT:
        _INDEXES.pop(next(iter(list(_INDEXES))), None)
    _INDEXES[key] = (tuple(_weak(o) for o in owners), entries)
    # Dropped with its code sets (one object per reference): a server that swaps references
    # after a load does not keep the old ones' indexes.
    weakref.finalize(code_sets, _INDEXES.pop, key, None)
    return entries


class _Held:
    """A strong holder for objects that take no weak reference (tuples): kept alive by the
    index entry itself, so identity still tells them apart."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __call__(self) -> Any:
        return self.value


def _weak(value: Any) -> Any:
    try:
        return weakref.ref(value)
    except TypeError:
        return _Held(value)


def _build(
    fs: FeeSchedule,
    level2: Iterable[Any],
    labs: Sequence[tuple[str, str]],
    dme: Sequence[tuple[str, str]],
    day: date,
    shared: dict[tuple[str, ...], _Entry],
) -> tuple[_Entry, ...]:
    pack_words: dict[str, set[str]] = {}
    for pack in policy_packs():
        for code in pack.codes:
            pack_words.setdefault(code, set()).update(_words(pack.title))
    texts: dict[str, list[str]] = {}
    shown: dict[str, str] = {}
    status: dict[str, str] = {}
    short: dict[str, str] = {}
    for (hcpcs, modifier), row in fs.rvus.items():
        if modifier and (hcpcs, "") in fs.rvus:
            continue
        short.setdefault(hcpcs, row.description)
        status.setdefault(hcpcs, row.status)
        texts.setdefault(hcpcs, []).append(row.description)
    for entry in level2:
        if (entry.added and entry.added > day) or (entry.terminated and entry.terminated < day):
            continue
        described = entry.long_description or entry.short_description
        if not described and entry.code not in texts:
            continue  # a codes-only list adds nothing a user could read
        texts.setdefault(entry.code, []).extend(
            t for t in (entry.long_description, entry.short_description) if t
        )
        if entry.long_description:
            shown.setdefault(entry.code, entry.long_description)
        short.setdefault(entry.code, entry.short_description)
    for code, described in (*labs, *dme):
        texts.setdefault(code, []).append(described)
        shown.setdefault(code, described)
    entries = []
    for code in sorted(texts):
        described = " ".join(texts[code])
        brief = short.get(code) or ""
        descriptor = shown.get(code) or brief or texts[code][0]
        key = (code, descriptor, status.get(code, ""), described, brief)
        entry = shared.get(key)
        if entry is None:
            entry = shared[key] = _Entry(
                code,
                descriptor,
                key[2],
                _words(described),
                tuple(sorted(pack_words.get(code, ()))),
                _words(explain(brief).text) if brief else (),
                described.lower(),
            )
        entries.append(entry)
    return tuple(entries)


def _stem_match(term: str, words: tuple[str, ...]) -> bool:
    return any(w.startswith(term) for w in words) if len(term) >= 3 else term in words


def _check_text(q: str | None) -> str:
    text = (q or "").strip()
    if not text:
        raise InputError(
            "q is empty: give a code, a code range or words of the descriptor", parameter="q"
        )
    if len(text) > 200:
        raise InputError("q is longer than 200 characters", parameter="q")
    return text


def search(
    reference: ReferenceData, q: str | None, query: Query, *, limit: int = 50
) -> SearchResult:
    """Codes by code ("62323", "G0439"), range ("62320-62327") or words ("epidural", "knee
    replacement", "annual wellness"), over every loaded code set; see the module docstring
    for the ranking."""
    text = _check_text(q)
    fs = _fee_schedule(reference, query)
    resolve_place(reference, query)  # the same parameters as every route: reject a bad place
    index = _index(reference, fs, query.day)
    upper = text.upper()
    kind, found = "words", []
    if (m := _RANGE.match(upper)) is not None:
        kind = "range"
        low, high = sorted((m.group(1), m.group(2)))
        found = [(_rank_code(e), e, "in range") for e in index if low <= e.code <= high]
    elif re.fullmatch(r"[A-Z0-9]{5}", upper) and any(e.code == upper for e in index):
        kind = "code"
        found = [((0,), e, "code") for e in index if e.code == upper]
    elif re.fullmatch(r"[A-Z]?\d{2,4}[A-Z]?", upper):
        kind = "code"
        found = [(_rank_code(e), e, "code starts with") for e in index if e.code.startswith(upper)]
    else:
        found = _by_words(index, text)
    found.sort(key=lambda item: item[0])
    hits = tuple(_hit(reference, query, e, why) for _, e, why in found[:limit])
    return SearchResult(
        text, kind, hits, len(found), fs.vintage.used.id, query.day, search_terms().source
    )


def _rank_code(entry: _Entry) -> tuple[Any, ...]:
    return (entry.code,)


def _by_words(index: Sequence[_Entry], text: str) -> list[tuple[tuple[Any, ...], _Entry, str]]:
    terms = [t for t in _WORD.findall(text.lower()) if t]
    if not terms:
        raise InputError(f'q "{text}" has no letters or digits to search for', parameter="q")
    table = search_terms()
    phrase = table.phrase_for(terms)
    pinned = {code: i for i, code in enumerate(phrase.codes)} if phrase else {}
    # A phrase's `also` words stand for the phrase as a whole ("knee replacement" finds a
    # descriptor with "arthroplasty" and "knee"), with the query's other words.
    readings = [terms]
    if phrase is not None and phrase.also:
        readings.append([*phrase.also, *(t for t in terms if t not in phrase.words)])
    synonyms = {t: (t, *table.words.get(t, ())) for r in readings for t in r}
    contiguous = " ".join(terms)
    found = []
    for e in index:
        quality, why = max((_quality(e, r, synonyms) for r in readings), key=lambda x: x[0] or 0)
        at = pinned.get(e.code)
        if quality is None and at is None:
            continue
        if at is not None:
            why = "billers' words"
        bonus = 1 if contiguous in e.text else 0
        common = table.common.get(e.code, 0)
        key = (
            0 if at is not None else 1,
            at if at is not None else 0,
            -(3 * (quality or 0) + 3 * common + bonus),
            e.code,
        )
        found.append((key, e, why))
    return found


def _quality(
    e: _Entry, terms: Sequence[str], synonyms: dict[str, tuple[str, ...]]
) -> tuple[int | None, str]:
    """How well every term matches: 3 the descriptor itself, 2 with a policy pack's title or a
    biller's synonym, 1 with the glossary's reading; None when a term matches nowhere."""
    if all(_stem_match(t, e.words) for t in terms):
        return 3, "descriptor"
    widened = (*e.words, *e.pack) if e.pack else e.words
    if all(any(_stem_match(s, widened) for s in synonyms[t]) for t in terms):
        return 2, "policy pack" if e.pack else "billers' words"
    everything = (*widened, *e.extra)
    if all(any(_stem_match(s, everything) for s in synonyms[t]) for t in terms):
        return 1, "plain-English reading"
    return None, ""


def _hit(reference: ReferenceData, query: Query, entry: _Entry, why: str) -> SearchHit:
    common = search_terms().common.get(entry.code, 0)
    try:
        found = schedules.route(reference, entry.code, query.day)
    except MedPayIQError:
        return SearchHit(
            entry.code, entry.descriptor, category_of(entry.code), entry.status, None, None,
            why, "", "", None, "no loaded schedule answers this date", common,
        )  # fmt: skip
    info = found.schedule
    nf = fac = amount = None
    note = ""
    if info.name == "pfs":
        nf, fac = _national_pfs(reference, entry.code, query)
    elif found.priced:
        amount, note = _national_other(reference, entry.code, query)
    else:
        note = found.reason
    return SearchHit(
        entry.code, entry.descriptor, category_of(entry.code), entry.status, nf, fac, why,
        info.name, info.title, amount, note, common,
    )  # fmt: skip


def _national_pfs(
    reference: ReferenceData, code: str, query: Query
) -> tuple[Decimal | None, Decimal | None]:
    """National one-unit amounts from the pricing engine (the QP conversion factor when the
    query asks for it), the same figures the code page shows; None where not payable."""
    try:
        result = pricing.price_line(
            reference,
            pricing.LineRequest(code, query.day, location=pricing.Location()),
            qp=query.qp,
        )
    except MedPayIQError:
        return None, None
    if not result.payable:
        return None, None
    nf, fac = result.national_nonfacility, result.national_facility
    return (nf.amount if nf else None), (fac.amount if fac else None)


def _national_other(
    reference: ReferenceData, code: str, query: Query
) -> tuple[Decimal | None, str]:
    try:
        priced = schedules.price_line(
            reference, schedules.PriceRequest(code, query.day), schedules.Terms(qp=query.qp)
        )
    except MedPayIQError as exc:
        return None, str(exc)
    if priced.allowed is None:
        return None, priced.message
    return priced.allowed, ""


def warm(reference: ReferenceData) -> None:
    """Build what the first requests would otherwise build (today's fee schedule, the search
    index, the geography and NCCI tables), so a fresh worker answers at full speed."""
    query = Query(today())
    try:
        search(reference, "62323", query)
        reference.geography(query.day)
        reference.ncci(query.day)
    except MedPayIQError:
        pass  # an empty or partial store still serves; the answers say what is missing

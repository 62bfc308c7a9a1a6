"""The questions the web pages and the JSON API ask, one function each.

Datasette's habit: one question, two renderings. `web/pages.py` renders these answers as HTML,
`api/routes.py` as JSON (`as_dict()`); neither holds a rule. Every call into the pricing engine,
the claim checker and the knowledge packs goes through this module, so an interface change in
one of them is fixed here once.

    query = parse_query(reference, zip="77030", setting="facility")
    page = code_report(reference, "62323", query)      # everything on the 62323 page
    page.as_dict()                                     # the JSON twin

Bad input raises `InputError` with `parameter` naming the query parameter at fault; the
interfaces turn it into a 4xx answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from medpayiq.services._core import (
    DISCLAIMER,
    DataStatus,
    LocalityInfo,
    Place,
    Query,
    Setting,
    ama_notice,
    answerable_day,
    category_of,
    check_claim,
    claim_lines,
    data_status,
    input_kind,
    jsonable,
    localities,
    parse_bool,
    parse_claim,
    parse_code,
    parse_diagnoses,
    parse_limit,
    parse_modifiers,
    parse_query,
    parse_units,
    place_label,
    price,
    price_claim,
    query_location,
    resolve_place,
    route,
    title_case,
    today,
)

if TYPE_CHECKING:
    from medpayiq.services._changes import (
        MAX_VOLUME_BYTES,
        Changes,
        KindStatus,
        ReleaseStatus,
        changes,
        default_releases,
        parse_codes,
        parse_day,
        parse_flag,
        release_status,
    )
    from medpayiq.services._claim_files import (
        ClaimFiles,
        TrackedFile,
        Unreadable,
        json_chunks,
        volume_from_837p,
    )
    from medpayiq.services._claim_workers import ClaimFilesInWorkers, auto_workers, usable_cores
    from medpayiq.services._code_page import (
        CodeReport,
        ScheduleCodeReport,
        Standing,
        code_report,
    )
    from medpayiq.services._remits import (
        REMIT_CSV_COLUMNS,
        RedeterminationRequest,
        RemitReport,
        analyze_remittance,
        remit_html,
    )
    from medpayiq.services._search import SearchHit, SearchResult, search, warm

# The code page and search bring the glossary, the knowledge packs and the NCCI advice,
# release comparisons bring Polars, and claim files the 837P reader and the claim scrub:
# imported when first asked for, so `medpayiq price` does not pay for them (bench/cli.py).
_LATER = {
    **dict.fromkeys(
        (
            "MAX_VOLUME_BYTES",
            "Changes",
            "KindStatus",
            "ReleaseStatus",
            "changes",
            "default_releases",
            "parse_codes",
            "parse_day",
            "parse_flag",
            "release_status",
        ),
        "_changes",
    ),
    **dict.fromkeys(
        ("ClaimFiles", "TrackedFile", "Unreadable", "json_chunks", "volume_from_837p"),
        "_claim_files",
    ),
    **dict.fromkeys(("ClaimFilesInWorkers", "auto_workers", "usable_cores"), "_claim_workers"),
    **dict.fromkeys(
        (
            "REMIT_CSV_COLUMNS",
            "RedeterminationRequest",
            "RemitReport",
            "analyze_remittance",
            "remit_html",
        ),
        "_remits",
    ),
    "CodeReport": "_code_page",
    "ScheduleCodeReport": "_code_page",
    "Standing": "_code_page",
    "code_report": "_code_page",
    "SearchHit": "_search",
    "SearchResult": "_search",
    "search": "_search",
    "warm": "_search",
}


def __getattr__(name: str) -> Any:
    module = _LATER.get(name)
    if module is None:
        raise AttributeError(f"module 'medpayiq.services' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"medpayiq.services.{module}"), name)


__all__ = [
    "DISCLAIMER",
    "MAX_VOLUME_BYTES",
    "REMIT_CSV_COLUMNS",
    "Changes",
    "ClaimFiles",
    "ClaimFilesInWorkers",
    "CodeReport",
    "DataStatus",
    "KindStatus",
    "LocalityInfo",
    "Place",
    "Query",
    "RedeterminationRequest",
    "ReleaseStatus",
    "RemitReport",
    "ScheduleCodeReport",
    "SearchHit",
    "SearchResult",
    "Setting",
    "Standing",
    "TrackedFile",
    "Unreadable",
    "ama_notice",
    "analyze_remittance",
    "answerable_day",
    "auto_workers",
    "category_of",
    "changes",
    "check_claim",
    "claim_lines",
    "code_report",
    "data_status",
    "default_releases",
    "input_kind",
    "json_chunks",
    "jsonable",
    "localities",
    "parse_bool",
    "parse_claim",
    "parse_code",
    "parse_codes",
    "parse_day",
    "parse_diagnoses",
    "parse_flag",
    "parse_limit",
    "parse_modifiers",
    "parse_query",
    "parse_units",
    "place_label",
    "price",
    "price_claim",
    "query_location",
    "release_status",
    "remit_html",
    "resolve_place",
    "route",
    "search",
    "title_case",
    "today",
    "usable_cores",
    "volume_from_837p",
    "warm",
]

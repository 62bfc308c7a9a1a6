"""Parsers for the official file layouts (CMS, CDC, X12, Medicare Coverage Database).

    from medpayiq import sources
    for parsed in sources.read(["../shared/data/cms/pfs/RVU26C"]):
        print(parsed.kind, parsed.release, sum(1 for _ in parsed.records))

Each module reads one family of layouts and registers them; `detect` picks the layout from
the file's name and first lines. Bad input raises `ParseError` naming file, line and field.
"""

from __future__ import annotations

# Registration happens at import: fee schedule layouts first, then coding files.
from medpayiq.sources import (  # noqa: F401
    anes,
    clfs,
    dmepos,
    gpci,
    hcpcs,
    icd10cm,
    locco,
    mcd,
    modifiers,
    ncci,
    oppscap,
    payment,
    pos,
    pprrvu,
    x12,
    zip5,
)
from medpayiq.sources._registry import (
    Cursor,
    Layout,
    ParsedFile,
    SourceFile,
    detect,
    diagnose,
    iter_files,
    layouts,
    parse,
    read,
    register,
)

__all__ = [
    "Cursor",
    "Layout",
    "ParsedFile",
    "SourceFile",
    "detect",
    "diagnose",
    "iter_files",
    "layouts",
    "parse",
    "read",
    "register",
]

"""Medicare Coverage Database (MCD) "current article" CSV export: billing and coding articles.

CMS's download (current_article.zip) holds one CSV per table, keyed by `article_id` (a
number; the public id is "A" + it) and `article_version`. Three of them become datasets:

- `article_x_hcpc_code.csv` (article_id, article_version, hcpc_code_id, hcpc_code_version,
  hcpc_code_group, long_description, short_description, range, last_updated): the HCPCS/CPT
  codes an article applies to -> ArticleCode;
- `article_x_icd10_covered.csv` (article_id, article_version, icd10_code_id (dotted),
  icd10_code_version, icd10_covered_group, range, sort_order, description, asterisk,
  last_updated): the ICD-10-CM codes that support medical necessity -> CoveredDiagnosis;
- `article_x_contractor.csv` (article_id, article_version, contractor_id,
  contractor_type_id, contractor_version, last_updated), joined with its companions
  `contractor.csv` (contractor number and name), `contractor_jurisdiction.csv` and
  `state_lookup.csv` (states) -> ArticleContractor.

The other tables (article.csv, the *_group paragraphs, lookups) are companions: read where
needed, never loaded on their own. When an export holds several versions of an article, the
latest version's rows are kept. The release is the export's year: the newest `last_updated`
in article.csv (else in the file itself).
"""

from __future__ import annotations

import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from medpayiq.errors import ParseError, SourcePos
from medpayiq.records import ArticleCode, ArticleContractor, CoveredDiagnosis
from medpayiq.releases import Family, Kind, Release, yearly_release
from medpayiq.sources._csvutil import (
    Columns,
    DateCache,
    bad_value,
    exact,
    parse_any_date,
    table_rows,
    year_release,
)
from medpayiq.sources._registry import Layout, ParsedFile, SourceFile, register, register_companions

_ID = {"article_id": exact("article_id"), "article_version": exact("article_version")}
_UPDATED = "last_updated"


def _sibling(file: SourceFile, name: str) -> SourceFile | None:
    """The export's companion table `name` beside `file` (same folder, or same zip folder)."""
    if file.member is None:
        for candidate in file.path.parent.iterdir():
            if candidate.name.lower() == name and candidate.is_file():
                return SourceFile(candidate.name, candidate)
        return None
    folder = file.member.rsplit("/", 1)[0] + "/" if "/" in file.member else ""
    with zipfile.ZipFile(file.path) as archive:
        for member in archive.namelist():
            if member.lower() == (folder + name).lower():
                return SourceFile(f"{file.path.name}!{member}", file.path, member)
    return None


def _article_id(file: SourceFile, line: int, columns: Columns, row: list[str]) -> tuple[str, int]:
    raw, version = columns.get(row, "article_id"), columns.get(row, "article_version")
    number = raw.upper().removeprefix("A")
    if not number.isdigit():
        raise bad_value(file, line, "article_id", f'"{raw}" is not an article id')
    if not version.isdigit():
        raise bad_value(file, line, "article_version", f'"{version}" is not a version number')
    return f"A{number}", int(version)


@dataclass
class _Survey:
    """What a first pass over a table learns: each article's latest version, newest update."""

    latest: dict[str, int]
    newest: date | None


def _survey(file: SourceFile) -> _Survey:
    dates = DateCache(parse_any_date)
    latest: dict[str, int] = {}
    newest: date | None = None
    for line, columns, row in table_rows(
        file, {**_ID, _UPDATED: exact(_UPDATED)}, optional=(_UPDATED,)
    ):
        article, version = _article_id(file, line, columns, row)
        latest[article] = max(version, latest.get(article, 0))
        updated = _updated(file, line, row, columns, dates)
        if updated and (newest is None or updated > newest):
            newest = updated
    return _Survey(latest, newest)


def _updated(
    file: SourceFile, line: int, row: list[str], columns: Columns, dates: DateCache
) -> date | None:
    text = columns.get(row, _UPDATED)
    if not text:
        return None
    try:
        return dates.convert(text)
    except ValueError as exc:
        raise bad_value(file, line, _UPDATED, str(exc)) from exc


def _export_release(file: SourceFile, own: _Survey) -> Release:
    """The export's year: newest last_updated in article.csv, else in this table, else the
    year in the file or zip name."""
    article = _sibling(file, "article.csv")
    newest = _survey_updates(article) if article is not None else None
    newest = newest or own.newest
    if newest is not None:
        return yearly_release(Family.MCD, newest.year)
    return year_release(file, Family.MCD, "Medicare Coverage Database")


def _survey_updates(file: SourceFile) -> date | None:
    dates = DateCache(parse_any_date)
    newest: date | None = None
    for line, columns, row in table_rows(file, {_UPDATED: exact(_UPDATED)}, optional=(_UPDATED,)):
        updated = _updated(file, line, row, columns, dates)
        if updated and (newest is None or updated > newest):
            newest = updated
    return newest


def _latest_rows(
    file: SourceFile, wanted: dict[str, Callable[[str], bool]], latest: dict[str, int]
) -> Iterator[tuple[int, str, Columns, list[str]]]:
    """(line, article id, columns, row) for the rows of each article's latest version."""
    columns_wanted = {**_ID, **wanted, _UPDATED: exact(_UPDATED)}
    optional = [name for name in columns_wanted if name not in _ID and name not in _REQUIRED]
    for line, columns, row in table_rows(file, columns_wanted, optional=optional):
        article, version = _article_id(file, line, columns, row)
        if version == latest.get(article):
            yield line, article, columns, row


_REQUIRED = frozenset({"hcpc_code_id", "icd10_code_id", "contractor_id"})


def _parsed(
    file: SourceFile, layout: str, kind: Kind, records: Iterator[object], survey: _Survey
) -> ParsedFile:
    return ParsedFile(file, layout, kind, _export_release(file, survey), records)


# --- article_x_hcpc_code.csv ------------------------------------------------------------------

_HCPC_COLUMNS = {
    "hcpc_code_id": exact("hcpc_code_id"),
    "long_description": exact("long_description"),
}


def _hcpc_records(file: SourceFile, latest: dict[str, int]) -> Iterator[ArticleCode]:
    for line, article, columns, row in _latest_rows(file, _HCPC_COLUMNS, latest):
        code = columns.get(row, "hcpc_code_id").upper()
        if not (len(code) == 5 and code.isalnum()):
            raise bad_value(file, line, "hcpc_code_id", f'"{code}" is not a HCPCS/CPT code')
        yield ArticleCode(article, code, columns.get(row, "long_description"))


def _parse_hcpc(file: SourceFile) -> ParsedFile:
    survey = _survey(file)
    return _parsed(
        file,
        "mcd-article-hcpc-code",
        Kind.MCD_ARTICLE_HCPCS,
        _hcpc_records(file, survey.latest),
        survey,
    )


# --- article_x_icd10_covered.csv --------------------------------------------------------------

_ICD_COLUMNS = {
    "icd10_code_id": exact("icd10_code_id"),
    "icd10_covered_group": exact("icd10_covered_group"),
    "description": exact("description"),
}


def _icd_code(file: SourceFile, line: int, text: str) -> str:
    code = text.replace(".", "").strip().upper()
    if not (3 <= len(code) <= 7 and code.isalnum() and code[0].isalpha()):
        raise bad_value(file, line, "icd10_code_id", f'"{text}" is not an ICD-10-CM code')
    return code


def _icd_records(file: SourceFile, latest: dict[str, int]) -> Iterator[CoveredDiagnosis]:
    for line, article, columns, row in _latest_rows(file, _ICD_COLUMNS, latest):
        raw = columns.get(row, "icd10_code_id")
        first, _, last = raw.partition("-")  # a range, if an export ever writes one
        start = _icd_code(file, line, first)
        end = _icd_code(file, line, last) if last.strip() else start
        yield CoveredDiagnosis(
            article,
            start,
            end,
            columns.get(row, "description"),
            columns.get(row, "icd10_covered_group"),
        )


def _parse_icd(file: SourceFile) -> ParsedFile:
    survey = _survey(file)
    return _parsed(
        file,
        "mcd-article-icd10-covered",
        Kind.MCD_ARTICLE_ICD10,
        _icd_records(file, survey.latest),
        survey,
    )


# --- article_x_contractor.csv and its companions ------------------------------------------------

_CONTRACTOR_KEY = {
    "contractor_id": exact("contractor_id"),
    "contractor_type_id": exact("contractor_type_id"),
    "contractor_version": exact("contractor_version"),
}


def _key(columns: Columns, row: list[str]) -> tuple[str, str, str]:
    return (
        columns.get(row, "contractor_id"),
        columns.get(row, "contractor_type_id"),
        columns.get(row, "contractor_version"),
    )


def _companion(file: SourceFile, name: str) -> SourceFile:
    found = _sibling(file, name)
    if found is None:
        raise ParseError(
            SourcePos(file.name, 1),
            f"{name} is missing: it ships in the same MCD export and names each contractor; "
            "load the whole export folder or zip",
        )
    return found


def _contractors(file: SourceFile) -> dict[tuple[str, str, str], tuple[str, str]]:
    """(contractor_id, type, version) -> (contractor number, business name)."""
    wanted = {
        **_CONTRACTOR_KEY,
        "contractor_number": exact("contractor_number"),
        "contractor_bus_name": exact("contractor_bus_name"),
    }
    found: dict[tuple[str, str, str], tuple[str, str]] = {}
    for _, columns, row in table_rows(
        file, wanted, optional=("contractor_type_id", "contractor_version")
    ):
        found[_key(columns, row)] = (
            columns.get(row, "contractor_number"),
            columns.get(row, "contractor_bus_name"),
        )
    return found


def _states(file: SourceFile) -> dict[tuple[str, str, str], str]:
    """(contractor_id, type, version) -> "CA" or "AS, GU, HI, MP": the states it serves now."""
    lookup_file = _sibling(file, "state_lookup.csv")
    jurisdiction_file = _sibling(file, "contractor_jurisdiction.csv")
    if lookup_file is None or jurisdiction_file is None:
        return {}
    abbrevs = {
        columns.get(row, "state_id"): columns.get(row, "state_abbrev")
        for _, columns, row in table_rows(
            lookup_file, {"state_id": exact("state_id"), "state_abbrev": exact("state_abbrev")}
        )
    }
    served: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    wanted = {**_CONTRACTOR_KEY, "state_id": exact("state_id"), "term_date": exact("term_date")}
    for _, columns, row in table_rows(
        jurisdiction_file,
        wanted,
        optional=("contractor_type_id", "contractor_version", "term_date"),
    ):
        if not columns.get(row, "term_date"):  # a term date ends the jurisdiction
            served[_key(columns, row)].add(abbrevs.get(columns.get(row, "state_id"), ""))
    return {key: ", ".join(sorted(s for s in states if s)) for key, states in served.items()}


def _contractor_records(file: SourceFile, latest: dict[str, int]) -> Iterator[ArticleContractor]:
    contractors = _contractors(_companion(file, "contractor.csv"))
    states = _states(file)
    for line, article, columns, row in _latest_rows(file, _CONTRACTOR_KEY, latest):
        key = _key(columns, row)
        named = contractors.get(key) or next(
            (v for k, v in contractors.items() if k[0] == key[0]), None
        )
        if named is None:
            raise bad_value(
                file, line, "contractor_id", f"contractor {key[0]} is not in contractor.csv"
            )
        yield ArticleContractor(article, named[0], named[1], states.get(key, ""))


def _parse_contractor(file: SourceFile) -> ParsedFile:
    survey = _survey(file)
    return _parsed(
        file,
        "mcd-article-contractor",
        Kind.MCD_ARTICLE_CONTRACTOR,
        _contractor_records(file, survey.latest),
        survey,
    )


# --- registration ----------------------------------------------------------------------


def _sniffer(name: str) -> Callable[[SourceFile], bool]:
    def sniff(file: SourceFile) -> bool:
        if file.basename.lower() != name:
            return False
        head = file.head(1)
        return bool(head) and head[0].lower().lstrip('"').startswith("article_id")

    return sniff


register(
    Layout(
        "mcd-article-hcpc-code",
        Kind.MCD_ARTICLE_HCPCS,
        _sniffer("article_x_hcpc_code.csv"),
        _parse_hcpc,
    )
)
register(
    Layout(
        "mcd-article-icd10-covered",
        Kind.MCD_ARTICLE_ICD10,
        _sniffer("article_x_icd10_covered.csv"),
        _parse_icd,
    )
)
register(
    Layout(
        "mcd-article-contractor",
        Kind.MCD_ARTICLE_CONTRACTOR,
        _sniffer("article_x_contractor.csv"),
        _parse_contractor,
    )
)

# The export's other tables: read above where needed (contractor names, states, the export
# date), and not datasets of their own.
register_companions(
    r"(^|/)(article"
    r"(_x_(?!(hcpc_code|icd10_covered|contractor)\.csv$)[a-z0-9_]+|_related_[a-z0-9_]+)?"
    r"|contractor(_[a-z0-9_]+)?|[a-z0-9_]+_lookup|update_period)\.csv$"
)

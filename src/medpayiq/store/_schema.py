"""The database schema: a `dataset` table with provenance, and one table per record kind.

Each kind's table has the record's fields as columns (a `LocalityId` field becomes two
columns, `carrier` and `locality`) plus `dataset_id`, the load it belongs to. The columns are
derived from the `records` dataclasses, so a record and its row cannot drift apart; the
Alembic migrations in `migrations/versions` freeze each version of this schema, and a test
checks that the two agree.

Decimals: PostgreSQL stores them as NUMERIC, exactly. SQLite has no decimal type (a NUMERIC
column goes through binary floating point), so there the same column holds the decimal's
text, which reads back as the very `Decimal` the parser produced ("0.00" stays "0.00").
"""

from __future__ import annotations

import dataclasses
import threading
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Union

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from medpayiq import records as rec
from medpayiq.releases import Kind

__all__ = [
    "KIND_RECORD",
    "RowCodec",
    "codec",
    "dataset_table",
    "generation_table",
    "kind_table",
]  # and `metadata` (built when named: `__getattr__`)


class ExactDecimal(sa.types.TypeDecorator[Decimal]):
    """NUMERIC on PostgreSQL; the decimal's exact text on SQLite (see the module docstring)."""

    impl = sa.Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.Text())
        return dialect.type_descriptor(sa.Numeric(asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None or isinstance(value, Decimal):
            return value
        return Decimal(str(value))


KIND_RECORD: dict[Kind, type[Any]] = {
    Kind.PPRRVU: rec.RvuRow,
    Kind.GPCI: rec.Gpci,
    Kind.LOCCO: rec.LocalityCounties,
    Kind.ANES: rec.AnesthesiaCf,
    Kind.OPPSCAP: rec.OppsCap,
    Kind.ZIP5: rec.ZipLocality,
    Kind.PAYMENT: rec.PaymentAmount,
    Kind.PTP: rec.PtpEdit,
    Kind.MUE: rec.MueEdit,
    Kind.MUE_OUTPATIENT: rec.MueEdit,
    Kind.ADDON: rec.AddonEdit,
    Kind.ADJUSTMENT: rec.AdjustmentCode,
    Kind.POS: rec.PlaceOfService,
    Kind.HCPCS: rec.HcpcsLevel2,
    Kind.MODIFIER: rec.Modifier,
    Kind.ICD10CM: rec.IcdCode,
    Kind.MCD_ARTICLE_HCPCS: rec.ArticleCode,
    Kind.MCD_ARTICLE_ICD10: rec.CoveredDiagnosis,
    Kind.MCD_ARTICLE_CONTRACTOR: rec.ArticleContractor,
    Kind.CLFS: rec.LabFee,
    Kind.DMEPOS: rec.DmeFee,
}

# The columns each table is looked up by (after dataset_id): what the queries ask.
_LOOKUP: dict[Kind, tuple[str, ...]] = {
    Kind.PPRRVU: ("hcpcs", "modifier"),
    Kind.PTP: ("column1", "column2"),
    Kind.MUE: ("hcpcs",),
    Kind.MUE_OUTPATIENT: ("hcpcs",),
    Kind.ADDON: ("addon",),
    Kind.ZIP5: ("zip5",),
    Kind.ICD10CM: ("code",),
    Kind.CLFS: ("hcpcs", "modifier"),
    Kind.DMEPOS: ("hcpcs", "modifier", "modifier2"),
}

# Only the tables a question reads are built when it asks (`kind_table`): building all 21
# and the partial index below (whose `postgresql_where` imports SQLAlchemy's PostgreSQL
# dialect and its drivers' modules) was a tenth of `medpayiq price` (bench/cli.py). The
# migrations and their test see the whole schema: `metadata` builds the rest when named
# (`__getattr__` below).
_metadata = sa.MetaData()

dataset_table = sa.Table(
    "dataset",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("release", sa.Text, nullable=False),
    sa.Column("variant", sa.Text, nullable=False, server_default=""),
    sa.Column("family", sa.Text, nullable=False),
    sa.Column("effective_from", sa.Date, nullable=False),
    sa.Column("effective_to", sa.Date, nullable=True),
    sa.Column("layout", sa.Text, nullable=False),
    sa.Column("source_file", sa.Text, nullable=False),
    sa.Column("sha256", sa.Text, nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("billable", sa.Integer, nullable=True),
    sa.Column("notes", sa.Text, nullable=False, server_default=""),
    sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    # A load writes its dataset row inactive and flips it at the end, in the same
    # transaction that removes the dataset it replaces; readers only see active rows.
    sa.Column("active", sa.Boolean, nullable=False),
    # When a later load replaced it. A replaced dataset's rows stay for a grace period, so
    # that a server's reference made before the load keeps answering from its own data
    # until it is swapped out (docs/store.md, "Reloads"); a later load deletes them.
    sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
    # NCCI PTP and add-on datasets: the dates on which an edit comes into force or stops
    # applying (`reference.edit_boundaries`), ISO dates separated by spaces, found as the rows
    # are written. Reading them back spares every new reference a scan of the table's
    # distinct date pairs (0.6 s of CPU for 2.5 million PTP rows). NULL: not known (scan).
    sa.Column("edit_dates", sa.Text, nullable=True),
)

# One row: the store's generation, bumped by every load that commits a change, so that a
# running server can tell in one cheap query that it must swap in a new reference.
generation_table = sa.Table(
    "store_generation",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("generation", sa.Integer, nullable=False),
)


# --- Record <-> row --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    name: str  # the record's field name
    tp: type[Any]  # str, bool, int, Decimal, date or LocalityId
    optional: bool

    @property
    def columns(self) -> tuple[str, ...]:
        if self.tp is rec.LocalityId:
            if self.name == "locality":
                return ("carrier", "locality")
            return (f"{self.name}_carrier", f"{self.name}_locality")
        return (self.name,)


def _fields(record: type[Any]) -> list[_Field]:
    hints = typing.get_type_hints(record)
    out = []
    for f in dataclasses.fields(record):
        tp = hints[f.name]
        optional = False
        if typing.get_origin(tp) in (Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            optional, tp = True, args[0]
        out.append(_Field(f.name, tp, optional))
    return out


_SQL_TYPE: dict[type[Any], Callable[[], sa.types.TypeEngine[Any]]] = {
    str: sa.Text,
    bool: sa.Boolean,
    int: sa.Integer,
    Decimal: ExactDecimal,
    date: sa.Date,
}


def _columns(record: type[Any]) -> list[sa.Column[Any]]:
    cols: list[sa.Column[Any]] = []
    for f in _fields(record):
        if f.tp is rec.LocalityId:
            cols.extend(sa.Column(name, sa.Text, nullable=f.optional) for name in f.columns)
        else:
            cols.append(sa.Column(f.name, _SQL_TYPE[f.tp](), nullable=f.optional))
    return cols


def _kind_table(kind: Kind) -> sa.Table:
    name = kind.value
    lookup = _LOOKUP.get(kind, ())
    return sa.Table(
        name,
        _metadata,
        sa.Column("dataset_id", sa.Integer, sa.ForeignKey("dataset.id"), nullable=False),
        *_columns(KIND_RECORD[kind]),
        sa.Index(f"ix_{name}_lookup", "dataset_id", *lookup),
    )


_TABLES: dict[Kind, sa.Table] = {}
_TABLES_LOCK = threading.Lock()  # a server's threads may ask for a kind's table at once


def kind_table(kind: Kind) -> sa.Table:
    found = _TABLES.get(kind)
    if found is None:
        with _TABLES_LOCK:
            found = _TABLES.get(kind)
            if found is None:
                found = _TABLES[kind] = _kind_table(kind)
    return found


def _whole_schema() -> sa.MetaData:
    """Every table and index, as the migrations build them."""
    with _TABLES_LOCK:
        if not any(index.name == "uq_dataset_active_key" for index in dataset_table.indexes):
            # One active dataset per (kind, release, variant); bound to the table by its columns.
            sa.Index(
                "uq_dataset_active_key",
                dataset_table.c.kind,
                dataset_table.c.release,
                dataset_table.c.variant,
                unique=True,
                sqlite_where=sa.text("active"),
                postgresql_where=sa.text("active"),
            )
    for kind in Kind:
        kind_table(kind)
    return _metadata


def __getattr__(name: str) -> Any:
    if name == "metadata":
        return _whole_schema()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class RowCodec:
    """Turns a record into a row tuple (in `columns` order) and back.

    `encode` gives Python values (Decimal, date, bool) for drivers that adapt them, such as
    psycopg's COPY; `encode_text` gives what SQLite stores (decimal text, ISO dates, 0/1);
    `decode` takes a row as SQLAlchemy returns it (typed values); `decode_text` a row as
    the sqlite3 driver returns it (what `encode_text` stored: decimal text, ISO dates, 0/1),
    giving the very record `decode` gives for that row through SQLAlchemy."""

    kind: Kind
    columns: tuple[str, ...]
    encode: Callable[[Any], tuple[Any, ...]]
    encode_text: Callable[[Any], tuple[Any, ...]]
    decode: Callable[[Any], Any]
    decode_text: Callable[[Any], Any]


_TO_TEXT = {Decimal: "str({v})", date: "{v}.isoformat()"}
# What SQLAlchemy's SQLite result processors make of the stored text (ExactDecimal's
# `Decimal(str(value))`, DATE's "YYYY-MM-DD", BOOLEAN's `bool`), done in the decoder itself.
_FROM_TEXT = {Decimal: "_Dec({v})", date: "_date({v})", bool: "bool({v})"}


def _decimal(value: Any) -> Decimal:
    return Decimal(value if type(value) is str else str(value))


def _from_text_expr(f: _Field, v: str) -> str:
    if f.tp not in _FROM_TEXT:
        return v
    expr = _FROM_TEXT[f.tp].format(v=v)
    return f"(None if {v} is None else {expr})" if f.optional else expr


def _text_expr(f: _Field) -> str:
    """The expression for what SQLite stores of `r.<field>` (bool and int stay as they are)."""
    v = f"r.{f.name}"
    if f.tp not in _TO_TEXT:
        return v
    expr = _TO_TEXT[f.tp].format(v=v)
    return f"(None if {v} is None else {expr})" if f.optional else expr


def _decode_text_source(fields: list[_Field], args: list[str]) -> str:
    """`decode_text`: the record made as an instance of its twin (`records.slots_twin`),
    filled by plain attribute stores, then given the record's class; the frozen dataclass's
    own __init__ was a third of decoding a DMEPOS row. A record without a twin is made by
    its own __init__."""
    body = ["def decode_text(row):", "    if _twin is None:"]
    body += [f"        return _R({', '.join(args)})", "    self = _new(_twin)"]
    body += [f"    self.{f.name} = {arg}" for f, arg in zip(fields, args, strict=True)]
    body += ["    self.__class__ = _R", "    return self"]
    return "\n".join(body) + "\n"


def _build_codec(kind: Kind) -> RowCodec:
    record = KIND_RECORD[kind]
    fields = _fields(record)
    # Generated once per kind: a plain tuple expression is several times faster than a loop
    # over getters, which matters for the 2.5-million-row PTP table.
    parts, text_parts, args, text_args = [], [], [], []
    for f in fields:
        if f.tp is rec.LocalityId:
            parts += [f"r.{f.name}.carrier", f"r.{f.name}.locality"]
            text_parts += [f"r.{f.name}.carrier", f"r.{f.name}.locality"]
        else:
            parts.append(f"r.{f.name}")
            text_parts.append(_text_expr(f))
    column_names = tuple(c for f in fields for c in f.columns)
    for f in fields:
        if f.tp is rec.LocalityId:
            a, b = column_names.index(f.columns[0]), column_names.index(f.columns[1])
            locality = f"_L(row[{a}], row[{b}])"
            args.append(f"None if row[{a}] is None else {locality}" if f.optional else locality)
            text_args.append(args[-1])
        else:
            at = f"row[{column_names.index(f.name)}]"
            args.append(at)
            text_args.append(_from_text_expr(f, at))
    namespace: dict[str, Any] = {
        "_L": rec.LocalityId, "_R": record, "_Dec": _decimal, "_date": date.fromisoformat,
        "_new": object.__new__, "_twin": rec.slots_twin(record),
    }  # fmt: skip
    source = (
        f"def encode(r): return ({', '.join(parts)},)\n"
        f"def encode_text(r): return ({', '.join(text_parts)},)\n"
        f"def decode(row): return _R({', '.join(args)})\n" + _decode_text_source(fields, text_args)
    )
    exec(compile(source, f"<codec {kind.value}>", "exec"), namespace)
    return RowCodec(
        kind,
        column_names,
        namespace["encode"],
        namespace["encode_text"],
        namespace["decode"],
        namespace["decode_text"],
    )


# Built on first use: a command that reads two kinds compiles two codecs, not every one.
_CODECS: dict[Kind, RowCodec] = {}


def codec(kind: Kind) -> RowCodec:
    found = _CODECS.get(kind)
    if found is None:
        found = _CODECS[kind] = _build_codec(kind)
    return found

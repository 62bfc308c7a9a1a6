"""Options several commands share, declared once. Light on purpose: a command's module is
imported only when it runs (`medpayiq price` must start fast), so nothing here imports the
store (whose DB_ENV this repeats for that reason)."""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = ["DB_ENV", "DbOption"]

DB_ENV = "MEDPAYIQ_DB"

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar=DB_ENV,
        help="SQLite file or database URL (default: a file in the user's data directory).",
        show_default=False,
    ),
]

"""Options several commands share, declared once, and how a command is added (`command`).
Light on purpose: a command's module is imported only when it runs (`medpayiq price` must
start fast), so nothing here imports the store (whose DB_ENV this repeats for that reason)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

__all__ = ["DB_ENV", "DbOption", "command"]

F = TypeVar("F", bound=Callable[..., Any])

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


def command(app: typer.Typer, name: str) -> Callable[[F], F]:
    """`app.command(name)`, with the first paragraph of the function's docstring on one line
    as the command's line in `medpayiq --help`: typer's list keeps the docstring's line
    breaks, which cut its sentences in odd places."""

    def register(function: F) -> F:
        first = inspect.cleandoc(function.__doc__ or "").split("\n\n")[0]
        app.command(name, short_help=" ".join(first.split()) or None)(function)
        return function

    return register

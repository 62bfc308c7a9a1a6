"""The `medpayiq` command. Each command group lives in its own module and is added here."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="medpayiq",
    help="Medicare reimbursement intelligence: what Medicare allows, what gets denied, and why.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    # Imported here so that each module can import `app` without a cycle.
    from medpayiq.cli import changes, check, data, mcp, price, serve

    for module in (data, price, check, serve, changes, mcp):
        module.register(app)


def main() -> None:
    _register()
    app()

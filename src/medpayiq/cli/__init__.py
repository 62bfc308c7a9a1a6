"""The `medpayiq` command. Each command group lives in its own module and is added here."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="medpayiq",
    help="Medicare reimbursement intelligence: what Medicare allows, what gets denied, and why.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _group() -> None:
    """Medicare reimbursement intelligence: what Medicare allows, what gets denied, and why."""
    # A callback keeps `medpayiq COMMAND` a group when only that command's module is loaded
    # (typer runs a lone command without its name otherwise).


# The module that holds each command: `medpayiq price ...` imports only cli/price.py (not
# the web server's or the loader's imports), so one question starts fast (bench/cli.py).
COMMANDS = {
    "data": "data",
    "price": "price",
    "price-batch": "price",
    "check": "check",
    "claims": "claims",
    "remit": "remit",
    "serve": "serve",
    "changes": "changes",
    "mcp": "mcp",
}


def _register(argv: list[str] | None = None) -> None:
    # Imported here so that each module can import `app` without a cycle.
    import importlib

    wanted = COMMANDS.get(argv[0]) if argv else None
    names = [wanted] if wanted else list(dict.fromkeys(COMMANDS.values()))
    for name in names:
        importlib.import_module(f"medpayiq.cli.{name}").register(app)


# The commands that answer one question and exit (bench/cli.py). What such a process allocates
# mostly lives until it exits (modules, classes, the question's tables), so the cyclic garbage
# collector's passes over the growing heap free next to nothing, yet they cost about 0.07 s of
# CPU, an eighth of `medpayiq price`; reference counting still frees the rest. The commands
# that run long (serve, loads, batches, an 837P file of claims: `check._check_x12`) keep it.
ONE_QUESTION = frozenset({"price", "check"})


def main() -> None:
    import sys

    command = sys.argv[1:2]
    if command and command[0] in ONE_QUESTION:
        import gc

        gc.disable()
    _register(command)
    app()

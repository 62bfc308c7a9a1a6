"""`medpayiq mcp`: MedPayIQ's answers as Model Context Protocol tools (docs/mcp.md).

    medpayiq mcp                                   # stdio: what desktop assistants start
    medpayiq mcp --db medpayiq.sqlite
    medpayiq mcp --http --port 8765                # streamable HTTP at http://127.0.0.1:8765/mcp
    medpayiq mcp --http --api-keys keys.txt        # every request then needs a key

Over stdio, stdout carries the protocol only: messages and logs go to stderr. The store is
read once at start (as `medpayiq serve` does): restart after `medpayiq data load`.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Annotated

import typer

from medpayiq.cli._options import DbOption, command
from medpayiq.cli.serve import KEYS_ENV
from medpayiq.errors import MedPayIQError

__all__ = ["register"]


def _say(message: str) -> None:
    typer.echo(message, err=True)  # never stdout: over stdio it is the protocol's


def mcp(
    http: Annotated[
        bool, typer.Option("--http", help="Serve streamable HTTP on 127.0.0.1 instead of stdio.")
    ] = False,
    port: Annotated[int, typer.Option(help="Port for --http (at /mcp).", min=1, max=65535)] = 8765,
    db: DbOption = None,
    api_keys: Annotated[
        Path | None,
        typer.Option(
            "--api-keys",
            envvar=KEYS_ENV,
            help="Keys file (TENANT SHA256HEX per line): with --http, every request needs a key.",
            show_default=False,
        ),
    ] = None,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "warning",
) -> None:
    """Serve MedPayIQ's tools (price, code_page, check_claim, search, data_status) over the
    Model Context Protocol: stdio by default, streamable HTTP with --http."""
    from medpayiq import services
    from medpayiq.api.auth import load_keys
    from medpayiq.mcp import create_server, http_app
    from medpayiq.store import open_store

    logging.basicConfig(
        level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )  # the root handler writes to stderr
    try:
        keys = load_keys(api_keys) if api_keys is not None and http else None
        store = open_store(db)
        if not store.datasets():
            _say("warning: the store is empty; run `medpayiq data load --source PATH`")
        reference = store.reference()
        services.warm(reference)
    except MedPayIQError as exc:
        _say(f"error: {exc}")
        raise typer.Exit(2) from None
    server = create_server(reference)
    if not http:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C in a terminal: no traceback
            server.run("stdio")
        return
    import uvicorn

    _say(f"MedPayIQ MCP on http://127.0.0.1:{port}/mcp" + (" (API keys on)" if keys else ""))
    uvicorn.run(
        http_app(server, keys),
        host="127.0.0.1",
        port=port,
        log_level=log_level.lower(),
        access_log=False,  # requests may carry claims; paths and statuses are all it would add
        proxy_headers=False,
    )


def register(app: typer.Typer) -> None:
    """Add `mcp` to the app."""
    command(app, "mcp")(mcp)

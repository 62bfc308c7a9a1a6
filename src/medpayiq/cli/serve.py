"""`medpayiq serve`: the web app and the JSON API under uvicorn.

    medpayiq serve --host 127.0.0.1 --port 8000 --db medpayiq.sqlite --workers 2
    medpayiq serve --api-keys keys.txt      # claim endpoints need a key (see docs/web.md)

Each worker opens the store and builds the app from it (`app_from_env`, a uvicorn factory),
so `--workers N` runs N processes. Each worker polls the store's generation every second
(`--reload-interval`) and, after `medpayiq data load`, swaps in a fresh reference between
requests: no restart needed (docs/web.md, "Reloads").
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from fastapi import FastAPI

from medpayiq.cli._options import DB_ENV, DbOption, command
from medpayiq.errors import MedPayIQError

__all__ = ["app_from_env", "register"]

KEYS_ENV = "MEDPAYIQ_API_KEYS"
MAX_BODY_ENV = "MEDPAYIQ_MAX_BODY"
MAX_UPLOAD_ENV = "MEDPAYIQ_MAX_UPLOAD"
RELOAD_ENV = "MEDPAYIQ_RELOAD_INTERVAL"
CACHE_ENV = "MEDPAYIQ_CACHE_SIZE"


def _limits_from_env() -> Any:
    from medpayiq.api.guard import Limits, parse_size

    defaults = Limits()
    return Limits(
        max_body=parse_size(os.environ.get(MAX_BODY_ENV) or str(defaults.max_body)),
        max_upload=parse_size(os.environ.get(MAX_UPLOAD_ENV) or str(defaults.max_upload)),
    )


def _cache_sizes_from_env() -> Any:
    from medpayiq.api.guard import parse_size
    from medpayiq.web import CacheSizes

    total = os.environ.get(CACHE_ENV)
    return CacheSizes.total(parse_size(total)) if total else CacheSizes()


def app_from_env() -> FastAPI:
    """The app for one uvicorn worker: store from MEDPAYIQ_DB, keys from MEDPAYIQ_API_KEYS."""
    from medpayiq import services
    from medpayiq.api.auth import load_keys
    from medpayiq.store import open_store
    from medpayiq.web import create_app

    store = open_store(os.environ.get(DB_ENV) or None)
    keys_file = os.environ.get(KEYS_ENV)
    return create_app(
        source=store,
        api_keys=load_keys(keys_file) if keys_file else None,
        limits=_limits_from_env(),
        cache_sizes=_cache_sizes_from_env(),
        reload_interval=float(os.environ.get(RELOAD_ENV) or 1.0),
        warm=services.warm,
    )


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    db: DbOption = None,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1, max=64)] = 1,
    api_keys: Annotated[
        Path | None,
        typer.Option(
            "--api-keys",
            envvar=KEYS_ENV,
            help="Keys file (TENANT SHA256HEX per line): claim endpoints then need a key.",
            show_default=False,
        ),
    ] = None,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
    max_body: Annotated[
        str,
        typer.Option(
            "--max-body", envvar=MAX_BODY_ENV, help="Largest JSON or form body (413 past it)."
        ),
    ] = "1M",
    max_upload: Annotated[
        str,
        typer.Option(
            "--max-upload",
            envvar=MAX_UPLOAD_ENV,
            help="Largest upload of another media type (X12 files), streamed (413 past it).",
        ),
    ] = "64M",
    reload_interval: Annotated[
        float,
        typer.Option(
            "--reload-interval",
            envvar=RELOAD_ENV,
            help="Seconds between checks for a new store generation (after a data load).",
            min=0.05,
        ),
    ] = 1.0,
    cache_size: Annotated[
        str,
        typer.Option(
            "--cache-size",
            envvar=CACHE_ENV,
            help="Bytes of answers each worker caches per store generation (whole answers, "
            "encoded API answers and pages share it 4:2:1).",
        ),
    ] = "112M",
    keep_alive: Annotated[
        int,
        typer.Option(
            "--keep-alive",
            help="Seconds an idle connection stays open. Longer than clients keep theirs "
            "(httpx and most HTTP clients 5 s, load balancers 60 s), so that a server never "
            "closes a connection a client is reusing at that moment.",
            min=1,
        ),
    ] = 75,
) -> None:
    """Serve the web app and the JSON API (/api/v1, OpenAPI at /openapi.json)."""
    import uvicorn

    from medpayiq.api.auth import load_keys
    from medpayiq.api.guard import parse_size
    from medpayiq.store import open_store

    try:
        sizes = (
            ("--max-body", max_body),
            ("--max-upload", max_upload),
            ("--cache-size", cache_size),
        )
        for option, value in sizes:
            try:
                parse_size(value)
            except ValueError as exc:
                raise typer.BadParameter(str(exc), param_hint=option) from None
        os.environ[MAX_BODY_ENV], os.environ[MAX_UPLOAD_ENV] = max_body, max_upload
        os.environ[RELOAD_ENV] = str(reload_interval)
        os.environ[CACHE_ENV] = cache_size
        if api_keys is not None:
            load_keys(api_keys)  # fail now, with the line at fault, not in every worker
            os.environ[KEYS_ENV] = str(api_keys.resolve())
        else:
            os.environ.pop(KEYS_ENV, None)
        with open_store(db) as store:
            if not store.datasets():
                typer.echo(
                    "warning: the store is empty; run `medpayiq data load --source PATH`", err=True
                )
        if db:
            os.environ[DB_ENV] = db
    except MedPayIQError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    level = log_level.lower()
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    typer.echo(
        f"starting MedPayIQ ({workers} worker{'s' if workers > 1 else ''}); reading the store...",
        err=True,
    )
    _announce_when_ready(host, port)
    uvicorn.run(
        "medpayiq.cli.serve:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=level,
        access_log=False,  # ours (medpayiq.access) logs path and status, never query strings
        proxy_headers=False,
        # uvicorn's default 5 s equals httpx's pool expiry, so a connection idle for 5 s can
        # be closed by the server as the client sends its next request on it: the likely
        # cause of a 30-minute soak's 69 ReadErrors, none of them in the server's log.
        timeout_keep_alive=keep_alive,
    )


def _announce_when_ready(host: str, port: int, timeout: float = 600.0) -> None:
    """Print the URL once the server accepts connections (workers build their app first),
    from a thread that polls the port; the first line a user can act on."""
    import socket
    import threading
    import time

    probe = "127.0.0.1" if host in ("0.0.0.0", "") else ("::1" if host == "::" else host)
    shown = f"[{host}]" if ":" in host else host

    def wait() -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((probe, port), timeout=1):
                    typer.echo(f"MedPayIQ is ready: http://{shown}:{port}", err=True)
                    return
            except OSError:
                time.sleep(0.2)

    threading.Thread(target=wait, name="announce", daemon=True).start()


def register(app: typer.Typer) -> None:
    """Add `serve` to the app."""
    command(app, "serve")(serve)

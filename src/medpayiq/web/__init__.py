"""The web app: server-rendered pages (Jinja2, inline SVG charts, no external assets) and the
JSON API, built over one `ReferenceData` by `create_app`."""

from __future__ import annotations

from medpayiq.web._live import CacheSizes
from medpayiq.web.app import create_app

__all__ = ["CacheSizes", "create_app"]

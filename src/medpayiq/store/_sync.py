"""`data sync`: download CMS's published files for a year and load them.

The list of files is a release catalog (YAML): the one shipped in the package
(`catalog.yaml`, CMS's own URLs) or the user's (`--catalog`). `--base-url` points every URL at
a mirror with the same paths (or resolves the catalog's relative URLs). Each download is
checked against the catalog's sha256 when it has one, otherwise it must parse; then it is
loaded like `data load` would, one atomic dataset at a time.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import yaml

from medpayiq.errors import DataError, InputError
from medpayiq.store._load import LoadResult, LoadStatus
from medpayiq.store._store import Store

__all__ = ["CatalogEntry", "default_download_dir", "read_catalog", "sync"]


@dataclass(frozen=True)
class CatalogEntry:
    year: int
    name: str
    url: str
    sha256: str | None = None
    file: str | None = None

    def target_name(self) -> str:
        """Where the download is kept, below the year's folder: the URL's path, so that the
        folder and zip names that tell a release (RVU26C/, rvu26a-....zip) stay with it."""
        path = self.file or urlsplit(self.url).path
        parts = [p for p in path.split("/") if p not in ("", ".", "..")]
        return "/".join(parts) or "download"


def read_catalog(path: str | Path | None = None) -> list[CatalogEntry]:
    """Entries of a release catalog (the packaged one when `path` is None)."""
    if path is None:
        text = resources.files("medpayiq.store").joinpath("catalog.yaml").read_text("utf-8")
        where = "the packaged catalog"
    else:
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise InputError(f"--catalog {path}: {exc.strerror}", parameter="catalog") from None
        where = str(path)
    try:
        data = yaml.safe_load(text)
        return [_entry(item) for item in data["files"]]
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{where}: not a release catalog ({exc})", parameter="catalog") from None


_HEX = frozenset("0123456789abcdef")


def _entry(item: dict[str, Any]) -> CatalogEntry:
    sha = item.get("sha256")
    if sha is not None and not (
        isinstance(sha, str) and len(sha) == 64 and set(sha.lower()) <= _HEX
    ):
        # (an all-digit hash unquoted in YAML reads as a number: quote it)
        raise ValueError(f"{item.get('url')}: sha256 must be 64 hex digits, in quotes")
    return CatalogEntry(
        int(item["year"]),
        str(item["name"]),
        str(item["url"]),
        str(sha).lower() if sha else None,
        item.get("file"),
    )


def default_download_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "medpayiq" / "downloads"


def _resolve(url: str, base_url: str | None) -> str:
    if not base_url:
        return url
    parts = urlsplit(url)
    if parts.scheme:  # same path on the mirror
        url = parts.path + (f"?{parts.query}" if parts.query else "")
    return urljoin(base_url.rstrip("/") + "/", url.lstrip("/"))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _download(client: httpx.Client, url: str, target: Path) -> None:
    partial = target.with_name(target.name + ".part")
    with client.stream("GET", url) as response:
        if response.status_code != 200:
            raise DataError(f"HTTP {response.status_code}")
        with partial.open("wb") as out:
            for chunk in response.iter_bytes(1 << 20):
                out.write(chunk)
    partial.replace(target)


@dataclass(frozen=True)
class SyncEvent:
    """Progress for the CLI: an entry started downloading, or finished with results."""

    entry: CatalogEntry
    url: str
    results: tuple[LoadResult, ...] = ()


def sync(
    store: Store,
    *,
    year: int,
    catalog: str | Path | None = None,
    base_url: str | None = None,
    download_dir: Path | None = None,
    client: httpx.Client | None = None,
    on_event: Callable[[SyncEvent], None] | None = None,
) -> list[LoadResult]:
    """Download and load every catalog file of `year`. A file that cannot be downloaded,
    does not match its sha256 or does not parse is a FAILED result; the others still load."""
    entries = [e for e in read_catalog(catalog) if e.year == year]
    if not entries:
        raise InputError(
            f"--year {year}: the catalog lists no files for that year", parameter="year"
        )
    folder = (download_dir or default_download_dir()) / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    own_client = client is None
    http = client or httpx.Client(follow_redirects=True, timeout=httpx.Timeout(60.0, connect=15.0))
    results: list[LoadResult] = []
    try:
        for entry in entries:
            url = _resolve(entry.url, base_url)
            if on_event:
                on_event(SyncEvent(entry, url))
            found = tuple(_sync_one(store, http, entry, url, folder))
            results.extend(found)
            if on_event:
                on_event(SyncEvent(entry, url, found))
    finally:
        if own_client:
            http.close()
    return results


def _sync_one(
    store: Store, http: httpx.Client, entry: CatalogEntry, url: str, folder: Path
) -> list[LoadResult]:
    target = folder / entry.target_name()
    target.parent.mkdir(parents=True, exist_ok=True)
    cached = entry.sha256 is not None and target.is_file() and _sha256(target) == entry.sha256
    if not cached:
        try:
            _download(http, url, target)
        except (httpx.HTTPError, DataError) as exc:
            return [
                LoadResult(
                    entry.target_name(), LoadStatus.FAILED, message=f"download failed: {url}: {exc}"
                )
            ]
    if entry.sha256 is not None and (actual := _sha256(target)) != entry.sha256:
        target.unlink()
        return [
            LoadResult(
                entry.target_name(),
                LoadStatus.FAILED,
                message=f"{url}: sha256 {actual} does not match the catalog's {entry.sha256}",
            )
        ]
    results = store.load([target])
    if not any(r.status is not LoadStatus.SKIPPED for r in results):
        return [
            LoadResult(
                entry.target_name(),
                LoadStatus.FAILED,
                message=f"{url}: no file MedPayIQ reads in the download",
            )
        ]
    return results

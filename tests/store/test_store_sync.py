"""`data sync` against a local HTTP server that serves ../shared/data (no internet here)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from medpayiq.cli import data as data_cli
from medpayiq.errors import InputError
from medpayiq.releases import Kind
from medpayiq.store import LoadStatus, open_store, read_catalog, sync

RVU26C_SHA = "b7d197e73211ef6854c213c267d5fa9dec8df995db8e1ee7d44c0556ad7cee21"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def mirror(data_dir: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(data_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _catalog(tmp_path: Path, *, rvu_sha: str = RVU26C_SHA) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(
        f"""
files:
  - year: 2026
    name: RVU26C PPRRVU (relative URL, with its sha256)
    url: /cms/pfs/RVU26C/PPRRVU2026_Jul_nonQPP.csv
    sha256: {rvu_sha}
  - year: 2026
    name: RVU26A GPCI (an absolute URL; --base-url moves it to the mirror)
    url: https://www.cms.gov/cms/pfs/RVU26A/GPCI2026.txt
  - year: 2026
    name: ZIP5 January 2026
    url: /cms/zip-locality/ZIP-JAN2026/ZIP5_JAN2026.xlsx
  - year: 2025
    name: another year, not fetched
    url: /cms/pfs/RVU25D/GPCI2025.txt
""",
        encoding="utf-8",
    )
    return path


def test_sync_downloads_checks_and_loads(tmp_path: Path, mirror: str) -> None:
    with open_store(str(tmp_path / "s.sqlite")) as store:
        results = sync(
            store,
            year=2026,
            catalog=_catalog(tmp_path),
            base_url=mirror,
            download_dir=tmp_path / "downloads",
        )
        assert [(r.kind, r.release, r.rows, r.status) for r in results] == [
            (Kind.PPRRVU, "RVU26C", 19_356, LoadStatus.LOADED),
            (Kind.GPCI, "RVU26A", 109, LoadStatus.LOADED),
            (Kind.ZIP5, "20261", 42_956, LoadStatus.LOADED),
        ]
        assert {d.sha256 for d in store.datasets() if d.kind is Kind.PPRRVU} == {RVU26C_SHA}
        again = sync(
            store,
            year=2026,
            catalog=_catalog(tmp_path),
            base_url=mirror,
            download_dir=tmp_path / "downloads",
        )
        assert {r.status for r in again} == {LoadStatus.UNCHANGED}


def test_sha256_mismatch_is_not_loaded_and_exits_2(tmp_path: Path, mirror: str) -> None:
    db = str(tmp_path / "s.sqlite")
    app = typer.Typer()
    data_cli.register(app)
    args = [
        "data",
        "sync",
        "--year",
        "2026",
        "--base-url",
        mirror,
        "--db",
        db,
        "--catalog",
        str(_catalog(tmp_path, rvu_sha="ab" * 32)),
        "--download-dir",
        str(tmp_path / "downloads"),
    ]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert "does not match the catalog's" in result.stderr
    with open_store(db) as store:
        kinds = {d.kind for d in store.datasets()}
    assert kinds == {Kind.GPCI, Kind.ZIP5}  # the others still loaded


def test_missing_file_on_the_server_is_a_failure(tmp_path: Path, mirror: str) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        "files:\n  - {year: 2026, name: gone, url: /cms/pfs/RVU26B/rvu26b.zip}\n", encoding="utf-8"
    )
    with open_store(str(tmp_path / "s.sqlite")) as store:
        (result,) = sync(
            store, year=2026, catalog=catalog, base_url=mirror, download_dir=tmp_path / "downloads"
        )
    assert result.status is LoadStatus.FAILED
    assert "HTTP 404" in result.message


def test_catalog_errors_name_the_problem(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        "files:\n  - {year: 2026, name: x, url: /a.zip, sha256: 12}\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match="sha256 must be 64 hex digits"):
        read_catalog(catalog)
    with (
        pytest.raises(InputError, match="no files for that year"),
        open_store(str(tmp_path / "s.sqlite")) as store,
    ):
        sync(store, year=1999, catalog=_catalog(tmp_path))


def test_packaged_catalog_lists_cms_urls_for_2026() -> None:
    entries = [e for e in read_catalog() if e.year == 2026]
    urls = {e.url for e in entries}
    assert "https://www.cms.gov/files/zip/rvu26c-updated-06-30-2026.zip" in urls
    assert all(u.startswith("https://www.cms.gov/files/zip/") for u in urls)
    assert entries[0].target_name() == "files/zip/rvu26a-updated-12-29-2025.zip"

"""The comparison as the API, the web page and the command line give it, on the small pair of
releases (conftest.py); the command line on the store of every shared file (`store_db`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from medpayiq.cli import _register, app
from medpayiq.web import create_app

from .conftest import build

VOLUME = b"hcpcs,modifier,pos,units\n62323,,11,100\n99213,,11,1000\n"

_register()
runner = CliRunner()


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(build()), raise_server_exceptions=False) as c:
        yield c


def test_api_get(client: TestClient) -> None:
    r = client.get("/api/v1/changes?from=RVU25D&to=RVU26C&codes=62323&locality=04412-18")
    assert r.status_code == 200, r.text
    body = r.json()
    (row,) = body["rows"]
    office = row["amounts"][0]
    assert (office["place"], office["before"], office["after"], office["change"]) == (
        "national", "246.80", "273.22", "26.42",
    )  # fmt: skip
    assert office["causes"] == {"cf": "8.05", "rvus": "18.37", "gpci": "0.00"}
    assert body["place"]["label"] == "Houston (04412-18)"
    assert body["summary"]["cf_after"] == ["33.4009"]


@pytest.mark.parametrize(
    ("url", "status", "where"),
    [
        ("/api/v1/changes?from=RVU25D&to=RVU26Z", 400, "query.to"),
        ("/api/v1/changes?from=RVU25D", 400, "query.to"),
        ("/api/v1/changes?from=RVU25D&to=RVU26C&codes=6232", 400, "query.codes"),
        ("/api/v1/changes?from=RVU25D&to=RVU26C&zip=1", 400, "query.zip"),
        ("/api/v1/changes?from=RVU24A&to=RVU26C", 422, None),
        ("/api/v1/changes?from=2026Q1&to=2026Q2&kind=xyz", 400, "query.kind"),
    ],
)
def test_api_bad_input_is_4xx(client: TestClient, url: str, status: int, where: str | None) -> None:
    r = client.get(url)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    if where:
        assert r.json()["errors"][0]["where"] == where


def test_api_post_volume(client: TestClient) -> None:
    url = "/api/v1/changes?from=RVU25D&to=RVU26C"
    r = client.post(url, content=VOLUME, headers={"content-type": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.json()["volume"]["total_change"] == "8882.00"
    assert r.json()["tenant"] == "local"
    r = client.post(url, files={"volume": ("mine.csv", VOLUME, "text/csv")})
    assert r.json()["volume"]["total_change"] == "8882.00"
    assert r.json()["volume"]["source"] == "mine.csv"


def test_api_post_bad_volume(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    url = "/api/v1/changes?from=RVU25D&to=RVU26C"
    r = client.post(url, content=b"code\n62323\n", headers={"content-type": "text/csv"})
    assert r.status_code == 400 and r.json()["errors"][0]["where"] == "body.volume"
    assert "no units column" in r.json()["detail"]
    monkeypatch.setattr("medpayiq.services.MAX_VOLUME_BYTES", 10)
    r = client.post(url, content=VOLUME, headers={"content-type": "text/csv"})
    assert r.status_code == 413


def test_api_data_releases(client: TestClient) -> None:
    r = client.get("/api/v1/data/releases?date=2026-07-15")
    kinds = {k["kind"]: k for k in r.json()["kinds"]}
    assert kinds["pprrvu"]["used"] == "RVU26C" and kinds["pprrvu"]["loaded"] is True
    assert client.get("/api/v1/data/releases?date=2026-02-30").status_code == 400


def test_page(client: TestClient) -> None:
    r = client.get("/changes?from=RVU25D&to=RVU26C&zip=77030")
    assert r.status_code == 200, r.text
    page = BeautifulSoup(r.text, "html.parser")
    chart = page.select_one("#chart svg")
    assert chart is not None and chart.find("title").get_text() == "Largest changes by code"
    assert "62323 +$23.94" in chart.find("desc").get_text()  # Houston, office
    assert "Houston" in page.select_one("#summary").get_text()
    assert page.select_one("#up-h-s a[href='/codes/62323']") is not None
    assert "77417" in page.select_one("#code-changes").get_text()
    for field in page.select("#changes-form input, #changes-form select, #volume-form input"):
        assert page.select_one(f'label[for="{field["id"]}"]') is not None, field


def test_page_volume_upload(client: TestClient) -> None:
    r = client.post(
        "/changes?from=RVU25D&to=RVU26C", files={"volume": ("mine.csv", VOLUME, "text/csv")}
    )
    assert r.status_code == 200, r.text
    page = BeautifulSoup(r.text, "html.parser")
    assert "+$8,882.00" in page.select_one("#vol-h").get_text()
    desc = page.select_one("#chart svg desc").get_text()
    assert "99213 +$6,240.00" in desc and "62323 +$2,642.00" in desc


def test_page_problems(client: TestClient) -> None:
    r = client.get("/changes?from=RVU25D&to=RVU26Z")
    assert r.status_code == 400 and "RVU26Z" in r.text
    r = client.post("/changes?from=RVU25D&to=RVU26C", files={"volume": ("x.csv", b"", "text/csv")})
    assert r.status_code == 400 and "is empty" in r.text


def test_cli_bad_input_exits_2(tmp_path: Path) -> None:
    db = str(tmp_path / "empty.sqlite")
    result = runner.invoke(app, ["changes", "--from", "RVU25D", "--to", "RVU26C", "--db", db])
    assert result.exit_code == 2, result.output
    assert "RVU25D is not loaded" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["changes", "--from", "RVU25D", "--volume", "/nonexistent.csv"])
    assert result.exit_code == 2 and "cannot read" in result.output


def test_cli_on_the_store(store_db: Path, tmp_path: Path) -> None:
    volume = tmp_path / "volume.csv"
    volume.write_bytes(VOLUME)
    args = ["changes", "--from", "RVU25D", "--to", "RVU26C", "--codes", "62323",
            "--volume", str(volume), "--db", str(store_db)]  # fmt: skip
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["rows"][0]["amounts"][0]["after"] == "273.22"
    assert body["volume"]["total_change"] == "8882.00"
    table = runner.invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "$273.22" in table.output and "+$8,882.00" in table.output


def test_cli_data_status_on_a_date(store_db: Path) -> None:
    args = ["data", "status", "--date", "2026-07-15", "--db", str(store_db)]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    kinds = {k["kind"]: k for k in json.loads(result.output)["in_effect"]["kinds"]}
    assert kinds["zip5"]["applies"] == "20263" and kinds["zip5"]["used"] == "20261"
    table = runner.invoke(app, args)
    assert "In effect on 2026-07-15" in table.output


def test_impact_chart_draws_falls_left_of_zero() -> None:
    from decimal import Decimal

    from medpayiq.web.charts import impact_bars

    svg = str(impact_bars([("27447", Decimal("-98.28")), ("<b>", Decimal("-1"))], title="t",
                          unit="per service"))  # fmt: skip
    assert "&lt;b&gt;" in svg and "<b>" not in svg
    assert "−$98.28" in svg and 'text-anchor="end"' in svg

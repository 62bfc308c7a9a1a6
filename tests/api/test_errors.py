"""Bad input never yields a 500: every route answers 4xx with an RFC 9457 problem naming the
parameter at fault."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

PLACE_TIME_BAD = {
    "zip": ["7703", "ABCDE", "770301", "00000", "99999-12"],
    "locality": ["04412", "0441218X", "99999-99", "x"],
    "state": ["T", "XX", "TX1", "TX"],  # TX has 8 localities: choose one
    "pos": ["A1", "123", "99x"],
    "setting": ["hospital", "both"],
    "date": ["2026-13-01", "yesterday", "1990-01-01", "2026-02-30", "9999-12-31"],
    "qp": ["maybe", "2"],
}

ROUTES = [
    "/api/v1/price?code=62323",
    "/api/v1/codes/62323",
    "/api/v1/search?q=epidural",
    "/api/v1/localities",
]


def _assert_problem(r: object, where: str | None = None) -> dict[str, object]:
    from starlette import testclient

    # The TestClient's own HTTP library: httpx2 when installed (the MCP SDK brings it).
    assert isinstance(r, testclient.httpx.Response)
    assert 400 <= r.status_code < 500, f"{r.request.url} -> {r.status_code}: {r.text}"
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert set(body) >= {"type", "title", "status", "detail", "errors"}
    assert body["status"] == r.status_code
    assert body["errors"] and {"code", "message", "where"} <= set(body["errors"][0])
    if where is not None:
        assert body["errors"][0]["where"] == where, body
    return body  # type: ignore[no-any-return]


@pytest.mark.parametrize("route", ROUTES)
def test_bad_place_and_time_parameters(client: TestClient, route: str) -> None:
    for name, values in PLACE_TIME_BAD.items():
        for value in values:
            sep = "&" if "?" in route else "?"
            r = client.get(f"{route}{sep}{name}={value}")
            body = _assert_problem(r)
            where = str(body["errors"][0]["where"])  # type: ignore[index]
            # a date outside every loaded release is about the date, whatever raised it
            assert where.endswith(name) or (name == "date" and where == "query.date"), (
                name,
                value,
                body,
            )


@pytest.mark.parametrize(
    ("url", "where"),
    [
        ("/api/v1/price", "query.code"),
        ("/api/v1/price?code=6232", "query.code"),
        ("/api/v1/price?code=623231", "query.code"),
        ("/api/v1/price?code=ZZZZZ", "query.code"),
        ("/api/v1/price?code=62323&modifier=5", "query.modifier"),
        ("/api/v1/price?code=62323&modifier=26", None),
        ("/api/v1/price?code=62323&units=0", "query.units"),
        ("/api/v1/price?code=62323&units=lots", "query.units"),
        ("/api/v1/price?code=62323&pos=22&setting=non-facility", "query.setting"),
        ("/api/v1/codes/99999", "path.code"),
        ("/api/v1/codes/%20", "path.code"),
        ("/api/v1/codes/62323?dx=not-a-code", "query.dx"),
        ("/api/v1/search", "query.q"),
        ("/api/v1/search?q=%20%20", "query.q"),
        ("/api/v1/search?q=--", "query.q"),
        ("/api/v1/search?q=epidural&limit=0", "query.limit"),
        ("/api/v1/search?q=" + "x" * 300, "query.q"),
    ],
)
def test_bad_route_parameters(client: TestClient, url: str, where: str | None) -> None:
    _assert_problem(client.get(url), where)


def test_unknown_code_is_404(client: TestClient) -> None:
    assert client.get("/api/v1/codes/99999").status_code == 404


def test_unknown_route_and_method(client: TestClient) -> None:
    assert _assert_problem(client.get("/api/v1/nope"))["status"] == 404
    assert _assert_problem(client.post("/api/v1/price?code=62323"))["status"] == 405


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'"a string"',
        b"{}",
        b'{"patient": {"id": "P"}, "provider": {"npi": "123"}, "lines": []}',
        b'{"claim_id": 5, "patient": {"id": "P"}, "provider": {"npi": "1234567893"},'
        b' "place_of_service": "11", "zip": "77030", "date_of_service": "2026-07-15",'
        b' "diagnoses": ["M54.16"], "lines": [{"hcpcs": "6232"}]}',
    ],
)
@pytest.mark.parametrize("route", ["/api/v1/claims/check", "/api/v1/claims/price"])
def test_bad_claims(client: TestClient, route: str, body: bytes) -> None:
    r = client.post(route, content=body, headers={"content-type": "application/json"})
    problem = _assert_problem(r)
    assert all(str(e["where"]).startswith(("body", "request")) for e in problem["errors"])  # type: ignore[attr-defined]


def test_invalid_claim_names_each_field(client: TestClient) -> None:
    claim = {
        "patient": {"id": "P"},
        "provider": {"npi": "1234567890"},
        "place_of_service": "11",
        "zip": "77030",
        "date_of_service": "2026-07-15",
        "diagnoses": ["M54.16"],
        "lines": [{"hcpcs": "62323", "units": 0}],
    }
    body = _assert_problem(client.post("/api/v1/claims/check", json=claim))
    wheres = {e["where"] for e in body["errors"]}  # type: ignore[attr-defined]
    assert {"body.provider.npi", "body.lines[0].units"} <= wheres


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "2100-01-01", "9999-12-31"])
@pytest.mark.parametrize("route", [*ROUTES, "/api/v1/data/status"])
def test_dates_outside_2000_to_2099_are_refused_with_422(
    client: TestClient, route: str, day: str
) -> None:
    """No release can cover them (CMS's ids carry two-digit years: 1999 and 9999 both read
    as RVU99); 0001-01-01 used to fail deep in the pricing engine (a 500)."""
    joiner = "&" if "?" in route else "?"
    r = client.get(f"{route}{joiner}zip=77030&date={day}")
    body = _assert_problem(r, "query.date")
    assert r.status_code == 422
    assert body["errors"][0]["code"] == "date-out-of-range"
    assert "2000-2099" in str(body["detail"])


def test_dates_at_the_ends_of_the_range_are_not_refused_as_out_of_range(
    client: TestClient,
) -> None:
    for day in ("2000-01-01", "2099-12-31"):
        r = client.get(f"/api/v1/price?code=62323&zip=77030&date={day}")
        assert r.json()["errors"][0]["code"] != "date-out-of-range", r.text

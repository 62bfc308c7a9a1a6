"""The code page's "change from last year" leads to the comparison of the two releases."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient


def test_code_page_links_to_what_changed(client: TestClient) -> None:
    r = client.get("/codes/62323?zip=77030&date=2026-07-15")
    link = BeautifulSoup(r.text, "html.parser").select_one("#year-change-link")
    assert link is not None
    target = link["href"]
    assert target.startswith("/changes?from=RVU25D&to=RVU26C&codes=62323")
    assert "zip=77030" in target
    page = client.get(target)
    assert page.status_code == 200
    assert "$274.36" in page.text  # 62323 in Houston, office, RVU26C


def test_data_page_says_which_release_applies(client: TestClient) -> None:
    r = client.get("/data?date=2026-07-15")
    table = BeautifulSoup(r.text, "html.parser").select_one("#releases")
    assert table is not None
    rows = {tr.find("td").get_text(): tr.get_text(" ") for tr in table.select("tbody tr")}
    assert "20263" in rows["zip5"] and "20261" in rows["zip5"]

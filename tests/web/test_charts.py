"""Server-side SVG: well-formed, labelled for screen readers, sized by viewBox."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

from medpayiq.web.charts import locality_strip, setting_bars

SVG = "{http://www.w3.org/2000/svg}"


def test_setting_bars() -> None:
    svg = setting_bars(
        nonfacility=Decimal("274.36"),
        facility=Decimal("91.61"),
        national_nonfacility=Decimal("273.22"),
        national_facility=Decimal("89.18"),
        place_label="Houston, TX (04412-18)",
        chosen="facility",
    )
    root = ET.fromstring(str(svg))
    assert root.get("viewBox") and root.get("role") == "img"
    assert root.find(f"{SVG}title") is not None
    desc = root.find(f"{SVG}desc")
    assert desc is not None and "$274.36" in (desc.text or "") and "$89.18" in (desc.text or "")


def test_na_setting_is_said() -> None:
    svg = setting_bars(
        nonfacility=Decimal("104.75"),
        facility=None,
        national_nonfacility=Decimal("104.54"),
        national_facility=None,
        place_label="National average",
        chosen="non-facility",
    )
    assert "not priced here (NA)" in str(svg)


def test_locality_strip_marks_the_locality() -> None:
    amounts = [Decimal(x) for x in ("241.03", "260.10", "274.36", "300.00", "369.32")]
    svg = locality_strip(
        amounts=amounts,
        here=Decimal("274.36"),
        here_label="Houston <TX>",
        national=Decimal("273.22"),
        rank=3,
        setting="non-facility",
    )
    root = ET.fromstring(str(svg))
    text = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "Houston <TX> $274.36" in text and "rank 3 of 5" in text

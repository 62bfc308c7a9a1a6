"""The descriptor glossary reads CMS abbreviations back into words."""

from __future__ import annotations

import pytest

from medpayiq.knowledge.glossary import ABBREVIATIONS, explain
from medpayiq.reference import Catalog


@pytest.mark.parametrize(
    ("descriptor", "expected"),
    [
        (
            "Njx interlaminar lmbr/sac",
            "An injection between the laminae (interlaminar) in the lumbar or sacral spine.",
        ),
        (
            "Njx interlaminar crv/thrc",
            "An injection between the laminae (interlaminar) in the cervical or thoracic spine.",
        ),
        ("Fluoroguide for spine inject", "Fluoroscopic guidance for spine injection."),
        (
            "Office o/p est low 20 min",
            (
                "An office or other outpatient visit for an established patient (low "
                "medical decision making, or 20 minutes or more)."
            ),
        ),
        (
            "Inj paravert f jnt l/s 1 lev",
            (
                "An injection into the paravertebral facet joint in the lumbar or "
                "sacral spine at one level."
            ),
        ),
    ],
)
def test_explain(descriptor: str, expected: str) -> None:
    reading = explain(descriptor)
    assert reading.text == expected
    assert reading.complete


def test_terms_and_unknown_tokens() -> None:
    reading = explain("Njx aa&/strd tfrm epi l/s 1")
    assert {t.abbreviation for t in reading.terms} >= {"aa&/strd", "l/s"}
    partial = explain("Zzq frob lmbr")
    assert "zzq" in [u.lower() for u in partial.unknown] and not partial.complete


def test_glossary_covers_most_descriptors(catalog: Catalog) -> None:
    from datetime import date

    rows = [r for (code, mod), r in catalog.fee_schedule(date(2026, 7, 15)).rvus.items() if not mod]
    complete = sum(1 for r in rows if explain(r.description).complete)
    # Not a target to game: a floor that catches a broken glossary (the real share is printed).
    assert complete / len(rows) > 0.35, complete / len(rows)


def test_keys_are_lower_case() -> None:
    assert all(k == k.lower() for k in ABBREVIATIONS)

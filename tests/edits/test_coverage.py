"""Covered diagnoses from a Medicare Coverage Database export (tests/fixtures/mcd: the real
export layout, synthetic article 99901 for Noridian's contracts 01112 and 01182)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medpayiq.edits import CheckResult, check_claim, parse_claim
from medpayiq.reference import Catalog

MCD = Path(__file__).resolve().parents[1] / "fixtures" / "mcd"


@pytest.fixture(scope="module")
def with_mcd(catalog: Catalog) -> Catalog:
    # A new catalog over the same real datasets plus the export; the shared one stays as is.
    extended = Catalog(dict(catalog.datasets_by_key))
    loaded = Catalog.from_sources([str(MCD)])
    for dataset in loaded.datasets_by_key.values():
        extended.add(dataset.provenance, dataset.records)
    return extended


def _check(reference: Catalog, zip5: str, *diagnoses: str) -> CheckResult:
    claim: dict[str, Any] = {
        "claim_id": "MCD-1",
        "patient": {"id": "P-1", "birth_date": "1950-01-01", "sex": "F"},
        "provider": {"npi": "1234567893"},
        "place_of_service": "11",
        "zip": zip5,
        "date_of_service": "2026-07-15",
        "diagnoses": list(diagnoses),
        "lines": [{"hcpcs": "62323", "modifiers": [], "units": 1}],
    }
    return check_claim(reference, parse_claim(claim))


def _rules(result: CheckResult) -> list[str]:
    return [f.rule for f in result.findings]


def test_a_listed_diagnosis_passes_for_the_articles_mac(with_mcd: Catalog) -> None:
    # ZIP 94110 is San Francisco, carrier 01112 (ZIP5_OCT2025); M54.16 is in article 99901 v5.
    assert "policy.epidural.diagnosis" not in _rules(_check(with_mcd, "94110", "M54.16"))


def test_an_unlisted_diagnosis_is_a_medical_necessity_denial(with_mcd: Catalog) -> None:
    # M54.50 (low back pain, unspecified) is billable in FY2026 but not in the article.
    result = _check(with_mcd, "94110", "M54.50")
    [finding] = [f for f in result.findings if f.rule == "policy.epidural.diagnosis"]
    assert finding.lines == (1,)
    assert finding.severity.value == "deny"
    assert [a.code for a in finding.carc] == ["50"]
    assert [a.code for a in finding.rarc] == ["N115"]
    assert "99901" in finding.source


def test_an_older_article_version_is_not_used(with_mcd: Catalog) -> None:
    # Version 4 listed M54.5 (a header code); only version 5 counts.
    result = _check(with_mcd, "94110", "M54.5")
    assert "policy.epidural.diagnosis" in _rules(result)


def test_another_macs_article_is_not_applied(with_mcd: Catalog) -> None:
    # ZIP 77030 is Houston, Novitas carrier 04412: article 99901 does not bind it.
    result = _check(with_mcd, "77030", "M54.50")
    assert "policy.epidural.diagnosis" not in _rules(result)
    assert any("No billing article for MAC 04412" in note for note in result.notes)


def test_without_an_export_the_list_is_said_to_be_unavailable(catalog: Catalog) -> None:
    result = _check(catalog, "94110", "M54.50")
    assert "policy.epidural.diagnosis" not in _rules(result)
    assert any("covered-diagnosis list is not available" in note for note in result.notes)

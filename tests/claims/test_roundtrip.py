"""The JSON claims of docs/examples, written as an 837P file and scrubbed, give the findings
and prices of the JSON path. A claim's JSON history becomes earlier claims of the same
patient in the file, and gives the same findings too.

The writer here (`as_837p`) is the inverse of the converter for what a JSON claim says: the
provider's NPI bills and renders, the claim's ZIP is the billing provider's, the patient is
the subscriber (Medicare Part B), the file is created 30 days after the service.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from medpayiq.edits import Claim, HistoryService, check_claim, parse_claim
from medpayiq.reference import Catalog
from medpayiq.services import ClaimFiles
from medpayiq.x12 import (
    BillingProvider,
    Claim837,
    DateSpan,
    Diagnosis,
    Payer,
    ProviderRef,
    Service,
    ServiceLine,
    Subscriber,
    new_transaction,
    to_837p,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
_TAXONOMY = {"physician": "208VP0014X", "np": "363LF0000X", "pa": "363A00000X",
             "cns": "364SA2200X", "other": "208VP0014X"}  # fmt: skip


def as_837p(claim: Claim, *, charge: Decimal = Decimal("100.00")) -> list[Claim837]:
    """The claim as 837P claims: its history first (one claim a service), then itself."""
    provider = claim.provider
    assert claim.zip is not None, "837P places a claim by ZIP"
    billing = BillingProvider(provider.npi, "EXAMPLE PRACTICE", "2", _TAXONOMY[provider.type],
                              None, "HOUSTON", "TX", claim.zip.replace("-", ""), "")  # fmt: skip
    subscriber = Subscriber(
        claim.patient.id, "P", "18", None, "MB", claim.patient.birth_date, claim.patient.sex,
        Payer("MEDICARE PART B", "04412"), "",
    )  # fmt: skip
    created = claim.date_of_service + timedelta(days=30)
    transaction = new_transaction(created)
    rendering = ProviderRef(provider.npi, "1", _TAXONOMY[provider.type])

    def one(claim_id: str, day: date, lines: list[tuple[str, list[str], int, Any, list[int]]],
            diagnoses: list[str], pos: str) -> Claim837:  # fmt: skip
        built = []
        for n, (code, modifiers, units, amount, pointers) in enumerate(lines, start=1):
            service = Service("HC", code, tuple(modifiers), amount or charge, "UN",
                              Decimal(units), "", tuple(pointers))  # fmt: skip
            built.append(ServiceLine(n, service, pos, DateSpan(day, day), provider.npi, None,
                                     None, 0))  # fmt: skip
        dx = tuple(Diagnosis.of(code, principal=i == 0) for i, code in enumerate(diagnoses))
        total = sum((line.charge for line in built), Decimal(0))
        return Claim837(
            claim_id,
            total,
            pos,
            "1",
            True,
            "A" if provider.participating else "C",
            "Y",
            "Y",
            dx,
            (),
            None,
            None,
            rendering,
            None,
            tuple(built),
            billing,
            subscriber,
            None,
            transaction,
            0,
        )

    earlier = [
        one(
            f"H{i}",
            h.date_of_service,
            [(h.hcpcs, h.modifiers, h.units, None, [1])],
            claim.diagnoses[:1],
            claim.place_of_service,
        )
        for i, h in enumerate(claim.history, start=1)
    ]
    lines = [(ln.hcpcs, ln.modifiers, ln.units, ln.charge, ln.diagnosis_pointers)
             for ln in claim.lines]  # fmt: skip
    main = one(claim.claim_id or "MAIN", claim.date_of_service, lines, claim.diagnoses,
               claim.place_of_service)  # fmt: skip
    return [*earlier, main]


def _findings(findings: Any) -> list[tuple[Any, ...]]:
    return [(f.rule, f.severity, f.lines, f.message, f.at_risk, f.fix) for f in findings]


def _both(catalog: Catalog, data: dict[str, Any]) -> tuple[Any, Any]:
    claim = parse_claim(data)
    direct = check_claim(catalog, claim)
    files = ClaimFiles(catalog, [("example.837", to_837p(as_837p(claim)).encode())])
    reports = list(files)
    assert files.problems == [] and reports[-1].claim_id == (claim.claim_id or "MAIN")
    return direct, reports[-1]


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_documented_examples_give_the_same_findings(catalog: Catalog, path: Path) -> None:
    direct, scrubbed = _both(catalog, json.loads(path.read_text(encoding="utf-8")))
    assert _findings(scrubbed.findings) == _findings(direct.findings)
    assert scrubbed.expected_allowed == direct.priced.total_expected
    assert scrubbed.at_risk == direct.priced.at_risk
    assert [ln.allowed for ln in scrubbed.lines] == [
        ln.expected_allowed for ln in direct.priced.lines
    ]


def test_history_from_earlier_claims_of_the_file(catalog: Catalog) -> None:
    data = json.loads((EXAMPLES / "esi-clean.json").read_text(encoding="utf-8"))
    sessions = ["2025-10-01", "2026-01-05", "2026-04-01", "2026-06-01"]
    data["history"] = [{"date_of_service": d, "hcpcs": "62323",
                        "provider_npi": data["provider"]["npi"]} for d in sessions]  # fmt: skip
    direct, scrubbed = _both(catalog, data)
    assert [f.rule for f in direct.findings] == ["policy.epidural.frequency"]
    assert _findings(scrubbed.findings) == _findings(direct.findings)


def test_the_examples_history_items_are_what_the_index_keeps(catalog: Catalog) -> None:
    # The converter hands the checker the history services it keeps from earlier claims:
    # those a history rule reads (here 62323, a policy pack code; not 99213).
    from medpayiq.edits import history_codes

    codes = history_codes(catalog, date(2026, 7, 15))
    assert "62323" in codes and "27447" in codes and "99213" not in codes
    # Worked out once per RVU release: another day of RVU26C (July-September) shares the set.
    assert history_codes(catalog, date(2026, 8, 3)) is codes
    assert HistoryService.model_fields.keys() >= {"date_of_service", "hcpcs", "provider_npi"}

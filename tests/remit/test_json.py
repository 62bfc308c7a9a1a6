"""A claim's JSON is written without building its dicts (remit/_json.py): it must be the
bytes `json.dumps(as_dict)` gives, for every claim of the fixture (paid, underpaid, denied,
reversed, claim-level only, unknown codes) and with a pair."""

from __future__ import annotations

import json

from medpayiq.reference import Catalog
from medpayiq.remit import Analyzer
from medpayiq.remit._json import PAIR_SLOT, ClaimEncoder
from medpayiq.x12 import ClaimPayment, read_835

from .builders import FIXTURE

DENIALS = "tests/fixtures/x12/medicare_2026_denials.835"


def test_claim_json_is_json_dumps_of_as_dict(catalog: Catalog) -> None:
    analyzer = Analyzer(catalog)
    encoder = ClaimEncoder(analyzer.codes)
    claims = [
        analyzer.claim(c)
        for path in (FIXTURE, DENIALS)
        for c in read_835(path)
        if isinstance(c, ClaimPayment)
    ]
    assert len(claims) >= 10 and any(c.payment.reversal for c in claims)
    assert any(not c.payment.lines for c in claims)  # denied at claim level: line 0
    for analysed in claims:
        expected = json.dumps(analysed.as_dict(analyzer.codes), ensure_ascii=False)
        assert encoder.claim(analysed) == expected
        assert encoder.claim(analysed) == expected  # the second time from the kept texts
    paired = claims[0]
    paired.pair = {"role": "correction", "with_payer_claim_number": "1", "net_paid": "2.35",
                   "net_patient_responsibility": "0.60"}  # fmt: skip
    assert encoder.claim(paired) == json.dumps(paired.as_dict(analyzer.codes), ensure_ascii=False)
    slotted = encoder.claim(paired, pair=PAIR_SLOT)
    assert slotted.count(PAIR_SLOT) == 1 and '"pair": \x00, "lines"' in slotted

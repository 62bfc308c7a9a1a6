"""A claim's JSON is written without building its dicts (remit/_json.py): it must be the
bytes `json.dumps(as_dict)` gives, for every claim of the fixture (paid, underpaid, denied,
reversed, claim-level only, unknown codes) and with a pair, and so must a worklist item's;
the whole answer read back from the spool in pieces is the same whatever the piece size."""

from __future__ import annotations

import json

import pytest

from medpayiq.reference import Catalog
from medpayiq.remit import Analyzer
from medpayiq.remit import _report as report_module
from medpayiq.remit._json import PAIR_SLOT, ClaimEncoder, dumps
from medpayiq.remit._report import _work_item
from medpayiq.services import analyze_remittance
from medpayiq.x12 import ClaimPayment, read_835

from .builders import FIXTURE, reversal_and_correction

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
        for line in analysed.lines:
            item = _work_item(analyzer.codes, analysed, line)
            assert encoder.work_item(analysed, line) == (None if item is None else dumps(item))
    items = [json.loads(t) for c in claims for line in c.lines if (t := encoder.work_item(c, line))]
    assert [(i["hcpcs"], i["status"], i["route"]) for i in items] == [
        ("62323", "underpaid", "reopening"),
        ("77003", "denied", "redetermination"),  # CO-97 with 62323
        ("99214", "denied", "corrected_claim"),  # CO-16, MA130
        ("62323", "denied", "redetermination"),  # CO-50
    ]
    paired = claims[0]
    paired.pair = {"role": "correction", "with_payer_claim_number": "1", "net_paid": "2.35",
                   "net_patient_responsibility": "0.60"}  # fmt: skip
    assert encoder.claim(paired) == json.dumps(paired.as_dict(analyzer.codes), ensure_ascii=False)
    slotted = encoder.claim(paired, pair=PAIR_SLOT)
    assert slotted.count(PAIR_SLOT) == 1 and '"pair": \x00, "lines"' in slotted


def test_json_answer_read_back_in_pieces(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    # a reversal (its pair filled in when the claims are read back) and a payer name with a
    # two-byte character, read back a megabyte at a time and then a byte at a time (a piece
    # ends inside the character and next to the pair's slot)
    text = reversal_and_correction().replace(b"NOVITAS", "NOVIT\u00c9S".encode())
    whole = "".join(analyze_remittance(catalog, [text]).json_chunks())
    monkeypatch.setattr(report_module, "_READ", 1)
    report = analyze_remittance(catalog, [text])
    assert "".join(report.json_chunks()) == whole
    body = json.loads(whole)
    assert body == report.as_dict()
    reversal, correction = body["claims"]
    assert reversal["payer"] == "NOVIT\u00c9S SOLUTIONS JH"
    assert reversal["pair"]["net_paid"] == correction["pair"]["net_paid"] == "2.35"

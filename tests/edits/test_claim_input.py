"""The claim input: the documented shape parses, malformed claims list every problem, and
docs/claim.schema.json is the schema the model generates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from medpayiq.edits import (
    Claim,
    ClaimInputError,
    ClaimLine,
    claim_json_schema,
    parse_claim,
    unchecked,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "claims"


def _load(name: str) -> dict[str, object]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_issue_shape_parses() -> None:
    claim = parse_claim(_load("esi-clean.json"))
    assert claim.lines[0].hcpcs == "62323"
    assert str(claim.lines[0].charge) == "950.00"
    assert claim.history[0].hcpcs == "62323"
    assert claim.line_diagnoses(claim.lines[0]) == ["M5416", "M48062"]


def test_carrier_and_locality_replace_zip() -> None:
    data = _load("esi-clean.json")
    del data["zip"]
    data["carrier"], data["locality"] = "04412", "18"
    assert parse_claim(data).carrier == "04412"


def test_malformed_claim_lists_every_problem_with_its_field() -> None:
    with pytest.raises(ClaimInputError) as raised:
        parse_claim(_load("malformed.json"))
    fields = [p.field for p in raised.value.problems]
    assert fields == [
        "provider.npi",
        "place_of_service",
        "date_of_service",
        "lines[0].hcpcs",
        "lines[0].units",
        "zip",
        "lines[0].diagnosis_pointers",
    ]
    text = str(raised.value)
    assert text.startswith("the claim has 7 problems")
    assert "check digit" in text and "pointer 3" in text


def test_messages_do_not_echo_patient_values() -> None:
    data = _load("esi-clean.json")
    data["patient"] = {"id": "SECRET-ID", "birth_date": "not-a-date", "sex": "X"}
    with pytest.raises(ClaimInputError) as raised:
        parse_claim(data)
    assert "SECRET" not in str(raised.value) and "not-a-date" not in str(raised.value)
    assert [p.field for p in raised.value.problems] == ["patient.birth_date", "patient.sex"]


def test_not_an_object() -> None:
    with pytest.raises(ClaimInputError, match="JSON object"):
        parse_claim([])  # type: ignore[arg-type]


def test_schema_file_is_current() -> None:
    on_disk = json.loads((ROOT / "docs" / "claim.schema.json").read_text(encoding="utf-8"))
    assert on_disk == claim_json_schema(), (
        "docs/claim.schema.json is stale: regenerate it with "
        "`python -c 'from medpayiq.edits import claim_json_schema; ...'` (docs/claim-checker.md)"
    )


@pytest.mark.parametrize("path", sorted((ROOT / "docs" / "examples").glob("*.json")))
def test_documented_examples_parse(path: Path) -> None:
    assert isinstance(parse_claim(json.loads(path.read_text(encoding="utf-8"))), Claim)


def test_unchecked_instances_equal_validated_ones() -> None:
    # The 837P converter builds claims without validation (medpayiq.edits.unchecked): the
    # instance must be what model_validate gives for the same values.
    validated = parse_claim(_load("esi-clean.json"))
    lines = [unchecked(ClaimLine, dict(line)) for line in validated.lines]
    values = {name: getattr(validated, name) for name in Claim.model_fields}
    built = unchecked(Claim, {**values, "lines": lines})
    assert built == validated and hash(built.lines[0].hcpcs) == hash(validated.lines[0].hcpcs)
    assert built.model_copy(update={"zip": "77002"}).zip == "77002"
    assert built.model_dump() == validated.model_dump()
    with pytest.raises(ValidationError):
        built.zip = "77002"  # type: ignore[misc]


@pytest.mark.parametrize("field", ["date_of_service", "line", "history"])
@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "2100-01-01", "9999-12-31"])
def test_dates_no_release_can_cover_are_refused(field: str, day: str) -> None:
    # CMS's release ids carry two-digit years: 1999 would read as RVU99, 2100 as RVU00.
    data = _load("esi-clean.json")
    lines, history = data["lines"], data["history"]
    assert isinstance(lines, list) and isinstance(history, list)
    where = {"date_of_service": "date_of_service", "line": "lines[0].date_of_service",
             "history": "history[0].date_of_service"}[field]  # fmt: skip
    if field == "date_of_service":
        data["date_of_service"] = day
    else:
        (lines if field == "line" else history)[0]["date_of_service"] = day
    with pytest.raises(ClaimInputError) as raised:
        parse_claim(data)
    assert [p.field for p in raised.value.problems] == [where]
    assert day not in str(raised.value)

"""`medpayiq price`: bad input is one line and exit code 2 (no store needed to say so)."""

from __future__ import annotations

from typer.testing import CliRunner

from medpayiq.cli import _register, app

_register()
runner = CliRunner()


def test_bad_date_exits_2():
    result = runner.invoke(app, ["price", "62323", "--date", "2025-13-01"])
    assert result.exit_code == 2, result.output
    assert "--date" in result.output and "Traceback" not in result.output


def test_two_locations_exit_2():
    result = runner.invoke(app, ["price", "62323", "--zip", "77030", "--state", "TX"])
    assert result.exit_code == 2, result.output


# --- Every schedule from the command line (the shared store) ------------------------------


def _json(store_db, *args: str) -> dict[str, object]:
    import json

    result = runner.invoke(app, ["price", *args, "--json", "--db", str(store_db)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_a_lab_test_is_priced_on_the_clfs(store_db):
    # CLFS 2026 Q2: 80053 = 10.56, no deductible or coinsurance.
    answer = _json(store_db, "80053", "--date", "2026-05-04", "--deductible-remaining", "283")
    assert answer["allowed"] == "10.56" and answer["schedule"]["name"] == "clfs"
    assert answer["cost_share"]["patient_pays"] == "0.00"


def test_a_state_is_enough_for_dmepos(store_db):
    # DMEPOS26_JAN: E0601-RR TX non-rural 50.91, rural 91.52.
    answer = _json(store_db, "E0601", "-m", "RR", "--state", "TX", "--date", "2026-02-10")
    assert answer["allowed"] == "50.91" and answer["schedule"]["name"] == "dmepos"
    assert [a["amount"] for a in answer["amounts"]] == ["50.91", "91.52"]


def test_the_cost_share_table(store_db):
    result = runner.invoke(
        app, ["price", "G0439", "--date", "2026-08-03", "--cost-share", "--db", str(store_db)]
    )
    assert result.exit_code == 0, result.output
    assert "$137.61" in result.output and "Patient pays" in result.output
    assert "Coinsurance" in result.output

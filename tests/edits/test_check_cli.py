"""`medpayiq check` on bad input: one message per problem and exit code 2, no stack trace.
(The input is rejected before any store is opened.)"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from medpayiq.cli import _register, app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "claims"


def test_malformed_claim_exits_2_with_each_problem(tmp_path: Path) -> None:
    _register()
    result = CliRunner().invoke(
        app, ["check", str(FIXTURES / "malformed.json"), "--db", str(tmp_path / "unused.db")]
    )
    assert result.exit_code == 2, result.output
    assert "the claim has 7 problems" in result.output
    assert "lines[0].units: line 1:" in result.output
    assert "Traceback" not in result.output


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    _register()
    bad = tmp_path / "bad.json"
    bad.write_text('{"claim_id": "x",\n  "lines": [}', encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(bad)])
    assert result.exit_code == 2, result.output
    assert "line 2, column" in result.output and "not valid JSON" in result.output

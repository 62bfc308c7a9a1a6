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

"""The command list of `medpayiq --help`: each command's summary reads as one sentence (its
docstring's first paragraph, line breaks joined), not cut where the docstring wraps."""

from __future__ import annotations

import inspect

from typer.testing import CliRunner

from medpayiq.cli import _register, app
from medpayiq.cli.data import status
from medpayiq.cli.price import price, price_batch

runner = CliRunner()


def _summary(function: object) -> str:
    return " ".join(inspect.cleandoc(function.__doc__ or "").split("\n\n")[0].split())


def test_command_summaries_are_not_cut_at_docstring_line_breaks() -> None:
    _register()
    wide = {"COLUMNS": "400", "TERM": "dumb"}
    listed = runner.invoke(app, ["--help"], env=wide)
    assert listed.exit_code == 0, listed.output
    for function in (price, price_batch):
        assert "\n" in inspect.cleandoc(function.__doc__ or "").split("\n\n")[0]
        assert _summary(function) in listed.stdout
    data = runner.invoke(app, ["data", "--help"], env=wide)
    assert data.exit_code == 0, data.output
    assert _summary(status) in data.stdout

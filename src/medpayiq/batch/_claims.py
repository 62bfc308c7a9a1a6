"""Scrub reports of 837P claim files, written as they are checked: JSON, CSV or a
self-contained HTML worklist (`medpayiq claims scrub ... --out report.html`).

    writer = open_report(Path("report.html"))      # by the suffix: .json, .csv, .html
    for report in files:                            # services.ClaimFiles
        writer.write(report)
    writer.close(files)                             # the summary, problems, unreadable inputs

- JSON: the same document as `medpayiq check FILE.837 --json` and the API
  (`services.json_chunks`): `claims`, `problems`, `unreadable`, `summary`.
- CSV: one row per service line (a rejected claim: one row with its problems), the claim's
  status, totals and findings on each of its rows, so a spreadsheet filter on any column
  keeps whole claims together. Cells that a spreadsheet would read as a formula (=, +, -, @)
  are prefixed with an apostrophe.
- HTML: the summary (claims by status, dollars, findings by rule) and one row per claim
  (`worklist_row`, also the /claims/file page's), sortable and filterable, with a CSV export
  of the rows shown; its CSS and script are inlined (web/static/worklist.*): no network.

Rows are written to a temporary file as they come, and the HTML put together at the end
(the summary goes first): memory stays flat. Nothing identifies a patient: claim ids,
codes, dates of service, places and amounts.
"""

from __future__ import annotations

import csv
import html
import io
import json
import shutil
import tempfile
from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import IO, Any, Protocol

from medpayiq.claims import STATUSES, ClaimReport, Summary, problem_dict
from medpayiq.errors import InputError
from medpayiq.money import display

__all__ = [
    "REPORT_SUFFIXES",
    "WORKLIST_FOOT",
    "WORKLIST_HEAD",
    "ReportWriter",
    "open_report",
    "rules_table",
    "summary_cards",
    "worklist_controls",
    "worklist_row",
    "worklist_script",
    "worklist_style",
]

REPORT_SUFFIXES = (".json", ".csv", ".html")


class _Files(Protocol):
    """What a writer reads at the end of the scrub (`services.ClaimFiles`)."""

    @property
    def summary(self) -> Summary: ...

    problems: list[Any]
    unreadable: list[Any]


class ReportWriter(Protocol):
    """Writes a report: `write(report)`, or `write_text(render(report))` when the claim was
    rendered elsewhere (a worker process: `render` is a module-level function), then
    `close(files)`."""

    @staticmethod
    def render(report: ClaimReport, /) -> str: ...

    def write(self, report: ClaimReport) -> None: ...

    def write_text(self, text: str) -> None: ...

    def close(self, files: _Files) -> None: ...


def open_report(path: Path) -> ReportWriter:
    """A writer for `path`, chosen by its suffix. InputError for another suffix."""
    suffix = path.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise InputError(
            f"{path.name}: a report is .json, .csv or .html (not {suffix or 'no suffix'})",
            parameter="out",
        )
    out = path.open("w", encoding="utf-8", newline="")
    if suffix == ".json":
        return _JsonWriter(out)
    if suffix == ".csv":
        return _CsvWriter(out)
    return _HtmlWriter(out, path.stem)


def _money(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount:.2f}"


# --- JSON ------------------------------------------------------------------------------------


class _JsonWriter:
    @staticmethod
    def render(report: ClaimReport, /) -> str:
        return report.as_json()

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.first = True
        out.write('{"claims": [')

    def write(self, report: ClaimReport) -> None:
        self.write_text(report.as_json())

    def write_text(self, text: str) -> None:
        self.out.write(("" if self.first else ",\n") + text)
        self.first = False

    def close(self, files: _Files) -> None:
        rest = {
            "problems": [{"file": name, **problem_dict(p)} for name, p in files.problems],
            "unreadable": [u.as_dict() for u in files.unreadable],
            "summary": files.summary.as_dict(),
        }
        self.out.write("],\n" + json.dumps(rest)[1:] + "\n")
        self.out.close()


# --- CSV -------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "file", "claim_id", "claim_status", "frequency", "line", "date_of_service", "date_end",
    "place_of_service", "hcpcs", "modifiers", "units", "charge", "allowed_as_billed",
    "expected_allowed", "line_status", "line_rules", "claim_charge", "claim_expected_allowed",
    "claim_at_risk", "claim_rules", "findings", "fixes",
)  # fmt: skip


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def render_csv(report: ClaimReport, /) -> str:
    """The claim's CSV rows (one per line; a rejected claim one row)."""
    buffer = io.StringIO()
    _csv_rows(csv.writer(buffer), report)
    return buffer.getvalue()


class _CsvWriter:
    @staticmethod
    def render(report: ClaimReport, /) -> str:
        return render_csv(report)

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.csv = csv.writer(out)
        self.csv.writerow(CSV_COLUMNS)

    def write(self, report: ClaimReport) -> None:
        _csv_rows(self.csv, report)

    def write_text(self, text: str) -> None:
        self.out.write(text)

    def close(self, files: _Files) -> None:
        self.out.close()


def _csv_rows(writer: Any, report: ClaimReport) -> None:
    actionable = [f for f in report.findings if f.severity.value != "info"]
    rules = " ".join(dict.fromkeys(f.rule for f in actionable))
    said = " | ".join(
        [f"{f.severity.value.upper()} {f.rule}: {f.message}" for f in actionable]
        + [f"{p.where}: {p.message}" for p in report.problems]
    )
    fixes = " | ".join(dict.fromkeys(f.fix for f in actionable))
    claim = [
        _money(report.charge),
        _money(report.expected_allowed),
        _money(report.at_risk),
        rules,
        said,
        fixes,
    ]
    head = [report.file, report.claim_id, report.status, report.frequency]
    if not report.lines:
        writer.writerow([_cell(v) for v in [*head, *[""] * 12, *claim]])
        return
    for line in report.lines:
        line_rules = " ".join(dict.fromkeys(f.rule for f in actionable if line.line in f.lines))
        row = [
            line.line,
            line.date_of_service.isoformat(),
            line.date_end.isoformat() if line.date_end else "",
            line.place_of_service,
            line.hcpcs,
            " ".join(line.modifiers),
            line.units,
            _money(line.charge),
            _money(line.allowed_as_billed),
            _money(line.allowed),
            line.status,
            line_rules,
        ]
        writer.writerow([_cell(v) for v in [*head, *row, *claim]])


# --- HTML ------------------------------------------------------------------------------------


def _asset(name: str) -> str:
    return (resources.files("medpayiq") / "web" / "static" / name).read_text(encoding="utf-8")


def worklist_script() -> str:
    """The worklist's script (web/static/worklist.js), for inlining."""
    return _asset("worklist.js")


def worklist_style() -> str:
    """The worklist's CSS (web/static/worklist.css), for inlining."""
    return _asset("worklist.css")


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _codes(report: ClaimReport) -> str:
    return ", ".join("-".join([line.hcpcs, *line.modifiers]) for line in report.lines)


def _dates(report: ClaimReport) -> tuple[str, str]:
    """(shown, sort key) of the claim's dates of service."""
    if not report.lines:
        return "", ""
    days = sorted({line.date_of_service for line in report.lines})
    shown = days[0].isoformat() + (f" to {days[-1].isoformat()}" if len(days) > 1 else "")
    return shown, days[0].isoformat()


def _findings_cell(report: ClaimReport) -> tuple[str, str]:
    """The findings (or a rejected claim's problems) as a list, and as CSV text."""
    items: list[str] = []
    plain: list[str] = []
    for f in report.findings:
        lines = ", ".join(map(str, f.lines))
        risk = f" ${f.at_risk:,.2f} at risk." if f.at_risk else ""
        codes = " ".join([c.code for c in f.carc] + [r.code for r in f.rarc])
        items.append(
            f'<li><span class="wl-sev {_e(f.severity.value)}">{_e(f.severity.value.upper())}'
            f"</span> <code>{_e(f.rule)}</code> (line {_e(lines)}){_e(risk)} {_e(f.message)}"
            + (f" <span class='wl-muted'>CARC/RARC {_e(codes)}</span>" if codes else "")
            + f' <span class="wl-fix">Fix: {_e(f.fix)}</span></li>'
        )
        plain.append(f"{f.severity.value.upper()} {f.rule} (line {lines}): {f.message}")
    for p in report.problems:
        items.append(
            f'<li><span class="wl-sev deny">REJECTED</span> <code>{_e(p.code)}</code> '
            f"{_e(p.where)}: {_e(p.message)}</li>"
        )
        plain.append(f"{p.code} {p.where}: {p.message}")
    if not items:
        return '<span class="wl-muted">none</span>', ""
    actionable = [f for f in report.findings if f.severity.value != "info"]
    first = (
        actionable[0].message
        if actionable
        else (report.problems[0].message if report.problems else report.findings[0].message)
    )
    summary = f"{len(items)} · {_e(first[:90])}{'…' if len(first) > 90 else ''}"
    return (
        f"<details><summary>{summary}</summary><ul>{''.join(items)}</ul></details>",
        " | ".join(plain),
    )


def worklist_row(report: ClaimReport, /) -> str:
    """One claim as a row of the worklist table (HTML, escaped)."""
    shown, day = _dates(report)
    findings, plain = _findings_cell(report)
    rules = " ".join(
        dict.fromkeys(f.rule for f in report.findings if f.severity.value != "info")
    ) or ("x12." + " x12.".join(dict.fromkeys(p.code for p in report.problems))
          if report.problems else "")  # fmt: skip
    frequency = (
        f' <span class="wl-muted">({_e(report.frequency)})</span>'
        if report.frequency not in ("original", "")
        else ""
    )
    cells = [
        f'<td class="wl-nowrap" data-v="{_e(report.claim_id)}">'
        f"<code>{_e(report.claim_id or '(no CLM01)')}</code>"
        f"{frequency}</td>",
        f'<td data-v="{STATUSES.index(report.status)}" data-csv="{_e(report.status)}">'
        f'<span class="wl-status {_e(report.status)}">{_e(report.status)}</span></td>',
        f'<td class="wl-nowrap" data-v="{_e(day)}">{_e(shown)}</td>',
        f'<td class="num">{len(report.lines)}</td>',
        f'<td class="wl-codes">{_e(_codes(report))}</td>',
        f'<td class="num" data-v="{_money(report.charge)}">{_e(display(report.charge))}</td>',
        f'<td class="num" data-v="{_money(report.expected_allowed)}">'
        f"{_e(display(report.expected_allowed))}</td>",
        f'<td class="num" data-v="{_money(report.at_risk)}">{_e(display(report.at_risk))}</td>',
        f"<td>{_e(rules)}</td>",
        f'<td class="wl-findings" data-csv="{_e(plain)}">{findings}</td>',
        f'<td class="wl-nowrap">{_e(report.file)}</td>',
    ]
    return f'<tr data-status="{_e(report.status)}">{"".join(cells)}</tr>\n'


WORKLIST_HEAD = (
    '<table class="wl" id="worklist" data-csv-name="claims-worklist.csv"><thead><tr>'
    '<th data-sort="text">Claim</th><th data-sort="num">Status</th>'
    '<th data-sort="text">Dates of service</th><th class="num" data-sort="num">Lines</th>'
    '<th>Codes</th><th class="num" data-sort="num">Billed</th>'
    '<th class="num" data-sort="num">Expected allowed</th>'
    '<th class="num" data-sort="num">At risk</th><th data-sort="text">Rules</th>'
    '<th>Findings</th><th data-sort="text">File</th></tr></thead><tbody>\n'
)
WORKLIST_FOOT = "</tbody></table>\n"


def worklist_controls() -> str:
    options = "".join(f'<option value="{s}">{s}</option>' for s in STATUSES)
    return (
        '<div class="wl-controls">'
        '<label class="wl-muted" for="wl-q">Filter</label>'
        '<input id="wl-q" type="search" placeholder="Claim id, code, rule or words">'
        '<label class="wl-muted" for="wl-status">Status</label>'
        f'<select id="wl-status"><option value="">all</option>{options}</select>'
        '<button type="button" id="wl-csv">Export CSV</button>'
        '<span id="wl-count" class="wl-muted" aria-live="polite"></span></div>'
    )


def summary_cards(summary: Summary) -> str:
    """Claims by status and the dollars, as cards (HTML)."""
    cards = [("claims", f"{summary.claims:,}")]
    cards += [(status, f"{summary.by_status[status]:,}") for status in STATUSES]
    cards += [
        ("billed", display(summary.charge)),
        ("expected allowed", display(summary.expected_allowed)),
        ("at risk (deny)", display(summary.at_risk)),
        ("at risk (review)", display(summary.review_at_risk)),
    ]
    return (
        '<div class="wl-cards">'
        + "".join(
            f'<div class="wl-card"><b>{_e(v)}</b><span>{_e(k)}</span></div>' for k, v in cards
        )
        + "</div>"
    )


def rules_table(summary: Summary) -> str:
    rows = "".join(
        f"<tr><td><code>{_e(t.rule)}</code></td><td>{_e(t.severity)}</td>"
        f'<td class="num">{t.findings:,}</td><td class="num">{t.lines:,}</td>'
        f'<td class="num">{_e(display(t.at_risk))}</td></tr>'
        for t in summary.rules()
    )
    return (
        '<table class="wl"><thead><tr><th>Rule</th><th>Severity</th><th class="num">Findings'
        '</th><th class="num">Lines</th><th class="num">At risk</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


class _HtmlWriter:
    @staticmethod
    def render(report: ClaimReport, /) -> str:
        return worklist_row(report)

    def __init__(self, out: IO[str], title: str) -> None:
        self.out = out
        self.title = title
        # Rows wait here until the summary, which goes first, is known (closed in `close`).
        self.rows = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115

    def write(self, report: ClaimReport) -> None:
        self.rows.write(worklist_row(report))

    def write_text(self, text: str) -> None:
        self.rows.write(text)

    def close(self, files: _Files) -> None:
        summary = files.summary
        out = self.out
        made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        out.write(
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Claim scrub: {summary.claims:,} claims · MedPayIQ</title>"
            f"<style>body{{font-family:system-ui,sans-serif;margin:16px;color:#1f2a37;"
            f"background:#f6f7f9}}h1{{font-size:1.5rem}}h2{{font-size:1.1rem}}"
            f"{worklist_style()}</style></head><body>"
            f"<h1>Claim scrub: {_e(self.title)}</h1>"
            f'<p class="wl-muted">{summary.claims:,} claims in {len(summary.files)} file(s), '
            f"made {made} by MedPayIQ. Expected amounts are Medicare's (an estimate, not a "
            "payment determination).</p>"
            f"<h2>Summary</h2>{summary_cards(summary)}"
        )
        if files.unreadable or files.problems:
            out.write("<h2>File problems</h2><ul>")
            for u in files.unreadable:
                out.write(f"<li>{_e(u.message)}</li>")
            for name, p in files.problems[:200]:
                out.write(f"<li>{_e(name)}: {_e(p.where)}: {_e(p.message)}</li>")
            out.write("</ul>")
        out.write(f"<h2>Findings by rule</h2>{rules_table(summary)}")
        out.write(f"<h2>Worklist</h2>{worklist_controls()}")
        out.write(f'<div class="wl-table-wrap">{WORKLIST_HEAD}')
        self.rows.seek(0)
        shutil.copyfileobj(self.rows, out)
        self.rows.close()
        out.write(WORKLIST_FOOT + "</div>")
        if summary.notes:
            out.write("<h2>Notes on the data used</h2><ul>")
            out.write("".join(f"<li>{_e(n)}</li>" for n in summary.notes))
            out.write("</ul>")
        out.write(f"<script>{worklist_script()}</script></body></html>\n")
        out.close()

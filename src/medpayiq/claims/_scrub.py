"""Scrub the claims of an input: each through the converter, the file rules and the checker,
with the patient's earlier services from earlier claims of the same input.

    scrubber = Scrubber(reference)
    for item in read_837p(path):               # Claim837 or RejectedClaim, streamed
        report = scrubber.scrub(item, file=path.name)
    scrubber.summary                           # the input so far

Nothing of a claim is kept but its index entries (`_index`): an input of any size streams
(the claim checker keeps the encounters it has seen, in memo tables of bounded size). The
order matters as a contractor's does: an earlier claim of the input is the patient's history
and owns the lines a later one duplicates.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal

from medpayiq.edits import CheckResult, Draft, Finding, Problem, check_claim
from medpayiq.errors import MedPayIQError
from medpayiq.money import ZERO
from medpayiq.records import positional_maker
from medpayiq.reference import ReferenceData
from medpayiq.x12 import Claim837, RejectedClaim, ServiceLine

from ._convert import Converter
from ._index import InputIndex, patient_key
from ._report import FREQUENCIES, ClaimReport, ReportLine, Summary
from ._rules import as_finding, file_drafts, not_checked, void_drafts

__all__ = ["Scrubber", "scrub"]


class Scrubber:
    """Scrubs the claims of one input in order; `summary` adds them up."""

    def __init__(self, reference: ReferenceData) -> None:
        self.reference = reference
        self.summary = Summary()
        self._converter = Converter()
        self._index = InputIndex(reference)
        self._adjustments = reference.code_sets().adjustments

    def scrub(self, item: Claim837 | RejectedClaim, *, file: str | None = None) -> ClaimReport:
        """The report of one claim (a `RejectedClaim` is reported with its problems)."""
        if isinstance(item, RejectedClaim):
            report = _rejected(item, file)
            self.summary.add(report)
            return report
        if item.is_void:
            report = self._unchecked(item, void_drafts(item), "void", file)
            self.summary.add(report)
            return report
        patient = patient_key(item)
        converted = self._converter.convert(item, history=self._index.history(patient))
        drafts = self._index.duplicates(item, patient)
        if converted.claim is None:
            report = self._unchecked(
                item, [not_checked(item, converted.problems), *drafts], None, file
            )
        else:
            drafts = file_drafts(item, converted) + drafts
            try:
                result = check_claim(self.reference, converted.claim, extra=drafts)
            except MedPayIQError as exc:
                problem = Problem("", str(exc))
                report = self._unchecked(item, [not_checked(item, [problem]), *drafts], None, file)
            else:
                report = _checked(item, result, file)
                self.summary.add(report, result.notes)
                self._index.add(item, patient)
                return report
        self._index.add(item, patient)
        self.summary.add(report)
        return report

    def close(self) -> None:
        """The input is done with: the patients' history kept for it is deleted
        (`InputIndex.close`). The summary stays."""
        self._index.close()

    def _unchecked(
        self, claim: Claim837, drafts: list[Draft], status: str | None, file: str | None
    ) -> ClaimReport:
        """A claim reported without the checker: a void, or one it cannot take."""
        findings = tuple(as_finding(d, self._adjustments) for d in drafts)
        lines = tuple(_line(n, line, None, None, "not-checked", "") for n, line in
                      enumerate(claim.lines, start=1))  # fmt: skip
        return ClaimReport(
            claim_id=claim.claim_id,
            status=status or _status(findings),
            frequency=FREQUENCIES.get(claim.frequency_code, claim.frequency_code),
            lines=lines,
            findings=findings,
            charge=claim.total_charge,
            payer_claim_number=claim.payer_claim_number,
            medicare=claim.subscriber.claim_filing_indicator == "MB",
            file=file,
            transaction=claim.transaction.control_number,
            segment=claim.segment,
        )


def scrub(
    reference: ReferenceData, items: Iterable[Claim837 | RejectedClaim], *, file: str | None = None
) -> Iterator[ClaimReport]:
    """The reports of `items` in order (one `Scrubber` for all of them)."""
    scrubber = Scrubber(reference)
    for item in items:
        yield scrubber.scrub(item, file=file)


def _status(findings: tuple[Finding, ...]) -> str:
    worst = max((f.severity.rank for f in findings), default=0)
    return ("clean", "review", "deny")[worst]


_new_line = positional_maker(ReportLine)  # a third of the dataclass's own __init__'s time


def _line(
    n: int,
    line: ServiceLine,
    billed: Decimal | None,
    allowed: Decimal | None,
    status: str,
    note: str,
    schedule: str = "",
) -> ReportLine:
    span = line.service_date
    return _new_line(
        n,
        line.hcpcs,
        line.modifiers,
        line.units,
        span.start,
        span.end if span.end != span.start else None,
        line.place_of_service,
        line.rendering_npi,
        line.charge,
        billed,
        allowed,
        status,
        note,
        schedule,
    )


def _checked(claim: Claim837, result: CheckResult, file: str | None) -> ClaimReport:
    priced = result.priced
    lines = tuple(
        _line(n, line, p.allowed_as_billed, p.expected_allowed, p.status, p.note, p.schedule)
        for n, (line, p) in enumerate(zip(claim.lines, priced.lines, strict=True), start=1)
    )
    return _new_report(
        claim.claim_id,
        _status(result.findings),
        FREQUENCIES.get(claim.frequency_code, claim.frequency_code),
        lines,
        result.findings,
        (),  # problems: the reader's, for a rejected claim
        claim.total_charge,
        priced.total_as_billed,
        priced.total_expected,
        priced.at_risk or ZERO,
        claim.payer_claim_number,
        claim.subscriber.claim_filing_indicator == "MB",
        result.confidence.value,
        file,
        claim.transaction.control_number,
        claim.segment,
        tuple([g.message for g in result.guidance]),
    )


_new_report = positional_maker(ClaimReport)  # every field in order: a report per claim


def _rejected(claim: RejectedClaim, file: str | None) -> ClaimReport:
    return ClaimReport(
        claim_id=claim.claim_id,
        status="rejected",
        frequency="",
        lines=(),
        findings=(),
        problems=claim.problems,
        charge=claim.total_charge,
        file=file,
        transaction=claim.transaction.control_number if claim.transaction else None,
        segment=claim.segment,
    )

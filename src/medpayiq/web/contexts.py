"""Typed template contexts: each page renders one of these dataclasses as `page`.

Templates are rendered with StrictUndefined, so a template that names a field a context does
not have fails (tests/web render every page). Fields hold service answers as they are; the
templates format them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from medpayiq.services import (
    Changes,
    CodeReport,
    DataStatus,
    LocalityInfo,
    Query,
    ReleaseStatus,
    ScheduleCodeReport,
    SearchResult,
)
from medpayiq.web.claim_form import ClaimForm

__all__ = [
    "ChangesForm",
    "ChangesPage",
    "ClaimPage",
    "CodePage",
    "DataPage",
    "ErrorPage",
    "HomePage",
    "Picker",
    "ScheduleCodePage",
    "SearchPage",
    "StateGroup",
    "UnansweredPage",
]


@dataclass(frozen=True)
class StateGroup:
    """Localities of one state, for the picker's <optgroup>."""

    state: str
    localities: tuple[LocalityInfo, ...]


@dataclass(frozen=True)
class Picker:
    """The place-and-time form as the user left it. `locality` is the resolved locality
    ("" = national); `zip` what was typed."""

    action: str
    zip: str
    locality: str
    date: str
    setting: str
    states: tuple[StateGroup, ...]
    dx: str = ""
    modifier: str = ""  # the modifiers priced, as typed ("26", "50,51")
    modifier_choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class HomePage:
    title: str
    q: str
    examples: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SearchPage:
    title: str
    q: str
    result: SearchResult | None
    params: dict[str, str]


@dataclass(frozen=True)
class CodePage:
    """The code page: the service's report, the picker, and the two charts."""

    title: str
    report: CodeReport
    query: Query
    picker: Picker
    bars: Markup
    strip: Markup | None
    params: dict[str, str]
    setting_links: dict[str, str]
    standing_near: tuple[Any, ...] = field(default_factory=tuple)
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScheduleCodePage:
    """The code page of a code another fee schedule pays (`code_schedule.html`)."""

    title: str
    report: ScheduleCodeReport
    query: Query
    picker: Picker
    params: dict[str, str]
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnansweredPage:
    """A code page whose date or place the data cannot answer: the message and the picker
    (set to a date the data answers), never a bare error page."""

    title: str
    code: str
    status: int
    detail: str
    picker: Picker | None
    typed_date: str


@dataclass(frozen=True)
class ClaimPage:
    """The claim checker: the form as filled (or the JSON pasted), and the results: each
    line's expected amount and status beside the findings that name it (`lines`)."""

    title: str
    claim_text: str
    checked: dict[str, Any] | None
    problem: dict[str, Any] | None
    keys_enabled: bool
    form: ClaimForm = field(default_factory=ClaimForm)
    places: tuple[tuple[str, str], ...] = ()
    provider_types: tuple[tuple[str, str], ...] = ()
    lines: tuple[dict[str, Any], ...] = ()
    focus: str = ""  # the field to focus after a line is added (its code)


@dataclass(frozen=True)
class DataPage:
    title: str
    status: DataStatus
    releases: ReleaseStatus | None = None


@dataclass(frozen=True)
class ChangesForm:
    """The comparison form as the user left it; `loaded` lists the loaded release ids by
    family (pfs, clfs, ...) for the pickers."""

    before: str
    after: str
    kind: str
    codes: str
    zip: str
    locality: str
    setting: str
    loaded: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class ChangesPage:
    """/changes: the form, the comparison (None when it failed: `problem` says why), the
    chart of the largest changes and the query to keep on the volume upload."""

    title: str
    form: ChangesForm
    answer: Changes | None
    chart: Markup | None
    problem: dict[str, Any] | None
    keys_enabled: bool
    params: dict[str, str]


@dataclass(frozen=True)
class ErrorPage:
    title: str
    status: int
    detail: str
    errors: tuple[dict[str, str], ...]
    back: str

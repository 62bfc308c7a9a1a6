"""One error shape for every JSON answer: RFC 9457 problem details.

    {"type": "https://medpayiq.dev/problems/bad-parameter", "title": "Bad parameter",
     "status": 400, "detail": "zip \"7703\" is not a ZIP code (5 digits, or ZIP+4)",
     "errors": [{"code": "bad-parameter", "message": "...", "where": "query.zip"}]}

`problem_for(exc)` maps every deliberate MedPayIQ error (and FastAPI's own validation and
HTTP errors) to a status, a type and the parameter at fault; nothing here ever says 500 for
bad input. The HTML pages use the same mapping and render `error.html` with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from medpayiq.errors import (
    DataError,
    DateOutOfRange,
    EditError,
    InputError,
    InvalidModifier,
    MedPayIQError,
    PricingError,
    ReleaseNotLoaded,
    UnknownCode,
    UnknownLocation,
)

__all__ = ["PROBLEM_BASE", "Problem", "problem_for", "problem_response"]

PROBLEM_BASE = "https://medpayiq.dev/problems/"
MEDIA_TYPE = "application/problem+json"

# Parameters that travel in the URL path rather than the query string.
PATH_PARAMETERS = frozenset({"code"})


@dataclass(frozen=True)
class ProblemItem:
    code: str
    message: str
    where: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "where": self.where}


@dataclass(frozen=True)
class Problem:
    status: int
    slug: str
    title: str
    detail: str
    errors: Sequence[ProblemItem] = field(default_factory=tuple)
    headers: dict[str, str] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": PROBLEM_BASE + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "errors": [e.as_dict() for e in self.errors],
        }


def _where(parameter: str | None, *, path_code: bool = False) -> str:
    if not parameter:
        return "request"
    if parameter.startswith(("body", "query.", "path.", "header.")):
        return parameter
    if parameter in PATH_PARAMETERS and path_code:
        return f"path.{parameter}"
    return f"query.{parameter}"


def _input_problem(exc: InputError, *, path_code: bool) -> Problem:
    problems = getattr(exc, "problems", None)
    if problems:  # the claim checker's ClaimInputError: one item per field
        items = tuple(
            ProblemItem("invalid-claim", p.message, f"body.{p.field}" if p.field else "body")
            for p in problems
        )
        return Problem(422, "invalid-claim", "Invalid claim", str(exc), items)
    where = _where(exc.parameter, path_code=path_code)
    if isinstance(exc, UnknownCode):
        status = 404 if where == "path.code" else 400
        return Problem(
            status,
            "unknown-code",
            "Unknown code",
            str(exc),
            (ProblemItem("unknown-code", str(exc), where),),
        )
    if isinstance(exc, DateOutOfRange):
        return Problem(
            422,
            "date-out-of-range",
            "Date out of range",
            str(exc),
            (ProblemItem("date-out-of-range", str(exc), where),),
        )
    if isinstance(exc, UnknownLocation):
        return Problem(
            400,
            "unknown-location",
            "Unknown location",
            str(exc),
            (ProblemItem("unknown-location", str(exc), where),),
        )
    if isinstance(exc, InvalidModifier):
        return Problem(
            400,
            "invalid-modifier",
            "Invalid modifier",
            str(exc),
            (ProblemItem("invalid-modifier", str(exc), where),),
        )
    return Problem(
        400,
        "bad-parameter",
        "Bad parameter",
        str(exc),
        (ProblemItem("bad-parameter", str(exc), where),),
    )


def _validation_problem(exc: RequestValidationError) -> Problem:
    items = []
    for error in exc.errors():
        loc = [str(p) for p in error.get("loc", ())]
        where = ".".join(loc) if loc else "request"
        message = str(error.get("msg", "is invalid"))
        items.append(ProblemItem(str(error.get("type", "invalid")), message, where))
    detail = "; ".join(f"{i.where}: {i.message}" for i in items) or "the request is invalid"
    return Problem(422, "invalid-request", "Invalid request", detail, tuple(items))


def problem_for(exc: BaseException, *, path_code: bool = False) -> Problem:
    """The problem details for an exception (500 only for a genuine bug)."""
    if isinstance(exc, InputError):
        return _input_problem(exc, path_code=path_code)
    if isinstance(exc, ReleaseNotLoaded):
        item = ProblemItem("release-not-loaded", str(exc), "query.date")
        return Problem(
            422, "release-not-loaded", "Data not loaded for this date", str(exc), (item,)
        )
    if isinstance(exc, PricingError):
        return Problem(
            422,
            "not-payable",
            "Not payable",
            str(exc),
            (ProblemItem("not-payable", str(exc), "query.code"),),
        )
    if isinstance(exc, DataError | EditError | MedPayIQError):
        return Problem(
            422,
            "unprocessable",
            "Cannot answer",
            str(exc),
            (ProblemItem("unprocessable", str(exc), "request"),),
        )
    if isinstance(exc, RequestValidationError):
        return _validation_problem(exc)
    if isinstance(exc, StarletteHTTPException):
        slug = {
            401: "unauthorized",
            403: "forbidden",
            404: "not-found",
            405: "method-not-allowed",
            413: "payload-too-large",
            429: "too-many-requests",
        }.get(exc.status_code, "http-error")
        detail = str(exc.detail)
        headers = dict(exc.headers) if exc.headers else None
        return Problem(
            exc.status_code,
            slug,
            slug.replace("-", " ").capitalize(),
            detail,
            (ProblemItem(slug, detail, "request"),),
            headers,
        )
    return Problem(
        500,
        "internal-error",
        "Internal error",
        "an unexpected error occurred; it has been logged",
        (),
    )


def problem_response(problem: Problem) -> JSONResponse:
    return JSONResponse(
        problem.as_dict(),
        status_code=problem.status,
        media_type=MEDIA_TYPE,
        headers=problem.headers,
    )

"""What a tool call sends back: an answer (structured JSON plus a short text summary) or a
refusal (a tool error naming the argument at fault).

A refusal never carries a traceback nor a value of the claim's patient object: the messages
are the services' own (the ones the JSON API sends), which name fields and codes only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mcp.types import CallToolResult, TextContent
from pydantic_core import to_json

from medpayiq.errors import (
    DataError,
    InputError,
    InvalidModifier,
    MedPayIQError,
    PricingError,
    ReleaseNotLoaded,
    UnknownCode,
    UnknownLocation,
)

__all__ = ["answer", "argument_problems", "problem_refusal", "refusal"]

# The services name the query parameter at fault; a few are spelt differently as tool
# arguments (the API's comma-separated `modifier` is the list `modifiers` here, and its
# request body is the `claim` argument).
_ARGUMENTS = {"modifier": "modifiers", "body": "claim"}


def answer(data: Mapping[str, Any], summary: str) -> CallToolResult:
    """A successful call: `data` as structured content, and as text after the summary for
    clients that read only text (the MCP specification asks for both)."""
    # pydantic-core's encoder: the same compact UTF-8 JSON as json.dumps(ensure_ascii=False,
    # separators=(",", ":")), three times faster (an answer of `price` is about 4 kB).
    text = to_json(data).decode("utf-8")
    return CallToolResult(
        content=[TextContent(type="text", text=summary), TextContent(type="text", text=text)],
        structured_content=dict(data),
    )


def _problem(code: str, argument: str | None, message: str) -> dict[str, Any]:
    return {"code": code, "argument": argument, "message": message}


def _argument(parameter: str | None) -> str | None:
    if not parameter:
        return None
    return _ARGUMENTS.get(parameter, parameter)


def _input_problems(exc: InputError) -> list[dict[str, Any]]:
    claim_problems = getattr(exc, "problems", None)
    if claim_problems:  # the claim checker's ClaimInputError: one item per field
        return [
            _problem("invalid-claim", f"claim.{p.field}" if p.field else "claim", p.message)
            for p in claim_problems
        ]
    code = (
        "unknown-code"
        if isinstance(exc, UnknownCode)
        else "unknown-location"
        if isinstance(exc, UnknownLocation)
        else "invalid-modifier"
        if isinstance(exc, InvalidModifier)
        else "bad-argument"
    )
    return [_problem(code, _argument(exc.parameter), str(exc))]


def _problems(exc: MedPayIQError) -> list[dict[str, Any]]:
    if isinstance(exc, InputError):
        return _input_problems(exc)
    if isinstance(exc, ReleaseNotLoaded):
        return [_problem("release-not-loaded", "date", str(exc))]
    if isinstance(exc, PricingError):
        return [_problem("not-payable", "code", str(exc))]
    if isinstance(exc, DataError):
        return [_problem("data-unavailable", None, str(exc))]
    return [_problem("cannot-answer", None, str(exc))]


def _line(problem: Mapping[str, Any]) -> str:
    argument = problem["argument"]
    message = str(problem["message"])
    return f"argument {argument}: {message}" if argument else message


def _refused(problems: Sequence[dict[str, Any]]) -> CallToolResult:
    if len(problems) == 1:
        text = _line(problems[0])
    else:
        text = f"{len(problems)} problems:\n" + "\n".join(f"- {_line(p)}" for p in problems)
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content={"errors": list(problems)},
        is_error=True,
    )


def refusal(exc: MedPayIQError) -> CallToolResult:
    """A deliberate MedPayIQ error as a tool error naming the argument at fault."""
    return _refused(_problems(exc))


def problem_refusal(code: str, argument: str | None, message: str) -> CallToolResult:
    """A tool error the tool itself finds (an argument missing, or one too many)."""
    return _refused([_problem(code, argument, message)])


def argument_problems(errors: Sequence[Mapping[str, Any]]) -> CallToolResult:
    """Arguments that do not fit the tool's input schema (pydantic's errors): each names its
    argument and what is wrong, never the value sent (it may be a patient's)."""
    # One problem per argument: a value that fits no member of a union (a list or a text)
    # fails once per member, each under the member's name ("codes.list[str]").
    by_argument: dict[str | None, list[str]] = {}
    for error in errors:
        loc = error.get("loc", ())
        argument = str(loc[0]) if loc else None
        message = str(error.get("msg", "is invalid"))
        said = by_argument.setdefault(argument, [])
        if message not in said:
            said.append(message)
    return _refused(
        [_problem("invalid-argument", a, "; or ".join(said)) for a, said in by_argument.items()]
    )

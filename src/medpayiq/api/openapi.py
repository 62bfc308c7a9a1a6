"""A true OpenAPI document for /api/v1: what the routes take and answer, stated once here.

The routes take their parameters as text and parse them in `medpayiq.services`, whose 400
messages name the problem; this module states the same rules in the document (a ZIP pattern,
`format: date`, the code pattern, the setting values), gives the claim routes the claim
checker's JSON Schema as their request body, describes each 200 answer with a response model
(the keys every answer has, their types), and lists every error status a route returns as
RFC 9457 `application/problem+json`. `install(app)` makes `app.openapi()` build it.

Schemathesis checks the document against the running app (tests/api/test_openapi.py, a short
run; `scripts/fuzz-api` runs longer).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field, create_model

from medpayiq.edits import claim_json_schema

__all__ = ["PARAMETERS", "install"]

PROBLEM = "application/problem+json"

# The rules `services.parse_*` apply, as JSON Schema (the same patterns as services/_core.py).
PARAMETERS: dict[str, dict[str, Any]] = {
    "zip": {"type": "string", "pattern": r"^\d{5}(-?\d{4})?$"},
    "locality": {"type": "string", "pattern": r"^(national|\d{5}-[0-9A-Za-z]{2})$"},
    "state": {"type": "string", "pattern": r"^[A-Za-z]{2}$"},
    "pos": {"type": "string", "pattern": r"^\d{1,2}$"},
    "setting": {"type": "string", "enum": ["facility", "non-facility"]},
    "date": {"type": "string", "format": "date"},
    "qp": {"type": "string", "enum": ["true", "false", "1", "0", "yes", "no"]},
    "code": {"type": "string", "pattern": r"^[A-Za-z0-9]\d{3}[A-Za-z0-9]$"},
    "modifier": {"type": "string", "pattern": r"^[A-Za-z0-9]{2}(,[A-Za-z0-9]{2}){0,3}$"},
    "units": {"type": "string", "pattern": r"^[1-9]\d{0,3}$"},
    "limit": {"type": "string", "pattern": r"^([1-9]|[1-9]\d|1\d\d|200)$"},
    "dx": {"type": "string", "maxLength": 200},
    "q": {"type": "string", "maxLength": 200},
    "format": {"type": "string", "enum": ["json", "csv"]},
}

# Which error statuses each route answers (beyond 200), by path and method.
_BAD_QUERY = (400, 422)
ERRORS: dict[tuple[str, str], tuple[int, ...]] = {
    ("/api/v1/health", "get"): (),
    ("/api/v1/data/status", "get"): _BAD_QUERY,
    ("/api/v1/localities", "get"): _BAD_QUERY,
    ("/api/v1/search", "get"): _BAD_QUERY,
    ("/api/v1/codes/{code}", "get"): (400, 404, 422),
    ("/api/v1/price", "get"): _BAD_QUERY,
    ("/api/v1/claims/price", "post"): (400, 401, 403, 413, 422, 429),
    ("/api/v1/claims/check", "post"): (400, 401, 403, 413, 422, 429),
    ("/api/v1/remits", "post"): (400, 401, 403, 413, 422, 429),
}
_DESCRIPTIONS = {
    400: "A malformed or unknown parameter (bad-parameter, unknown-location, unknown-code, "
    "invalid-modifier)",
    401: "API-key mode: no key sent",
    403: "API-key mode: a key that is not valid",
    404: "An unknown code in the path",
    413: "The request body is larger than the server's limit (--max-body, --max-upload)",
    422: "A claim that does not match its schema, a malformed body, or a date no loaded "
    "release covers",
    429: "Too many wrong API keys from this client: wait Retry-After seconds",
}


class ProblemItem(BaseModel):
    code: str
    message: str
    where: str = Field(description="query.zip, path.code, body.lines[0].units, request ...")


class Problem(BaseModel):
    """RFC 9457 problem details, the same shape on every route."""

    model_config = ConfigDict(title="Problem")
    type: str
    title: str
    status: int
    detail: str
    errors: list[ProblemItem]


# The keys every 200 answer has, and their JSON types (money and dates are strings).
_S, _OS, _I, _B = str, str | None, int, bool
_OBJ, _LIST = dict[str, Any], list[Any]
_ANSWERS: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {
    ("/api/v1/health", "get"): (
        "Health",
        {"status": _S, "datasets": _I, "generation": _I},
    ),
    ("/api/v1/data/status", "get"): (
        "DataStatus",
        {"datasets": _LIST, "fee_schedule_today": _OS, "confidence_today": _OS,
         "note_today": _OS, "day": _S},
    ),
    ("/api/v1/localities", "get"): ("Localities", {"day": _S, "localities": _LIST}),
    ("/api/v1/search", "get"): (
        "SearchAnswer",
        {"q": _OS, "kind": _S, "hits": _LIST, "total": _I, "release": _OS, "day": _S},
    ),
    ("/api/v1/codes/{code}", "get"): (
        "CodeReport",
        {"code": _S, "descriptor": _S, "payable": _B, "day": _S, "place": _OBJ,
         "amounts": _OBJ, "rvus": _OBJ | None, "indicators": _LIST, "modifiers": _LIST,
         "ncci_pairs": _LIST, "tips": _LIST, "denials": _LIST, "faqs": _LIST,
         "diagnoses": _LIST, "release": _OS, "confidence": _OS, "trail": _LIST,
         "sources": _LIST, "disclaimer": _S},
    ),
    ("/api/v1/price", "get"): (
        "LinePrice",
        {"hcpcs": _S, "modifiers": _LIST, "units": _I, "date_of_service": _S, "payable": _B,
         "location": _OBJ | None, "setting": _OS, "allowed": _OS, "national_allowed": _OS,
         "cost_share": _OBJ | None, "release": _OS, "conversion_factor": _OS, "trail": _LIST,
         "provenance": _LIST, "confidence": _OS, "confidence_reason": _OS},
    ),
    ("/api/v1/claims/price", "post"): (
        "ClaimPrice",
        {"tenant": _S, "lines": _LIST, "total_allowed": _OS, "total_national_allowed": _OS,
         "cost_share": _OBJ | None, "trail": _LIST, "provenance": _LIST, "confidence": _OS},
    ),
    ("/api/v1/remits", "post"): (
        "RemitAnalysis",
        {"tenant": _S, "claims": _LIST, "problems": _LIST, "unreadable": _LIST,
         "totals": _OBJ, "worklist": _LIST, "analytics": _OBJ, "provenance": _OBJ},
    ),
    ("/api/v1/claims/check", "post"): (
        "ClaimCheck",
        {"tenant": _S, "claim_id": _OS, "date_of_service": _S, "findings": _LIST,
         "guidance": _LIST, "priced": _OBJ | None, "notes": _LIST, "sources": _LIST,
         "confidence": _OS, "checks_run": _LIST},
    ),
}  # fmt: skip


def _model(name: str, fields: dict[str, Any]) -> type[BaseModel]:
    config = ConfigDict(extra="allow", title=name)
    spec: dict[str, Any] = {key: (tp, ...) for key, tp in fields.items()}
    return create_model(name, __config__=config, **spec)


def _schema_of(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(schema.pop("$defs", {}))
    components[schema.get("title", model.__name__)] = schema
    return {"$ref": f"#/components/schemas/{schema.get('title', model.__name__)}"}


_X12_BODY = {
    "application/edi-x12": {
        "schema": {"type": "string", "description": "an X12 5010 837P file (005010X222A1)"}
    },
    "multipart/form-data": {
        "schema": {
            "type": "object",
            "properties": {"file": {"type": "string", "format": "binary"}},
            "required": ["file"],
        }
    },
}
# The answer for an 837P body (api/claim_files.py, docs/x12.md).
_FILE_CHECK = (
    "ClaimFileCheck",
    {"tenant": _S, "claims": _LIST, "problems": _LIST, "unreadable": _LIST, "summary": _OBJ},
)


def _claim_body(components: dict[str, Any], path: str) -> dict[str, Any]:
    schema = claim_json_schema()
    for key in ("$schema", "$id"):
        schema.pop(key, None)
    defs = schema.pop("$defs", {})
    text_defs = {name: _retarget(d) for name, d in defs.items()}
    components.update(text_defs)
    components["Claim"] = _retarget(schema)
    content: dict[str, Any] = {
        "application/json": {"schema": {"$ref": "#/components/schemas/Claim"}}
    }
    if path == "/api/v1/claims/check":
        content.update(_X12_BODY)
    return {"required": True, "content": content}


def _retarget(node: Any) -> Any:
    """$refs of the claim schema ("#/$defs/X") pointed at the document's components."""
    if isinstance(node, dict):
        return {
            k: (v.replace("#/$defs/", "#/components/schemas/") if k == "$ref" else _retarget(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_retarget(v) for v in node]
    return node


def build(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
    )
    components: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    # FastAPI's own 422 models do not describe our answers: every error is a Problem.
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    problem = _schema_of(Problem, components)
    for path, methods in document.get("paths", {}).items():
        for method, operation in methods.items():
            _describe(path, method, operation, problem, components)
    return document


def _describe(
    path: str,
    method: str,
    operation: dict[str, Any],
    problem: dict[str, Any],
    components: dict[str, Any],
) -> None:
    for parameter in operation.get("parameters", []):
        rule = PARAMETERS.get(parameter["name"])
        if rule is not None and parameter["in"] == "path":
            parameter["schema"] = dict(rule)
        elif rule is not None and parameter["in"] == "query":
            parameter["schema"] = _or_empty(rule)
    responses: dict[str, Any] = operation.setdefault("responses", {})
    responses.pop("422", None)
    if (path, method) in _ANSWERS:
        name, fields = _ANSWERS[(path, method)]
        responses["200"] = {
            "description": "The answer",
            "content": {
                "application/json": {"schema": _schema_of(_model(name, fields), components)}
            },
        }
    if path.startswith("/api/v1/claims/"):
        operation["requestBody"] = _claim_body(components, path)
    if (path, method) == ("/api/v1/claims/check", "post"):
        one = responses["200"]["content"]["application/json"]["schema"]
        other = _schema_of(_model(*_FILE_CHECK), components)
        responses["200"]["content"]["application/json"]["schema"] = {"anyOf": [one, other]}
    if (path, method) == ("/api/v1/remits", "post"):
        responses["200"]["content"]["text/csv"] = {
            "schema": {"type": "string", "description": "format=csv: one row per service line"}
        }
    for status in ERRORS.get((path, method), (400, 422)):
        responses[str(status)] = {
            "description": _DESCRIPTIONS[status],
            "content": {PROBLEM: {"schema": problem}},
        }
    if 429 in ERRORS.get((path, method), ()):
        responses["429"]["headers"] = {
            "Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}
        }


def _or_empty(rule: dict[str, Any]) -> dict[str, Any]:
    """A query rule that also takes "": the pages' GET forms send empty fields, which mean
    "not given" (services.parse_query)."""
    if "pattern" in rule:
        return {**rule, "pattern": f"^(?:{rule['pattern'].strip('^$')})?$"}
    if "enum" in rule:
        return {**rule, "enum": ["", *rule["enum"]]}
    if "format" in rule:
        return {"anyOf": [dict(rule), {"type": "string", "maxLength": 0}]}
    return dict(rule)


def install(app: FastAPI) -> None:
    """Have `app.openapi()` build (once) the document described above."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

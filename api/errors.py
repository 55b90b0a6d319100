"""Every error leaves as ``application/problem+json`` (RFC 9457); domain errors map here only.

The command line reports domain errors from the same table (:func:`describe`, used by
:mod:`api.cli.errors`), so a terminal and an HTTP client get the same kind and text.
"""

from __future__ import annotations

import http
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog
from flask import Flask, Response, json, request
from flask_smorest import Api
from marshmallow import INCLUDE, Schema, fields
from werkzeug.exceptions import HTTPException

from config import ConfigurationError
from rules.errors import RulesError
from workflow.core import (
    UNAVAILABLE_ERRORS,
    Conflict,
    DatabaseMisconfigured,
    GuardFailed,
    IdempotencyMismatch,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    Refused,
    Throttled,
    Unauthenticated,
    WorkflowError,
)

log = structlog.get_logger(__name__)

PROBLEM_JSON = "application/problem+json"
WWW_AUTHENTICATE = 'Bearer realm="meritflow"'

# The one table from domain error to HTTP status; the first matching class wins.
STATUS_BY_ERROR: tuple[tuple[type[Exception], int], ...] = (
    (Unauthenticated, 401),
    (Throttled, 429),
    (NotFound, 404),
    (PreconditionFailed, 412),
    (Conflict, 409),
    (GuardFailed, 422),
    (Refused, 403),
    (IdempotencyMismatch, 422),
    (InvalidInput, 422),
    (RulesError, 422),
    (DatabaseMisconfigured, 503),
    (ConfigurationError, 503),
    (WorkflowError, 400),
)

# Headers some errors must carry (RFC 9110 §11.6.1 WWW-Authenticate, RFC 6585 Retry-After).
HEADERS_BY_ERROR: tuple[tuple[type[Exception], Callable[[Any], dict[str, str]]], ...] = (
    (Unauthenticated, lambda _error: {"WWW-Authenticate": WWW_AUTHENTICATE}),
    (Throttled, lambda error: {"Retry-After": str(error.retry_after)}),
    (PreconditionFailed, lambda error: _current_etag(error.details)),
)


def _current_etag(details: dict[str, Any] | None) -> dict[str, str]:
    """Return the ``ETag`` header of a 412: the current tag the problem's ``etag`` carries."""
    etag = (details or {}).get("etag")
    return {"ETag": f'"{etag}"'} if etag is not None else {}


# Headers each documented error response carries, for the OpenAPI document.
_DOCUMENTED_HEADERS: dict[int, dict[str, dict[str, Any]]] = {
    401: {"WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}},
    405: {
        "Allow": {"description": "The methods the resource allows", "schema": {"type": "string"}}
    },
    412: {
        "ETag": {
            "description": "The current entity tag (also the problem's `etag`)",
            "schema": {"type": "string"},
        }
    },
    429: {
        "Retry-After": {
            "description": "Seconds until the client may try again",
            "schema": {"type": "integer", "minimum": 1},
        }
    },
    503: {
        "Retry-After": {
            "description": "Seconds until the client may try again (overload or database outage)",
            "schema": {"type": "integer", "minimum": 1},
        }
    },
}


class ProblemRead(Schema):
    """An RFC 9457 problem detail; members beyond the standard ones carry specifics."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(required=True, metadata={"example": "about:blank"})
    title = fields.String(required=True, metadata={"example": "Not Found"})
    status = fields.Integer(required=True, metadata={"example": 404})
    detail = fields.String(metadata={"example": "no employee with NIP 198001012005011001"})
    instance = fields.String(metadata={"example": "/api/v1/employees/198001012005011001"})
    errors = fields.Dict(
        metadata={"description": "Validation errors by location and field (422)"},
    )
    etag = fields.String(
        metadata={"description": "The current entity tag, as in the `ETag` header (412)"}
    )
    pointer = fields.String(
        metadata={"description": "Where in a refused JSON body (RFC 6901 JSON Pointer)"}
    )
    problems = fields.List(
        fields.Dict(), metadata={"description": "Rows, fields or rules that were refused (422)"}
    )


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """Return a problem+json response."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body["instance"] = request.path
    body.update({k: v for k, v in extra.items() if v is not None})
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


DOMAIN_ERRORS: tuple[type[Exception], ...] = tuple(cls for cls, _ in STATUS_BY_ERROR)
"""Every error class the table maps (what an adapter catches to report a domain error)."""


@dataclass(frozen=True, slots=True)
class DomainProblem:
    """How a domain error leaves the service, whichever adapter it leaves through."""

    kind: str
    """The name of the error class whose row in :data:`STATUS_BY_ERROR` matched."""
    status: int
    title: str
    """The HTTP reason phrase of ``status``."""
    detail: str
    members: dict[str, Any]
    """What the problem carries beyond the standard members (``rule``, ``problems`` …)."""
    headers: dict[str, str]


def describe(error: Exception) -> DomainProblem:
    """Return the status, detail and members of a domain error (one of :data:`DOMAIN_ERRORS`)."""
    kind, status = next((cls, code) for cls, code in STATUS_BY_ERROR if isinstance(error, cls))
    headers: dict[str, str] = {}
    for cls, make in HEADERS_BY_ERROR:
        if isinstance(error, cls):
            headers.update(make(error))
    members = dict(getattr(error, "details", {}) or {})
    if isinstance(error, RulesError):
        members.setdefault("problems", [p.as_dict() for p in error.problems])
    return DomainProblem(
        kind=kind.__name__,
        status=status,
        title=http.HTTPStatus(status).phrase,
        detail=getattr(error, "message", None) or str(error),
        members=members,
        headers=headers,
    )


def _domain_error(error: Exception) -> Response:
    found = describe(error)
    return problem(found.status, found.title, found.detail, headers=found.headers, **found.members)


OUR_WORDING: dict[int, str] = {
    400: "The request cannot be read: check its headers, query and body against /api/docs.",
    401: "Send Authorization: Bearer <token>.",
    403: "The caller may not do this.",
    404: "No such resource: the path names nothing here (see /api/docs for the paths).",
    405: "{method} is not allowed on this path; the Allow header lists the methods that are.",
    406: "The service answers application/json (problems as application/problem+json).",
    408: "The request took too long to arrive.",
    409: "The request conflicts with the current state.",
    411: "Send Content-Length with the body.",
    412: "A precondition (If-Match) does not hold.",
    413: "The request body is larger than the service accepts.",
    414: "The URL is longer than the service accepts.",
    415: "The request body's Content-Type is not one this operation takes.",
    422: "The request is well-formed but some values are refused; see errors.",
    428: "Send If-Match with the resource's ETag.",
    429: "Too many requests; wait as Retry-After says.",
    431: "The request headers are larger than the service accepts.",
}
"""Details in the service's own words, for errors raised without one (werkzeug's defaults
speak to a browser user: "If you entered the URL manually please check your spelling")."""


def _detail(error: HTTPException, code: int) -> str | None:
    description = error.description
    if description and description != type(error).description:
        return description
    wording = OUR_WORDING.get(code)
    return wording.format(method=request.method) if wording else None


def http_problem(error: HTTPException) -> Response:
    """Render any HTTPException (404, 405, 413, 415, 422 …) as problem+json, keeping headers."""
    code = error.code or 500
    if code >= 500:
        if getattr(error, "original_exception", None) is None:
            log.error("server_error", path=request.path, status=code, error=error.description)
        return problem(code, "Internal Server Error", "The server failed; the error is logged.")
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    data = getattr(error, "data", None) or {}
    headers.update(data.get("headers") or {})
    return problem(
        code,
        error.name,
        data.get("message") or _detail(error, code),
        headers=headers,
        errors=data.get("messages") or data.get("errors"),
    )


class ProblemApi(Api):  # type: ignore[misc]
    """flask-smorest's Api with problem+json errors that keep werkzeug's headers (``Allow``)."""

    ERROR_SCHEMA = ProblemRead

    def handle_http_exception(self, error: HTTPException) -> Response:
        """Render an HTTP error raised anywhere in the app."""
        return http_problem(error)

    def _register_responses(self) -> None:
        """Document every error status as problem+json, with the headers it carries."""
        for status in http.HTTPStatus:
            if status < 400:
                continue
            response: dict[str, Any] = {
                "description": status.phrase,
                "content": {PROBLEM_JSON: {"schema": ProblemRead}},
            }
            if status in _DOCUMENTED_HEADERS:
                response["headers"] = _DOCUMENTED_HEADERS[status]
            self.spec.components.response(status.name, response, lazy=True)
        self.spec.components.response(
            self.DEFAULT_ERROR_RESPONSE_NAME,
            {"description": "Error", "content": {PROBLEM_JSON: {"schema": ProblemRead}}},
            lazy=True,
        )


DATABASE_RETRY_AFTER_SECONDS = 5
"""What a 503 for an unavailable database asks the client to wait."""


def database_unavailable(error: Exception) -> Response:
    """Answer 503 with Retry-After when the database cannot serve now (down, restarting, busy).

    The transaction was rolled back, so nothing changed; a retry with the same
    Idempotency-Key is safe whether or not an earlier attempt committed.
    """
    log.warning(
        "database_unavailable",
        path=request.path,
        error=type(error).__name__,
        detail=str(getattr(error, "orig", error)).splitlines()[0][:200] if str(error) else "",
    )
    return problem(
        503,
        "Service Unavailable",
        "The database is unavailable right now; try again after the Retry-After delay.",
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        reason="database_unavailable",
    )


def register_error_handlers(app: Flask) -> None:
    """Install the domain-error table; HTTP errors are handled by :class:`ProblemApi`."""
    for cls, _status in STATUS_BY_ERROR:
        app.register_error_handler(cls, _domain_error)
    for unavailable in UNAVAILABLE_ERRORS:
        app.register_error_handler(unavailable, database_unavailable)

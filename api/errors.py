"""Every error leaves as ``application/problem+json`` (RFC 9457); domain errors map here only."""

from __future__ import annotations

from typing import Any

import structlog
from flask import Flask, Response, json, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from config import ConfigurationError
from rules.errors import RulesError
from workflow.errors import (
    Conflict,
    DatabaseMisconfigured,
    GuardFailed,
    IdempotencyMismatch,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    Refused,
    WorkflowError,
)

log = structlog.get_logger(__name__)

PROBLEM_JSON = "application/problem+json"

# The one table from domain error to HTTP status; the first matching class wins.
STATUS_BY_ERROR: tuple[tuple[type[Exception], int], ...] = (
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


def _domain_error(error: Exception) -> Response:
    status = next(code for cls, code in STATUS_BY_ERROR if isinstance(error, cls))
    details = dict(getattr(error, "details", {}) or {})
    if isinstance(error, RulesError):
        details.setdefault("problems", [p.as_dict() for p in error.problems])
    title = type(error).__name__
    message = getattr(error, "message", None) or str(error)
    return problem(status, title, message, **details)


def http_problem(error: HTTPException) -> Response:
    """Render any HTTPException (404, 405, 413, 415, 422 …) as problem+json, keeping headers."""
    code = error.code or 500
    if code >= 500:
        original = getattr(error, "original_exception", None)
        log.error("unhandled_error", path=request.path, error=repr(original or error))
        return problem(code, "Internal Server Error", "The server failed; the error is logged.")
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    data = getattr(error, "data", None) or {}
    headers.update(data.get("headers") or {})
    return problem(
        code,
        error.name,
        data.get("message") or error.description,
        headers=headers,
        errors=data.get("messages") or data.get("errors"),
    )


class ProblemApi(Api):  # type: ignore[misc]
    """flask-smorest's Api with problem+json errors that keep werkzeug's headers (``Allow``)."""

    def handle_http_exception(self, error: HTTPException) -> Response:
        """Render an HTTP error raised anywhere in the app."""
        return http_problem(error)


def register_error_handlers(app: Flask) -> None:
    """Install the domain-error table; HTTP errors are handled by :class:`ProblemApi`."""
    for cls, _status in STATUS_BY_ERROR:
        app.register_error_handler(cls, _domain_error)

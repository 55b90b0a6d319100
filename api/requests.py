"""Per-request plumbing: a request id for logs and records, and JSON-only request bodies."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from copy import deepcopy
from functools import wraps
from typing import Any, TypeVar

import structlog
from flask import Flask, Response, g, request
from werkzeug.exceptions import UnsupportedMediaType

from api.bodies import json_body

F = TypeVar("F", bound=Callable[..., Any])

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def init_app(app: Flask) -> None:
    """Give every request an id (the caller's ``X-Request-ID`` if sane) bound into the logs."""

    @app.before_request
    def _bind_request() -> None:
        structlog.contextvars.clear_contextvars()
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = offered if _VALID_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        structlog.contextvars.bind_contextvars(
            request_id=g.request_id, method=request.method, path=request.path
        )

    @app.after_request
    def _echo_request_id(response: Response) -> Response:
        request_id = g.get("request_id")
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        return response


def json_only(func: F) -> F:
    """Refuse a request body that is not JSON with 415 (before it is parsed or validated).

    No body at all passes: an operation whose body is optional takes none, and one whose
    body is required answers 422 naming the missing fields.
    """

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not request.is_json and request.get_data(cache=True):
            raise UnsupportedMediaType("The request body must be application/json.")
        json_body()  # refuses a hostile body before anything else reads it
        return func(*args, **kwargs)

    apidoc = deepcopy(getattr(func, "_apidoc", {}))
    apidoc.setdefault("manual_doc", {}).setdefault("responses", {})[415] = "UNSUPPORTED_MEDIA_TYPE"
    wrapper._apidoc = apidoc  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]

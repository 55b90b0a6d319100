"""The one way a request body becomes JSON: :func:`workflow.core.decode_json`, once per request.

Every JSON body the service reads goes through :func:`json_body`: a ``before_request`` hook
decodes any JSON body sent to any endpoint before the view runs, the webargs parser of every
blueprint reads the decoded value (:class:`StrictParser`), and so does ``request.get_json``
(:class:`StrictRequest`). A refused body is a problem+json naming the problem (400, 413 or 422;
the table is in :mod:`workflow.core.strict_json` and docs/api.md) and, where it can, where
(``pointer``, a JSON Pointer).
"""

from __future__ import annotations

from typing import Any

import flask_smorest
from flask import Flask, Request, Response, g, request
from webargs import core
from webargs.flaskparser import FlaskParser

from api.errors import problem
from workflow.core import MAX_JSON_BYTES, HostileJson, decode_json

_NO_BODY = object()


def json_body() -> Any:
    """Return the request's JSON body, decoded once per request; :data:`core.missing` if empty.

    :raises HostileJson: see :func:`decode`.
    """
    cached = g.get("_json_body", _NO_BODY)
    if cached is not _NO_BODY:
        return cached
    if request.content_length is not None and request.content_length > MAX_JSON_BYTES:
        raise HostileJson(
            413, "JSON body too large", f"a JSON body of more than {MAX_JSON_BYTES} bytes"
        )
    raw = request.get_data(cache=True)
    document = core.missing if not raw.strip() else decode_json(raw)
    g._json_body = document
    return document


class StrictParser(FlaskParser):
    """webargs' Flask parser reading JSON through :func:`json_body`."""

    def _raw_load_json(self, req: Any) -> Any:
        if not core.is_json(req.mimetype):
            return core.missing
        return json_body()


class StrictRequest(Request):
    """Flask's request whose ``get_json`` (and ``json``) reads through :func:`json_body`."""

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        """Return the body decoded strictly; None when it is not JSON or is empty."""
        if not (force or self.is_json):
            return None
        try:
            document = json_body()
        except HostileJson:
            if silent:
                return None
            raise
        return None if document is core.missing else document


def init_app(app: Flask) -> None:
    """Make the strict decoder the way every request, blueprint and view reads JSON.

    flask-smorest reads arguments with the parser its ``Blueprint`` class holds; replacing it
    there covers every blueprint, including ones added later.
    """
    app.request_class = StrictRequest
    app.before_request(_decode_early)
    flask_smorest.Blueprint.ARGUMENTS_PARSER = StrictParser()
    app.register_error_handler(HostileJson, _refuse)


def _decode_early() -> None:
    """Refuse a hostile JSON body at the door, whichever endpoint it is sent to."""
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.is_json:
        json_body()


def _refuse(error: HostileJson) -> Response:
    return problem(error.status, error.title, error.detail, pointer=error.pointer)

"""Error pages in the user's language: 403, 404 (another agency's object too), 400, 429, 500.

A domain error a view does not answer itself leaves through the same table as the JSON API
(:func:`api.errors.describe`), rendered as a page. An unknown URL outside ``/api`` asked for by
a browser (``Accept`` preferring HTML) gets the HTML 404 page; every other client keeps the
problem+json answer.
"""

from __future__ import annotations

from typing import Any

import structlog
from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from api.errors import DOMAIN_ERRORS, describe, http_problem
from pages.security import SECURITY_HEADERS
from pages.web import bp

log = structlog.get_logger(__name__)

_NON_PAGE_PREFIXES = ("/api", "/metrics", "/healthz", "/readyz", "/livez")


def page_error(status: int, *, detail: str | None = None, **context: Any) -> tuple[str, int]:
    """Return the error page for ``status``."""
    template = f"errors/{status}.html" if status in (403, 404, 429, 500) else "errors/other.html"
    return render_template(template, status=status, detail=detail, **context), status


@bp.errorhandler(CSRFError)
def _csrf(error: CSRFError) -> tuple[str, int]:
    log.info("csrf_refused", path=request.path, reason=error.description)
    return render_template("errors/csrf.html", status=400), 400


@bp.errorhandler(HTTPException)
def _http(error: HTTPException) -> Any:
    status = error.code or 500
    if status >= 500:
        return page_error(500)
    return page_error(status)


def _domain(error: Exception) -> Any:
    found = describe(error)
    if found.status >= 500:
        return page_error(500)
    rendered, status = page_error(found.status, detail=found.detail, rule=found.members.get("rule"))
    return Response(rendered, status=status, headers=found.headers, mimetype="text/html")


for _error in DOMAIN_ERRORS:
    bp.register_error_handler(_error, _domain)


def init_app(app: Flask) -> None:
    """Answer unknown URLs outside the API with the HTML 404 page (the API keeps JSON)."""

    @app.errorhandler(404)
    def _not_found(error: HTTPException) -> Any:
        wants_page = (
            request.accept_mimetypes.best_match(["application/problem+json", "text/html"])
            == "text/html"
        )
        if request.path.startswith(_NON_PAGE_PREFIXES) or not wants_page:
            return http_problem(error)
        g.setdefault("actor", None)
        rendered, status = page_error(404)
        response = Response(rendered, status=status, mimetype="text/html")
        response.headers.update(SECURITY_HEADERS)
        return response

"""Sessions, CSRF and security headers for the pages.

The session is Flask's signed cookie (HttpOnly, SameSite=Lax, Secure in production) holding
only the user id, the language and when the user was last seen; it ends after the configured
idle time. Every POST to a page carries a CSRF token (flask-wtf); the JSON API, which takes
bearer tokens and no cookies, is not subject to it.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response

from api.state import settings
from pages.web import bp, database, idle_limit, now
from workflow.core import NotFound
from workflow.identity import active_actor

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

USER_KEY = "uid"
SEEN_KEY = "seen"


def init_app(app: Flask) -> None:
    """Configure the session cookie and CSRF for ``app``."""
    current = app.extensions["meritflow"].settings
    app.config.update(
        SESSION_COOKIE_NAME="meritflow_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=current.is_production,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=12),
        WTF_CSRF_CHECK_DEFAULT=False,  # checked for the pages only (below)
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
    )
    csrf.init_app(app)


def sign_in_session(user_id: int) -> None:
    """Start a fresh session for ``user_id`` (nothing of the visitor's session is kept but the
    language)."""
    language = session.get("lang")
    session.clear()
    session[USER_KEY] = user_id
    session[SEEN_KEY] = int(now().timestamp())
    if language:
        session["lang"] = language
    session.permanent = True


def end_session() -> None:
    """Forget the signed-in user (the language stays)."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


@bp.before_request
def _load_user() -> Response | None:
    """Resolve the session's user, end an idle session, and check CSRF on every POST."""
    g.actor = None
    if request.endpoint == "pages.static":
        return None  # the stylesheet needs no user (and no database round trip)
    user_id = session.get(USER_KEY)
    if isinstance(user_id, int):
        seen = session.get(SEEN_KEY, 0)
        moment = now()
        if moment - dt.datetime.fromtimestamp(seen, dt.UTC) > idle_limit():
            end_session()
            flash(_("You were signed out after a period of inactivity. Please sign in again."))
            return redirect(url_for("pages.sign_in"))
        try:
            g.actor = active_actor(database(), user_id=user_id)
        except NotFound:
            end_session()
        else:
            session[SEEN_KEY] = int(moment.timestamp())
    if request.method == "POST":
        csrf.protect()
    return None


@bp.after_request
def _security_headers(response: Response) -> Response:
    """Send the security headers with every page, and keep pages out of shared caches."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "pages.static":
        response.headers["Cache-Control"] = "no-store"
    if settings().is_production:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response

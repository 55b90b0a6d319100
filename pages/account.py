"""Signing in and out, and choosing the language."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from flask import flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from api.state import settings
from pages.forms import LanguageForm, SignInForm
from pages.i18n import LANGUAGES
from pages.security import end_session, sign_in_session
from pages.web import bp, database, now, redirect_to
from workflow.core import Throttled, Unauthenticated
from workflow.identity import ThrottlePolicy, authenticate_password


def safe_next(target: str | None) -> str | None:
    """Return ``target`` if it is a path on this site (never another host), else None."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/masuk", methods=["GET", "POST"])
def sign_in() -> Any:
    """Sign in with username and password (throttled per client address)."""
    if g.actor is not None and request.method == "GET":
        return redirect(url_for("pages.inbox"))
    form = SignInForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("account/sign_in.html", form=form), status
    current = settings()
    try:
        actor = authenticate_password(
            database(),
            username=form.username.data,
            password=form.password.data,
            client=request.remote_addr or "unknown",
            now=now(),
            policy=ThrottlePolicy(
                limit=current.auth_failure_limit,
                window=dt.timedelta(seconds=current.auth_failure_window_seconds),
            ),
        )
    except Throttled as exc:
        message = _(
            "Too many failed sign-ins from this computer. Try again in %(seconds)s seconds.",
            seconds=exc.retry_after,
        )
        rendered = render_template("account/sign_in.html", form=form, failure=message)
        return rendered, 429, {"Retry-After": str(exc.retry_after)}
    except Unauthenticated:
        message = _("The username or password is not right.")
        return render_template("account/sign_in.html", form=form, failure=message), 401
    assert actor.user_id is not None  # a signed-in person is never the system
    sign_in_session(actor.user_id)
    return redirect(safe_next(form.next.data) or url_for("pages.inbox"), code=303)


@bp.route("/keluar", methods=["POST"])
def sign_out() -> Response:
    """Sign out (a POST with the CSRF token, so no other site can sign a user out)."""
    end_session()
    flash(_("You are signed out."))
    return redirect_to("pages.sign_in")


@bp.route("/bahasa", methods=["POST"])
def choose_language() -> Response:
    """Switch the language and come back to the page the user was on."""
    form = LanguageForm()
    chosen = form.lang.data
    if chosen in LANGUAGES:
        session["lang"] = chosen
    return redirect(safe_next(form.next.data) or url_for("pages.inbox"), code=303)

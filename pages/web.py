"""What every page module shares: the blueprint, the signed-in actor, the clock and the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort, g, redirect, request, url_for
from werkzeug.wrappers import Response

from api.state import db, settings
from workflow.core import Actor, Database, PageRequest
from workflow.models import Role

F = TypeVar("F", bound=Callable[..., Any])

bp = Blueprint(
    "pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)

PER_PAGE = 25

__all__ = ["PER_PAGE", "bp", "current_actor", "database", "now", "page_request", "signed_in"]


def database() -> Database:
    """Return the application's database."""
    return db()


def now() -> dt.datetime:
    """Return the current instant (UTC)."""
    return dt.datetime.now(dt.UTC)


def current_actor() -> Actor:
    """Return the signed-in actor (only inside a :func:`signed_in` view)."""
    actor: Actor = g.actor
    return actor


def idle_limit() -> dt.timedelta:
    """Return how long a signed-in session may stay idle."""
    return dt.timedelta(minutes=settings().session_idle_minutes)


def page_request(per_page: int = PER_PAGE) -> PageRequest:
    """Return the page the query string asks for (a bad number is page 1)."""
    raw = request.args.get("page", "1")
    number = int(raw) if raw.isdigit() and 0 < len(raw) <= 6 else 1
    return PageRequest(page=max(1, number), per_page=per_page)


def signed_in(*roles: Role) -> Callable[[F], F]:
    """Make a page need a signed-in user and, if ``roles`` are given, one of them (else 403)."""
    allowed = frozenset(role.value for role in roles)

    def decorator(func: F) -> F:
        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            actor: Actor | None = g.get("actor")
            if actor is None:
                target = request.full_path if request.method == "GET" else None
                location = url_for("pages.sign_in", next=target.rstrip("?") if target else None)
                return redirect(location)
            if allowed and not actor.roles & allowed:
                abort(403)
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


@bp.app_context_processor
def _page_context() -> dict[str, Any]:
    """Give every template the signed-in actor, the menu and the language switch."""
    from pages.forms import LanguageForm
    from pages.nav import menu

    actor = g.get("actor")
    return {
        "actor": actor,
        "menu": menu(actor),
        "language_form": LanguageForm(formdata=None),
        "here": request.full_path.rstrip("?"),
    }


def redirect_to(endpoint: str, **values: Any) -> Response:
    """Return a 303 redirect (after a POST, the browser GETs the target)."""
    return redirect(url_for(endpoint, **values), code=303)

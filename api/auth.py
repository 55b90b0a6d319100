"""Bearer authentication and role checks for views; the actor is resolved once per request.

``Authorization: Bearer <token>`` is resolved by :func:`workflow.identity.authenticate_bearer`
(tokens are 256-bit secrets stored only as their SHA-256). A missing, malformed, unknown,
expired or revoked token is one and the same 401; too many failures from one client address
within the configured window is a 429 with ``Retry-After`` until the window has passed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from copy import deepcopy
from functools import wraps
from typing import Any, TypeVar

import structlog
from flask import g, request

from api.state import db, settings
from workflow.core import Actor, Refused, Unauthenticated
from workflow.identity import UNAUTHENTICATED, ThrottlePolicy, authenticate_bearer
from workflow.models import Role

F = TypeVar("F", bound=Callable[..., Any])

SECURITY_SCHEME = "bearerAuth"
ALL_ROLES: frozenset[str] = frozenset(role.value for role in Role)


def current_actor() -> Actor:
    """Return the authenticated actor of this request (only inside an authenticated view)."""
    actor: Actor = g.actor
    return actor


def authenticate() -> Actor:
    """Resolve this request's bearer token to an actor and remember it for the request.

    :raises Unauthenticated: no usable bearer token.
    :raises Throttled: this client address failed too often recently.
    """
    header = request.headers.get("Authorization")
    if header is None:
        raise Unauthenticated(UNAUTHENTICATED)
    scheme, _, credentials = header.strip().partition(" ")
    # A malformed header is a failed attempt like a wrong token, and is counted as one.
    token = credentials.strip() if scheme.lower() == "bearer" else ""
    current = settings()
    actor = authenticate_bearer(
        db(),
        token=token,
        client=request.remote_addr or "unknown",
        now=dt.datetime.now(dt.UTC),
        policy=ThrottlePolicy(
            limit=current.auth_failure_limit,
            window=dt.timedelta(seconds=current.auth_failure_window_seconds),
        ),
    )
    g.actor = actor
    structlog.contextvars.bind_contextvars(user=actor.username, tenant=actor.tenant_code)
    return actor


def requires(*roles: Role) -> Callable[[F], F]:
    """Make a view require a bearer token and, if ``roles`` are given, one of them.

    Authentication runs before anything else in the view (argument parsing included), so an
    anonymous request learns nothing from validation errors. The operation is documented with
    the bearer security scheme and its 401/403/429 responses.
    """
    allowed = frozenset(role.value for role in roles) or ALL_ROLES

    def decorator(func: F) -> F:
        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            actor = authenticate()
            if not actor.roles & allowed:
                raise Refused(
                    f"this needs one of the roles {', '.join(sorted(allowed))}; "
                    f"{actor.username} holds {', '.join(sorted(actor.roles))}"
                )
            return func(*args, **kwargs)

        apidoc = deepcopy(getattr(func, "_apidoc", {}))
        manual = apidoc.setdefault("manual_doc", {})
        manual["security"] = [{SECURITY_SCHEME: []}]
        manual["x-roles"] = sorted(allowed)
        responses = manual.setdefault("responses", {})
        responses.update({401: "UNAUTHORIZED", 403: "FORBIDDEN", 429: "TOO_MANY_REQUESTS"})
        wrapper._apidoc = apidoc  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator

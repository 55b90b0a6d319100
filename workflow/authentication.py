"""Resolving a bearer token to an actor, with a throttle on repeated failures per client.

Failures are counted in the database (``auth_failure``) so that the limit holds across every
gunicorn worker and host. Every kind of failure (malformed, unknown, expired, revoked, inactive
user) is the same :class:`Unauthenticated` error, so a response never tells which it was.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import structlog
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from workflow.actors import Actor
from workflow.db import Database
from workflow.errors import Throttled, Unauthenticated
from workflow.identity import authenticate
from workflow.models import ApiToken, AuthFailure

log = structlog.get_logger(__name__)

UNAUTHENTICATED = "A valid bearer token is required."


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """At most ``limit`` failed authentications per client within ``window``."""

    limit: int
    window: dt.timedelta


def authenticate_bearer(
    db: Database, *, token: str, client: str, now: dt.datetime, policy: ThrottlePolicy
) -> Actor:
    """Return the actor a bearer token belongs to, counting a failure against ``client``.

    :raises Throttled: ``client`` failed ``policy.limit`` times within the window; nothing is
        checked until the oldest of those failures leaves the window.
    :raises Unauthenticated: the token is malformed, unknown, expired or revoked, or its user
        is inactive (one error for all, recorded as a failure).
    """
    with db.read() as session:
        retry_after = _retry_after(session, client=client, now=now, policy=policy)
        if retry_after is not None:
            log.warning("authentication_throttled", client=client, retry_after=retry_after)
            raise Throttled("too many failed authentications", retry_after=retry_after)
        actor = authenticate(session, token, now=now)
        # authenticate() marks last_used_at coarsely; a read session must not write, so the
        # mark is discarded here and written by its own short transaction below.
        touched = [row.id for row in session.dirty if isinstance(row, ApiToken)]
        for row in list(session.dirty):
            session.expire(row)
    if actor is None:
        record_failure(db, client=client, now=now, policy=policy)
        raise Unauthenticated(UNAUTHENTICATED)
    if touched:
        with db.transaction() as session:
            session.execute(
                update(ApiToken).where(ApiToken.id.in_(touched)).values(last_used_at=now)
            )
    return actor


def record_failure(db: Database, *, client: str, now: dt.datetime, policy: ThrottlePolicy) -> None:
    """Count one failed authentication from ``client`` and forget failures past the window."""
    with db.transaction() as session:
        session.execute(delete(AuthFailure).where(AuthFailure.occurred_at <= now - policy.window))
        session.add(AuthFailure(client=client, occurred_at=now))
    log.info("authentication_failed", client=client)


def _retry_after(
    session: Session, *, client: str, now: dt.datetime, policy: ThrottlePolicy
) -> int | None:
    """Return the seconds until ``client`` is below the limit again, or None if it is now."""
    # The limit-th newest failure in the window is the one whose expiry lifts the block.
    pivot = session.scalar(
        select(AuthFailure.occurred_at)
        .where(AuthFailure.client == client, AuthFailure.occurred_at > now - policy.window)
        .order_by(AuthFailure.occurred_at.desc(), AuthFailure.id.desc())
        .offset(policy.limit - 1)
        .limit(1)
    )
    if pivot is None:
        return None
    return max(1, math.ceil((pivot + policy.window - now).total_seconds()))

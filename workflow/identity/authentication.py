"""Resolving a bearer token to an actor, with a throttle on repeated failures per client.

Failures are counted in the database (``auth_failure``) so that the limit holds across every
gunicorn worker and host. Every kind of failure (malformed, unknown, expired, revoked, inactive
user) is the same :class:`Unauthenticated` error, so a response never tells which it was.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import Connection, Select, delete, select, update

from workflow.core import Actor, Database, Throttled, Unauthenticated
from workflow.identity.accounts import match_token, token_digest, token_lookup
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

    A well-formed token is checked with ONE statement: the throttle pivot, the token, its user,
    the user's agency and roles. Only a failure (or a stale ``last_used_at``, refreshed at most
    every few minutes) costs more.

    :raises Throttled: ``client`` failed ``policy.limit`` times within the window; nothing is
        checked until the oldest of those failures leaves the window.
    :raises Unauthenticated: the token is malformed, unknown, expired or revoked, or its user
        is inactive (one error for all, recorded as a failure).
    """
    digest = token_digest(token)
    pivot_query = _pivot(client=client, now=now, policy=policy)
    with _reading(db) as connection:
        if digest is None:
            rows: list[Any] = []
            pivot = connection.execute(pivot_query).scalar()
        else:
            lookup = token_lookup(pivot_query.scalar_subquery().label("throttle_pivot"))
            rows = list(connection.execute(lookup, {"digest": digest}).all())
            # No row (an unknown token) carries no pivot: ask for it alone.
            pivot = rows[0].throttle_pivot if rows else connection.execute(pivot_query).scalar()
    retry_after = _retry_after(pivot, now=now, policy=policy)
    if retry_after is not None:
        log.warning("authentication_throttled", client=client, retry_after=retry_after)
        raise Throttled("too many failed authentications", retry_after=retry_after)
    match = match_token(rows, digest, now=now) if digest is not None else None
    if match is None:
        record_failure(db, client=client, now=now, policy=policy)
        raise Unauthenticated(UNAUTHENTICATED)
    if match.stale_last_used:
        with db.transaction() as session:
            session.execute(
                update(ApiToken).where(ApiToken.id == match.token_id).values(last_used_at=now)
            )
    return match.actor


@contextmanager
def _reading(db: Database) -> Iterator[Connection]:
    """Yield a connection for a single read statement (no session, and on PostgreSQL no
    BEGIN/ROLLBACK round trips: one statement is consistent on its own)."""
    with db.engine.connect() as connection:
        if not db.is_sqlite:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        yield connection


def record_failure(db: Database, *, client: str, now: dt.datetime, policy: ThrottlePolicy) -> None:
    """Count one failed authentication from ``client`` and forget failures past the window."""
    with db.transaction() as session:
        session.execute(delete(AuthFailure).where(AuthFailure.occurred_at <= now - policy.window))
        session.add(AuthFailure(client=client, occurred_at=now))
    log.info("authentication_failed", client=client)


def _pivot(*, client: str, now: dt.datetime, policy: ThrottlePolicy) -> Select[Any]:
    """Return the query for the failure whose expiry lifts ``client``'s block (none: unblocked).

    The limit-th newest failure in the window is the one whose expiry lifts the block.
    """
    return (
        select(AuthFailure.occurred_at)
        .where(AuthFailure.client == client, AuthFailure.occurred_at > now - policy.window)
        .order_by(AuthFailure.occurred_at.desc(), AuthFailure.id.desc())
        .offset(policy.limit - 1)
        .limit(1)
    )


def _retry_after(
    pivot: dt.datetime | None, *, now: dt.datetime, policy: ThrottlePolicy
) -> int | None:
    """Return the seconds until the client is below the limit again, or None if it is now."""
    if pivot is None:
        return None
    return max(1, math.ceil((pivot + policy.window - now).total_seconds()))

"""Passwords for the web pages: argon2id hashes, and signing in with the bearer throttle.

A failed sign-in counts against the client exactly like a failed bearer token
(``auth_failure``), so the limit holds across workers and both doors share it. Unknown user,
wrong password, no password set and inactive user are one and the same error.
"""

from __future__ import annotations

import datetime as dt

import structlog
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update

from workflow.core import Actor, Database, InvalidInput, NotFound, Throttled, Unauthenticated
from workflow.identity.accounts import actor_for
from workflow.identity.authentication import (
    ThrottlePolicy,
    _pivot,
    _reading,
    _retry_after,
    record_failure,
)
from workflow.models.identity import User

log = structlog.get_logger(__name__)

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
BAD_CREDENTIALS = "The username or password is not right."

_hasher = PasswordHasher()
# Verified against when the user is unknown, so the answer takes as long either way.
_DUMMY_HASH = _hasher.hash("meritflow-no-such-user")


def hash_password(password: str) -> str:
    """Return the argon2id hash of ``password`` (with its own salt and parameters)."""
    return _hasher.hash(password)


def password_problems(password: str) -> list[dict[str, str]]:
    """Return what makes ``password`` unacceptable (empty if it is acceptable)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [
            {
                "field": "password",
                "message": f"at least {MIN_PASSWORD_LENGTH} characters, got {len(password)}",
            }
        ]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [{"field": "password", "message": f"at most {MAX_PASSWORD_LENGTH} characters"}]
    return []


def set_password(db: Database, *, username: str, password: str) -> None:
    """Store a new password hash for an active user.

    :raises InvalidInput: the password is too short or too long.
    :raises NotFound: no active user with that name.
    """
    problems = password_problems(password)
    if problems:
        raise InvalidInput("cannot set the password", problems)
    digest = hash_password(password)
    with db.transaction() as session:
        user_id = session.scalar(select(User.id).where(User.username == username, User.active))
        if user_id is None:
            raise NotFound(f"no active user {username!r}")
        session.execute(update(User).where(User.id == user_id).values(password_hash=digest))
    log.info("password_set", username=username)


def authenticate_password(
    db: Database,
    *,
    username: str,
    password: str,
    client: str,
    now: dt.datetime,
    policy: ThrottlePolicy,
) -> Actor:
    """Return the actor whose username and password these are, counting a failure if not.

    :raises Throttled: ``client`` failed ``policy.limit`` times within the window (nothing is
        checked, not even a right password, until the oldest failure leaves the window).
    :raises Unauthenticated: unknown or inactive user, no password set, or a wrong password
        (one error for all, recorded as a failure).
    """
    with _reading(db) as connection:
        pivot = connection.execute(_pivot(client=client, now=now, policy=policy)).scalar()
    retry_after = _retry_after(pivot, now=now, policy=policy)
    if retry_after is not None:
        log.warning("sign_in_throttled", client=client, retry_after=retry_after)
        raise Throttled("too many failed sign-ins", retry_after=retry_after)
    with db.read() as session:
        user = session.scalar(select(User).where(User.username == username.strip(), User.active))
        stored = user.password_hash if user is not None else None
        if user is not None and stored is not None and _verifies(stored, password):
            actor = actor_for(session, user)
        else:
            actor = None
            if stored is None:
                _verifies(_DUMMY_HASH, password)
    if actor is None:
        record_failure(db, client=client, now=now, policy=policy)
        raise Unauthenticated(BAD_CREDENTIALS)
    log.info("signed_in", username=actor.username)
    return actor


def active_actor(db: Database, *, user_id: int) -> Actor:
    """Return the actor of an active user by id (a signed-in session, on each request).

    :raises NotFound: no such active user (deactivated since signing in).
    """
    with db.read() as session:
        user = session.scalar(select(User).where(User.id == user_id, User.active))
        if user is None:
            raise NotFound(f"no active user {user_id}")
        return actor_for(session, user)


def _verifies(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False

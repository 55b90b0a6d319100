"""Users, roles, bearer tokens and delegations: creating them and resolving who acts."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import Select, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflow import ledger
from workflow.core import Actor, Conflict, Database, InvalidInput, NotFound, Refused
from workflow.models import Employee, Tenant
from workflow.models.identity import ApiToken, Delegation, Role, User, UserRole

log = structlog.get_logger(__name__)

TOKEN_PREFIX = "mf_"  # noqa: S105  (a public marker, not a secret)
MAX_DELEGATION = dt.timedelta(days=90)
"""A delegation is bounded; longer absences need a new appointment, not a delegation."""


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """Return a fresh 256-bit bearer token with its public prefix."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly issued token: the secret is here once and never stored."""

    token: str
    token_id: int
    username: str
    expires_at: dt.datetime | None


def create_user(
    db: Database,
    *,
    tenant_code: str,
    username: str,
    display_name: str,
    roles: Iterable[str],
    employee_nip: str | None = None,
) -> int:
    """Create a user with roles in an agency and return its id.

    :raises InvalidInput: unknown agency or role, an employee not of that agency, or a
        national role outside the national agency.
    :raises Conflict: the username is taken.
    """
    wanted = sorted(set(roles))
    problems = [
        {"field": "roles", "message": f"unknown role {r!r}"}
        for r in wanted
        if r not in {x.value for x in Role}
    ]
    if not wanted:
        problems.append({"field": "roles", "message": "at least one role is required"})
    if not username.strip() or len(username) > 80:
        problems.append({"field": "username", "message": "1-80 characters"})
    if Role.EMPLOYEE.value in wanted and employee_nip is None:
        problems.append(
            {"field": "employee_nip", "message": "an employee user is linked to their own record"}
        )
    if problems:
        raise InvalidInput("cannot create user", problems)
    with db.transaction() as session:
        tenant = session.scalar(select(Tenant).where(Tenant.code == tenant_code))
        if tenant is None:
            raise InvalidInput(
                "cannot create user",
                [{"field": "tenant", "message": f"unknown agency {tenant_code!r}"}],
            )
        if Role.NATIONAL_REVIEWER.value in wanted and tenant.level != "national":
            raise InvalidInput(
                "cannot create user",
                [
                    {
                        "field": "roles",
                        "message": "national_reviewer belongs to the national agency",
                    }
                ],
            )
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            raise Conflict(f"the username {username!r} is taken")
        employee_id = None
        if employee_nip is not None:
            employee_id = session.scalar(
                select(Employee.id).where(
                    Employee.nip == employee_nip, Employee.tenant_id == tenant.id
                )
            )
            if employee_id is None:
                raise InvalidInput(
                    "cannot create user",
                    [
                        {
                            "field": "employee_nip",
                            "message": f"no employee with NIP {employee_nip} in {tenant_code}",
                        }
                    ],
                )
        user = User(
            tenant_id=tenant.id,
            username=username,
            display_name=display_name,
            employee_id=employee_id,
            roles=[UserRole(role=r) for r in wanted],
        )
        session.add(user)
        try:
            session.flush()
        except IntegrityError as exc:  # a concurrent request took the name since the check
            raise Conflict(f"the username {username!r} is taken") from exc
        log.info("user_created", user_id=user.id, tenant=tenant_code, roles=wanted)
        return user.id


def issue_token(
    db: Database,
    *,
    username: str,
    name: str,
    now: dt.datetime,
    lifetime: dt.timedelta | None = None,
) -> IssuedToken:
    """Issue a 256-bit bearer token for a user; only its hash is stored.

    :raises NotFound: no active user with that name.
    """
    token = new_token()
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.username == username, User.active))
        if user is None:
            raise NotFound(f"no active user {username!r}")
        expires_at = now + lifetime if lifetime else None
        row = ApiToken(
            user_id=user.id,
            name=name,
            token_hash=hash_token(token),
            prefix=token[:10],
            created_at=now,
            expires_at=expires_at,
        )
        session.add(row)
        session.flush()
        log.info("token_issued", user_id=user.id, token_id=row.id)
        return IssuedToken(token, row.id, username, expires_at)


def revoke_tokens(db: Database, *, username: str, now: dt.datetime) -> int:
    """Revoke every live token of a user and return how many were revoked."""
    with db.transaction() as session:
        rows = session.scalars(
            select(ApiToken)
            .join(User)
            .where(User.username == username, ApiToken.revoked_at.is_(None))
        ).all()
        for row in rows:
            row.revoked_at = now
        return len(rows)


LAST_USED_GRANULARITY = dt.timedelta(minutes=5)
"""``last_used_at`` is refreshed at most this often, so reads do not turn into writes."""


@dataclass(frozen=True, slots=True)
class TokenMatch:
    """A bearer token that authenticated: whose it is, and whether its use should be marked."""

    actor: Actor
    token_id: int
    stale_last_used: bool
    """``last_used_at`` is unset or older than :data:`LAST_USED_GRANULARITY`."""


_TOKENS, _USERS, _ROLES, _TENANTS = (
    ApiToken.__table__,
    User.__table__,
    UserRole.__table__,
    Tenant.__table__,
)
_TOKEN_LOOKUP = (
    select(
        _TOKENS.c.id,
        _TOKENS.c.token_hash,
        _TOKENS.c.expires_at,
        _TOKENS.c.revoked_at,
        _TOKENS.c.last_used_at,
        _USERS.c.id.label("user_id"),
        _USERS.c.username,
        _USERS.c.employee_id,
        _USERS.c.active,
        _TENANTS.c.id.label("tenant_id"),
        _TENANTS.c.code.label("tenant_code"),
        _TENANTS.c.level.label("tenant_level"),
        _ROLES.c.role,
    )
    .select_from(_TOKENS)
    .join(_USERS, _USERS.c.id == _TOKENS.c.user_id)
    .join(_TENANTS, _TENANTS.c.id == _USERS.c.tenant_id)
    .outerjoin(_ROLES, _ROLES.c.user_id == _USERS.c.id)
    .where(_TOKENS.c.token_hash == bindparam("digest"))
)
"""Token, user, agency and roles in one statement (one row per role)."""


def token_lookup(*extra: Any) -> Select[Any]:
    """Return the one-statement token lookup with ``extra`` columns in front (for callers that
    fold another per-request check into the same round trip); bind ``digest``."""
    return _TOKEN_LOOKUP.add_columns(*extra) if extra else _TOKEN_LOOKUP


def token_digest(token: str) -> str | None:
    """Return the digest to look ``token`` up by, or None if it cannot be a token at all."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    return hash_token(token)


def match_token(rows: Sequence[Any], digest: str, *, now: dt.datetime) -> TokenMatch | None:
    """Return the match the rows of :func:`token_lookup` describe, or None if the token is
    unknown, expired or revoked or its user inactive."""
    if not rows:
        return None
    row = rows[0]
    if not hmac.compare_digest(row.token_hash, digest):
        return None
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        return None
    if not row.active:
        return None
    actor = Actor(
        row.user_id,
        row.username,
        row.tenant_id,
        row.tenant_code,
        row.tenant_level,
        frozenset(r.role for r in rows if r.role is not None),
        row.employee_id,
    )
    stale = row.last_used_at is None or now - row.last_used_at > LAST_USED_GRANULARITY
    return TokenMatch(actor, row.id, stale)


def authenticate(session: Session, token: str, *, now: dt.datetime) -> Actor | None:
    """Return the actor a bearer token belongs to, or None if it is unknown, expired or revoked.

    One statement resolves token, user, agency and roles; nothing is written (see
    :func:`workflow.identity.authentication.authenticate_bearer` for the coarse last-used mark).
    """
    digest = token_digest(token)
    if digest is None:
        return None
    rows = session.connection().execute(_TOKEN_LOOKUP, {"digest": digest}).all()
    match = match_token(rows, digest, now=now)
    return match.actor if match is not None else None


def actor_for(session: Session, user: User) -> Actor:
    """Return the :class:`Actor` for a user row."""
    tenant = session.get(Tenant, user.tenant_id)
    assert tenant is not None  # a foreign key guarantees it
    return Actor(
        user.id,
        user.username,
        tenant.id,
        tenant.code,
        tenant.level,
        user.role_names,
        user.employee_id,
    )


def actor_by_username(session: Session, username: str) -> Actor:
    """Return the actor for an active user name (CLI use).

    :raises NotFound: no such active user.
    """
    user = session.scalar(select(User).where(User.username == username, User.active))
    if user is None:
        raise NotFound(f"no active user {username!r}")
    return actor_for(session, user)


def actor_named(db: Database, *, username: str) -> Actor:
    """Return the actor for an active user name (who a CLI command acts as, ``--as``).

    :raises NotFound: no such active user.
    """
    with db.read() as session:
        return actor_by_username(session, username)


def act_on_behalf(
    session: Session,
    actor: Actor,
    principal_username: str,
    *,
    roles: Iterable[str],
    now: dt.datetime,
) -> Actor:
    """Return ``actor`` acting for ``principal_username`` under a live delegation of a role.

    The delegate gets only the delegated role among ``roles`` (those the action needs).

    :raises Refused: no live delegation from that user to this one for that role, or the
        actor is already acting by delegation (no chains).
    """
    if actor.on_behalf_of is not None:
        raise Refused("a delegate cannot act through a further delegation")
    principal = actor_by_username(session, principal_username)
    wanted = sorted(set(roles) & principal.roles)
    role = session.scalar(
        select(Delegation.role)
        .where(
            Delegation.delegator_id == principal.user_id,
            Delegation.delegate_id == actor.user_id,
            Delegation.role.in_(wanted),
            Delegation.revoked_at.is_(None),
            Delegation.starts_at <= now,
            Delegation.ends_at > now,
        )
        .order_by(Delegation.role)
        .limit(1)
    )
    if role is None:
        raise Refused(
            f"{actor.username} holds no live delegation from {principal.username} "
            f"for a role among {wanted or sorted(roles)}"
        )
    return Actor(
        actor.user_id,
        actor.username,
        actor.tenant_id,
        actor.tenant_code,
        actor.tenant_level,
        frozenset({role}),
        actor.employee_id,
        principal,
    )


def delegation_problems(
    session: Session,
    delegator: Actor,
    delegate: User,
    *,
    role: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
) -> Sequence[str]:
    """Return why this delegation may not be created (empty: it may)."""
    problems = []
    if delegator.on_behalf_of is not None:
        problems.append("a delegate cannot delegate further")
    if role not in delegator.roles:
        problems.append(f"{delegator.username} does not hold the role {role} themself")
    if role == Role.EMPLOYEE.value:
        problems.append("an employee's own view is personal and cannot be delegated")
    if delegate.id == delegator.user_id:
        problems.append("one cannot delegate to oneself")
    if delegate.tenant_id != delegator.tenant_id:
        problems.append("the delegate must belong to the same agency")
    if not delegate.active:
        problems.append("the delegate is not an active user")
    if ends_at <= starts_at:
        problems.append("the period must end after it starts")
    elif ends_at - starts_at > MAX_DELEGATION:
        problems.append(f"a delegation lasts at most {MAX_DELEGATION.days} days")
    onward = session.scalar(
        select(Delegation.id).where(
            Delegation.delegator_id == delegate.id,
            Delegation.role == role,
            Delegation.revoked_at.is_(None),
            Delegation.ends_at > starts_at,
        )
    )
    if onward is not None:
        problems.append("the delegate has delegated this role onward; chains are not allowed")
    return problems


def create_delegation(
    db: Database,
    *,
    actor: Actor,
    delegate_username: str,
    role: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str,
    now: dt.datetime,
) -> int:
    """Let another user of the actor's agency act for the actor in one role for a period.

    The delegate acts "on behalf of" the actor, cannot delegate further, and carries the
    actor's restrictions on every vacancy. Recorded in the agency's ledger.

    :raises NotFound: no active user ``delegate_username`` in the actor's agency.
    :raises InvalidInput: the delegation breaks a rule (:func:`delegation_problems`).
    """
    if not reason.strip():
        raise InvalidInput(
            "a delegation needs a reason", [{"field": "reason", "message": "is required"}]
        )
    with db.transaction() as session:
        # Another agency's user does not exist for the actor: the same 404 as an unknown name.
        delegate = session.scalar(
            select(User).where(
                User.username == delegate_username,
                User.tenant_id == actor.tenant_id,
                User.active,
            )
        )
        if delegate is None:
            raise NotFound(f"no active user {delegate_username!r} in agency {actor.tenant_code}")
        problems = delegation_problems(
            session, actor, delegate, role=role, starts_at=starts_at, ends_at=ends_at
        )
        if problems:
            raise InvalidInput(
                "cannot delegate: " + "; ".join(problems),
                [{"field": "delegation", "message": p} for p in problems],
            )
        assert actor.user_id is not None
        row = Delegation(
            tenant_id=actor.tenant_id,
            delegator_id=actor.user_id,
            delegate_id=delegate.id,
            role=role,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason.strip(),
            created_at=now,
        )
        session.add(row)
        session.flush()
        ledger.append(
            session,
            tenant_id=actor.tenant_id,
            kind=ledger.LedgerKind.DELEGATION_CREATED,
            actor=ledger.actor_ref(actor),
            at=now,
            data={
                "delegation": row.id,
                "delegator": actor.user_id,
                "delegate": delegate.id,
                "role": role,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
            },
        )
        log.info("delegation_created", delegation_id=row.id, role=role)
        return row.id


@dataclass(frozen=True, slots=True)
class LiveDelegation:
    """A delegation to the caller that holds now: whose role they may act in, until when."""

    delegation_id: int
    principal: Actor
    """The delegator, with only the delegated role (what the delegate may act as)."""
    role: str
    ends_at: dt.datetime


def delegations_to(db: Database, *, actor: Actor, now: dt.datetime) -> list[LiveDelegation]:
    """Return the live delegations to ``actor`` from active users of their agency, by role.

    A delegate acting by delegation has none (no chains).
    """
    if actor.user_id is None or actor.on_behalf_of is not None:
        return []
    with db.read() as session:
        rows = session.scalars(
            select(Delegation)
            .join(User, User.id == Delegation.delegator_id)
            .where(
                Delegation.delegate_id == actor.user_id,
                Delegation.tenant_id == actor.tenant_id,
                Delegation.revoked_at.is_(None),
                Delegation.starts_at <= now,
                Delegation.ends_at > now,
                User.active,
            )
            .order_by(Delegation.role, Delegation.id)
        ).all()
        found = []
        for row in rows:
            principal = actor_for(session, row.delegator)
            if row.role not in principal.roles:
                continue  # the delegator no longer holds the role
            found.append(
                LiveDelegation(
                    delegation_id=row.id,
                    principal=Actor(
                        principal.user_id,
                        principal.username,
                        principal.tenant_id,
                        principal.tenant_code,
                        principal.tenant_level,
                        frozenset({row.role}),
                        principal.employee_id,
                    ),
                    role=row.role,
                    ends_at=row.ends_at,
                )
            )
        return found

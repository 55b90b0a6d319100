"""Administering an agency's users: list, read, create and change them, scoped to the agency."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from rules.vocab import TenantLevel
from workflow.core import (
    Actor,
    Database,
    InvalidInput,
    NotFound,
    Page,
    PageRequest,
    PreconditionFailed,
    Refused,
    ensure_writable,
    fetch_page,
    readable,
)
from workflow.identity.accounts import IssuedToken, create_user, hash_token, new_token
from workflow.identity.passwords import hash_password, password_problems
from workflow.models import ApiToken, Role, Tenant, User, UserRole

log = structlog.get_logger(__name__)

ADMIN_SELF_RULE = "ADMIN-SELF"
"""The rule refusing a change that would lock the administrator out of their own account."""


@dataclass(frozen=True, slots=True)
class UserView:
    """A user as an administrator sees it; ``etag`` changes whenever anything shown changes."""

    id: int
    username: str
    display_name: str
    tenant_code: str
    roles: tuple[str, ...]
    active: bool
    employee_id: int | None
    created_at: dt.datetime
    etag: str


@dataclass(frozen=True, slots=True)
class UserChanges:
    """What an administrator changes on a user; None leaves a field as it is."""

    display_name: str | None = None
    roles: Sequence[str] | None = None
    active: bool | None = None


def list_users(db: Database, *, actor: Actor, page: PageRequest) -> Page[UserView]:
    """Return the users of the agencies ``actor`` may read, by username."""
    statement = (
        select(User).where(readable(actor).clause(User.tenant_id)).order_by(User.username, User.id)
    )
    with db.read() as session:
        result = fetch_page(session, statement, page)
        codes = _tenant_codes(session, {user.tenant_id for user in result.items})
        items = [_view(user, codes[user.tenant_id]) for user in result.items]
    return Page(items=items, total=result.total, page=result.page, per_page=result.per_page)


def get_user(db: Database, *, actor: Actor, user_id: int) -> UserView:
    """Return one user.

    :raises NotFound: no such user, or not one ``actor`` may read.
    """
    with db.read() as session:
        user = _scoped_user(session, actor, user_id)
        return _view(user, _tenant_codes(session, {user.tenant_id})[user.tenant_id])


def create_agency_user(
    db: Database,
    *,
    actor: Actor,
    username: str,
    display_name: str,
    roles: Iterable[str],
    employee_nip: str | None = None,
) -> UserView:
    """Create a user in ``actor``'s own agency and return it.

    :raises InvalidInput: unknown role, an employee not of the agency, or a national role
        outside the national agency.
    :raises Conflict: the username is taken.
    """
    user_id = create_user(
        db,
        tenant_code=actor.tenant_code,
        username=username,
        display_name=display_name,
        roles=roles,
        employee_nip=employee_nip,
    )
    log.info("user_created_by", actor=actor.describe(), user_id=user_id)
    return get_user(db, actor=actor, user_id=user_id)


def update_user(
    db: Database, *, actor: Actor, user_id: int, expected_etag: str, changes: UserChanges
) -> UserView:
    """Apply ``changes`` to a user of ``actor``'s agency if it is still as the caller saw it.

    :raises NotFound: no such user, or not one ``actor`` may read.
    :raises Refused: the user is another agency's (national administrators only read), or the
        change would lock the administrator out (deactivate themself or drop their admin role).
    :raises PreconditionFailed: the user changed since the caller read ``expected_etag``.
    :raises InvalidInput: an unknown role, no role at all, or a national role outside the
        national agency.
    """
    with db.transaction() as session:
        user = _scoped_user(session, actor, user_id)
        ensure_writable(actor, user.tenant_id, "user")
        tenant = session.get_one(Tenant, user.tenant_id)
        if user_etag(user) != expected_etag:
            raise PreconditionFailed(
                f"user {user_id} changed since it was read", details={"etag": user_etag(user)}
            )
        if changes.roles is not None:
            wanted = sorted(set(changes.roles))
            _check_roles(wanted, tenant)
            if user.id == actor.user_id and Role.ADMIN.value not in wanted:
                raise Refused(
                    "an administrator cannot remove their own admin role",
                    details={"rule": ADMIN_SELF_RULE},
                )
            user.roles = [UserRole(role=role) for role in wanted]
        if changes.active is not None:
            if user.id == actor.user_id and not changes.active:
                raise Refused(
                    "an administrator cannot deactivate themself",
                    details={"rule": ADMIN_SELF_RULE},
                )
            user.active = changes.active
        if changes.display_name is not None:
            user.display_name = changes.display_name
        session.flush()
        log.info("user_changed", actor=actor.describe(), user_id=user.id)
        return _view(user, tenant.code)


def user_etag(user: User) -> str:
    """Return a digest of everything shown about ``user`` (its entity tag)."""
    document = {
        "id": user.id,
        "tenant_id": user.tenant_id,
        "username": user.username,
        "display_name": user.display_name,
        "roles": sorted(r.role for r in user.roles),
        "active": user.active,
        "employee_id": user.employee_id,
    }
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


def _check_roles(roles: Sequence[str], tenant: Tenant) -> None:
    known = {role.value for role in Role}
    problems = [
        {"field": "roles", "message": f"unknown role {r!r}"} for r in roles if r not in known
    ]
    if not roles:
        problems.append({"field": "roles", "message": "at least one role is required"})
    if Role.NATIONAL_REVIEWER.value in roles and tenant.level != TenantLevel.NATIONAL.value:
        problems.append(
            {"field": "roles", "message": "national_reviewer belongs to the national agency"}
        )
    if problems:
        raise InvalidInput("cannot change user", problems)


def _scoped_user(session: Session, actor: Actor, user_id: int) -> User:
    user = session.scalar(
        select(User).where(User.id == user_id, readable(actor).clause(User.tenant_id))
    )
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def _tenant_codes(session: Session, tenant_ids: set[int]) -> dict[int, str]:
    rows = session.execute(select(Tenant.id, Tenant.code).where(Tenant.id.in_(tenant_ids)))
    return {row.id: row.code for row in rows}


def _view(user: User, tenant_code: str) -> UserView:
    return UserView(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        tenant_code=tenant_code,
        roles=tuple(sorted(r.role for r in user.roles)),
        active=user.active,
        employee_id=user.employee_id,
        created_at=user.created_at,
        etag=user_etag(user),
    )


def usernames(db: Database, *, user_ids: Iterable[int]) -> dict[int, str]:
    """Return the usernames of these user ids (unknown ids are left out).

    For naming who acted in a record the caller may already read (a vacancy's timeline, as its
    history names them); the ledger itself names people by id only.
    """
    wanted = sorted(set(user_ids))
    if not wanted:
        return {}
    with db.read() as session:
        rows = session.execute(select(User.id, User.username).where(User.id.in_(wanted)))
        return {row.id: row.username for row in rows}


@dataclass(frozen=True, slots=True)
class TokenView:
    """A bearer token as its user's administrator sees it (never the secret)."""

    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None

    def live(self, now: dt.datetime) -> bool:
        """Return whether the token still authenticates at ``now``."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


def list_user_tokens(db: Database, *, actor: Actor, user_id: int) -> list[TokenView]:
    """Return a user's tokens, newest first (revoked and expired ones too).

    :raises NotFound: no such user, or not one ``actor`` may read.
    """
    with db.read() as session:
        user = _scoped_user(session, actor, user_id)
        rows = session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        ).all()
        return [
            TokenView(
                id=row.id,
                name=row.name,
                prefix=row.prefix,
                created_at=row.created_at,
                expires_at=row.expires_at,
                revoked_at=row.revoked_at,
                last_used_at=row.last_used_at,
            )
            for row in rows
        ]


def set_user_password(db: Database, *, actor: Actor, user_id: int, password: str) -> None:
    """Set (or reset) the password of an active user of ``actor``'s agency (argon2id).

    :raises NotFound: no such user, or not one ``actor`` may read.
    :raises Refused: another agency's user, or an inactive one.
    :raises InvalidInput: the password is too short or too long.
    """
    problems = password_problems(password)
    if problems:
        raise InvalidInput("cannot set the password", problems)
    digest = hash_password(password)
    with db.transaction() as session:
        user = _writable_user(session, actor, user_id)
        user.password_hash = digest
    log.info("password_set_by", actor=actor.describe(), user_id=user_id)


def issue_user_token(
    db: Database,
    *,
    actor: Actor,
    user_id: int,
    name: str,
    now: dt.datetime,
    lifetime: dt.timedelta | None,
) -> IssuedToken:
    """Issue a bearer token for an active user of ``actor``'s agency; the secret is returned
    once and only its hash is stored.

    :raises NotFound: no such user, or not one ``actor`` may read.
    :raises Refused: another agency's user, or an inactive one.
    :raises InvalidInput: no name, or a name longer than 100 characters.
    """
    label = name.strip()
    if not label or len(label) > MAX_TOKEN_NAME:
        raise InvalidInput(
            "cannot issue the token",
            [{"field": "name", "message": f"1 to {MAX_TOKEN_NAME} characters"}],
        )
    token = new_token()
    with db.transaction() as session:
        user = _writable_user(session, actor, user_id)
        expires_at = now + lifetime if lifetime else None
        row = ApiToken(
            user_id=user.id,
            name=label,
            token_hash=hash_token(token),
            prefix=token[:10],
            created_at=now,
            expires_at=expires_at,
        )
        session.add(row)
        session.flush()
        log.info("token_issued_by", actor=actor.describe(), user_id=user.id, token_id=row.id)
        return IssuedToken(token, row.id, user.username, expires_at)


def revoke_user_token(
    db: Database, *, actor: Actor, user_id: int, token_id: int, now: dt.datetime
) -> bool:
    """Revoke one token of a user of ``actor``'s agency; False if it was already revoked.

    :raises NotFound: no such user or token, or not one ``actor`` may read.
    :raises Refused: another agency's user.
    """
    with db.transaction() as session:
        user = _scoped_user(session, actor, user_id)
        ensure_writable(actor, user.tenant_id, "user")
        row = session.scalar(
            select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
        )
        if row is None:
            raise NotFound(f"no token {token_id} of user {user_id}")
        if row.revoked_at is not None:
            return False
        row.revoked_at = now
        log.info("token_revoked_by", actor=actor.describe(), user_id=user.id, token_id=row.id)
        return True


MAX_TOKEN_NAME = 100


def _writable_user(session: Session, actor: Actor, user_id: int) -> User:
    """Return a user ``actor`` may change, active (passwords and tokens are for active users)."""
    user = _scoped_user(session, actor, user_id)
    ensure_writable(actor, user.tenant_id, "user")
    if not user.active:
        raise Refused(
            f"user {user.username} is disabled; enable them first",
            details={"rule": USER_DISABLED_RULE},
        )
    return user


USER_DISABLED_RULE = "USER-DISABLED"
"""The rule refusing a password or token for a disabled user."""

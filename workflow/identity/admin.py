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
from workflow.identity.accounts import create_user
from workflow.models import Role, Tenant, User, UserRole

log = structlog.get_logger(__name__)


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
                raise Refused("an administrator cannot remove their own admin role")
            user.roles = [UserRole(role=role) for role in wanted]
        if changes.active is not None:
            if user.id == actor.user_id and not changes.active:
                raise Refused("an administrator cannot deactivate themself")
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

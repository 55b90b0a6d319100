"""Demo accounts for the demo agencies, so a new user can call the API straight after setup."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import structlog
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rules.vocab import TenantLevel
from workflow.core import Database, NotFound
from workflow.identity.accounts import create_user, issue_token
from workflow.identity.passwords import set_password
from workflow.models import ApiToken, Employee, Role, Tenant, User

log = structlog.get_logger(__name__)

DEMO_TOKEN_NAME = "demo"  # noqa: S105  (the name of a token, not a secret)

_AGENCY_ACCOUNTS: tuple[tuple[str, Role], ...] = (
    ("hr", Role.HR),
    ("hr2", Role.HR),
    ("committee1", Role.COMMITTEE),
    ("committee2", Role.COMMITTEE),
    ("committee3", Role.COMMITTEE),
    ("authority", Role.AUTHORITY),
    ("auditor", Role.AUDITOR),
)
EMPLOYEE_ACCOUNTS = 2
"""Employees of each demo agency who sign in as themselves (``prov.employee1`` …)."""
_NATIONAL_ACCOUNTS: tuple[tuple[str, Role], ...] = (
    ("reviewer", Role.NATIONAL_REVIEWER),
    ("auditor", Role.AUDITOR),
)


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """A demo user with a freshly issued token and password (both shown once)."""

    username: str
    tenant_code: str
    roles: tuple[str, ...]
    token: str
    password: str


def ensure_demo_users(
    db: Database,
    *,
    now: dt.datetime,
    lifetime: dt.timedelta,
    fixed_password: str | None = None,
) -> list[DemoAccount]:
    """Create any missing demo user, revoke their earlier demo tokens and issue new ones, and
    set their passwords: ``fixed_password`` for every one (a demo outside production), else a
    fresh random one each.

    The demo agencies are the national agency, the first province and its city named Serang
    (else the first city). Users are ``prov.*``, ``kota.*`` and ``bkn.*`` plus ``prov.admin``,
    and ``prov.employee1``, ``prov.employee2``, ``kota.employee1``, ``kota.employee2``: the
    first employees (by NIP) of the agency holding a position, linked to their own record.

    :raises NotFound: the registry has no national agency, province or city yet.
    """
    with db.read() as session:
        national = _first(session, TenantLevel.NATIONAL)
        province = _first(session, TenantLevel.PROVINCE)
        city = _serang(session) or _first(session, TenantLevel.CITY)
    plan: list[tuple[str, str, Role]] = [
        *((f"prov.{name}", province.code, role) for name, role in _AGENCY_ACCOUNTS),
        ("prov.admin", province.code, Role.ADMIN),
        *((f"kota.{name}", city.code, role) for name, role in _AGENCY_ACCOUNTS),
        *((f"bkn.{name}", national.code, role) for name, role in _NATIONAL_ACCOUNTS),
    ]
    with db.read() as session:
        linked = {
            **_employees(session, "prov", province),
            **_employees(session, "kota", city),
        }
    plan += [(username, code, Role.EMPLOYEE) for username, (code, _) in linked.items()]
    names = {
        national.code: national.name,
        province.code: province.name,
        city.code: city.name,
    }
    with db.read() as session:
        existing = {
            user.username: user
            for user in session.scalars(
                select(User).where(User.username.in_([username for username, _, _ in plan]))
            )
        }
        roles = {username: tuple(sorted(user.role_names)) for username, user in existing.items()}
    for username, code, role in plan:
        if username not in existing:
            create_user(
                db,
                tenant_code=code,
                username=username,
                display_name=f"Demo {role.value} ({names[code]})",
                roles=[role.value],
                employee_nip=linked[username][1] if username in linked else None,
            )
            roles[username] = (role.value,)
    with db.transaction() as session:
        session.execute(
            update(ApiToken)
            .where(
                ApiToken.name == DEMO_TOKEN_NAME,
                ApiToken.revoked_at.is_(None),
                ApiToken.user_id.in_(
                    select(User.id).where(User.username.in_([u for u, _, _ in plan]))
                ),
            )
            .values(revoked_at=now)
        )
    accounts = []
    for username, code, _ in plan:
        password = fixed_password or secrets.token_urlsafe(12)
        set_password(db, username=username, password=password)
        token = issue_token(db, username=username, name=DEMO_TOKEN_NAME, now=now, lifetime=lifetime)
        accounts.append(
            DemoAccount(
                username=username,
                tenant_code=code,
                roles=roles[username],
                token=token.token,
                password=password,
            )
        )
    log.info("demo_users_ready", users=len(accounts))
    return accounts


def _employees(session: Session, prefix: str, tenant: Tenant) -> dict[str, tuple[str, str]]:
    """Return ``{username: (agency code, NIP)}`` of the agency's demo employees."""
    nips = session.scalars(
        select(Employee.nip)
        .where(Employee.tenant_id == tenant.id, Employee.position_id.is_not(None))
        .order_by(Employee.nip)
        .limit(EMPLOYEE_ACCOUNTS)
    ).all()
    return {f"{prefix}.employee{i}": (tenant.code, nip) for i, nip in enumerate(nips, start=1)}


def _first(session: Session, level: TenantLevel) -> Tenant:
    tenant = session.scalar(
        select(Tenant).where(Tenant.level == level.value).order_by(Tenant.code).limit(1)
    )
    if tenant is None:
        raise NotFound(
            f"the registry has no {level.value} agency; seed the demo data first "
            "(flask --app wsgi demo seed)"
        )
    return tenant


def _serang(session: Session) -> Tenant | None:
    return session.scalar(
        select(Tenant)
        .where(Tenant.level == TenantLevel.CITY.value, Tenant.name.contains("Serang"))
        .order_by(Tenant.code)
        .limit(1)
    )

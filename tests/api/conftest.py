"""A seeded world for API tests: a national agency, a province and a city, each with
positions, employees (one with every history) and one user per role, with live tokens."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from config import Settings
from rules.pack import load_shipped
from workflow.core.db import Database
from workflow.identity.accounts import TOKEN_PREFIX, actor_by_username, hash_token
from workflow.models import (
    ApiToken,
    Assessment,
    AssessmentScore,
    Education,
    Employee,
    Penalty,
    PerformanceRating,
    Position,
    PositionCompetency,
    PositionHistory,
    RulePack,
    Tenant,
    TrainingRecord,
    User,
    UserRole,
)
from workflow.vacancies import open_vacancy

AGENCIES = ("national", "province", "city")
AGENCY_ROLES = ("hr", "committee", "authority", "auditor", "admin", "employee")
NOW = dt.datetime.now(dt.UTC)


@dataclass
class World:
    """Who and what the seeded database holds, by agency key (national, province, city)."""

    tenant_code: dict[str, str] = field(default_factory=dict)
    tenant_id: dict[str, int] = field(default_factory=dict)
    position_id: dict[str, int] = field(default_factory=dict)
    employee_nip: dict[str, str] = field(default_factory=dict)
    employee_id: dict[str, int] = field(default_factory=dict)
    user_id: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    admin_position_code: dict[str, str] = field(default_factory=dict)
    """The administrator position of each agency (what the seeded vacancies fill)."""
    pack_digest: str = ""
    """The published bkn-national pack every seeded vacancy pins."""
    vacancy_id: dict[str, int] = field(default_factory=dict)
    """A vacancy in draft for the province and for the city, opened by their HR officer."""
    own_employee_id: dict[str, int] = field(default_factory=dict)
    """The employee record each agency's ``.employee`` user is (not ``employee_id``'s)."""

    def headers(self, username: str) -> dict[str, str]:
        """Return the Authorization header of a seeded user."""
        return {"Authorization": f"Bearer {self.tokens[username]}"}


def roles_of(agency: str) -> tuple[str, ...]:
    """Return the roles a seeded agency has one user for (national_reviewer: national only)."""
    return (*AGENCY_ROLES, "national_reviewer") if agency == "national" else AGENCY_ROLES


def _nip(birth: dt.date, serial: int, gender: str) -> str:
    return f"{birth:%Y%m%d}200501{1 if gender == 'M' else 2}{serial:03d}"


def _employee(tenant: Tenant, position: Position, serial: int, name: str) -> Employee:
    birth = dt.date(1980, 1, 1) + dt.timedelta(days=serial * 37)
    return Employee(
        nip=_nip(birth, serial, "M"),
        name=name,
        birth_date=birth,
        gender="M",
        tenant=tenant,
        employment_type="PNS",
        rank="III/c",
        rank_tmt=dt.date(2019, 4, 1),
        position=position,
        lhkpn_year=2025,
        health_certificate_date=dt.date(2026, 1, 10),
        disciplinary_case_pending=False,
        record_digest="0" * 64,
    )


def _histories(employee: Employee) -> None:
    employee.education = [Education(level="S1", field="Hukum", year=2002, institution="UNTIRTA")]
    employee.positions = [
        PositionHistory(
            title="Analis Kepegawaian",
            level="pelaksana",
            unit="BKD",
            start_date=dt.date(2005, 1, 1),
            end_date=dt.date(2015, 12, 31),
        ),
        PositionHistory(
            title="Kepala Subbagian", level="pengawas", unit="BKD", start_date=dt.date(2016, 1, 1)
        ),
    ]
    employee.trainings = [TrainingRecord(kind="PKP", completed_on=dt.date(2016, 6, 1))]
    employee.performance = [
        PerformanceRating(year=year, predicate="Baik") for year in (2023, 2024, 2025)
    ]
    employee.assessments = [
        Assessment(
            assessed_on=dt.date(2025, 3, 1),
            method="assessment_center",
            jpm=Decimal("78.50"),
            potential="menengah",
            scores=[AssessmentScore(competency="integritas", level=4)],
        )
    ]
    employee.penalties = [
        Penalty(
            level="ringan",
            type="teguran_lisan",
            start_date=dt.date(2012, 1, 1),
            end_date=dt.date(2012, 6, 30),
        )
    ]


def _user(
    world: World,
    tenant: Tenant,
    username: str,
    roles: tuple[str, ...],
    employee_id: int | None = None,
) -> User:
    world.tokens[username] = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return User(
        tenant_id=tenant.id,
        username=username,
        display_name=username,
        employee_id=employee_id,
        roles=[UserRole(role=role) for role in sorted(set(roles))],
    )


def seed_world(db: Database) -> World:
    """Seed three agencies with positions, employees, users and tokens; return their handles."""
    world = World()
    with db.transaction() as session:
        national = Tenant(code="bkn", name="Badan Kepegawaian Negara", level="national")
        province = Tenant(
            code="36.00", name="Pemerintah Provinsi Banten", level="province", parent=national
        )
        city = Tenant(code="36.73", name="Pemerintah Kota Serang", level="city", parent=province)
        tenants = {"national": national, "province": province, "city": city}
        session.add_all(tenants.values())
        session.flush()
        for serial, (key, tenant) in enumerate(tenants.items()):
            position = Position(
                tenant=tenant,
                code=f"JPT-{key.upper()}-01",
                title=f"Kepala Badan ({tenant.name})",
                level="jpt_pratama",
                unit="Badan Kepegawaian",
                is_key=True,
                required_education_fields=["Hukum", "Manajemen"],
                competencies=[PositionCompetency(competency="integritas", required_level=4)],
            )
            other = Position(
                tenant=tenant,
                code=f"ADM-{key.upper()}-02",
                title="Kepala Bagian Umum",
                level="administrator",
                unit="Sekretariat",
                is_key=False,
            )
            staff = [
                _employee(tenant, position, serial * 10 + i, f"Pegawai {key} {i}")
                for i in range(1, 4)
            ]
            _histories(staff[0])
            session.add_all([position, other, *staff])
            session.flush()
            world.tenant_code[key] = tenant.code
            world.tenant_id[key] = tenant.id
            world.position_id[key] = position.id
            world.employee_nip[key] = staff[0].nip
            world.employee_id[key] = staff[0].id
            world.admin_position_code[key] = other.code
            world.own_employee_id[key] = staff[1].id
            users = [
                _user(
                    world,
                    tenant,
                    f"{key}.{role}",
                    (role,),
                    staff[1].id if role == "employee" else None,
                )
                for role in roles_of(key)
            ]
            users.append(_user(world, tenant, f"{key}.all", ("hr", "auditor", "admin")))
            session.add_all(users)
            session.flush()
            for user in users:
                world.user_id[user.username] = user.id
                token = world.tokens[user.username]
                session.add(
                    ApiToken(
                        user_id=user.id,
                        name="test",
                        token_hash=hash_token(token),
                        prefix=token[:10],
                        created_at=NOW,
                    )
                )
    _open_vacancies(db, world)
    return world


def _open_vacancies(db: Database, world: World) -> None:
    """Publish bkn-national (stored directly: compiling it is tested elsewhere) and open a
    draft vacancy for the province's and the city's administrator position."""
    pack = load_shipped()["bkn-national"]
    with db.transaction() as session:
        session.add(
            RulePack(
                pack_id=pack.id,
                version=pack.version,
                digest=pack.digest,
                canonical=pack.canonical_json.decode(),
                parent_digest=None,
                published_at=NOW,
                published_by="test",
            )
        )
    world.pack_digest = pack.digest
    for key in ("province", "city"):
        with db.read() as session:
            actor = actor_by_username(session, f"{key}.hr")
        outcome = open_vacancy(
            db,
            actor=actor,
            position_code=world.admin_position_code[key],
            title=f"Kepala Bagian Umum ({key})",
            reference_date=dt.date(2026, 3, 1),
            pack_digest=pack.digest,
            idempotency_key=f"seed-{key}",
            now=NOW,
        )
        world.vacancy_id[key] = int(outcome.vacancy["id"])


@pytest.fixture
def world(database: Database) -> World:
    """The seeded world on the test database."""
    return seed_world(database)


@pytest.fixture
def api_app(settings: Settings, world: World) -> Iterator[Flask]:
    """The application on the seeded test database."""
    application = create_app(settings)
    yield application
    application.extensions["meritflow"].db.dispose()


@pytest.fixture
def api(api_app: Flask) -> FlaskClient:
    """A test client of the seeded application."""
    return api_app.test_client()

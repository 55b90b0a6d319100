"""A small agency world for workflow tests: agencies, users in every role, a position,
candidates, a pinned pack, and helpers that carry a vacancy to any state through the use cases."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from sqlalchemy import select

from workflow import vacancies
from workflow.core.actors import Actor, system_actor
from workflow.core.db import Database
from workflow.identity.accounts import actor_by_username
from workflow.models import Employee, Position, RulePack, Tenant, User, UserRole, Vacancy
from workflow.screening import ScreeningOutcome, ShortlistRow
from workflow.vacancies import Outcome

START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
REFERENCE_DATE = dt.date(2026, 3, 1)
PACK_DIGEST = "d" * 64
"""A stand-in published pack: these tests simulate screening (finish_screening) themselves."""

USERS = {
    # username: (agency, roles, employee key)
    "hr1": ("BANTEN", ("hr",), None),
    "hr2": ("BANTEN", ("hr",), None),
    "c1": ("BANTEN", ("committee",), None),
    "c2": ("BANTEN", ("committee",), None),
    "c3": ("BANTEN", ("committee",), None),
    "dual": ("BANTEN", ("authority", "committee"), None),
    "boss": ("BANTEN", ("authority",), None),
    "deputy": ("BANTEN", ("auditor",), None),
    "cand": ("BANTEN", ("committee",), "E1"),
    "aud": ("BANTEN", ("auditor",), None),
    "bkn": ("BKN", ("national_reviewer",), None),
    "hr_city": ("SERANG", ("hr",), None),
}
EMPLOYEES = ("E1", "E2", "E3", "E4", "E5")


@dataclass
class World:
    """What the world holds and a clock that moves a minute per action."""

    db: Database
    tenant_ids: dict[str, int] = field(default_factory=dict)
    employee_ids: dict[str, int] = field(default_factory=dict)
    nips: dict[str, str] = field(default_factory=dict)
    position_code: str = "ADM-01"
    _tick: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _keys: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def now(self) -> dt.datetime:
        """Return the next instant (a minute later each call)."""
        return START + dt.timedelta(minutes=next(self._tick))

    def key(self) -> str:
        """Return a fresh idempotency key."""
        return f"key-{next(self._keys)}"

    def actor(self, username: str) -> Actor:
        """Return the actor for a seeded user."""
        with self.db.read() as session:
            return actor_by_username(session, username)

    def system(self) -> Actor:
        """Return the system actor of the province."""
        return system_actor(self.tenant_ids["BANTEN"], "BANTEN", "province")

    def version(self, vacancy_id: int) -> int:
        """Return a vacancy's current version."""
        with self.db.read() as session:
            vacancy = session.get(Vacancy, vacancy_id)
            assert vacancy is not None
            return vacancy.version

    def act(self, username: str, vacancy_id: int, action: str, **payload: object) -> Outcome:
        """Take an action as a seeded user with the vacancy's current version and a new key."""
        on_behalf_of = payload.pop("on_behalf_of", None)
        return vacancies.perform(
            self.db,
            actor=self.actor(username),
            vacancy_id=vacancy_id,
            action=action,
            expected_version=self.version(vacancy_id),
            idempotency_key=self.key(),
            payload=payload,
            on_behalf_of=on_behalf_of,  # type: ignore[arg-type]
            now=self.now(),
        )

    def open(self, username: str = "hr1") -> int:
        """Open a vacancy for the administrator position and return its id."""
        outcome = vacancies.open_vacancy(
            self.db,
            actor=self.actor(username),
            position_code=self.position_code,
            title="Kepala Bagian Keuangan",
            reference_date=REFERENCE_DATE,
            pack_digest=PACK_DIGEST,
            idempotency_key=self.key(),
            now=self.now(),
        )
        return int(outcome.vacancy["id"])

    def screened(self, vacancy_id: int, *, eligible: int = 4) -> Outcome:
        """Finish screening with a ranked shortlist: E1.. eligible, the next one needs data."""
        rows = [
            ShortlistRow(
                employee_id=self.employee_ids[name],
                rank=rank,
                status="eligible" if rank <= eligible else "needs_data",
                box=9 - rank,
                readiness="Siap Sekarang",
                score={"succession": 100 - rank},
            )
            for rank, name in enumerate(EMPLOYEES[: eligible + 1], start=1)
        ]
        outcome = ScreeningOutcome(
            pack_digest=PACK_DIGEST,
            engine_version="test",
            reference_date=REFERENCE_DATE,
            input_digest="a" * 64,
            result_digest="b" * 64,
            candidates=len(EMPLOYEES),
            shortlist=rows,
            snapshot=b"",
            result=b"",
        )
        return vacancies.finish_screening(
            self.db, vacancy_id=vacancy_id, outcome=outcome, now=self.now()
        )

    def to_committee(self, **screening: int) -> int:
        """Return a vacancy in ``committee_review``."""
        vacancy_id = self.open()
        self.act("hr1", vacancy_id, "submit")
        vacancies.perform(
            self.db,
            actor=self.system(),
            vacancy_id=vacancy_id,
            action="start_screening",
            expected_version=self.version(vacancy_id),
            idempotency_key=self.key(),
            now=self.now(),
        )
        self.screened(vacancy_id, **screening)
        return vacancy_id

    def to_authority(self) -> int:
        """Return a vacancy in ``authority_decision`` (c1, c2 and c3 approved)."""
        vacancy_id = self.to_committee()
        for member in ("c1", "c2", "c3"):
            self.act(member, vacancy_id, "vote", decision="approve", comment="layak")
        return vacancy_id

    def to_technical(self, pick: str = "E1") -> int:
        """Return a vacancy in ``technical_review`` (the authority picked ``pick``)."""
        vacancy_id = self.to_authority()
        self.act(
            "boss",
            vacancy_id,
            "decide",
            candidate=self.nips[pick],
            justification="Best fit for the finance bureau's audit backlog.",
        )
        return vacancy_id


def build_world(db: Database) -> World:
    """Seed the agencies, users, position and candidates; register the stand-in pack."""
    world = World(db)
    with db.transaction() as session:
        bkn = Tenant(code="BKN", name="Badan Kepegawaian Negara", level="national")
        banten = Tenant(
            code="BANTEN", name="Pemerintah Provinsi Banten", level="province", parent=bkn
        )
        serang = Tenant(code="SERANG", name="Pemerintah Kota Serang", level="city", parent=banten)
        session.add_all([bkn, banten, serang])
        session.flush()
        world.tenant_ids = {t.code: t.id for t in (bkn, banten, serang)}
        for tenant in (banten, serang):
            session.add(
                Position(
                    tenant_id=tenant.id,
                    code="ADM-01",
                    title="Kepala Bagian Keuangan",
                    level="administrator",
                    unit="Biro Keuangan",
                    is_key=True,
                )
            )
        for serial, name in enumerate(EMPLOYEES, start=1):
            birth = dt.date(1980, 1, serial)
            employee = Employee(
                nip=f"{birth:%Y%m%d}200501{1}{serial:03d}",
                name=f"Pegawai {name}",
                birth_date=birth,
                gender="M",
                tenant_id=banten.id,
                employment_type="PNS",
                rank="III/d",
                rank_tmt=dt.date(2020, 4, 1),
                record_digest="0" * 64,
            )
            session.add(employee)
            session.flush()
            world.employee_ids[name], world.nips[name] = employee.id, employee.nip
        for username, (agency, roles, employee) in USERS.items():
            session.add(
                User(
                    tenant_id=world.tenant_ids[agency],
                    username=username,
                    display_name=username.upper(),
                    employee_id=world.employee_ids[employee] if employee else None,
                    roles=[UserRole(role=r) for r in roles],
                )
            )
        session.add(
            RulePack(
                pack_id="stand-in",
                version="1",
                digest=PACK_DIGEST,
                canonical="{}",
                parent_digest=None,
                published_at=START,
                published_by="test",
            )
        )
    return world


def users_by_role(db: Database, role: str) -> list[str]:
    """Return the usernames holding ``role``."""
    with db.read() as session:
        return list(
            session.scalars(
                select(User.username)
                .join(UserRole)
                .where(UserRole.role == role)
                .order_by(User.username)
            )
        )

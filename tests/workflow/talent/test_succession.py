"""Successors of a key position: ranked by the screening's rules, within the readiness horizon,
each with what they lack; logged, scoped to the agency, refused for other positions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select, update

from api.schemas.registry_import import RegistryRowValidator
from rules.pack import load_shipped
from tests.api.conftest import NOW, World, seed_world
from tests.support.talent import add_known
from workflow import talent
from workflow.core import Actor, InvalidInput, NotFound
from workflow.core.db import Database
from workflow.identity import AccessRecorder
from workflow.identity.accounts import actor_by_username, create_user
from workflow.models import Employee, PersonalDataAccess, Position, Tenant
from workflow.registry.demo import seed_demo
from workflow.screening import publish_pack

REFERENCE = dt.date(2026, 3, 1)


@pytest.fixture
def world(database: Database) -> World:
    return seed_world(database)


def _recorder(database: Database, username: str) -> AccessRecorder:
    with database.read() as session:
        actor: Actor = actor_by_username(session, username)
    return AccessRecorder(actor=actor, method="GET", endpoint="t", purpose="t", now=NOW)


def _key_position(database: Database, tenant_id: int) -> int:
    with database.transaction() as session:
        position = Position(
            tenant_id=tenant_id,
            code="ADM-KEY",
            title="Kepala Biro Keuangan",
            level="administrator",
            unit="Biro Keuangan",
            is_key=True,
        )
        session.add(position)
        session.flush()
        return position.id


def test_successors_are_ranked_within_the_horizon_with_what_they_lack(
    database: Database, world: World
) -> None:
    expected = add_known(database, tenant_id=world.tenant_id["province"])
    position_id = _key_position(database, world.tenant_id["province"])
    recorder = _recorder(database, "province.hr")
    found = talent.successors(
        database,
        recorder=recorder,
        position_id=position_id,
        pack="bkn-national",
        reference_date=REFERENCE,
    )
    assert found.candidates == 10
    by_nip = {s.nip: s for s in found.successors}
    nines = [nip for nip, box in expected.items() if box == 9]
    assert [s.nip for s in found.successors[:2]] == sorted(nines, key=lambda n: by_nip[n].rank)
    for nip in nines:
        # eligible in box 9, but the assessment has no competency scores: a soft criterion
        # lacks data, so not "ready now" (the pack allows no soft shortfall for that)
        assert by_nip[nip].status == "eligible"
        assert by_nip[nip].readiness == {"id": "Siap 1-2 tahun", "en": "Ready in 1-2 years"}
        assert by_nip[nip].lacks
        assert all(not lack["hard"] for lack in by_nip[nip].lacks)
    box_one = next(nip for nip, box in expected.items() if box == 1)
    assert box_one not in by_nip
    assert [s.rank for s in found.successors] == sorted(s.rank for s in found.successors)
    assert found.within_horizon == len(found.successors)
    assert found.ready_now == sum(1 for s in found.successors if s.readiness["en"] == "Ready now")
    for successor in found.successors:
        if successor.status != "eligible":
            assert successor.lacks, successor
    with database.read() as session:
        logged = set(session.scalars(select(PersonalDataAccess.employee_id)))
    assert logged == {s.employee_id for s in found.successors}


def test_only_key_positions_of_readable_agencies(database: Database, world: World) -> None:
    city_key = _key_position(database, world.tenant_id["city"])
    with pytest.raises(NotFound):
        talent.successors(
            database,
            recorder=_recorder(database, "province.hr"),
            position_id=city_key,
            pack="bkn-national",
            reference_date=REFERENCE,
        )
    with database.read() as session:
        not_key = session.scalar(
            select(Position.id).where(
                Position.tenant_id == world.tenant_id["province"], Position.is_key.is_(False)
            )
        )
    assert not_key is not None
    with pytest.raises(InvalidInput, match="not a key position"):
        talent.successors(
            database,
            recorder=_recorder(database, "province.hr"),
            position_id=not_key,
            pack="bkn-national",
            reference_date=REFERENCE,
        )


def _demo_key_positions(database: Database, count: int) -> tuple[int, list[int]]:
    """Seed a demo registry and flag ``count`` of Banten's positions (held ones first) key."""
    seed_demo(
        database,
        employees=300,
        seed=5,
        as_of=REFERENCE,
        validator=RegistryRowValidator(),
        now=NOW,
    )
    publish_pack(database, pack=load_shipped()["bkn-national"], published_by="test", now=NOW)
    with database.transaction() as session:
        tenant_id = session.scalar(select(Tenant.id).where(Tenant.code == "BANTEN"))
        assert tenant_id is not None
        held = set(
            session.scalars(select(Employee.position_id).where(Employee.tenant_id == tenant_id))
        )
        ids = sorted(
            session.scalars(
                select(Position.id).where(
                    Position.tenant_id == tenant_id,
                    Position.level.in_(["administrator", "pengawas", "jpt_pratama"]),
                )
            ),
            key=lambda p: (p not in held, p),
        )[:count]
        session.execute(update(Position).where(Position.id.in_(ids)).values(is_key=True))
    create_user(
        database, tenant_code="BANTEN", username="banten.hr", display_name="HR", roles=["hr"]
    )
    return tenant_id, ids


def test_many_positions_at_once_give_each_position_s_own_list(database: Database) -> None:
    _, ids = _demo_key_positions(database, 6)
    assert len(ids) == 6
    one_by_one = [
        talent.successors(
            database,
            recorder=_recorder(database, "banten.hr"),
            position_id=position_id,
            pack="bkn-national",
            reference_date=REFERENCE,
            limit=50,
        )
        for position_id in ids
    ]
    with database.transaction() as session:
        session.execute(delete(PersonalDataAccess))
    together = talent.successor_lists(
        database,
        recorder=_recorder(database, "banten.hr"),
        position_ids=ids,
        pack="bkn-national",
        reference_date=REFERENCE,
        limit=50,
    )
    assert together == one_by_one
    assert any(found.successors for found in together)
    with database.read() as session:
        holders = dict(session.execute(select(Employee.position_id, Employee.id)).all())
        logged = set(session.scalars(select(PersonalDataAccess.employee_id)))
    for found in together:
        # the holder is never their own successor
        assert holders.get(found.position_id) not in {s.employee_id for s in found.successors}
    assert logged == {s.employee_id for found in together for s in found.successors}


def test_a_batch_with_one_position_that_is_not_key_is_refused_whole(database: Database) -> None:
    tenant_id, ids = _demo_key_positions(database, 2)
    with database.read() as session:
        not_key = session.scalar(
            select(Position.id).where(Position.tenant_id == tenant_id, Position.is_key.is_(False))
        )
    assert not_key is not None
    with pytest.raises(InvalidInput, match="not a key position"):
        talent.successor_lists(
            database,
            recorder=_recorder(database, "banten.hr"),
            position_ids=[*ids, not_key],
            pack="bkn-national",
            reference_date=REFERENCE,
        )
    with database.read() as session:
        assert session.scalar(select(PersonalDataAccess.id)) is None

"""Successors of a key position: ranked by the screening's rules, within the readiness horizon,
each with what they lack; logged, scoped to the agency, refused for other positions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.api.conftest import NOW, World, seed_world
from tests.support.talent import add_known
from workflow import talent
from workflow.core import Actor, InvalidInput, NotFound
from workflow.core.db import Database
from workflow.identity import AccessRecorder
from workflow.identity.accounts import actor_by_username
from workflow.models import PersonalDataAccess, Position

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

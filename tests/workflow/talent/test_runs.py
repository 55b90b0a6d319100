"""Talent-map runs through the use cases: stored, distributed, listed by box, replayed, swept."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.api.conftest import NOW, World, seed_world
from tests.support.talent import add_known, touch
from workflow import talent
from workflow.core import InvalidInput, NotFound, PageRequest, Refused
from workflow.core.db import Database
from workflow.identity import AccessRecorder
from workflow.identity.accounts import actor_by_username
from workflow.models import (
    Employee,
    LedgerEntry,
    PersonalDataAccess,
    TalentPlacement,
    TalentRun,
)

REFERENCE = dt.date(2026, 3, 1)


@pytest.fixture
def world(database: Database) -> World:
    return seed_world(database)


def _actor(database: Database, username: str):  # type: ignore[no-untyped-def]
    with database.read() as session:
        return actor_by_username(session, username)


def _run(database: Database, username: str, **kwargs: object) -> list[talent.RunSummary]:
    return talent.run_talent_map(
        database,
        actor=_actor(database, username),
        reference_date=REFERENCE,
        now=NOW,
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_run_places_every_employee_and_counts_each_box(database: Database, world: World) -> None:
    add_known(database, tenant_id=world.tenant_id["province"])
    (run,) = _run(database, "province.hr")
    assert (run.agency, run.employees, run.mapped, run.pool) == ("36.00", 10, 7, 4)
    detail = talent.run_detail(database, actor=_actor(database, "province.hr"), run_id=run.id)
    assert detail.by_box == {
        "1": 1,
        "2": 0,
        "3": 0,
        "4": 0,
        "5": 2,
        "6": 0,
        "7": 1,
        "8": 1,
        "9": 2,
        "unmapped": 3,
    }
    assert detail.by_level == {
        "administrator": {"9": 2, "8": 1, "7": 1, "5": 1, "1": 1, "unmapped": 1},
        "jpt_pratama": {"5": 1, "unmapped": 2},
    }
    assert set(detail.by_unit) == {"Sekretariat", "Badan Kepegawaian"}
    assert detail.pool_boxes == [7, 8, 9]


def test_the_same_data_twice_gives_the_same_digests_and_a_replay_reproduces_them(
    database: Database, world: World
) -> None:
    add_known(database, tenant_id=world.tenant_id["province"])
    (first,) = _run(database, "province.hr")
    (second,) = _run(database, "province.hr")
    assert first.id != second.id
    assert (first.input_digest, first.result_digest) == (
        second.input_digest,
        second.result_digest,
    )
    replay = talent.replay_run(
        database, actor=_actor(database, "national.auditor"), run_id=first.id
    )
    assert replay.reproduced
    assert replay.changes == []
    assert replay.recorded_result_digest == first.result_digest


def test_a_replay_of_a_tampered_placement_shows_the_change(
    database: Database, world: World
) -> None:
    expected = add_known(database, tenant_id=world.tenant_id["province"])
    (run,) = _run(database, "province.hr")
    nine = next(nip for nip, box in expected.items() if box == 9)
    with database.transaction() as session:
        employee_id = session.scalar(select(Employee.id).where(Employee.nip == nine))
        placement = session.get(TalentPlacement, (run.id, employee_id))
        assert placement is not None
        placement.box = 1
    replay = talent.replay_run(database, actor=None, run_id=run.id)
    assert replay.reproduced  # the digests come from the snapshot, which was not touched
    assert replay.changes == [{"employee_id": employee_id, "stored_box": 1, "replayed_box": 9}]


def test_a_box_lists_its_people_and_logs_each_disclosure(database: Database, world: World) -> None:
    expected = add_known(database, tenant_id=world.tenant_id["province"])
    (run,) = _run(database, "province.hr")
    recorder = AccessRecorder(
        actor=_actor(database, "province.hr"),
        method="GET",
        endpoint="test",
        purpose="talent_box",
        now=NOW,
    )
    page = talent.box_people(
        database, recorder=recorder, run_id=run.id, box=9, page=PageRequest(1, 20)
    )
    assert sorted(p.nip for p in page.items) == sorted(n for n, b in expected.items() if b == 9)
    with database.read() as session:
        logged = set(session.scalars(select(PersonalDataAccess.employee_id)))
    assert logged == {p.employee_id for p in page.items}
    pool = talent.box_people(
        database, recorder=recorder, run_id=run.id, box=None, pool=True, page=PageRequest(1, 20)
    )
    assert pool.total == 4
    with pytest.raises(InvalidInput):
        talent.box_people(
            database, recorder=recorder, run_id=run.id, box=10, page=PageRequest(1, 20)
        )


def test_a_run_is_in_the_agencys_ledger_without_names(database: Database, world: World) -> None:
    add_known(database, tenant_id=world.tenant_id["province"])
    (run,) = _run(database, "province.hr")
    with database.read() as session:
        entry = session.scalars(
            select(LedgerEntry).where(LedgerEntry.kind == talent.LEDGER_KIND)
        ).one()
    assert entry.tenant_id == world.tenant_id["province"]
    assert run.result_digest in entry.body
    assert "Siti" not in entry.body


def test_agencies_are_isolated(database: Database, world: World) -> None:
    (city_run,) = _run(database, "city.hr")
    with pytest.raises(NotFound):
        _run(database, "province.hr", agencies=["36.73"])
    with pytest.raises(NotFound):
        talent.run_detail(database, actor=_actor(database, "province.hr"), run_id=city_run.id)
    with pytest.raises(NotFound):
        talent.replay_run(database, actor=_actor(database, "province.auditor"), run_id=city_run.id)
    listed = talent.list_runs(
        database, actor=_actor(database, "province.hr"), page=PageRequest(1, 20)
    )
    assert listed.total == 0


def test_only_hr_and_bkn_start_runs_and_bkn_names_the_agencies(
    database: Database, world: World
) -> None:
    with pytest.raises(Refused):
        _run(database, "province.committee")
    with pytest.raises(InvalidInput):
        _run(database, "national.national_reviewer")
    runs = _run(database, "national.national_reviewer", agencies=["36.73", "36.00"])
    assert [r.agency for r in runs] == ["36.00", "36.73"]
    with pytest.raises(NotFound):
        _run(database, "national.national_reviewer", agencies=["99.99"])
    with pytest.raises(NotFound):
        _run(database, "province.hr", pack="no-such-pack")


def test_the_sweep_maps_an_agency_once_after_each_change(database: Database, world: World) -> None:
    expected = add_known(database, tenant_id=world.tenant_id["city"])
    first = talent.sweep_talent_maps(database, now=NOW)
    assert first == ["bkn", "36.00", "36.73"]
    assert talent.sweep_talent_maps(database, now=NOW + dt.timedelta(minutes=1)) == []
    # later than every row's real insertion time (NOW is taken when the suite starts)
    touch(database, next(iter(expected)), dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    assert talent.sweep_talent_maps(database, now=NOW + dt.timedelta(minutes=3)) == ["36.73"]
    with database.read() as session:
        triggers = set(session.scalars(select(TalentRun.trigger)))
    assert triggers == {"import"}

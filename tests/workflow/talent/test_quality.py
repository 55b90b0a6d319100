"""Data quality: a generated registry with known holes is counted exactly, per agency."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from sqlalchemy import select

from tests.api.conftest import NOW, World, seed_world
from tests.support.registry_rows import add_employee
from tests.support.rules import candidate
from workflow import talent
from workflow.core import Actor, InvalidInput, NotFound, PageRequest
from workflow.core.db import Database
from workflow.identity import AccessRecorder
from workflow.identity.accounts import actor_by_username
from workflow.models import PersonalDataAccess

REFERENCE = dt.date(2026, 3, 1)
PAGE = PageRequest(1, 100)


@pytest.fixture
def world(database: Database) -> World:
    return seed_world(database)


def _actor(database: Database, username: str) -> Actor:
    with database.read() as session:
        return actor_by_username(session, username)


def _with_holes(rng: random.Random, serial: int, chosen: set[str]) -> dict[str, Any]:
    changes: dict[str, Any] = {"nip": f"19800315200501{7000 + serial:04d}"}
    if "no_recent_assessment" in chosen:
        old = [{"assessed_on": "2022-12-31", "method": "assessment_center", "jpm": 80}]
        changes["assessments"] = rng.choice([[], old])  # none, or one just too old
    if "missing_performance_year" in chosen:
        changes["performance"] = rng.choice(
            [[], [{"year": 2024, "predicate": "Baik"}], [{"year": 2025, "predicate": "Baik"}]]
        )
    if "no_position_history" in chosen:
        changes["positions"] = []
    if "no_lhkpn" in chosen:
        changes["lhkpn_year"] = None
    if "no_health_certificate" in chosen:
        changes["health_certificate_date"] = None
    return changes


def _generate(database: Database, tenant_id: int, size: int) -> tuple[dict[str, int], int]:
    """Add ``size`` employees with random holes; return the count of each hole and of the
    complete records."""
    rng = random.Random(11)
    counts = dict.fromkeys(talent.HOLES, 0)
    complete = 0
    with database.transaction() as session:
        for serial in range(size):
            chosen = {hole for hole in talent.HOLES if rng.random() < 0.3}
            profile = candidate(**_with_holes(rng, serial, chosen))
            add_employee(session, profile, tenant_id=tenant_id)
            complete += not chosen
            for hole in chosen:
                counts[hole] += 1
    return counts, complete


def test_a_generated_registry_with_known_holes_is_counted_exactly(
    database: Database, world: World
) -> None:
    counts, complete = _generate(database, world.tenant_id["city"], 60)
    # the seeded city: one employee with every record, two with no assessment, no rating and
    # no position history (both have their documents)
    for hole in ("no_recent_assessment", "missing_performance_year", "no_position_history"):
        counts[hole] += 2
    complete += 1
    page = talent.agency_quality(
        database, actor=_actor(database, "city.hr"), reference_date=REFERENCE, page=PAGE
    )
    (city,) = page.items
    assert city.agency == "36.73"
    assert (city.employees, city.complete, city.holes) == (63, complete, counts)
    assert city.score == 10000 * complete // 63
    assert 0 < complete < 63


def test_the_records_to_fix_are_listed_logged_and_filtered(
    database: Database, world: World
) -> None:
    counts, complete = _generate(database, world.tenant_id["city"], 30)
    recorder = AccessRecorder(
        actor=_actor(database, "city.hr"), method="GET", endpoint="t", purpose="t", now=NOW
    )
    found = talent.records_to_fix(
        database, recorder=recorder, agency="36.73", reference_date=REFERENCE, page=PAGE
    )
    assert found.total == 33 - (complete + 1)
    assert all(item.holes for item in found.items)
    with database.read() as session:
        logged = set(session.scalars(select(PersonalDataAccess.employee_id)))
    assert logged == {item.employee_id for item in found.items}
    only = talent.records_to_fix(
        database,
        recorder=recorder,
        agency="36.73",
        reference_date=REFERENCE,
        hole="no_lhkpn",
        page=PAGE,
    )
    assert only.total == counts["no_lhkpn"]
    with pytest.raises(InvalidInput):
        talent.records_to_fix(
            database,
            recorder=recorder,
            agency="36.73",
            reference_date=REFERENCE,
            hole="no_photo",
            page=PAGE,
        )


def test_bkn_sees_every_agency_and_an_agency_only_itself(database: Database, world: World) -> None:
    national = talent.agency_quality(
        database,
        actor=_actor(database, "national.national_reviewer"),
        reference_date=REFERENCE,
        page=PAGE,
    )
    assert [q.agency for q in national.items] == ["36.00", "36.73", "bkn"]
    province = talent.agency_quality(
        database, actor=_actor(database, "province.hr"), reference_date=REFERENCE, page=PAGE
    )
    assert [q.agency for q in province.items] == ["36.00"]
    recorder = AccessRecorder(
        actor=_actor(database, "province.hr"), method="GET", endpoint="t", purpose="t", now=NOW
    )
    with pytest.raises(NotFound):
        talent.records_to_fix(
            database, recorder=recorder, agency="36.73", reference_date=REFERENCE, page=PAGE
        )
    with pytest.raises(InvalidInput):
        talent.agency_quality(
            database,
            actor=_actor(database, "province.hr"),
            reference_date=REFERENCE,
            assessment_years=0,
            page=PAGE,
        )


def test_any_reference_date_is_read(database: Database, world: World) -> None:
    page = talent.agency_quality(
        database,
        actor=_actor(database, "province.hr"),
        reference_date=dt.date(5, 1, 1),
        assessment_years=20,
        page=PAGE,
    )
    assert page.items[0].holes["no_recent_assessment"] == 3

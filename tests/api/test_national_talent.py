"""National talent monitoring: per agency, the latest map's boxes and pool, succession coverage
of key positions, data quality, vacancies filled from the group or outside, and the median days
from opening to decree; national reviewers and auditors only."""

from __future__ import annotations

import datetime as dt

import pytest
from flask.testing import FlaskClient

from tests.api.conftest import NOW, World
from tests.api.test_shortlist_succession import approved_group_and_vacancy
from workflow import talent
from workflow.core import Refused
from workflow.core.db import Database
from workflow.identity.accounts import actor_by_username
from workflow.models import SuccessionMember, Vacancy

REFERENCE = dt.date(2026, 3, 1)


def _fill(database: Database, vacancy_id: int, employee_id: int, days: int) -> None:
    """Record a decree for the vacancy (the workflow's own path is tested elsewhere)."""
    with database.transaction() as session:
        vacancy = session.get(Vacancy, vacancy_id)
        assert vacancy is not None
        vacancy.state = "decree_issued"
        vacancy.selected_employee_id = employee_id
        vacancy.decree_date = vacancy.created_at.date() + dt.timedelta(days=days)


def test_figures_per_agency(api: FlaskClient, world: World, database: Database) -> None:
    members, vacancy_id = approved_group_and_vacancy(database, world)
    with database.read() as session:
        hr = actor_by_username(session, "province.hr")
        bkn = actor_by_username(session, "national.national_reviewer")
        member_id = session.query(SuccessionMember.employee_id).first()
    assert member_id is not None
    talent.run_talent_map(database, actor=hr, reference_date=REFERENCE, now=NOW)
    _fill(database, vacancy_id, member_id[0], 21)
    _fill(database, world.vacancy_id["province"], world.employee_id["province"], 35)
    found = talent.national_talent(database, actor=bkn, reference_date=REFERENCE)
    by_code = {a.agency: a for a in found.agencies}
    assert set(by_code) == {world.tenant_code[k] for k in ("national", "province", "city")}
    province = by_code[world.tenant_code["province"]]
    assert province.region == world.tenant_code["national"]
    assert sum(province.by_box.values()) == province.employees_mapped
    assert province.by_box["9"] == 2
    assert province.talent_pool == 4
    assert province.key_positions == 2  # the seeded JPT position and ADM-KEY
    assert province.without_group == 1
    assert province.covered == 0  # the known box-9 people are ready in 1-2 years, not now
    assert province.coverage == 0
    assert province.filled_from_group == 1
    assert province.filled_from_outside == 1
    assert province.median_days_to_decree == 28.0
    assert province.quality_score is not None
    city = by_code[world.tenant_code["city"]]
    assert city.run_id is None
    assert city.by_box == {str(b): 0 for b in range(1, 10)}
    response = api.get(
        "/api/v1/talent/national",
        query_string={"reference_date": "2026-03-01"},
        headers=world.headers("national.national_reviewer"),
    )
    assert response.status_code == 200, response.json
    assert {a["agency"] for a in response.json["agencies"]} == set(by_code)
    own = api.get("/api/v1/talent/national", headers=world.headers("province.auditor"))
    assert [a["agency"] for a in own.json["agencies"]] == [world.tenant_code["province"]]
    assert members


def test_only_national_reviewers_and_auditors(world: World, database: Database) -> None:
    with database.read() as session:
        hr = actor_by_username(session, "province.hr")
    with pytest.raises(Refused):
        talent.national_talent(database, actor=hr, reference_date=REFERENCE)

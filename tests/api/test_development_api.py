"""Development plans and each employee's own view through the API."""

from __future__ import annotations

import json

from flask.testing import FlaskClient
from sqlalchemy import select

from tests.api.conftest import World
from workflow.core.db import Database
from workflow.models import (
    DevelopmentActivity,
    Employee,
    LedgerEntry,
    PersonalDataAccess,
    TrainingRecord,
)
from workflow.screening import load_profile

DEV = "/api/v1/talent/development"
ACTIVITY = {
    "kind": "training",
    "title": "Pelatihan Kepemimpinan Administrator",
    "occurred_on": "2026-02-10",
    "hours": 120,
    "competency": "integritas",
    "training_kind": "PKA",
}


def test_the_plan_names_the_box_action_and_each_gap(api: FlaskClient, world: World) -> None:
    nip = world.employee_nip["province"]
    answer = api.get(f"{DEV}/{nip}?reference_date=2026-03-01", headers=world.headers("province.hr"))
    assert answer.status_code == 200, answer.json
    plan = answer.json
    # holds a JPT pratama position: measured against JPT madya (standard level 5 each)
    assert plan["target"] == "jpt_madya"
    assert plan["box"] == 5  # Baik (sesuai) x menengah
    assert plan["box_action"]["en"].startswith("Suitable placement")
    integrity = next(g for g in plan["gaps"] if g["competency"] == "integritas")
    assert (integrity["required"], integrity["actual"], integrity["short_by"]) == (5, 4, 1)
    texts = [r["en"] for r in plan["recommendations"]]
    assert texts[0].startswith("Box 5:")
    assert any("integritas: 1 level(s) up (from 4 to 5" in t for t in texts)
    assert all(r["id"] for r in plan["recommendations"])


def test_hr_records_a_training_that_the_rules_then_read(
    api: FlaskClient, world: World, database: Database
) -> None:
    nip = world.employee_nip["province"]
    headers = {**world.headers("province.hr"), "Idempotency-Key": "dev-1"}
    answer = api.post(f"{DEV}/{nip}/activities", json=ACTIVITY, headers=headers)
    assert answer.status_code == 201, answer.json
    again = api.post(f"{DEV}/{nip}/activities", json=ACTIVITY, headers=headers)
    assert again.json["id"] == answer.json["id"]
    with database.read() as session:
        assert session.scalar(select(DevelopmentActivity.id).where(DevelopmentActivity.id > 0))
        assert len(session.scalars(select(DevelopmentActivity)).all()) == 1
        kinds = set(
            session.scalars(select(TrainingRecord.kind).join(Employee).where(Employee.nip == nip))
        )
        profile = load_profile(session, nip=nip)
        entry = session.scalars(
            select(LedgerEntry).where(LedgerEntry.kind == "talent.development")
        ).one()
    assert kinds == {"PKP", "PKA"}
    assert "PKA" in {t.kind.value for t in profile.trainings}
    data = json.loads(entry.body)["data"]
    assert data["employee"] == world.employee_id["province"]
    assert data["training"] == "PKA"
    assert "title" not in data
    plan = api.get(f"{DEV}/{nip}", headers=world.headers("province.hr")).json
    assert plan["progress"]["activities"] == 1
    assert plan["progress"]["hours"] == 120
    integrity = next(g for g in plan["gaps"] if g["competency"] == "integritas")
    assert integrity["activities"] == 1


def test_bad_input_names_the_field_and_changes_nothing(
    api: FlaskClient, world: World, database: Database
) -> None:
    nip = world.employee_nip["province"]
    headers = world.headers("province.hr")
    cases = {
        "competency": {**ACTIVITY, "competency": "juggling"},
        "training_kind": {**ACTIVITY, "kind": "mentoring"},
        "occurred_on": {**ACTIVITY, "occurred_on": "2099-01-01"},
    }
    for field, body in cases.items():
        answer = api.post(f"{DEV}/{nip}/activities", json=body, headers=headers)
        assert answer.status_code == 422, (field, answer.json)
        assert field in json.dumps(answer.json), (field, answer.json)
    with database.read() as session:
        assert session.scalars(select(DevelopmentActivity)).all() == []


def test_other_agencies_do_not_see_or_change_the_plan(api: FlaskClient, world: World) -> None:
    nip = world.employee_nip["province"]
    assert api.get(f"{DEV}/{nip}", headers=world.headers("city.hr")).status_code == 404
    posted = api.post(f"{DEV}/{nip}/activities", json=ACTIVITY, headers=world.headers("city.hr"))
    assert posted.status_code == 404
    national = api.get(f"{DEV}/{nip}", headers=world.headers("national.national_reviewer"))
    assert national.status_code == 200


def test_an_employee_sees_only_themself_and_the_view_is_logged(
    api: FlaskClient, world: World, database: Database
) -> None:
    answer = api.get(
        "/api/v1/me/talent?reference_date=2026-03-01", headers=world.headers("province.employee")
    )
    assert answer.status_code == 200, answer.json
    own = answer.json
    assert own["employee_id"] == world.own_employee_id["province"]
    assert own["plan"]["employee_id"] == own["employee_id"]
    assert own["eligibility"]["status"] in ("eligible", "ineligible", "needs_data")
    for criterion in own["eligibility"]["criteria"]:
        assert criterion["outcome"] in ("fail", "missing_data")
    assert world.employee_nip["province"] not in answer.get_data(as_text=True)
    plan = api.get("/api/v1/me/development", headers=world.headers("province.employee"))
    assert plan.json["employee_id"] == own["employee_id"]
    with database.read() as session:
        logged = set(
            session.execute(
                select(PersonalDataAccess.employee_id, PersonalDataAccess.username).where(
                    PersonalDataAccess.purpose == "own_view"
                )
            )
        )
    assert logged == {(own["employee_id"], "province.employee")}


def test_the_employee_role_cannot_reach_hr_views(api: FlaskClient, world: World) -> None:
    nip = world.employee_nip["province"]
    headers = world.headers("province.employee")
    assert api.get(f"{DEV}/{nip}", headers=headers).status_code == 403
    assert api.get(f"/api/v1/employees/{nip}", headers=headers).status_code == 403
    assert api.get("/api/v1/me/talent", headers=world.headers("province.hr")).status_code == 403


def test_the_plan_read_is_in_the_access_log(
    api: FlaskClient, world: World, database: Database
) -> None:
    nip = world.employee_nip["province"]
    assert api.get(f"{DEV}/{nip}", headers=world.headers("province.auditor")).status_code == 200
    with database.read() as session:
        logged = session.execute(
            select(PersonalDataAccess.employee_id, PersonalDataAccess.username).where(
                PersonalDataAccess.purpose == "talent_development"
            )
        ).all()
    assert [tuple(row) for row in logged] == [(world.employee_id["province"], "province.auditor")]

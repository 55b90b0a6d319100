"""The personal-data access log: every response with an employee's data records who saw whom,
and auditors read the records of their own agency's employees (national auditors: all)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from api.personal_data import PersonalDataSchema, UnrecordedDisclosure
from api.schemas.registry import EmployeeSummaryRead
from tests.api import (
    test_development_api,
    test_screening_api,
    test_succession_api,
    test_talent_api,
)
from tests.api.conftest import World
from workflow.core.db import Database
from workflow.models import Employee, PersonalDataAccess

# How to call each endpoint that returns personal data; the test below fails when the OpenAPI
# document has a personal-data endpoint missing here, so a new one cannot go untested.
PERSONAL_DATA_CALLS: dict[tuple[str, str], Callable[[World], str]] = {
    ("get", "/api/v1/employees"): lambda world: "/api/v1/employees?per_page=100",
    ("get", "/api/v1/employees/{nip}"): (
        lambda world: f"/api/v1/employees/{world.employee_nip['province']}"
    ),
}

# Personal-data endpoints whose call needs more than a path (a screened vacancy, a body): the
# test named for each calls it and asserts the access records of every employee it returns.
RECORDED_ELSEWHERE: dict[tuple[str, str], Callable[..., None]] = {
    ("get", "/api/v1/vacancies/{vacancy_id}/shortlist"): (
        test_screening_api.test_the_shortlist_is_the_stored_ranking_in_order
    ),
    ("get", "/api/v1/vacancies/{vacancy_id}/candidates/{nip}/explanation"): (
        test_screening_api.test_an_eligible_candidate_is_explained_with_rank_and_tie_breaks
    ),
    ("post", "/api/v1/rule-packs/{digest}/explain"): (
        test_screening_api.test_explaining_a_registry_employee_for_a_position_records_the_read
    ),
    ("get", "/api/v1/talent/runs/{run_id}/boxes/{box}/people"): (
        test_talent_api.test_hr_maps_the_agency_and_opens_a_box
    ),
    ("get", "/api/v1/talent/runs/{run_id}/unmapped/people"): (
        test_talent_api.test_the_unmapped_and_the_pool_are_logged
    ),
    ("get", "/api/v1/talent/runs/{run_id}/pool"): (
        test_talent_api.test_the_unmapped_and_the_pool_are_logged
    ),
    ("get", "/api/v1/talent/key-positions/{position_id}/successors"): (
        test_talent_api.test_a_key_positions_successors_are_logged_and_bounded
    ),
    ("get", "/api/v1/talent/data-quality/{code}/records"): (
        test_talent_api.test_data_quality_scores_each_agency_and_lists_the_records_to_fix
    ),
    ("get", "/api/v1/talent/development/{nip}"): (
        test_development_api.test_the_plan_read_is_in_the_access_log
    ),
    ("get", "/api/v1/me/talent"): (
        test_development_api.test_an_employee_sees_only_themself_and_the_view_is_logged
    ),
    ("get", "/api/v1/me/development"): (
        test_development_api.test_an_employee_sees_only_themself_and_the_view_is_logged
    ),
    ("get", "/api/v1/talent/succession-groups/{group_id}"): (
        test_succession_api.test_reading_a_group_logs_its_members
    ),
    **{
        ("post", path): test_succession_api.test_every_answer_with_members_logs_them
        for path in (
            "/api/v1/talent/succession-groups",
            *(
                f"/api/v1/talent/succession-groups/{{group_id}}/{action}"
                for action in ("propose", "revise", "approve", "return")
            ),
        )
    },
}


def _personal_schema_names() -> set[str]:
    found: set[str] = set()
    pending = list(PersonalDataSchema.__subclasses__())
    while pending:
        cls = pending.pop()
        found.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    return found


def _references(node: Any) -> set[str]:
    if isinstance(node, dict):
        refs = {node["$ref"].rsplit("/", 1)[-1]} if "$ref" in node else set()
        return refs.union(*(_references(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_references(v) for v in node))
    return set()


def _personal_operations(spec: dict[str, Any]) -> set[tuple[str, str]]:
    schemas = spec["components"]["schemas"]
    personal = _personal_schema_names()

    def reaches(names: set[str], seen: set[str]) -> bool:
        for name in names - seen:
            if name in personal or reaches(_references(schemas.get(name, {})), seen | {name}):
                return True
        return False

    found = set()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            ok = {k: v for k, v in operation["responses"].items() if k.startswith("2")}
            if reaches(_references(ok), set()):
                found.add((method, path))
    return found


def _accesses(database: Database) -> list[PersonalDataAccess]:
    with database.read() as session:
        return list(session.scalars(select(PersonalDataAccess).order_by(PersonalDataAccess.id)))


def test_every_personal_data_endpoint_is_known_here(api: FlaskClient) -> None:
    operations = _personal_operations(api.get("/api/openapi.json").json)
    assert operations == set(PERSONAL_DATA_CALLS) | set(RECORDED_ELSEWHERE)


@pytest.mark.parametrize("operation", sorted(PERSONAL_DATA_CALLS))
def test_every_personal_data_endpoint_records_each_employee_returned(
    api: FlaskClient, world: World, database: Database, operation: tuple[str, str]
) -> None:
    before = len(_accesses(database))
    response = api.open(
        PERSONAL_DATA_CALLS[operation](world),
        method=operation[0].upper(),
        headers={**world.headers("province.hr"), "X-Request-ID": "req-42"},
    )
    assert response.status_code == 200
    body = response.json
    returned = {item["id"] for item in body.get("items", [body])}
    assert returned
    records = _accesses(database)[before:]
    assert {r.employee_id for r in records} == returned
    assert len(records) == len(returned)
    for record in records:
        assert record.username == "province.hr"
        assert record.user_id == world.user_id["province.hr"]
        assert record.method == operation[0].upper()
        assert record.endpoint.startswith("/api/v1/employees")
        assert record.purpose
        assert record.request_id == "req-42"
        assert record.employee_tenant_id == world.tenant_id["province"]


def test_an_empty_result_records_nothing(
    api: FlaskClient, world: World, database: Database
) -> None:
    response = api.get("/api/v1/employees?q=nobody", headers=world.headers("province.hr"))
    assert response.json["total"] == 0
    assert _accesses(database) == []


def test_a_schema_refuses_to_render_an_unrecorded_employee(
    api_app: Flask, world: World, database: Database
) -> None:
    with database.read() as session:
        employee = session.scalar(select(Employee).limit(1))
    with api_app.test_request_context("/"), pytest.raises(UnrecordedDisclosure):
        EmployeeSummaryRead().dump(employee)


def _read_profiles(api: FlaskClient, world: World) -> None:
    for reader, agency in (("province.hr", "province"), ("city.hr", "city")):
        nip = world.employee_nip[agency]
        assert api.get(f"/api/v1/employees/{nip}", headers=world.headers(reader)).status_code == 200


def test_auditors_read_the_log_of_their_own_agency(api: FlaskClient, world: World) -> None:
    _read_profiles(api, world)
    own = api.get("/api/v1/access-log", headers=world.headers("city.auditor")).json
    assert [(e["username"], e["employee_id"]) for e in own["items"]] == [
        ("city.hr", world.employee_id["city"])
    ]
    national = api.get("/api/v1/access-log", headers=world.headers("national.auditor")).json
    assert [e["username"] for e in national["items"]] == ["city.hr", "province.hr"]
    admin = api.get("/api/v1/access-log", headers=world.headers("province.admin")).json
    assert [e["username"] for e in admin["items"]] == ["province.hr"]


def test_the_log_filters_by_employee_user_and_time(
    api: FlaskClient, world: World, database: Database
) -> None:
    _read_profiles(api, world)
    headers = world.headers("national.auditor")

    def usernames(query: str) -> list[str]:
        response = api.get(f"/api/v1/access-log?{query}", headers=headers)
        assert response.status_code == 200, response.json
        return [e["username"] for e in response.json["items"]]

    assert usernames(f"employee_id={world.employee_id['province']}") == ["province.hr"]
    assert usernames(f"nip={world.employee_nip['city']}") == ["city.hr"]
    assert usernames("username=city.hr") == ["city.hr"]
    at = _accesses(database)[0].occurred_at
    after = (at + dt.timedelta(seconds=1)).isoformat()
    assert usernames(f"since={after.replace('+', '%2B')}") == []
    assert len(usernames(f"until={after.replace('+', '%2B')}")) == 2
    assert usernames("since=0001-01-01T00:00:00%2B14:00") == ["city.hr", "province.hr"]
    assert usernames(f"employee_id=2147483647&username=x{'y' * 10}") == []


def test_the_log_itself_returns_no_personal_data(api: FlaskClient, world: World) -> None:
    _read_profiles(api, world)
    entry = api.get("/api/v1/access-log", headers=world.headers("national.auditor")).json
    assert set(entry["items"][0]) == {
        "id",
        "occurred_at",
        "username",
        "user_id",
        "on_behalf_of",
        "employee_id",
        "method",
        "endpoint",
        "purpose",
        "request_id",
    }

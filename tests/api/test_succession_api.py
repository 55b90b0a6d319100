"""The succession-group endpoints: HR creates and proposes, the authority returns and approves;
stale revisions, other agencies, refusals and the access log."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.api.conftest import World
from tests.support.talent import add_known
from tests.workflow.talent.test_groups import key_position
from workflow.core.db import Database
from workflow.models import PersonalDataAccess

GROUPS = "/api/v1/talent/succession-groups"


def _position(database: Database, world: World) -> int:
    add_known(database, tenant_id=world.tenant_id["province"])
    return key_position(database, world.tenant_id["province"])


def _post(api: FlaskClient, world: World, user: str, path: str, body: dict[str, Any]) -> Any:
    return api.post(path, json=body, headers=world.headers(user))


def test_a_group_goes_from_draft_to_approved(
    api: FlaskClient, world: World, database: Database
) -> None:
    position = _position(database, world)
    created = _post(
        api,
        world,
        "province.hr",
        GROUPS,
        {"position_id": position, "year": 2026, "reference_date": "2026-03-01"},
    )
    assert created.status_code == 201, created.json
    group = created.json["group"]
    assert (group["state"], group["version"], group["revision"]) == ("draft", 1, 1)
    assert created.json["actions"] == ["propose", "revise"]
    assert created.json["members"][0]["readiness"]["en"]
    stale = _post(api, world, "province.hr", f"{GROUPS}/{group['id']}/propose", {"revision": 9})
    assert stale.status_code == 409
    assert "changed since you opened it" in stale.json["detail"]
    proposed = _post(api, world, "province.hr", f"{GROUPS}/{group['id']}/propose", {"revision": 1})
    assert proposed.status_code == 200, proposed.json
    refused = _post(api, world, "province.hr", f"{GROUPS}/{group['id']}/approve", {"revision": 2})
    assert refused.status_code == 403
    no_reason = _post(
        api, world, "province.authority", f"{GROUPS}/{group['id']}/return", {"revision": 2}
    )
    assert no_reason.status_code == 422
    approved = _post(
        api, world, "province.authority", f"{GROUPS}/{group['id']}/approve", {"revision": 2}
    )
    assert approved.status_code == 200, approved.json
    assert approved.json["group"]["current"] is True
    listed = api.get(
        GROUPS,
        query_string={"year": 2026, "state": "approved"},
        headers=world.headers("national.national_reviewer"),
    )
    assert [g["id"] for g in listed.json["items"]] == [group["id"]]
    assert "members" not in listed.json["items"][0]
    city = api.get(f"{GROUPS}/{group['id']}", headers=world.headers("city.hr"))
    assert city.status_code == 404
    again = _post(
        api,
        world,
        "province.authority",
        f"{GROUPS}/{group['id']}/return",
        {"revision": 3, "reason": "terlambat"},
    )
    assert again.status_code == 409


def test_bad_members_are_named_and_nothing_is_stored(
    api: FlaskClient, world: World, database: Database
) -> None:
    position = _position(database, world)
    response = _post(
        api,
        world,
        "province.hr",
        GROUPS,
        {
            "position_id": position,
            "year": 2026,
            "reference_date": "2026-03-01",
            "members": ["199901012020011001"],
        },
    )
    assert response.status_code == 422
    assert "members[0]" in str(response.json)
    listed = api.get(GROUPS, headers=world.headers("province.hr"))
    assert listed.json["total"] == 0


def test_reading_a_group_logs_its_members(
    api: FlaskClient, world: World, database: Database
) -> None:
    position = _position(database, world)
    created = _post(
        api,
        world,
        "province.hr",
        GROUPS,
        {"position_id": position, "year": 2026, "reference_date": "2026-03-01"},
    )
    with database.read() as session:
        before = session.scalar(select(func.count()).select_from(PersonalDataAccess))
    read = api.get(
        f"{GROUPS}/{created.json['group']['id']}", headers=world.headers("province.auditor")
    )
    assert read.status_code == 200
    with database.read() as session:
        after = session.scalar(select(func.count()).select_from(PersonalDataAccess))
    assert (after or 0) - (before or 0) == len(read.json["members"])


def test_every_answer_with_members_logs_them(
    api: FlaskClient, world: World, database: Database
) -> None:
    """Creating, revising, proposing, returning and approving each answer with the group's
    members, and each writes one access record per member returned, for the caller."""

    def logged() -> list[tuple[int | None, str]]:
        with database.read() as session:
            return [
                (row.employee_id, row.username)
                for row in session.scalars(
                    select(PersonalDataAccess).order_by(PersonalDataAccess.id)
                )
            ]

    position = _position(database, world)
    steps = [
        ("province.hr", GROUPS, {"position_id": position, "year": 2026}),
        ("province.hr", "revise", {"revision": 1}),
        ("province.hr", "propose", {"revision": 2}),
        ("province.authority", "return", {"revision": 3, "reason": "lengkapi"}),
        ("province.hr", "propose", {"revision": 4}),
        ("province.authority", "approve", {"revision": 5}),
    ]
    group = None
    for user, action, body in steps:
        path = action if action == GROUPS else f"{GROUPS}/{group}/{action}"
        before = len(logged())
        answer = _post(api, world, user, path, {**body, "reference_date": "2026-03-01"}
                       if action == GROUPS else body)  # fmt: skip
        assert answer.status_code in (200, 201), (action, answer.json)
        group = answer.json["group"]["id"]
        members = {m["employee_id"] for m in answer.json["members"]}
        assert members
        new = logged()[before:]
        assert sorted(e for e, _ in new) == sorted(members), action
        assert {u for _, u in new} == {user}, action

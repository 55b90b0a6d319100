"""The talent-map endpoints: start a run, read its distributions and a box, replay it."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from tests.api.conftest import World
from tests.support.talent import add_known
from workflow.core.db import Database
from workflow.models import PersonalDataAccess

RUNS = "/api/v1/talent/runs"


def _start(api: FlaskClient, world: World, user: str = "province.hr", **body: object) -> dict:  # type: ignore[type-arg]
    response = api.post(
        RUNS, json={"reference_date": "2026-03-01", **body}, headers=world.headers(user)
    )
    assert response.status_code == 202, response.json
    assert response.json["job"]["state"] == "succeeded"  # eager: finished before the answer
    return response.json["runs"][0]  # type: ignore[no-any-return]


def test_hr_maps_the_agency_and_opens_a_box(
    api: FlaskClient, world: World, database: Database
) -> None:
    expected = add_known(database, tenant_id=world.tenant_id["province"])
    run = _start(api, world)
    assert (run["agency"], run["employees"], run["mapped"], run["pool"]) == ("36.00", 10, 7, 4)
    detail = api.get(f"{RUNS}/{run['id']}", headers=world.headers("province.hr")).json
    assert detail["by_box"]["9"] == 2
    assert detail["by_box"]["unmapped"] == 3
    people = api.get(f"{RUNS}/{run['id']}/boxes/9/people", headers=world.headers("province.hr"))
    assert people.status_code == 200
    nips = {item["nip"] for item in people.json["items"]}
    assert nips == {nip for nip, box in expected.items() if box == 9}
    with database.read() as session:
        logged = set(
            session.scalars(
                select(PersonalDataAccess.employee_id).where(
                    PersonalDataAccess.purpose == "talent_box"
                )
            )
        )
    assert logged == {item["employee_id"] for item in people.json["items"]}
    pool = api.get(f"{RUNS}/{run['id']}/pool", headers=world.headers("province.hr")).json
    assert pool["total"] == 4


def test_a_replay_reproduces_the_run(api: FlaskClient, world: World, database: Database) -> None:
    add_known(database, tenant_id=world.tenant_id["province"])
    run = _start(api, world)
    again = _start(api, world)
    assert again["result_digest"] == run["result_digest"]
    replay = api.post(f"{RUNS}/{run['id']}/replay", headers=world.headers("province.auditor"))
    assert replay.status_code == 200
    assert replay.json["reproduced"] is True
    assert replay.json["replayed_result_digest"] == run["result_digest"]


def test_bkn_maps_several_agencies(api: FlaskClient, world: World) -> None:
    response = api.post(
        RUNS,
        json={"agencies": ["36.73", "36.00"]},
        headers=world.headers("national.national_reviewer"),
    )
    assert response.status_code == 202
    assert [r["agency"] for r in response.json["runs"]] == ["36.00", "36.73"]
    assert response.json["job"]["shards"] == {"done": 2, "total": 2}
    missing = api.post(RUNS, json={}, headers=world.headers("national.national_reviewer"))
    assert missing.status_code == 422
    assert missing.json["problems"] == [{"field": "agencies", "message": "required for BKN"}]


def test_bad_input_is_a_clear_error_and_stores_nothing(api: FlaskClient, world: World) -> None:
    headers = world.headers("province.hr")
    for body, field in (
        ({"state": "x"}, "state"),
        ({"reference_date": "1900-01-01"}, "reference_date"),
        ({"agencies": []}, "agencies"),
    ):
        response = api.post(RUNS, json=body, headers=headers)
        assert response.status_code == 422, body
        assert response.headers["Content-Type"] == "application/problem+json"
        assert field in str(response.json)
    assert api.post(RUNS, json={"pack": "no-such-pack"}, headers=headers).status_code == 404
    assert api.get(RUNS, headers=headers).json["total"] == 0


def test_another_agencys_run_and_a_missing_box_are_refused(api: FlaskClient, world: World) -> None:
    city = _start(api, world, "city.hr")
    headers = world.headers("province.hr")
    assert api.get(f"{RUNS}/{city['id']}", headers=headers).status_code == 404
    assert api.get(f"{RUNS}/{city['id']}/pool", headers=headers).status_code == 404
    own = _start(api, world)
    assert api.get(f"{RUNS}/{own['id']}/boxes/10/people", headers=headers).status_code == 422
    assert api.get(f"{RUNS}/999999/boxes/1/people", headers=headers).status_code == 404


def test_a_key_positions_successors_are_logged_and_bounded(
    api: FlaskClient, world: World, database: Database
) -> None:
    add_known(database, tenant_id=world.tenant_id["province"])
    url = f"/api/v1/talent/key-positions/{world.position_id['province']}/successors"
    headers = world.headers("province.hr")
    response = api.get(f"{url}?reference_date=2026-03-01", headers=headers)
    assert response.status_code == 200
    assert response.json["agency"] == "36.00"
    assert response.json["candidates"] == 7  # the position's three holders are not candidates
    listed = {s["employee_id"] for s in response.json["successors"]}
    with database.read() as session:
        logged = set(
            session.scalars(
                select(PersonalDataAccess.employee_id).where(
                    PersonalDataAccess.purpose == "talent_successors"
                )
            )
        )
    assert logged == listed
    assert api.get(f"{url}?limit=0", headers=headers).status_code == 422
    other = f"/api/v1/talent/key-positions/{world.position_id['city']}/successors"
    assert api.get(other, headers=headers).status_code == 404


def test_data_quality_scores_each_agency_and_lists_the_records_to_fix(
    api: FlaskClient, world: World, database: Database
) -> None:
    query = "?reference_date=2026-03-01"
    page = api.get(
        f"/api/v1/talent/data-quality{query}", headers=world.headers("national.auditor")
    ).json
    province = next(item for item in page["items"] if item["agency"] == "36.00")
    # one complete record; two without assessment, rating or position history
    assert (province["employees"], province["complete"], province["score"]) == (3, 1, 3333)
    assert province["holes"]["no_position_history"] == 2
    records = api.get(
        f"/api/v1/talent/data-quality/36.00/records{query}&hole=no_position_history",
        headers=world.headers("province.hr"),
    )
    assert records.status_code == 200
    assert records.json["total"] == 2
    assert _logged(database, "talent_data_quality") == {
        item["employee_id"] for item in records.json["items"]
    }
    assert all("no_position_history" in item["holes"] for item in records.json["items"])
    bad = api.get(
        "/api/v1/talent/data-quality/36.00/records?hole=no_photo",
        headers=world.headers("province.hr"),
    )
    assert bad.status_code == 422
    other = api.get(
        "/api/v1/talent/data-quality/36.73/records", headers=world.headers("province.hr")
    )
    assert other.status_code == 404


def _logged(database: Database, purpose: str) -> set[int]:
    with database.read() as session:
        return set(
            session.scalars(
                select(PersonalDataAccess.employee_id).where(PersonalDataAccess.purpose == purpose)
            )
        )


def test_the_unmapped_and_the_pool_are_logged(
    api: FlaskClient, world: World, database: Database
) -> None:
    add_known(database, tenant_id=world.tenant_id["province"])
    run = _start(api, world)
    headers = world.headers("province.hr")
    unmapped = api.get(f"{RUNS}/{run['id']}/unmapped/people", headers=headers).json
    assert unmapped["total"] == 3
    shown = {item["employee_id"] for item in unmapped["items"]}
    pool = api.get(f"{RUNS}/{run['id']}/pool", headers=headers).json
    assert pool["total"] == 4
    shown |= {item["employee_id"] for item in pool["items"]}
    assert _logged(database, "talent_box") == shown

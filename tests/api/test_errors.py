"""Every error is application/problem+json with the right status and headers, never a trace."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from config import Settings
from tests.api.conftest import World

PROBLEM = "application/problem+json"


def _problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.json
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def _etag(api: FlaskClient, world: World, user: str) -> str:
    response = api.get(f"/api/v1/users/{world.user_id[user]}", headers=world.headers("city.admin"))
    return response.headers["ETag"]


def test_400_for_a_body_that_is_not_json(api: FlaskClient, world: World) -> None:
    response = api.post(
        "/api/v1/users",
        data="{not json",
        headers={**world.headers("city.admin"), "Content-Type": "application/json"},
    )
    _problem(response, 400)


def test_403_for_a_national_user_changing_an_agency_user(api: FlaskClient, world: World) -> None:
    response = api.patch(
        f"/api/v1/users/{world.user_id['city.hr']}",
        json={"display_name": "x"},
        headers={**world.headers("national.admin"), "If-Match": '"anything"'},
    )
    assert "may read but not change" in _problem(response, 403)["detail"]


def test_404_for_unknown_paths_and_out_of_range_ids(api: FlaskClient, world: World) -> None:
    headers = world.headers("province.hr")
    _problem(api.get("/api/v1/nothing", headers=headers), 404)
    for position_id in ("0", "-1", "2147483648", "99999999999999999999", "1e3", "abc"):
        _problem(api.get(f"/api/v1/positions/{position_id}", headers=headers), 404)
    _problem(api.get("/api/v1/positions/2147483647", headers=headers), 404)
    _problem(api.get("/api/v1/employees/12345", headers=headers), 404)


def test_405_names_the_allowed_methods(api: FlaskClient, world: World) -> None:
    response = api.delete("/api/v1/positions", headers=world.headers("province.hr"))
    _problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD", "OPTIONS"}


def test_409_for_a_taken_username(api: FlaskClient, world: World) -> None:
    response = api.post(
        "/api/v1/users",
        json={"username": "province.hr", "display_name": "Dup", "roles": ["hr"]},
        headers=world.headers("city.admin"),
    )
    assert "taken" in _problem(response, 409)["detail"]


def test_412_for_a_stale_etag_and_428_without_one(api: FlaskClient, world: World) -> None:
    url = f"/api/v1/users/{world.user_id['city.hr']}"
    headers = world.headers("city.admin")
    etag = _etag(api, world, "city.hr")
    first = api.patch(url, json={"display_name": "Ani"}, headers={**headers, "If-Match": etag})
    assert first.status_code == 200
    assert first.headers["ETag"] != etag
    stale = api.patch(url, json={"display_name": "Budi"}, headers={**headers, "If-Match": etag})
    body = _problem(stale, 412)
    assert f'"{body["etag"]}"' == first.headers["ETag"]
    _problem(api.patch(url, json={"display_name": "Budi"}, headers=headers), 428)


def test_413_for_a_body_over_the_limit(settings: Settings, world: World) -> None:
    application = create_app(settings.replace(max_request_bytes=512))
    try:
        response = application.test_client().post(
            "/api/v1/users",
            data="{" + " " * 1024 + "}",
            headers={**world.headers("city.admin"), "Content-Type": "application/json"},
        )
        _problem(response, 413)
    finally:
        application.extensions["meritflow"].db.dispose()


def test_415_for_a_body_that_is_not_declared_json(api: FlaskClient, world: World) -> None:
    response = api.post(
        "/api/v1/users",
        data="username=x",
        content_type="application/x-www-form-urlencoded",
        headers=world.headers("city.admin"),
    )
    _problem(response, 415)


def test_422_names_each_invalid_field(api: FlaskClient, world: World) -> None:
    response = api.post(
        "/api/v1/users",
        json={"username": "bad name!", "display_name": "", "roles": ["king"]},
        headers=world.headers("city.admin"),
    )
    errors = _problem(response, 422)["errors"]["json"]
    assert set(errors) == {"username", "display_name", "roles"}


@pytest.mark.parametrize(
    "extra",
    [
        {"tenant": "36.00"},
        {"tenant_id": 1},
        {"state": "closed"},
        {"version": 7},
        {"score": 99},
        {"active": False},
        {"created_by": 1},
    ],
)
def test_mass_assignment_is_refused(api: FlaskClient, world: World, extra: dict) -> None:  # type: ignore[type-arg]
    body = {"username": "city.new", "display_name": "New", "roles": ["hr"], **extra}
    response = api.post("/api/v1/users", json=body, headers=world.headers("city.admin"))
    errors = _problem(response, 422)["errors"]["json"]
    assert set(errors) == set(extra)
    assert api.get("/api/v1/users?per_page=100", headers=world.headers("city.admin")).json[
        "total"
    ] == len([u for u in world.user_id if u.startswith("city.")])


def test_user_update_refuses_fields_it_does_not_change(api: FlaskClient, world: World) -> None:
    url = f"/api/v1/users/{world.user_id['city.hr']}"
    headers = {**world.headers("city.admin"), "If-Match": _etag(api, world, "city.hr")}
    for extra in ({"username": "root"}, {"tenant": "36.00"}, {"created_at": "2020-01-01"}):
        _problem(api.patch(url, json=extra, headers=headers), 422)


@pytest.fixture
def failing_app(settings: Settings) -> Iterator[Flask]:
    """An app with one route that fails, answering 500 as in production."""
    application = create_app(settings)
    application.config["PROPAGATE_EXCEPTIONS"] = False

    def explode() -> str:
        raise RuntimeError("secret internals")

    application.add_url_rule("/explode", view_func=explode)
    yield application
    application.extensions["meritflow"].db.dispose()


def test_500_is_generic_and_logged(failing_app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        response = failing_app.test_client().get("/explode")
    body = _problem(response, 500)
    assert "secret internals" not in response.get_data(as_text=True)
    assert body["title"] == "Internal Server Error"
    logged = [r.msg for r in caplog.records if "unhandled_exception" in r.getMessage()]
    assert len(logged) == 1
    assert logged[0]["exc_info"][0] is RuntimeError  # type: ignore[index]
    assert logged[0]["path"] == "/explode"  # type: ignore[index]


def test_422_for_nul_characters_that_postgresql_cannot_store(
    api: FlaskClient, world: World
) -> None:
    headers = world.headers("province.hr")
    for query in ("q=a%00b", "tenant=%00"):
        errors = _problem(api.get(f"/api/v1/employees?{query}", headers=headers), 422)["errors"]
        assert set(errors["query"]) <= {"q", "tenant"}
    body = {"username": "city.nul", "display_name": "A\u0000B", "roles": ["hr"]}
    response = api.post("/api/v1/users", json=body, headers=world.headers("city.admin"))
    found = _problem(response, 422)
    assert found["pointer"] == "/display_name"
    assert "NUL" in found["detail"]

"""What the OpenAPI document and the error bodies promise a client written from the docs."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.api.conftest import World

METHODS = {"get", "put", "post", "delete", "patch"}


def _spec(app: Flask) -> dict[str, Any]:
    document: dict[str, Any] = app.test_client().get("/api/openapi.json").get_json()
    return document


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_every_operation_has_a_stable_unique_operation_id(api_app: Flask) -> None:
    operations = _operations(_spec(api_app))
    ids = [operation.get("operationId") for _m, _p, operation in operations]
    assert None not in ids
    assert len(set(ids)) == len(ids) == len(operations)
    by_route = {f"{m.upper()} {p}": o["operationId"] for m, p, o in operations}
    assert by_route["POST /api/v1/vacancies"] == "create_vacancy"
    assert by_route["POST /api/v1/vacancies/{vacancy_id}/actions/{action}"] == "act"


def test_every_path_parameter_is_declared_once(api_app: Flask) -> None:
    spec = _spec(api_app)
    for method, path, operation in _operations(spec):
        declared = [
            p["name"]
            for p in [*spec["paths"][path].get("parameters", []), *operation.get("parameters", [])]
            if p["in"] == "path"
        ]
        assert sorted(declared) == sorted(set(declared)), (method, path, declared)
    act = spec["paths"]["/api/v1/vacancies/{vacancy_id}/actions/{action}"]["post"]
    (action,) = [p for p in act["parameters"] if p["name"] == "action"]
    assert "submit" in action["schema"]["enum"]


def test_request_bodies_are_required_only_where_they_are(api_app: Flask) -> None:
    spec = _spec(api_app)
    required = {
        f"{m.upper()} {p}": o["requestBody"].get("required", False)
        for m, p, o in _operations(spec)
        if "requestBody" in o
    }
    assert required["POST /api/v1/vacancies/{vacancy_id}/actions/{action}"] is False
    assert required["POST /api/v1/ledger/checkpoints"] is False
    assert required["POST /api/v1/vacancies"] is True


def test_examples_use_real_agency_codes(api_app: Flask) -> None:
    text = json.dumps(_spec(api_app))
    assert '"36.00"' not in text
    assert '"example": "BANTEN"' in text


def test_an_action_without_a_body_is_accepted(api: FlaskClient, world: World) -> None:
    vacancy_id = world.vacancy_id["province"]
    response = api.post(
        f"/api/v1/vacancies/{vacancy_id}/actions/submit",
        headers={**world.headers("province.hr"), "If-Match": '"1"', "Idempotency-Key": "nb-1"},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["applied"] == ["submit"]


def test_a_412_carries_the_current_etag(api: FlaskClient, world: World) -> None:
    vacancy_id = world.vacancy_id["province"]
    response = api.post(
        f"/api/v1/vacancies/{vacancy_id}/actions/submit",
        json={},
        headers={**world.headers("province.hr"), "If-Match": '"7"', "Idempotency-Key": "st-1"},
    )
    assert response.status_code == 412
    assert response.headers["ETag"] == '"1"'
    assert response.get_json()["etag"] == "1"


def test_errors_speak_in_our_words_not_werkzeugs(api: FlaskClient, world: World) -> None:
    headers = world.headers("province.hr")
    for response, status in (
        (api.get("/api/v1/nowhere", headers=headers), 404),
        (api.delete("/api/v1/vacancies", headers=headers), 405),
    ):
        body = response.get_json()
        assert response.status_code == status
        assert response.mimetype == "application/problem+json"
        assert "manually" not in body["detail"]
        assert "browser" not in body["detail"]
    assert "Allow header" in api.delete("/api/v1/vacancies", headers=headers).get_json()["detail"]
    assert "/api/docs" in api.get("/api/v1/nowhere", headers=headers).get_json()["detail"]

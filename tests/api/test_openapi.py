"""The OpenAPI document is valid, documents security and errors, and the docs are served locally."""

from __future__ import annotations

from flask.testing import FlaskClient
from openapi_spec_validator import validate

from tests.api.conftest import World


def test_the_document_is_valid_openapi_3(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").json
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A token from `tokens issue`",
    }


def test_every_v1_operation_declares_bearer_auth_and_problem_errors(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").json
    responses = spec["components"]["responses"]
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert operation["security"] == [{"bearerAuth": []}], (method, path)
            assert {"401", "403", "429"} <= set(operation["responses"]), (method, path)
            assert operation["summary"], (method, path)
    assert "application/problem+json" in responses["UNAUTHORIZED"]["content"]
    assert "WWW-Authenticate" in responses["UNAUTHORIZED"]["headers"]
    assert "Retry-After" in responses["TOO_MANY_REQUESTS"]["headers"]


def test_interactive_docs_use_local_assets(client: FlaskClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/docs/assets/swagger-ui-bundle.js" in html
    assert "//cdn" not in html
    assert "unpkg" not in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"):
        response = client.get(f"/api/docs/assets/{asset}")
        assert response.status_code == 200, asset
        assert len(response.get_data()) > 1000
        response.close()
    assert client.get("/api/docs/assets/../../app.py").status_code == 404


def test_metrics_count_requests_by_route_and_status(api: FlaskClient, world: World) -> None:
    api.get("/api/v1/tenants", headers=world.headers("province.hr"))
    api.get("/api/v1/tenants")
    text = api.get("/metrics").get_data(as_text=True)
    assert (
        'meritflow_http_requests_total{endpoint="/api/v1/tenants",method="GET",status="200"}'
        in (text)
    )
    assert 'endpoint="/api/v1/tenants",method="GET",status="401"' in text
    assert "meritflow_http_request_duration_seconds_bucket" in text

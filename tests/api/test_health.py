"""Probes: /healthz says the process is up, /readyz that the database is reachable and migrated."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from api import create_app
from config import Settings


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_reports_database_and_migration_head(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "ok"
    assert body["migrations"]["current"] == body["migrations"]["head"]


def test_readyz_is_503_before_migrations(tmp_path: Path) -> None:
    settings = Settings(
        app_env="test", database_url=f"sqlite:///{tmp_path / 'empty.db'}", instance_path=tmp_path
    )
    response = create_app(settings).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.json["readiness"] == "migrations_pending"
    assert "db upgrade" in response.json["detail"]


def test_unknown_path_is_problem_json(client: FlaskClient) -> None:
    response = client.get("/no/such/thing")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 404


def test_wrong_method_is_405_with_allow(client: FlaskClient) -> None:
    response = client.post("/healthz")
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert "GET" in response.headers["Allow"]

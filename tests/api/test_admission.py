"""Overload is shed with 503 + Retry-After, not queued (issue 12, item 3); no timing involved."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from api.admission import Admission
from config import Settings


def status(client: FlaskClient, path: str) -> int:
    """GET ``path`` and close the response, as a WSGI server does (the test client does not)."""
    response = client.get(path)
    response.close()
    return response.status_code


@pytest.fixture
def make_app(sqlite_template: Path, tmp_path: Path) -> Iterator[Any]:
    """Build apps in development mode (where admission is installed) on a migrated SQLite copy."""
    built: list[Flask] = []

    def make(**changes: Any) -> Flask:
        path = tmp_path / f"db{len(built)}.db"
        shutil.copy(sqlite_template, path)
        settings = Settings(
            app_env="development",
            database_url=f"sqlite:///{path}",
            instance_path=tmp_path / "instance",
            log_level="WARNING",
        ).replace(**changes)
        app = create_app(settings)
        built.append(app)
        return app

    yield make
    for app in built:
        app.extensions["meritflow"].db.dispose()


def test_a_request_finding_no_place_is_shed_with_503_and_retry_after(make_app: Any) -> None:
    app = make_app(max_concurrent_requests=1, admission_wait_ms=0)
    admission = app.wsgi_app
    assert isinstance(admission, Admission)
    client = app.test_client()
    assert status(client, "/readyz") == 200

    assert admission.places.acquire(timeout=0)  # another request holds the only place
    try:
        shed = client.get("/readyz")
        shed.close()
        assert shed.status_code == 503
        assert shed.headers["Retry-After"] == "1"
        assert shed.mimetype == "application/problem+json"
        assert shed.json["reason"] == "overloaded"
        assert status(client, "/api/v1/me") == 503
        assert status(client, "/healthz") == 200  # liveness is never shed
        assert admission.shed == 2
    finally:
        admission.places.release()
    assert status(client, "/readyz") == 200


def test_every_admitted_request_gives_its_place_back(make_app: Any) -> None:
    app = make_app(max_concurrent_requests=2, admission_wait_ms=0)
    client = app.test_client()
    for path in ("/readyz", "/no/such/path", "/api/v1/me", "/api/openapi.json") * 5:
        client.get(path).close()
    assert app.wsgi_app.places.acquire(timeout=0)
    assert app.wsgi_app.places.acquire(timeout=0)
    assert app.wsgi_app.shed == 0


def test_a_streamed_body_holds_its_place_until_closed() -> None:
    def streaming(_environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        yield b"a"
        yield b"b"

    admission = Admission(streaming, limit=1, wait_seconds=0)
    statuses: list[str] = []
    body = admission({"PATH_INFO": "/x"}, lambda status, _headers: statuses.append(status))
    assert next(iter(body)) == b"a"
    refused = admission({"PATH_INFO": "/x"}, lambda status, _headers: statuses.append(status))
    assert statuses[-1].startswith("503")
    assert b"overloaded" in b"".join(refused)
    body.close()  # type: ignore[attr-defined]
    assert list(admission({"PATH_INFO": "/x"}, lambda s, _h: statuses.append(s))) == [b"a", b"b"]
    assert statuses[-1] == "200 OK"
    assert admission.places.acquire(timeout=0)  # exhausting the body gave the place back


def test_a_pool_timeout_is_a_503_not_a_wait_or_a_500(make_app: Any) -> None:
    app = make_app(db_pool_size=1, db_pool_timeout_seconds=0.05)
    engine = app.extensions["meritflow"].db.engine
    held = [engine.connect(), engine.connect()]  # the pool (1) and its overflow (1)
    try:
        response = app.test_client().get("/readyz")
        response.close()
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
    finally:
        for conn in held:
            conn.close()
    assert status(app.test_client(), "/readyz") == 200

"""A database outage is a 503 with Retry-After, not a dead service (issue 12, item 2).

The end-to-end test runs gunicorn in production mode on a private PostgreSQL instance (never
the shared server), stops that instance, kills a worker so gunicorn must boot a new one while
the database is down, and starts the database again: the server must survive and recover.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import json
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.exc import OperationalError

from api import create_app
from bench.servers import Gunicorn, PrivatePostgres, postgres_available
from config import Settings
from tests.support.world import build_world
from workflow.core import DatabaseMisconfigured, connect, upgrade_schema
from workflow.identity import issue_token


@pytest.fixture(scope="module")
def private_postgres() -> Iterator[PrivatePostgres]:
    """A private PostgreSQL cluster this module may stop and crash."""
    if not postgres_available():
        pytest.fail("PostgreSQL binaries (initdb, pg_ctl) are needed for the outage test")
    server = PrivatePostgres()
    server.start()
    yield server
    server.destroy()


def production_env(url: str, instance: Path) -> dict[str, str]:
    """The environment of the service in production mode on ``url``."""
    return {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "APP_ENV": "production",
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "LEDGER_SIGNING_KEY": base64.b64encode(os.urandom(32)).decode(),
        "INSTANCE_PATH": str(instance),
        "LOG_LEVEL": "WARNING",
    }


def call(port: int, path: str, token: str | None = None) -> tuple[int | None, dict[str, str], Any]:
    """GET ``path``; return status, headers and parsed body (None status: no answer)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        data = response.read()
    except (OSError, http.client.HTTPException):
        return None, {}, None
    finally:
        conn.close()
    body = json.loads(data) if data else None
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def test_worker_recycled_during_an_outage_recovers_when_the_database_returns(
    private_postgres: PrivatePostgres, tmp_path: Path
) -> None:
    url = private_postgres.create_database("outage")
    db = connect(url)
    try:
        upgrade_schema(db)
        build_world(db)
        token = issue_token(db, username="hr1", name="outage", now=dt.datetime.now(dt.UTC)).token
    finally:
        db.dispose()
    server = Gunicorn(
        production_env(url, tmp_path / "instance"), workers=2, log=tmp_path / "gunicorn.log"
    )
    server.start()
    try:
        assert call(server.port, "/api/v1/me", token)[0] == 200

        private_postgres.stop("immediate")
        status, headers, body = call(server.port, "/api/v1/me", token)
        assert status == 503, body
        assert int(headers["retry-after"]) >= 1
        assert headers["content-type"] == "application/problem+json"
        assert body["reason"] == "database_unavailable"
        assert call(server.port, "/readyz")[0] == 503
        assert call(server.port, "/healthz")[0] == 200

        # a worker replaced while the database is down must boot (it used to exit with
        # code 3, and gunicorn then shut the whole server down)
        before = set(server.worker_pids())
        victim = server.kill_worker()
        assert victim is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now = set(server.worker_pids())
            if len(now) == 2 and victim not in now and now != before:
                break
            time.sleep(0.2)
        assert len(set(server.worker_pids()) - before) == 1, "no new worker was booted"
        for _ in range(6):  # every worker (whichever answers) says the same
            assert call(server.port, "/healthz")[0] == 200
            assert call(server.port, "/api/v1/me", token)[0] == 503
        assert server.alive()

        private_postgres.start()
        server.wait_for("/readyz", 200, timeout=30)
        for _ in range(6):
            assert call(server.port, "/api/v1/me", token)[0] == 200
        assert server.alive()
    finally:
        server.stop()
    log = (tmp_path / "gunicorn.log").read_text()
    assert "Worker failed to boot" not in log


def test_durability_check_waits_for_the_database_then_refuses_unsafe_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def check(_db: object, *, forbid_superuser: bool) -> dict[str, object]:
        calls.append("check")
        if len(calls) <= 2:  # at start-up, then at the first request: unreachable
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError("down"))
        raise DatabaseMisconfigured("postgresql synchronous_commit is 'off', need 'on'")

    monkeypatch.setattr("api.app.check_durability", check)
    settings = Settings(
        app_env="development",
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        instance_path=tmp_path,
    )
    app: Flask = create_app(settings)  # the worker boots although the database is "down"
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    down = client.get("/api/v1/me")
    assert down.status_code == 503
    assert down.headers["Retry-After"] == "5"
    assert down.json["reason"] == "database_unavailable"
    unsafe = client.get("/readyz")  # the database is back, with unsafe settings: refused
    assert unsafe.status_code == 503
    assert "synchronous_commit" in unsafe.json["detail"]
    assert client.get("/api/v1/me").status_code == 503
    assert len(calls) == 4


def test_unsafe_settings_found_at_start_still_refuse_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def check(_db: object, *, forbid_superuser: bool) -> dict[str, object]:
        raise DatabaseMisconfigured("postgresql fsync is 'off', need 'on'")

    monkeypatch.setattr("api.app.check_durability", check)
    settings = Settings(
        app_env="development", database_url=f"sqlite:///{tmp_path / 'a.db'}", instance_path=tmp_path
    )
    with pytest.raises(DatabaseMisconfigured):
        create_app(settings)

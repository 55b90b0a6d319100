"""Bearer authentication: one identical 401 for every bad token, and a throttle on failures
that holds across processes because it counts in the database."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask.testing import FlaskClient
from time_machine import TimeMachineFixture

from api import create_app
from config import Settings
from tests.api.conftest import World
from workflow.core.db import Database
from workflow.identity.accounts import issue_token, revoke_tokens

ME = "/api/v1/me"


def _bad_headers(database: Database, world: World) -> dict[str, dict[str, str]]:
    now = dt.datetime.now(dt.UTC)
    expired = issue_token(
        database,
        username="province.hr",
        name="old",
        now=now - dt.timedelta(days=2),
        lifetime=dt.timedelta(days=1),
    ).token
    revoked = issue_token(database, username="city.hr", name="gone", now=now).token
    revoke_tokens(database, username="city.hr", now=now)
    return {
        "missing": {},
        "malformed": {"Authorization": "Bearer"},
        "wrong scheme": {"Authorization": f"Basic {world.tokens['province.hr']}"},
        "unknown": {"Authorization": "Bearer mf_" + "A" * 43},
        "expired": {"Authorization": f"Bearer {expired}"},
        "revoked": {"Authorization": f"Bearer {revoked}"},
    }


def test_every_bad_token_gets_the_same_401(
    api: FlaskClient, world: World, database: Database
) -> None:
    bodies = set()
    for case, headers in _bad_headers(database, world).items():
        response = api.get(ME, headers=headers)
        assert response.status_code == 401, case
        assert response.mimetype == "application/problem+json", case
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="meritflow"', case
        bodies.add(response.get_data())
    assert len(bodies) == 1


def test_a_valid_token_names_the_actor(api: FlaskClient, world: World) -> None:
    response = api.get(ME, headers=world.headers("city.committee"))
    assert response.status_code == 200
    assert response.json == {
        "username": "city.committee",
        "tenant": "36.73",
        "tenant_level": "city",
        "roles": ["committee"],
        "reads_every_agency": False,
    }


def test_revoking_a_token_takes_effect_at_once(
    api: FlaskClient, world: World, database: Database
) -> None:
    headers = world.headers("province.auditor")
    assert api.get(ME, headers=headers).status_code == 200
    revoke_tokens(database, username="province.auditor", now=dt.datetime.now(dt.UTC))
    assert api.get(ME, headers=headers).status_code == 401


def test_a_missing_role_is_403(api: FlaskClient, world: World) -> None:
    response = api.get("/api/v1/access-log", headers=world.headers("province.hr"))
    assert response.status_code == 403
    assert "auditor" in response.json["detail"]


@pytest.fixture
def throttled_settings(settings: Settings) -> Settings:
    """Three failures a minute per client address."""
    return settings.replace(auth_failure_limit=3, auth_failure_window_seconds=60)


def _apps(settings: Settings) -> tuple[Flask, Flask]:
    return create_app(settings), create_app(settings)


def test_failures_are_throttled_across_app_instances(
    throttled_settings: Settings, world: World
) -> None:
    first, second = _apps(throttled_settings)
    try:
        wrong = {"Authorization": "Bearer mf_wrong"}
        assert first.test_client().get(ME, headers=wrong).status_code == 401
        assert second.test_client().get(ME, headers=wrong).status_code == 401
        assert first.test_client().get(ME, headers=wrong).status_code == 401
        blocked = second.test_client().get(ME, headers=world.headers("province.hr"))
        assert blocked.status_code == 429
        assert blocked.mimetype == "application/problem+json"
        assert 1 <= int(blocked.headers["Retry-After"]) <= 60
        other_client = second.test_client().get(
            ME, headers=world.headers("province.hr"), environ_base={"REMOTE_ADDR": "10.0.0.9"}
        )
        assert other_client.status_code == 200
    finally:
        for application in (first, second):
            application.extensions["meritflow"].db.dispose()


def test_the_block_lifts_when_the_window_passes(
    throttled_settings: Settings, world: World, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC), tick=False)
    application = create_app(throttled_settings)
    try:
        client = application.test_client()
        for _ in range(3):
            client.get(ME, headers={"Authorization": "Bearer mf_wrong"})
        time_machine.shift(dt.timedelta(seconds=59))
        response = client.get(ME, headers=world.headers("province.hr"))
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "1"
        time_machine.shift(dt.timedelta(seconds=1))
        assert client.get(ME, headers=world.headers("province.hr")).status_code == 200
    finally:
        application.extensions["meritflow"].db.dispose()


def test_a_missing_header_is_not_counted_as_a_failure(
    throttled_settings: Settings, world: World
) -> None:
    application = create_app(throttled_settings)
    try:
        client = application.test_client()
        for _ in range(5):
            assert client.get(ME).status_code == 401
        assert client.get(ME, headers=world.headers("province.hr")).status_code == 200
    finally:
        application.extensions["meritflow"].db.dispose()

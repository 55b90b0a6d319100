"""Passwords: argon2id hashes, one error for every failure, and the shared sign-in throttle."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.support.world import START, build_world
from workflow.core import InvalidInput, NotFound, Throttled, Unauthenticated
from workflow.core.db import Database
from workflow.identity import (
    ThrottlePolicy,
    active_actor,
    authenticate_bearer,
    authenticate_password,
    set_password,
)
from workflow.models import AuthFailure, User

POLICY = ThrottlePolicy(limit=3, window=dt.timedelta(seconds=60))


def _sign_in(db: Database, username: str, password: str, at: dt.datetime = START) -> str:
    return authenticate_password(
        db, username=username, password=password, client="10.0.0.1", now=at, policy=POLICY
    ).username


def test_a_set_password_signs_in_and_only_its_hash_is_stored(database: Database) -> None:
    build_world(database)
    set_password(database, username="hr1", password="kata-sandi-hr1")
    assert _sign_in(database, "hr1", "kata-sandi-hr1") == "hr1"
    with database.read() as session:
        stored = session.scalar(select(User.password_hash).where(User.username == "hr1"))
    assert stored is not None
    assert stored.startswith("$argon2id$")


def test_every_failure_is_the_same_error_and_is_counted(database: Database) -> None:
    build_world(database)
    set_password(database, username="hr1", password="kata-sandi-hr1")
    messages = set()
    for username, password in (("hr1", "salah-salah-1"), ("nobody", "x"), ("hr2", "no-password")):
        with pytest.raises(Unauthenticated) as caught:
            _sign_in(database, username, password)
        messages.add(caught.value.message)
    assert len(messages) == 1
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(AuthFailure)) == 3


def test_the_throttle_holds_even_the_right_password_until_the_window_passes(
    database: Database,
) -> None:
    build_world(database)
    set_password(database, username="hr1", password="kata-sandi-hr1")
    for second in range(3):
        with pytest.raises(Unauthenticated):
            _sign_in(database, "hr1", "wrong-one", START + dt.timedelta(seconds=second))
    with pytest.raises(Throttled) as caught:
        _sign_in(database, "hr1", "kata-sandi-hr1", START + dt.timedelta(seconds=10))
    assert caught.value.retry_after == 50
    # the bearer door shares the same count per client
    with pytest.raises(Throttled):
        authenticate_bearer(
            database,
            token="mf_x",
            client="10.0.0.1",
            now=START + dt.timedelta(seconds=10),
            policy=POLICY,
        )
    assert _sign_in(database, "hr1", "kata-sandi-hr1", START + dt.timedelta(seconds=61)) == "hr1"


def test_a_short_password_or_an_unknown_user_is_refused(database: Database) -> None:
    build_world(database)
    with pytest.raises(InvalidInput) as short:
        set_password(database, username="hr1", password="pendek")
    assert short.value.problems[0]["field"] == "password"
    with pytest.raises(NotFound):
        set_password(database, username="nobody", password="cukup-panjang-sekali")


def test_a_deactivated_user_loses_the_session_actor(database: Database) -> None:
    world = build_world(database)
    actor = world.actor("hr1")
    assert actor.user_id is not None
    assert active_actor(database, user_id=actor.user_id).username == "hr1"
    with database.transaction() as session:
        session.execute(User.__table__.update().where(User.username == "hr1").values(active=False))
    with pytest.raises(NotFound):
        active_actor(database, user_id=actor.user_id)

"""The scoped administration use cases the admin pages call, and the live delegations to a user."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.api.conftest import World, seed_world
from workflow.core import NotFound, Refused
from workflow.core.db import Database
from workflow.identity import (
    actor_named,
    create_delegation,
    delegations_to,
    issue_user_token,
    list_user_tokens,
    revoke_user_token,
    set_user_password,
    update_user,
)
from workflow.identity.accounts import hash_token
from workflow.identity.admin import ADMIN_SELF_RULE, USER_DISABLED_RULE, UserChanges, get_user

NOW = dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC)


@pytest.fixture
def world(database: Database) -> World:
    return seed_world(database)


def test_a_token_is_issued_once_listed_without_its_secret_and_revoked(
    database: Database, world: World
) -> None:
    admin = actor_named(database, username="province.admin")
    target = world.user_id["province.hr"]
    issued = issue_user_token(
        database, actor=admin, user_id=target, name="laporan", now=NOW, lifetime=None
    )
    listed = {t.id: t for t in list_user_tokens(database, actor=admin, user_id=target)}
    assert listed[issued.token_id].prefix == issued.token[:10]
    assert listed[issued.token_id].live(NOW)
    assert hash_token(issued.token) != issued.token
    assert revoke_user_token(
        database, actor=admin, user_id=target, token_id=issued.token_id, now=NOW
    )
    assert not revoke_user_token(
        database, actor=admin, user_id=target, token_id=issued.token_id, now=NOW
    )
    with pytest.raises(NotFound):
        revoke_user_token(
            database,
            actor=admin,
            user_id=world.user_id["city.hr"],
            token_id=issued.token_id,
            now=NOW,
        )


def test_another_agency_is_not_found_and_national_admins_only_read(
    database: Database, world: World
) -> None:
    admin = actor_named(database, username="province.admin")
    with pytest.raises(NotFound):
        set_user_password(
            database, actor=admin, user_id=world.user_id["city.hr"], password="x" * 12
        )
    national = actor_named(database, username="national.admin")
    with pytest.raises(Refused):
        set_user_password(
            database, actor=national, user_id=world.user_id["city.hr"], password="x" * 12
        )


def test_a_disabled_user_gets_no_password_or_token_and_self_lockout_is_refused(
    database: Database, world: World
) -> None:
    admin = actor_named(database, username="province.admin")
    target = world.user_id["province.committee"]
    user = get_user(database, actor=admin, user_id=target)
    update_user(
        database,
        actor=admin,
        user_id=target,
        expected_etag=user.etag,
        changes=UserChanges(active=False),
    )
    with pytest.raises(Refused) as refused:
        issue_user_token(database, actor=admin, user_id=target, name="x", now=NOW, lifetime=None)
    assert refused.value.details["rule"] == USER_DISABLED_RULE
    me = get_user(database, actor=admin, user_id=world.user_id["province.admin"])
    with pytest.raises(Refused) as refused:
        update_user(
            database,
            actor=admin,
            user_id=me.id,
            expected_etag=me.etag,
            changes=UserChanges(active=False),
        )
    assert refused.value.details["rule"] == ADMIN_SELF_RULE


def test_live_delegations_to_a_user_carry_only_the_delegated_role(
    database: Database, world: World
) -> None:
    hr = actor_named(database, username="province.all")  # hr, auditor and admin
    auditor = actor_named(database, username="province.auditor")
    assert delegations_to(database, actor=auditor, now=NOW) == []
    create_delegation(
        database,
        actor=hr,
        delegate_username="province.auditor",
        role="hr",
        starts_at=NOW,
        ends_at=NOW + dt.timedelta(days=3),
        reason="Cuti",
        now=NOW,
    )
    (live,) = delegations_to(database, actor=auditor, now=NOW + dt.timedelta(hours=1))
    assert live.principal.username == "province.all"
    assert live.principal.roles == frozenset({"hr"})
    assert delegations_to(database, actor=auditor, now=NOW + dt.timedelta(days=4)) == []

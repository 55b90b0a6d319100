"""The agency-scoping policy: national users read all and write only their own agency."""

from __future__ import annotations

import pytest

from workflow.core.actors import Actor
from workflow.core.errors import NotFound, Refused
from workflow.core.scope import ensure_readable, ensure_writable, readable


def _actor(tenant_id: int, level: str) -> Actor:
    return Actor(1, "u", tenant_id, f"t{tenant_id}", level, frozenset({"hr"}))


def test_an_agency_user_reads_only_their_agency() -> None:
    scope = readable(_actor(2, "city"))
    assert scope.allows(2)
    assert not scope.allows(1)
    assert not scope.everything


def test_a_province_user_does_not_read_its_cities() -> None:
    with pytest.raises(NotFound):
        ensure_readable(_actor(1, "province"), 2, "employee")


def test_a_national_user_reads_every_agency() -> None:
    scope = readable(_actor(9, "national"))
    assert scope.everything
    assert all(scope.allows(tenant) for tenant in (1, 2, 9))


def test_writes_stay_in_the_actor_agency() -> None:
    ensure_writable(_actor(2, "city"), 2, "user")
    with pytest.raises(NotFound):
        ensure_writable(_actor(2, "city"), 3, "user")
    with pytest.raises(Refused):
        ensure_writable(_actor(9, "national"), 3, "user")
    ensure_writable(_actor(9, "national"), 9, "user")

"""NATIONAL-READ-ONLY: a national user reads every agency's vacancies but acts on another
agency's vacancy only in the national technical review."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from tests.support.world import World, build_world
from workflow.core.db import Database
from workflow.core.errors import Refused
from workflow.identity.accounts import create_user
from workflow.models import LedgerEntry, Vacancy


@pytest.fixture
def world(database: Database) -> World:
    world = build_world(database)
    # A BKN official holding the agency roles too: without the rule they would pass ROLE.
    create_user(
        database,
        tenant_code="BKN",
        username="bkn_official",
        display_name="BKN official",
        roles=["hr", "committee", "authority"],
    )
    return world


def refusals(db: Database) -> list[dict[str, Any]]:
    with db.read() as session:
        bodies = session.scalars(
            select(LedgerEntry.body)
            .where(LedgerEntry.kind == "vacancy.refused")
            .order_by(LedgerEntry.seq)
        )
        return [json.loads(body) for body in bodies]


def state_and_version(db: Database, vacancy_id: int) -> tuple[str, int]:
    with db.read() as session:
        vacancy = session.get(Vacancy, vacancy_id)
        assert vacancy is not None
        return vacancy.state, vacancy.version


def test_a_national_user_may_not_take_an_agency_step(world: World) -> None:
    draft = world.open()
    before = state_and_version(world.db, draft)
    with pytest.raises(Refused) as info:
        world.act("bkn_official", draft, "submit")
    assert info.value.details["rule"] == "NATIONAL-READ-ONLY"
    with pytest.raises(Refused) as info:
        world.act("bkn_official", draft, "cancel", reason="BKN does not cancel agency vacancies")
    assert info.value.details["rule"] == "NATIONAL-READ-ONLY"
    assert state_and_version(world.db, draft) == before

    deciding = world.to_authority()
    with pytest.raises(Refused) as info:
        world.act("bkn_official", deciding, "decide", candidate=world.nips["E1"])
    assert info.value.details["rule"] == "NATIONAL-READ-ONLY"
    assert state_and_version(world.db, deciding)[0] == "authority_decision"

    recorded = refusals(world.db)
    assert [(r["data"]["action"], r["data"]["rule"]) for r in recorded] == [
        ("submit", "NATIONAL-READ-ONLY"),
        ("cancel", "NATIONAL-READ-ONLY"),
        ("decide", "NATIONAL-READ-ONLY"),
    ]


def test_the_national_technical_review_is_allowed(world: World) -> None:
    vacancy_id = world.to_technical()
    outcome = world.act("bkn", vacancy_id, "approve_technical", reference="PERTEK/2026/17")
    assert outcome.vacancy["technical_reference"] == "PERTEK/2026/17"
    assert refusals(world.db) == []

"""The typed door: one function per user action, and perform as a thin dispatcher to them."""

from __future__ import annotations

import datetime as dt
import inspect
import json
from typing import Any

import pytest
from sqlalchemy import select

from tests.support.world import World, build_world
from workflow import vacancies
from workflow.core import Database, InvalidInput, PreconditionFailed, Refused
from workflow.models import LedgerEntry, Vacancy
from workflow.vacancies import ActionName, State, current_definition, user_actions
from workflow.vacancies.dispatch import DOORS

COMMON = {"db", "actor", "vacancy_id", "expected_version", "idempotency_key", "on_behalf_of", "now"}


@pytest.fixture
def world(database: Database) -> World:
    return build_world(database)


def _common(world: World, username: str, vacancy_id: int) -> dict[str, Any]:
    return {
        "actor": world.actor(username),
        "vacancy_id": vacancy_id,
        "expected_version": world.version(vacancy_id),
        "idempotency_key": world.key(),
        "now": world.now(),
    }


def test_every_user_action_has_a_typed_function_taking_what_the_definition_requires() -> None:
    definition = current_definition()
    assert sorted(DOORS) == sorted(user_actions())
    for name, door in DOORS.items():
        parameters = inspect.signature(door.take).parameters
        own = {p for p in parameters if p not in COMMON}
        required = {p for p in own if parameters[p].default is inspect.Parameter.empty}
        requires = set(definition.action(name).requires)
        # vote's `decision` is its `approve` flag; every other payload field keeps its name
        assert required == ({"approve"} if name == ActionName.VOTE else requires), name
        assert all(
            p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters.values() if p.name != "db"
        )


def test_a_vacancy_goes_to_closed_through_the_typed_functions(world: World) -> None:
    vacancy_id = world.open()
    vacancies.submit(world.db, **_common(world, "hr1", vacancy_id))
    started = vacancies.start_screening(world.db, **_common(world, "hr2", vacancy_id))
    assert started.vacancy["state"] == State.SCREENING
    world.screened(vacancy_id)
    for member in ("c1", "c2"):
        vacancies.vote(world.db, **_common(world, member, vacancy_id), approve=True)
    voted = vacancies.vote(world.db, **_common(world, "c3", vacancy_id), approve=True, comment="ok")
    assert voted.applied == ["vote", "committee_approved"]
    decided = vacancies.decide(
        world.db,
        **_common(world, "boss", vacancy_id),
        candidate=world.nips["E2"],
        justification="Rank two led the 2025 regional audit.",
    )
    assert decided.vacancy["selected_rank"] == 2
    assert decided.vacancy["deviation"] is True
    vacancies.approve_technical(world.db, **_common(world, "bkn", vacancy_id), reference="PT-9")
    vacancies.issue_decree(
        world.db,
        **_common(world, "hr2", vacancy_id),
        decree_number="821/7",
        decree_date=dt.date(2026, 3, 2),
    )
    closed = vacancies.close(
        world.db, **_common(world, "hr2", vacancy_id), inauguration_date=dt.date(2026, 3, 3)
    )
    assert closed.vacancy["state"] == State.CLOSED
    assert closed.vacancy["decree_date"] == "2026-03-02"


def test_the_dispatcher_and_the_typed_function_record_the_same(world: World) -> None:
    typed, named = world.to_committee(), world.to_committee()
    vacancies.vote(
        world.db, **_common(world, "c1", typed), approve=False, comment="data kurang lengkap"
    )
    vacancies.perform(
        world.db,
        **_common(world, "c1", named),
        action="vote",
        payload={"decision": "return", "comment": "data kurang lengkap"},
    )
    with world.db.read() as session:
        bodies = [
            json.loads(body)["data"]
            for body in session.scalars(
                select(LedgerEntry.body)
                .where(LedgerEntry.kind == "vacancy.transition")
                .order_by(LedgerEntry.seq.desc())
                .limit(2)
            )
        ]
    assert bodies[0] | {"vacancy": 0} == bodies[1] | {"vacancy": 0}
    assert bodies[0]["decision"] == "return"


def test_an_unreadable_payload_is_refused_where_the_action_would_refuse_it(world: World) -> None:
    vacancy_id = world.to_committee()
    # not allowed to vote at all: the refusal is recorded as before, the payload never read
    with pytest.raises(Refused) as refused:
        world.act("aud", vacancy_id, "vote", decision="maybe")
    assert refused.value.details["rule"] == "ROLE"
    # a stale version is reported before the payload
    stale = {**_common(world, "c1", vacancy_id), "expected_version": world.version(vacancy_id) - 1}
    with pytest.raises(PreconditionFailed):
        vacancies.perform(world.db, **stale, action="vote", payload={"decision": "maybe"})
    # an allowed member gets the payload's own error, and nothing changes
    with pytest.raises(InvalidInput, match="approve or return"):
        world.act("c1", vacancy_id, "vote", decision="maybe")
    with pytest.raises(InvalidInput, match="vote needs decision"):
        world.act("c1", vacancy_id, "vote", comment="no decision")
    with world.db.read() as session:
        vacancy = session.get(Vacancy, vacancy_id)
        assert vacancy is not None
        assert vacancy.state == State.COMMITTEE_REVIEW


def test_a_bad_date_through_the_dispatcher_is_an_input_error(world: World) -> None:
    vacancy_id = world.to_technical()
    world.act("bkn", vacancy_id, "approve_technical", reference="PT-1")
    with pytest.raises(InvalidInput, match="decree_date is not a date"):
        world.act("hr2", vacancy_id, "issue_decree", decree_number="1", decree_date="2 March")
    outcome = world.act(
        "hr2", vacancy_id, "issue_decree", decree_number="1", decree_date="2026-03-02"
    )
    assert outcome.vacancy["state"] == State.DECREE_ISSUED


def test_the_locked_row_has_every_column_of_the_table() -> None:
    from workflow.vacancies.row import COLUMNS, VacancyRow

    fields = tuple(VacancyRow.__dataclass_fields__)
    assert fields[: len(COLUMNS)] == COLUMNS  # lock() fills them by position


def test_an_action_answers_with_the_view_a_read_gives(world: World) -> None:
    vacancy_id = world.to_technical(pick="E2")
    acted = world.act("bkn", vacancy_id, "approve_technical", reference="PT-1")
    read = vacancies.get_vacancy(world.db, actor=world.actor("hr2"), vacancy_id=vacancy_id)
    assert acted.vacancy == read
    assert read["technical_reference"] == "PT-1"
    assert read["due_at"] is not None

"""Under many concurrent conflicting requests on one vacancy exactly one wins."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, text

from tests.support.world import PACK_DIGEST, REFERENCE_DATE, World, build_world
from workflow import vacancies
from workflow.core.db import Database, connect
from workflow.core.errors import Conflict, PreconditionFailed
from workflow.ledger import chain as ledger
from workflow.models import LedgerEntry, Vacancy, VacancyAction, WorkflowVersion
from workflow.vacancies.definition import current_definition, register_definition

REFERENCE_DATE_TIME = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
ATTEMPTS = 200
THREADS = 40
"""Each attempt opens its own connection (no pool); 40 run at once, 200 in all."""


@pytest.fixture
def world(database: Database) -> World:
    return build_world(database)


def _count(db: Database, model: type[object]) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("action", ["cancel", "return"])
def test_exactly_one_of_200_conflicting_actions_wins(
    world: World, database_url: str, action: str
) -> None:
    vacancy_id = world.to_authority()
    version = world.version(vacancy_id)
    actor = world.actor("boss")
    now = world.now()
    entries_before = _count(world.db, LedgerEntry)
    unpooled = connect(database_url, pool_size=0)
    start = threading.Barrier(THREADS)
    started = threading.local()

    def attempt(index: int) -> str:
        if not getattr(started, "done", False):
            start.wait()  # release the first wave together
            started.done = True
        try:
            vacancies.perform(
                unpooled,
                actor=actor,
                vacancy_id=vacancy_id,
                action=action,
                expected_version=version,
                idempotency_key=f"attempt-{index}",
                payload={"reason": f"attempt {index}"},
                now=now,
            )
        except PreconditionFailed:
            return "stale"
        except Conflict:
            return "conflict"
        return "won"

    with ThreadPoolExecutor(THREADS) as pool:
        results = Counter(pool.map(attempt, range(ATTEMPTS)))
    unpooled.dispose()

    assert results["won"] == 1
    assert results["stale"] + results["conflict"] == ATTEMPTS - 1
    assert world.version(vacancy_id) == version + 1
    assert _count(world.db, LedgerEntry) == entries_before + 1
    with world.db.read() as session:
        done = session.scalar(
            select(func.count())
            .select_from(VacancyAction)
            .where(VacancyAction.vacancy_id == vacancy_id, VacancyAction.action == action)
        )
    assert done == 1
    assert ledger.verify(world.db).ok


def test_concurrent_duplicates_of_one_request_execute_once(world: World, database_url: str) -> None:
    vacancy_id = world.to_committee()
    version, actor, now = world.version(vacancy_id), world.actor("c1"), world.now()
    unpooled = connect(database_url, pool_size=0)

    def attempt(_: int) -> tuple[bool, str]:
        outcome = vacancies.perform(
            unpooled,
            actor=actor,
            vacancy_id=vacancy_id,
            action="vote",
            expected_version=version,
            idempotency_key="same-key",
            payload={"decision": "approve", "comment": "ok"},
            now=now,
        )
        return outcome.replayed, str(outcome.as_response())

    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(attempt, range(50)))
    unpooled.dispose()
    assert sum(1 for replayed, _ in outcomes if not replayed) == 1
    assert len({body for _, body in outcomes}) == 1
    assert world.version(vacancy_id) == version + 1


def test_concurrent_duplicate_opens_create_one_vacancy(world: World, database_url: str) -> None:
    actor, now = world.actor("hr1"), world.now()
    unpooled = connect(database_url, pool_size=0)

    def attempt(_: int) -> str:
        outcome = vacancies.open_vacancy(
            unpooled,
            actor=actor,
            position_code="ADM-01",
            title="Kepala Bagian",
            reference_date=REFERENCE_DATE,
            pack_digest=PACK_DIGEST,
            idempotency_key="open-once",
            now=now,
        )
        return str(outcome.as_response())

    with ThreadPoolExecutor(20) as pool:
        bodies = set(pool.map(attempt, range(40)))
    unpooled.dispose()
    assert len(bodies) == 1
    assert _count(world.db, Vacancy) == 1


def test_first_openings_racing_to_register_the_workflow_version_both_succeed(
    postgres_url: str,
) -> None:
    """Found by bench/chaos.py: the loser of this race used to fail with a unique violation."""
    db = connect(postgres_url)
    definition = current_definition()
    now = REFERENCE_DATE_TIME
    try:
        with db.engine.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text("TRUNCATE workflow_version CASCADE"))
        errors: list[BaseException] = []
        second_done = threading.Event()

        def second() -> None:
            try:
                with db.transaction() as session:
                    register_definition(session, definition, now)
            except BaseException as exc:  # the failure this test is about
                errors.append(exc)
            finally:
                second_done.set()

        with db.transaction() as first:
            register_definition(first, definition, now)
            racer = threading.Thread(target=second)
            racer.start()
            # commit only once the second transaction waits on this one's uncommitted row
            with db.engine.connect() as probe:
                for _ in range(500):
                    waiting = probe.execute(
                        text(
                            "SELECT count(*) FROM pg_stat_activity "
                            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                        )
                    ).scalar()
                    probe.rollback()
                    if waiting or second_done.is_set():
                        break
                    threading.Event().wait(0.01)
        racer.join(timeout=30)
        assert errors == []
        with db.read() as session:
            assert session.get(WorkflowVersion, definition.digest) is not None
    finally:
        db.dispose()

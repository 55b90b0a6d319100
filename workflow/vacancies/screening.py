"""Screening a vacancy: start it, run the pinned pack over the pool, and move on with the result.

Two transactions around the evaluation: :func:`start_screening` moves the vacancy to
``screening`` (so the request is idempotent and visible), the pool is evaluated outside any
transaction (:func:`workflow.screening.evaluate_pool`), and :func:`finish_screening` stores the
run and takes the screening outcome action whose guard holds (to the committee, or back to HR).
A crash in between leaves the vacancy in ``screening``; the scheduler resumes it
(:func:`run_pending_screenings`), and screening is deterministic, so the result is the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.core import Actor, Conflict, Database, InvalidInput, NotFound, system_actor
from workflow.models import Tenant, Vacancy
from workflow.screening import (
    DEFAULT_NARROWING,
    NarrowingSettings,
    ScreeningOutcome,
    evaluate_pool,
    store_run,
)
from workflow.vacancies import row
from workflow.vacancies.actions import start_screening
from workflow.vacancies.definition import SYSTEM_ROLE, pinned_definition
from workflow.vacancies.idempotency import Outcome
from workflow.vacancies.protocol import (
    Step,
    follow_ups,
    system_of,
    take_first_passing,
    view_of,
)
from workflow.vacancies.states import State

log = structlog.get_logger(__name__)


def screen(
    db: Database,
    *,
    actor: Actor,
    vacancy_id: int,
    expected_version: int,
    idempotency_key: str,
    now: dt.datetime,
    processes: int = 1,
    narrowing: NarrowingSettings = DEFAULT_NARROWING,
) -> Outcome:
    """Start screening a submitted vacancy and run it: the shortlist goes to the committee.

    ``narrowing``: large pools are narrowed in the database (``SCREENING_NARROWING_MIN_POOL``;
    :func:`workflow.screening.should_narrow`).

    :raises NotFound: no such vacancy visible to the actor.
    :raises PreconditionFailed: a stale expected version.
    :raises Conflict: the vacancy is not ``submitted``.
    :raises Refused: the actor may not start screening (recorded).
    :raises InvalidInput: the pinned pack does not decide the position's level or is not in
        effect on the reference date.
    """
    started = start_screening(
        db,
        actor=actor,
        vacancy_id=vacancy_id,
        expected_version=expected_version,
        idempotency_key=idempotency_key,
        now=now,
    )
    if started.vacancy["state"] != State.SCREENING:
        return started  # a replay of a screening that has finished since
    finished = screen_vacancy(
        db, vacancy_id=vacancy_id, now=now, processes=processes, narrowing=narrowing
    )
    # every step taken, in order, so a client can follow the version through each of them
    return replace(finished, applied=[*started.applied, *finished.applied])


def screen_vacancy(
    db: Database,
    *,
    vacancy_id: int,
    now: dt.datetime,
    processes: int = 1,
    narrowing: NarrowingSettings = DEFAULT_NARROWING,
) -> Outcome:
    """Screen a vacancy that is in ``screening`` with its pinned pack, and store the result
    (narrowed in the database when the pool is large: ``narrowing``).

    :raises NotFound: no such vacancy.
    :raises Conflict: the vacancy is not being screened.
    :raises InvalidInput: the pinned pack does not decide the position's level or is not in
        effect on the reference date.
    """
    with db.read() as session:
        vacancy = session.get(Vacancy, vacancy_id)
        if vacancy is None:
            raise NotFound(f"no vacancy {vacancy_id}")
        if vacancy.state != State.SCREENING:
            raise Conflict(f"vacancy {vacancy_id} is {vacancy.state}, not screening")
        pack_digest, position_id = vacancy.pack_digest, vacancy.position_id
        reference_date, tenant_ids = vacancy.reference_date, list(vacancy.candidate_tenant_ids)
    outcome = evaluate_pool(
        db,
        pack_digest=pack_digest,
        position_id=position_id,
        reference_date=reference_date,
        tenant_ids=tenant_ids,
        processes=processes,
        narrow=narrowing,
    )
    return finish_screening(db, vacancy_id=vacancy_id, outcome=outcome, now=now)


def finish_screening(
    db: Database, *, vacancy_id: int, outcome: ScreeningOutcome, now: dt.datetime
) -> Outcome:
    """Store a screening and move the vacancy on: to the committee, or back if too few qualify.

    :raises NotFound: no such vacancy.
    :raises Conflict: the vacancy is no longer being screened (cancelled meanwhile), or the
        screening was made with another pack than the one the vacancy pinned.
    """
    with db.transaction() as session:
        return finish_screening_in(session, vacancy_id=vacancy_id, outcome=outcome, now=now)


def finish_screening_in(
    session: Session, *, vacancy_id: int, outcome: ScreeningOutcome, now: dt.datetime
) -> Outcome:
    """:func:`finish_screening` in the caller's transaction (a job finishing under its lock).

    :raises NotFound: no such vacancy.
    :raises Conflict: as :func:`finish_screening`; nothing is written before it is raised.
    """
    vacancy = row.lock(session.connection(), vacancy_id, scope=None)
    if vacancy.state != State.SCREENING:
        raise Conflict(f"vacancy {vacancy_id} is {vacancy.state}, no longer screening")
    if outcome.pack_digest != vacancy.pack_digest:
        raise Conflict("the screening used another pack than the vacancy pinned")
    run_id = store_run(
        session,
        vacancy_id=vacancy.id,
        round=vacancy.round,
        tenant_id=vacancy.tenant_id,
        outcome=outcome,
        now=now,
    )
    definition = pinned_definition(session, vacancy.workflow_digest)
    # the definition's system actions out of screening; their guards choose one
    endings = [
        a
        for a in definition.actions_from(State.SCREENING)
        if SYSTEM_ROLE in a.roles and a.guard is not None
    ]
    system = system_of(session, vacancy)
    step = Step(session, vacancy, definition, endings[0], system, SYSTEM_ROLE, {}, now)
    recorded = {"screening_run": run_id, "eligible": outcome.eligible}
    taken = take_first_passing(step, system, endings, recorded)
    if taken is None:
        raise Conflict("no screening outcome action's guard holds; check the definition")
    applied = [taken, *follow_ups(step)]  # the view is taken after the follow-ups
    return Outcome(view_of(step), applied)


def run_pending_screenings(
    db: Database,
    *,
    now: dt.datetime,
    stale_after: dt.timedelta = dt.timedelta(minutes=5),
    processes: int = 1,
    narrowing: NarrowingSettings = DEFAULT_NARROWING,
) -> list[int]:
    """Screen submitted vacancies, and resume screenings left unfinished; return their ids.

    The scheduler calls this: the system starts screening every ``submitted`` vacancy, and
    re-runs any vacancy stuck in ``screening`` for longer than ``stale_after`` (its process
    died between the two transactions; screening is deterministic, so re-running is safe).
    """
    with db.read() as session:
        waiting = session.execute(
            select(Vacancy.id, Vacancy.version, Vacancy.tenant_id)
            .where(Vacancy.state == State.SUBMITTED)
            .order_by(Vacancy.id)
        ).all()
        stuck = session.scalars(
            select(Vacancy.id)
            .where(Vacancy.state == State.SCREENING, Vacancy.state_entered_at <= now - stale_after)
            .order_by(Vacancy.id)
        ).all()
        tenants = {t.id: t for t in session.scalars(select(Tenant))}
    done: list[int] = []
    for vacancy_id, version, tenant_id in waiting:
        tenant = tenants[tenant_id]
        system = system_actor(tenant.id, tenant.code, tenant.level)
        try:
            screen(
                db,
                actor=system,
                vacancy_id=vacancy_id,
                expected_version=version,
                idempotency_key=f"system:screen:{vacancy_id}:{version}",
                now=now,
                processes=processes,
                narrowing=narrowing,
            )
        except (Conflict, InvalidInput) as exc:
            log.warning("screening_skipped", vacancy_id=vacancy_id, reason=exc.message)
            continue
        done.append(vacancy_id)
    for vacancy_id in stuck:
        try:
            screen_vacancy(
                db, vacancy_id=vacancy_id, now=now, processes=processes, narrowing=narrowing
            )
        except (Conflict, InvalidInput) as exc:
            log.warning("screening_skipped", vacancy_id=vacancy_id, reason=exc.message)
            continue
        done.append(vacancy_id)
    return done

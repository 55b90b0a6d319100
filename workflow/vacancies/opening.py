"""Opening a vacancy: HR proposes a position to fill, pinning a rule pack and the workflow."""

from __future__ import annotations

import datetime as dt

import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rules.vocab import PROMOTION_TARGETS, PositionLevel
from workflow import ledger
from workflow.core import Actor, Database, InvalidInput, NotFound, Refused
from workflow.models import Position, Role, RulePack, Tenant, Vacancy, VacancyAction
from workflow.screening import resolve
from workflow.vacancies import idempotency
from workflow.vacancies.definition import current_definition, register_definition
from workflow.vacancies.idempotency import Outcome
from workflow.vacancies.protocol import actor_ref
from workflow.vacancies.states import OPENED
from workflow.vacancies.view import VacancyView

log = structlog.get_logger(__name__)


def open_vacancy(
    db: Database,
    *,
    actor: Actor,
    position_code: str,
    title: str,
    reference_date: dt.date,
    pack_digest: str,
    candidate_tenant_codes: list[str] | None = None,
    idempotency_key: str,
    now: dt.datetime,
) -> Outcome:
    """Open a vacancy in ``draft`` for one of the actor's agency's positions.

    The vacancy pins ``pack_digest`` (a published rule pack) and the current workflow version.

    :raises Refused: the actor is not HR of an agency.
    :raises InvalidInput: unknown position, agency or pack, or a bad title or date.
    :raises IdempotencyMismatch: the key was used for a different request.
    """
    request = {
        "open": position_code,
        "title": title,
        "reference_date": reference_date.isoformat(),
        "pack": pack_digest,
        "candidates": sorted(candidate_tenant_codes or []),
    }
    try:
        with db.transaction() as session:
            replay = idempotency.replay(session, actor, idempotency_key, request)
            if replay is not None:
                return replay
            if Role.HR.value not in actor.roles or actor.is_national:
                raise Refused("only an agency's HR officer opens vacancies")
            position = session.scalar(
                select(Position).where(
                    Position.tenant_id == actor.tenant_id, Position.code == position_code
                )
            )
            problems = _problems(session, actor, position, position_code, title, pack_digest)
            tenant_ids = [actor.tenant_id]
            for code in candidate_tenant_codes or []:
                tid = session.scalar(select(Tenant.id).where(Tenant.code == code))
                if tid is None:
                    problems.append(
                        {"field": "candidate_tenants", "message": f"unknown agency {code}"}
                    )
                elif tid not in tenant_ids:
                    tenant_ids.append(tid)
            if problems or position is None:
                raise InvalidInput("cannot open the vacancy", problems)
            definition = current_definition()
            register_definition(session, definition, now)
            vacancy = Vacancy(
                tenant_id=actor.tenant_id,
                position_id=position.id,
                title=title.strip(),
                reference_date=reference_date,
                candidate_tenant_ids=tenant_ids,
                state=definition.initial,
                version=1,
                round=0,
                pack_digest=pack_digest,
                workflow_digest=definition.digest,
                created_by_id=actor.user_id,
                created_at=now,
                updated_at=now,
                state_entered_at=now,
            )
            session.add(vacancy)
            session.flush()
            session.add(
                VacancyAction(
                    vacancy_id=vacancy.id,
                    seq=1,
                    action=OPENED,
                    from_state="",
                    to_state=vacancy.state,
                    round=0,
                    actor_id=actor.user_id,
                    on_behalf_of_id=None,
                    role=Role.HR.value,
                    payload={"position": position.id},
                    at=now,
                )
            )
            ledger.append(
                session,
                tenant_id=vacancy.tenant_id,
                kind=ledger.LedgerKind.VACANCY_OPENED,
                actor=actor_ref(actor),
                at=now,
                data={
                    "vacancy": vacancy.id,
                    "position": position.id,
                    "reference_date": reference_date.isoformat(),
                    "pack": pack_digest,
                    "workflow": definition.digest,
                    "candidate_tenants": tenant_ids,
                },
            )
            view = VacancyView.of(vacancy, position, actor.tenant_code).as_json()
            outcome = Outcome(view, [OPENED])
            idempotency.remember(
                session, actor, idempotency_key, request, "done", outcome.as_response(), now
            )
            log.info("vacancy_opened", vacancy_id=vacancy.id, tenant=actor.tenant_code)
            return outcome
    except IntegrityError:
        # A concurrent request with the same key committed first: answer with its response.
        with db.read() as session:
            replay = idempotency.replay(session, actor, idempotency_key, request)
        if replay is None:
            raise
        return replay


def _problems(
    session: Session,
    actor: Actor,
    position: Position | None,
    position_code: str,
    title: str,
    pack_digest: str,
) -> list[dict[str, str]]:
    problems = []
    if position is None:
        problems.append(
            {
                "field": "position",
                "message": f"no position {position_code!r} in agency {actor.tenant_code}",
            }
        )
    elif PositionLevel(position.level) not in PROMOTION_TARGETS:
        problems.append(
            {
                "field": "position",
                "message": f"{position.level} positions are not filled by this promotion workflow",
            }
        )
    if not 1 <= len(title.strip()) <= 200:
        problems.append({"field": "title", "message": "1-200 characters"})
    if session.scalar(select(RulePack.digest).where(RulePack.digest == pack_digest)) is None:
        problems.append({"field": "pack", "message": f"no published rule pack {pack_digest}"})
    return problems


def open_by_reference(
    db: Database,
    *,
    actor: Actor,
    position_code: str,
    title: str,
    reference_date: dt.date,
    pack_reference: str,
    candidate_tenant_codes: list[str] | None,
    idempotency_key: str,
    now: dt.datetime,
) -> Outcome:
    """Open a vacancy pinning the published pack ``pack_reference`` names (digest or pack id).

    :raises InvalidInput: no published pack by that reference (field ``pack``), or anything
        :func:`open_vacancy` refuses as input.
    :raises Refused: the actor is not HR of an agency (national users never open vacancies).
    """
    try:
        pack = resolve(db, pack_reference)
    except NotFound:
        raise InvalidInput(
            "cannot open the vacancy",
            [{"field": "pack", "message": f"no published rule pack {pack_reference!r}"}],
        ) from None
    return open_vacancy(
        db,
        actor=actor,
        position_code=position_code,
        title=title,
        reference_date=reference_date,
        pack_digest=pack.digest,
        candidate_tenant_codes=candidate_tenant_codes,
        idempotency_key=idempotency_key,
        now=now,
    )

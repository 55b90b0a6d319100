"""Screening from the registry: a position and its candidate pool, evaluated by the rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rules.errors import PackInvalid, PackNotEffective
from rules.pack import Pack
from rules.screening import ScreeningResult, screen
from workflow.core import Database, InvalidInput, NotFound
from workflow.models.registry import Employee, Position
from workflow.screening.narrowing import (
    NarrowingSettings,
    classify,
    narrowing_for,
    should_narrow,
)
from workflow.screening.profiles import load_profiles, vacancy_context


def screen_position(
    db: Database,
    *,
    pack: Pack,
    position_id: int,
    reference_date: dt.date,
    tenant_ids: Sequence[int] | None = None,
    processes: int = 1,
    narrow: bool | NarrowingSettings = False,
) -> ScreeningResult:
    """Screen every employee of the position's tenant (or of ``tenant_ids``) for the position.

    The position's current holder is not a candidate. The pool and the position are read in one
    read transaction (a consistent snapshot), then evaluated outside it.

    With ``narrow``, the pack's narrowable hard criteria (:mod:`workflow.screening.narrowing`)
    filter the pool in the database: only the others are loaded and evaluated, the left-out are
    in ``result.narrowed`` with the criterion that excluded them. The shortlist, its ranking and
    the eligible / needs-data / ineligible sets equal a full screening's (docs/rules.md).
    ``narrow`` may also be the narrowing settings: the pool is then counted first and narrowed
    when :func:`~workflow.screening.narrowing.should_narrow` says so (large pools).

    :raises NotFound: the position does not exist.
    :raises InvalidInput: the pack does not decide the position's level or is not in effect on
        the reference date.
    """
    with db.read() as session:
        context = vacancy_context(session, position_id=position_id, reference_date=reference_date)
        if tenant_ids is None:
            tenant = session.scalar(select(Position.tenant_id).where(Position.id == position_id))
            if tenant is None:
                raise NotFound(f"position {position_id} not found")
            tenant_ids = [tenant]
        if not isinstance(narrow, bool):
            narrow = should_narrow(pool_size(session, tenant_ids, position_id), narrow)
        narrowing = narrowing_for(pack, context) if narrow and context.level in pack.levels else ()
        if narrowing:
            kept, left_out = classify(
                session, narrowing, tenant_ids=tenant_ids, exclude_position_id=position_id
            )
            profiles = load_profiles(session, employee_ids=kept)
        else:
            left_out = []
            profiles = load_profiles(
                session, tenant_ids=tenant_ids, exclude_position_id=position_id
            )
    try:
        return screen(pack, context, profiles, processes=processes, narrowed=left_out)
    except (PackInvalid, PackNotEffective) as exc:
        raise InvalidInput(exc.message, [p.as_dict() for p in exc.problems]) from exc


def pool_size(session: Session, tenant_ids: Sequence[int], exclude_position_id: int | None) -> int:
    """Return how many candidates a pool has (its agencies' employees but the holder)."""
    query = select(func.count(Employee.id)).where(Employee.tenant_id.in_(tenant_ids))
    if exclude_position_id is not None:
        query = query.where(
            (Employee.position_id.is_(None)) | (Employee.position_id != exclude_position_id)
        )
    return session.scalar(query) or 0

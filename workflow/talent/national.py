"""National talent monitoring for BKN: per agency, the latest talent map's box distribution and
pool, the succession coverage of key positions, data quality, vacancies filled from the
succession group or from outside it, and the median days from a vacancy's opening to its
decree. Counts only: nobody is named, so nothing goes to the access log.

Coverage counts a key position covered when its current approved succession group for the year
has at least :data:`COVERED_READY_NOW` members ready now. Ranked lists computed on demand are not
stored, so a key position without an approved group counts as not covered and is reported in
``without_group``.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select

from workflow.core import Actor, Database, PageRequest, Refused, readable
from workflow.models import (
    Position,
    Role,
    SuccessionGroup,
    SuccessionMember,
    TalentPlacement,
    TalentRun,
    Tenant,
    Vacancy,
)
from workflow.talent.groups import GroupState
from workflow.talent.quality import DEFAULT_ASSESSMENT_YEARS, agency_quality

COVERED_READY_NOW = 3
"""Ready-now successors a key position needs to count as covered."""
FILLED_STATES = ("decree_issued", "closed")
NATIONAL_READERS = frozenset({Role.NATIONAL_REVIEWER.value, Role.AUDITOR.value})


@dataclass(frozen=True, slots=True)
class AgencyTalent:
    """One agency's national talent figures (counts only)."""

    agency: str
    name: str
    level: str
    region: str | None
    """The parent agency's code (a city's province), if any."""
    run_id: int | None
    """The latest talent-map run (None: never mapped)."""
    by_box: dict[str, int]
    """Box 1-9 → employees in the latest run (zeros when never mapped)."""
    employees_mapped: int
    talent_pool: int
    key_positions: int
    covered: int
    without_group: int
    coverage: int
    """``covered / key_positions`` in hundredths of a percent (0 without key positions)."""
    quality_score: int | None
    """The data-quality score in hundredths of a percent (workflow/talent/quality.py)."""
    filled_from_group: int
    filled_from_outside: int
    median_days_to_decree: float | None
    """Median days from a filled vacancy's opening to its decree date."""


@dataclass(frozen=True, slots=True)
class NationalTalent:
    """Every agency's figures on one reference date."""

    reference_date: dt.date
    year: int
    agencies: list[AgencyTalent] = field(default_factory=list)


def national_talent(
    db: Database,
    *,
    actor: Actor,
    reference_date: dt.date,
    assessment_years: int = DEFAULT_ASSESSMENT_YEARS,
) -> NationalTalent:
    """Return the national talent figures of every agency the actor reads (BKN: all).

    :raises Refused: the actor is neither a national reviewer nor an auditor.
    """
    if not actor.roles & NATIONAL_READERS:
        raise Refused("national talent monitoring is for national reviewers and auditors")
    year = reference_date.year
    scope = readable(actor)
    quality = {
        q.agency: q.score
        for q in agency_quality(
            db,
            actor=actor,
            reference_date=reference_date,
            assessment_years=assessment_years,
            page=PageRequest(page=1, per_page=100),
        ).items
    }
    with db.read() as session:
        parent = Tenant.__table__.alias("parent_tenant")
        tenants = session.execute(
            select(Tenant.id, Tenant.code, Tenant.name, Tenant.level, parent.c.code)
            .outerjoin(parent, parent.c.id == Tenant.parent_id)
            .where(scope.clause(Tenant.id))
            .order_by(Tenant.code)
        ).all()
        latest = dict(
            session.execute(
                select(TalentRun.tenant_id, func.max(TalentRun.id)).group_by(TalentRun.tenant_id)
            ).all()
        )
        runs = {
            r.id: r
            for r in session.scalars(select(TalentRun).where(TalentRun.id.in_(latest.values())))
        }
        boxes: dict[int, dict[str, int]] = defaultdict(dict)
        for run_id, box, count in session.execute(
            select(TalentPlacement.run_id, TalentPlacement.box, func.count())
            .where(TalentPlacement.run_id.in_(latest.values()), TalentPlacement.box.is_not(None))
            .group_by(TalentPlacement.run_id, TalentPlacement.box)
        ):
            boxes[run_id][str(box)] = int(count)
        key_positions = dict(
            session.execute(
                select(Position.tenant_id, func.count())
                .where(Position.is_key.is_(True))
                .group_by(Position.tenant_id)
            ).all()
        )
        ready = (
            select(SuccessionGroup.tenant_id, SuccessionGroup.position_id, func.count())
            .join(
                SuccessionMember,
                and_(
                    SuccessionMember.group_id == SuccessionGroup.id,
                    SuccessionMember.readiness == 0,
                ),
                isouter=True,
            )
            .where(
                SuccessionGroup.year == year,
                SuccessionGroup.state == GroupState.APPROVED.value,
                SuccessionGroup.superseded_by.is_(None),
            )
            .group_by(SuccessionGroup.tenant_id, SuccessionGroup.position_id)
        )
        grouped: dict[int, int] = defaultdict(int)
        covered: dict[int, int] = defaultdict(int)
        for tenant_id, _position, _ready in session.execute(ready):
            grouped[tenant_id] += 1
            if _ready >= COVERED_READY_NOW:
                covered[tenant_id] += 1
        filled = session.execute(
            select(
                Vacancy.tenant_id,
                Vacancy.id,
                Vacancy.created_at,
                Vacancy.decree_date,
                SuccessionMember.employee_id,
            )
            .outerjoin(
                SuccessionGroup,
                and_(
                    SuccessionGroup.position_id == Vacancy.position_id,
                    SuccessionGroup.year == func.extract("year", Vacancy.reference_date),
                    SuccessionGroup.state == GroupState.APPROVED.value,
                ),
            )
            .outerjoin(
                SuccessionMember,
                and_(
                    SuccessionMember.group_id == SuccessionGroup.id,
                    SuccessionMember.employee_id == Vacancy.selected_employee_id,
                ),
            )
            .where(Vacancy.state.in_(FILLED_STATES), Vacancy.selected_employee_id.is_not(None))
        ).all()
    from_group: dict[int, set[int]] = defaultdict(set)
    filled_ids: dict[int, set[int]] = defaultdict(set)
    days: dict[int, dict[int, int]] = defaultdict(dict)
    for tenant_id, vacancy_id, created, decree, member in filled:
        filled_ids[tenant_id].add(vacancy_id)
        if member is not None:
            from_group[tenant_id].add(vacancy_id)
        if decree is not None:
            days[tenant_id][vacancy_id] = (decree - created.date()).days
    out = []
    for tenant_id, code, name, level, region in tenants:
        run = runs.get(latest.get(tenant_id, -1))
        keys = int(key_positions.get(tenant_id, 0))
        in_group = len(from_group[tenant_id])
        spans = list(days[tenant_id].values())
        out.append(
            AgencyTalent(
                agency=code,
                name=name,
                level=level,
                region=region,
                run_id=run.id if run else None,
                by_box={str(b): 0 for b in range(1, 10)} | (boxes[run.id] if run else {}),
                employees_mapped=run.mapped if run else 0,
                talent_pool=run.pool if run else 0,
                key_positions=keys,
                covered=covered[tenant_id],
                without_group=keys - grouped[tenant_id],
                coverage=covered[tenant_id] * 10000 // keys if keys else 0,
                quality_score=quality.get(code),
                filled_from_group=in_group,
                filled_from_outside=len(filled_ids[tenant_id]) - in_group,
                median_days_to_decree=float(statistics.median(spans)) if spans else None,
            )
        )
    return NationalTalent(reference_date=reference_date, year=year, agencies=out)

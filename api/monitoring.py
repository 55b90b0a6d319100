"""Monitoring for the national reviewer and auditors: counts and vacancy ids per agency."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from api.auth import current_actor, requires
from api.pagination import LINK_HEADER, page_of, page_request, paged
from api.schemas.monitoring import (
    AgencyQuery,
    AgencyStatusRead,
    DeviationRead,
    MonitoringQuery,
    NineBoxRead,
)
from api.state import db
from workflow import vacancies
from workflow.core import SystemClock
from workflow.models import Role

blp = Blueprint("monitoring", __name__, description="How the agencies' vacancies stand")

MONITORS = (Role.NATIONAL_REVIEWER, Role.AUDITOR)


def _filter(args: dict[str, Any]) -> vacancies.MonitoringFilter:
    return vacancies.MonitoringFilter(
        agency_code=args.get("agency"), since=args.get("since"), until=args.get("until")
    )


@blp.route("/monitoring/agencies")
@requires(*MONITORS)
@blp.arguments(AgencyQuery, location="query", as_kwargs=True)
@blp.response(200, page_of(AgencyStatusRead), headers=LINK_HEADER)
def agencies(**args: Any) -> Any:
    """Per agency: vacancies by state, open, overdue and escalated steps (now)."""
    page = page_request(args)
    return paged(
        vacancies.agency_status(
            db(), actor=current_actor(), where=_filter(args), page=page, now=SystemClock().now()
        )
    )


@blp.route("/monitoring/deviations")
@requires(*MONITORS)
@blp.arguments(MonitoringQuery, location="query", as_kwargs=True)
@blp.response(200, page_of(DeviationRead), headers=LINK_HEADER)
def deviations(**args: Any) -> Any:
    """Decisions in force where the authority picked other than rank 1, with the justification."""
    page = page_request(args)
    return paged(vacancies.deviations(db(), actor=current_actor(), where=_filter(args), page=page))


@blp.route("/monitoring/nine-box")
@requires(*MONITORS)
@blp.arguments(MonitoringQuery, location="query", as_kwargs=True)
@blp.response(200, page_of(NineBoxRead), headers=LINK_HEADER)
def nine_box(**args: Any) -> Any:
    """Per agency: candidates per 9-box of the latest screening of each vacancy."""
    page = page_request(args)
    return paged(vacancies.nine_box(db(), actor=current_actor(), where=_filter(args), page=page))

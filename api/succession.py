"""Succession groups of key positions: list, create, read, and the workflow's actions
(propose, revise, approve, return). Each group body carries the revision the caller read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_smorest import Blueprint

from api.auth import current_actor, requires
from api.pagination import LINK_HEADER, PageQuery, page_of, page_request, paged
from api.personal_data import recorder
from api.requests import json_only
from api.schemas.succession import (
    NationalTalentQuery,
    NationalTalentRead,
    SuccessionGroupCreate,
    SuccessionGroupDetailRead,
    SuccessionGroupQuery,
    SuccessionGroupRead,
    SuccessionReturn,
    SuccessionRevise,
    SuccessionStep,
)
from api.state import db
from workflow import talent
from workflow.models import Role

blp = Blueprint(
    "succession",
    __name__,
    description="Succession groups of key positions: proposed by HR, approved by the PPK",
)

READERS = (Role.HR, Role.AUTHORITY, Role.NATIONAL_REVIEWER, Role.AUDITOR)
ACTORS = (Role.HR, Role.AUTHORITY)
PURPOSE = "succession_group"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@blp.route("/talent/succession-groups")
@requires(*READERS)
@blp.arguments(SuccessionGroupQuery, location="query", as_kwargs=True)
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, page_of(SuccessionGroupRead), headers=LINK_HEADER)
def list_succession_groups(
    position_id: int | None = None,
    year: int | None = None,
    state: str | None = None,
    agency: str | None = None,
    **args: Any,
) -> Any:
    """The groups of the agencies the caller reads, by position, year and state (no names)."""
    return paged(
        talent.list_groups(
            db(),
            actor=current_actor(),
            page=page_request(args),
            position_id=position_id,
            year=year,
            state=state,
            agency=agency,
        )
    )


@blp.route("/talent/succession-groups", methods=["POST"])
@requires(Role.HR)
@json_only
@blp.arguments(SuccessionGroupCreate)
@blp.response(201, SuccessionGroupDetailRead)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def create_succession_group(body: dict[str, Any]) -> Any:
    """Create a draft group of a key position for a year from its ranked successors, each member
    frozen with rank, readiness and lacks, with the pack and reference date. Personal data:
    the successors read are in the access log."""
    return talent.create_group(
        db(),
        recorder=recorder(PURPOSE),
        position_id=body["position_id"],
        year=body["year"],
        pack=body["pack"],
        reference_date=body.get("reference_date") or _now().date(),
        members=body.get("members"),
        now=_now(),
    )


@blp.route("/talent/succession-groups/<id:group_id>")
@requires(*READERS)
@blp.response(200, SuccessionGroupDetailRead)
@blp.alt_response(404, response="NOT_FOUND")
def get_succession_group(group_id: int) -> Any:
    """A group with its members (each in the access log) and the caller's possible actions."""
    return talent.get_group(db(), recorder=recorder(PURPOSE), group_id=group_id)


def _act(group_id: int, action: str, body: dict[str, Any]) -> Any:
    return talent.act(
        db(),
        recorder=recorder(PURPOSE),
        group_id=group_id,
        action=action,
        revision=body["revision"],
        now=_now(),
        reason=body.get("reason"),
        members=body.get("members"),
        pack=body.get("pack"),
        reference_date=body.get("reference_date"),
    )


@blp.route("/talent/succession-groups/<id:group_id>/propose", methods=["POST"])
@requires(*ACTORS)
@json_only
@blp.arguments(SuccessionStep)
@blp.response(200, SuccessionGroupDetailRead)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def propose_succession_group(body: dict[str, Any], group_id: int) -> Any:
    """HR proposes a draft or returned group to the authority (due in 14 days)."""
    return _act(group_id, "propose", body)


@blp.route("/talent/succession-groups/<id:group_id>/revise", methods=["POST"])
@requires(*ACTORS)
@json_only
@blp.arguments(SuccessionRevise)
@blp.response(200, SuccessionGroupDetailRead)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def revise_succession_group(body: dict[str, Any], group_id: int) -> Any:
    """HR recomputes the successors and chooses the members of a draft or returned group again."""
    return _act(group_id, "revise", body)


@blp.route("/talent/succession-groups/<id:group_id>/approve", methods=["POST"])
@requires(*ACTORS)
@json_only
@blp.arguments(SuccessionStep)
@blp.response(200, SuccessionGroupDetailRead)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def approve_succession_group(body: dict[str, Any], group_id: int) -> Any:
    """The authority approves a proposed group: it is frozen for its year and supersedes the
    position's earlier approved group of that year. Not by its proposer nor by a member."""
    return _act(group_id, "approve", body)


@blp.route("/talent/succession-groups/<id:group_id>/return", methods=["POST"])
@requires(*ACTORS)
@json_only
@blp.arguments(SuccessionReturn)
@blp.response(200, SuccessionGroupDetailRead)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def return_succession_group(body: dict[str, Any], group_id: int) -> Any:
    """The authority returns a proposed group to HR with a reason."""
    return _act(group_id, "return", body)


@blp.route("/talent/national")
@requires(Role.NATIONAL_REVIEWER, Role.AUDITOR)
@blp.arguments(NationalTalentQuery, location="query", as_kwargs=True)
@blp.response(200, NationalTalentRead)
def national_talent(assessment_years: int, reference_date: dt.date | None = None) -> Any:
    """National talent monitoring, per agency: the latest talent map's boxes and pool, the
    succession coverage of key positions, data quality, vacancies filled from the succession
    group or from outside, and the median days from opening to decree. Counts only."""
    return talent.national_talent(
        db(),
        actor=current_actor(),
        reference_date=reference_date or _now().date(),
        assessment_years=assessment_years,
    )

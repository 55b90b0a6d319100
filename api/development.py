"""Development plans (HR records activities) and each employee's own view (``/me/...``)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import request
from flask_smorest import Blueprint
from werkzeug.exceptions import BadRequest

from api.auth import current_actor, requires
from api.personal_data import recorder
from api.requests import json_only
from api.schemas.development import (
    ActivityCreate,
    ActivityRead,
    OwnViewRead,
    PlanQuery,
    PlanRead,
)
from api.state import db
from workflow import talent
from workflow.models import Role

blp = Blueprint(
    "development",
    __name__,
    description="Development plans and each employee's own view of their talent data",
)

PLAN_READERS = (Role.HR, Role.AUTHORITY, Role.NATIONAL_REVIEWER, Role.AUDITOR)
"""Who reads an employee's plan: those who read the talent map."""


_KEY = re.compile(r"[A-Za-z0-9._:-]{1,100}")
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": (
        "Optional: a key unique to this activity (1-100 of `A-Z a-z 0-9 . _ : -`). A retry "
        "with the same key for the same employee records nothing twice and answers the "
        "activity first recorded. Malformed: 400."
    ),
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,100}$"},
}


def _request_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not _KEY.fullmatch(key):
        raise BadRequest("The Idempotency-Key header must be 1-100 of A-Z a-z 0-9 . _ : -")
    return key


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@blp.route("/talent/development/<nip:nip>")
@requires(*PLAN_READERS)
@blp.arguments(PlanQuery, location="query", as_kwargs=True)
@blp.response(200, PlanRead)
@blp.alt_response(404, response="NOT_FOUND")
def development_plan(nip: str, reference_date: dt.date | None = None) -> Any:
    """An employee's development plan: the box's recommended development, each competency
    below the next level's standard (by how many levels), the activities recorded and the gaps
    closed. Personal data: the read is in the access log."""
    return talent.development_plan(
        db(),
        recorder=recorder("talent_development"),
        employee=nip,
        reference_date=reference_date or _today(),
    )


@blp.route("/talent/development/<nip:nip>/activities", methods=["POST"])
@requires(Role.HR)
@json_only
@blp.arguments(ActivityCreate)
@blp.response(201, ActivityRead)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(400, response="BAD_REQUEST")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.doc(parameters=[IDEMPOTENCY_KEY])
def record_activity(body: dict[str, Any], nip: str) -> Any:
    """Record a development activity of an employee of HR's own agency. A completed leadership
    training (`training_kind`) also enters the registry's trainings, so the rules read it.
    Recorded in the agency's ledger (`talent.development`)."""
    return talent.record_activity(
        db(),
        actor=current_actor(),
        employee=nip,
        kind=body["kind"],
        title=body["title"],
        occurred_on=body["occurred_on"],
        hours=body.get("hours"),
        competency=body.get("competency"),
        training_kind=body.get("training_kind"),
        now=dt.datetime.now(dt.UTC),
        request_key=_request_key(),
    ), 201


@blp.route("/me/talent")
@requires(Role.EMPLOYEE)
@blp.arguments(PlanQuery, location="query", as_kwargs=True)
@blp.response(200, OwnViewRead)
@blp.alt_response(404, response="NOT_FOUND")
def own_view(reference_date: dt.date | None = None) -> Any:
    """The signed-in employee's own profile, box and its meaning, eligibility for the next
    level with what would make them eligible, development plan and succession lists. Only
    themself; the read is in the access log."""
    return talent.own_view(
        db(), recorder=recorder("own_view"), reference_date=reference_date or _today()
    )


@blp.route("/me/development")
@requires(Role.EMPLOYEE)
@blp.arguments(PlanQuery, location="query", as_kwargs=True)
@blp.response(200, PlanRead)
@blp.alt_response(404, response="NOT_FOUND")
def own_plan(reference_date: dt.date | None = None) -> Any:
    """The signed-in employee's own development plan (the read is in the access log)."""
    return talent.own_plan(
        db(), recorder=recorder("own_view"), reference_date=reference_date or _today()
    )

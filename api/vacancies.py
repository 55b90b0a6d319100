"""Vacancies and their workflow: open, list, read, act, history; the caller's inbox; delegations.

Writes are conditional and idempotent: every POST that changes a vacancy takes an
``Idempotency-Key`` (a retry with the same key replays the first answer), and an action takes
``If-Match: "<version>"`` (the vacancy's ETag): absent is 428, stale is 412 with the current
version in the problem.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import request, url_for
from flask_smorest import Blueprint
from werkzeug.exceptions import BadRequest, PreconditionRequired

from api.auth import current_actor, requires
from api.pagination import LINK_HEADER, PageQuery, page_of, page_request, paged
from api.requests import json_only
from api.schemas.vacancies import (
    DelegationCreate,
    DelegationRead,
    HistoryEntryRead,
    TaskRead,
    VacancyActionCreate,
    VacancyActionRead,
    VacancyCreate,
    VacancyCreated,
    VacancyQuery,
    VacancyRead,
)
from api.state import db
from api.state import jobs as queue
from workflow import jobs, vacancies
from workflow.core import NotFound
from workflow.identity import create_delegation
from workflow.models import Role
from workflow.vacancies import Outcome, VacancyFilter

blp = Blueprint(
    "vacancies",
    __name__,
    description="Vacancies and their approval workflow; the caller's inbox; delegations",
)

READERS = (Role.HR, Role.COMMITTEE, Role.AUTHORITY, Role.NATIONAL_REVIEWER, Role.AUDITOR)
"""Who may read vacancies: everyone in the workflow and auditors; administrators manage
users, not vacancies."""
ACTORS = vacancies.INBOX_ROLES
"""Who has an inbox and may delegate. Actions are open to any user: the action's roles (or a
delegation, which a deputy without the role may hold) decide, as a recorded `ROLE` refusal."""
ACTIONS = vacancies.user_actions()

_KEY = re.compile(r"[A-Za-z0-9._:-]{1,255}")
_VERSION = re.compile(r'(?:W/)?"?([0-9]{1,9})"?')

ETAG_HEADER = {
    "ETag": {"description": 'The vacancy\'s version, e.g. `"3"`', "schema": {"type": "string"}}
}
CREATED_HEADERS = {
    **ETAG_HEADER,
    "Location": {"description": "The new vacancy's URL", "schema": {"type": "string"}},
}
ACCEPTED_HEADERS = {
    **ETAG_HEADER,
    "Location": {"description": "The screening job's URL", "schema": {"type": "string"}},
}
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": True,
    "description": (
        "A key unique to this request (per user; 1-255 of `A-Z a-z 0-9 . _ : -`). A retry with "
        "the same key and body replays the first answer; the same key with another request "
        "is a 422. Absent or malformed: 400."
    ),
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,255}$"},
}
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "description": 'The vacancy\'s ETag as last read, e.g. `"3"` (412 if it moved since, 428 '
    "if absent)",
    "schema": {"type": "string", "minLength": 1},
}
ACTION_PARAMETER = {
    "in": "path",
    "name": "action",
    "required": True,
    "description": "A workflow action a user takes (any other name: 404)",
    "schema": {"type": "string", "enum": ACTIONS},
}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _idempotency_key() -> str:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        raise BadRequest("Send an Idempotency-Key header: a key unique to this request.")
    if not _KEY.fullmatch(key):
        raise BadRequest("The Idempotency-Key header must be 1-255 of A-Z a-z 0-9 . _ : -")
    return key


def _expected_version() -> int:
    """Return the version If-Match names; 0 (never current) for a tag that is not a version."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired('Send If-Match with the vacancy\'s ETag, e.g. If-Match: "3".')
    match = _VERSION.fullmatch(header.strip())
    return int(match.group(1)) if match else 0


def _etag(vacancy: dict[str, Any]) -> dict[str, str]:
    return {"ETag": f'"{vacancy["version"]}"'}


def known_action(action: str) -> None:
    """Check that ``action`` names an action a user takes (the CLI checks it here too).

    :raises NotFound: any other name, automatic actions included: no such resource.
    """
    if action not in ACTIONS:
        raise NotFound(f"no action {action!r}; the actions are {', '.join(ACTIONS)}")


def _action_result(outcome: Outcome) -> dict[str, Any]:
    return {"vacancy": outcome.vacancy, "applied": outcome.applied, "replayed": outcome.replayed}


@blp.route("/vacancies", methods=["POST"])
@requires(Role.HR)
@json_only
@blp.arguments(VacancyCreate)
@blp.response(201, VacancyCreated, headers=CREATED_HEADERS)
@blp.alt_response(400, response="BAD_REQUEST")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.doc(parameters=[IDEMPOTENCY_KEY])
def create_vacancy(body: dict[str, Any]) -> Any:
    """Open a vacancy in `draft` for a position of the caller's agency (HR; not national users).

    The vacancy pins the rule pack (`pack`, default the newest `bkn-national`) and the current
    workflow version.
    """
    outcome = vacancies.open_by_reference(
        db(),
        actor=current_actor(),
        position_code=body["position"],
        title=body["title"],
        reference_date=body["reference_date"],
        pack_reference=body["pack"],
        candidate_tenant_codes=body.get("candidate_tenants"),
        idempotency_key=_idempotency_key(),
        now=_now(),
    )
    vacancy = outcome.vacancy
    location = url_for("vacancies.get_vacancy", vacancy_id=vacancy["id"])
    return {**vacancy, "replayed": outcome.replayed}, 201, {**_etag(vacancy), "Location": location}


@blp.route("/vacancies")
@requires(*READERS)
@blp.arguments(VacancyQuery, location="query", as_kwargs=True)
@blp.response(200, page_of(VacancyRead), headers=LINK_HEADER)
def list_vacancies(**args: Any) -> Any:
    """List the vacancies the caller may read, newest first, by state, position, deadline."""
    page = page_request(args)
    where = VacancyFilter(
        state=args.get("state"),
        position_id=args.get("position"),
        overdue=args.get("overdue"),
        tenant_code=args.get("tenant"),
    )
    return paged(
        vacancies.list_vacancies(db(), actor=current_actor(), where=where, page=page, now=_now())
    )


@blp.route("/vacancies/<id:vacancy_id>")
@requires(*READERS)
@blp.response(200, VacancyRead, headers=ETAG_HEADER)
@blp.alt_response(404, response="NOT_FOUND")
def get_vacancy(vacancy_id: int) -> Any:
    """Show one vacancy, with its ETag for the next action."""
    vacancy = vacancies.get_vacancy(db(), actor=current_actor(), vacancy_id=vacancy_id)
    return vacancy, 200, _etag(vacancy)


@blp.route("/vacancies/<id:vacancy_id>/actions/<string:action>", methods=["POST"])
@requires()
@json_only
@blp.arguments(VacancyActionCreate, required=False)
@blp.response(200, VacancyActionRead, headers=ETAG_HEADER)
@blp.alt_response(
    202,
    schema=VacancyActionRead,
    description="`start_screening` with a job queue: the screening runs as the `job` "
    "(its URL in `Location`); `applied` lists only `start_screening`",
    headers=ACCEPTED_HEADERS,
)
@blp.alt_response(400, response="BAD_REQUEST")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(412, response="PRECONDITION_FAILED")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.alt_response(428, response="PRECONDITION_REQUIRED")
@blp.doc(parameters=[ACTION_PARAMETER, IF_MATCH, IDEMPOTENCY_KEY])
def act(body: dict[str, Any], vacancy_id: int, action: str) -> Any:
    """Take a workflow action on a vacancy, if unchanged since read (If-Match).

    `start_screening` also screens the candidate pool with the pinned pack, as a job split into
    shards: finished before the answer (200, `applied` ends with the screening's outcome) when
    jobs run in-process, otherwise 202 with the `job` to follow. A refusal by a
    role, duty or conflict-of-interest rule is a 403 whose `rule` names it (recorded in the
    ledger); a failed guard is a 422 with its `rule`; an action not possible in the current
    state is a 409 listing the `possible` actions.
    """
    known_action(action)
    on_behalf_of = body.pop("on_behalf_of", None)
    started = jobs.take_action(
        queue(),
        actor=current_actor(),
        vacancy_id=vacancy_id,
        action=action,
        expected_version=_expected_version(),
        idempotency_key=_idempotency_key(),
        payload=body,
        on_behalf_of=on_behalf_of,
        now=_now(),
    )
    outcome, job = started.outcome, started.job
    body = _action_result(outcome)
    if job is not None:
        body["job"] = job.as_json()
    if started.finished or job is None:
        return body, 200, _etag(outcome.vacancy)
    location = url_for("jobs.get_job", job_id=job.id)
    return body, 202, {**_etag(outcome.vacancy), "Location": location}


@blp.route("/vacancies/<id:vacancy_id>/history")
@requires(*READERS)
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, page_of(HistoryEntryRead), headers=LINK_HEADER)
@blp.alt_response(404, response="NOT_FOUND")
def vacancy_history(vacancy_id: int, **args: Any) -> Any:
    """List the actions recorded on a vacancy, in order: who, in which role, for whom, when."""
    return paged(
        vacancies.history(
            db(), actor=current_actor(), vacancy_id=vacancy_id, page=page_request(args)
        )
    )


@blp.route("/tasks")
@requires(*ACTORS)
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, page_of(TaskRead), headers=LINK_HEADER)
def list_tasks(**args: Any) -> Any:
    """List the vacancies waiting on an action the caller's roles can take now, soonest due
    first."""
    return paged(vacancies.inbox(db(), actor=current_actor(), page=page_request(args), now=_now()))


@blp.route("/delegations", methods=["POST"])
@requires(*ACTORS)
@json_only
@blp.arguments(DelegationCreate)
@blp.response(201, DelegationRead)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def create_delegation_view(body: dict[str, Any]) -> Any:
    """Let a colleague of the caller's agency act for the caller in a role they hold, for at
    most 90 days (recorded in the ledger). The delegate acts with `on_behalf_of`."""
    actor, now = current_actor(), _now()
    starts_at = body.get("starts_at") or now
    delegation_id = create_delegation(
        db(),
        actor=actor,
        delegate_username=body["delegate"],
        role=body["role"],
        starts_at=starts_at,
        ends_at=body["ends_at"],
        reason=body["reason"],
        now=now,
    )
    return {
        "id": delegation_id,
        "delegator": actor.username,
        "delegate": body["delegate"],
        "role": body["role"],
        "starts_at": starts_at,
        "ends_at": body["ends_at"],
        "reason": body["reason"].strip(),
    }, 201

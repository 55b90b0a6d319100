"""Talent management: talent-map runs (start, list, show with distributions, a box's people,
replay)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from flask import url_for
from flask_smorest import Blueprint

from api.auth import current_actor, requires
from api.jobs import job_json
from api.pagination import LINK_HEADER, PageQuery, page_of, page_request, paged
from api.personal_data import recorder
from api.requests import json_only
from api.schemas.talent import (
    AgencyQualityRead,
    DataQualityQuery,
    PlacedPersonRead,
    RecordsToFixQuery,
    RecordToFixRead,
    SuccessorListRead,
    SuccessorQuery,
    TalentReplayRead,
    TalentRunCreate,
    TalentRunDetailRead,
    TalentRunQuery,
    TalentRunRead,
    TalentRunsStarted,
)
from api.state import db
from api.state import jobs as job_queue
from workflow import jobs, talent
from workflow.models import Role

blp = Blueprint(
    "talent", __name__, description="Talent-map runs: every employee of an agency on the 9-box"
)

RUNNERS = (Role.HR, Role.NATIONAL_REVIEWER)
"""Who starts a run: HR for their agency, BKN for any agencies."""
READERS = (Role.HR, Role.AUTHORITY, Role.NATIONAL_REVIEWER, Role.AUDITOR)
"""Who reads runs and their people: HR, the authority (PPK) who sets the succession group,
BKN and auditors. Committee members see candidates only inside a vacancy."""
REPLAYERS = (Role.HR, Role.NATIONAL_REVIEWER, Role.AUDITOR)


ACCEPTED_HEADERS = {
    "Location": {"description": "The talent-map job's URL", "schema": {"type": "string"}}
}


@blp.route("/talent/runs", methods=["POST"])
@requires(*RUNNERS)
@json_only
@blp.arguments(TalentRunCreate, required=False)
@blp.response(202, TalentRunsStarted, headers=ACCEPTED_HEADERS)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def start_run(body: dict[str, Any]) -> Any:
    """Map every employee of the agencies on the 9-box and store one run per agency, as a job.

    HR maps its own agency (the default); BKN names `agencies`. Another agency's code is a
    404. The answer is 202 with the `job` (one shard per agency) and its URL in `Location`;
    follow it there (`runs` lists the runs stored). When jobs run in-process the job has
    finished before the answer and `runs` holds them already. Each run's digests and counts
    go to its agency's ledger, the job's start and end to the ledger as `job.*`.
    """
    started = jobs.start_talent_job(
        job_queue(),
        actor=current_actor(),
        agencies=body.get("agencies"),
        pack=body["pack"],
        reference_date=body.get("reference_date"),
        now=dt.datetime.now(dt.UTC),
    )
    location = url_for("jobs.get_job", job_id=started.job.id)
    body = {"job": job_json(started.job), "runs": [asdict(r) for r in started.runs]}
    return body, 202, {"Location": location}


@blp.route("/talent/runs")
@requires(*READERS)
@blp.arguments(TalentRunQuery, location="query", as_kwargs=True)
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, page_of(TalentRunRead), headers=LINK_HEADER)
def list_runs(agency: str | None = None, **args: Any) -> Any:
    """List the runs of the agencies the caller reads, newest first."""
    return paged(
        talent.list_runs(db(), actor=current_actor(), agency=agency, page=page_request(args))
    )


@blp.route("/talent/runs/<id:run_id>")
@requires(*READERS)
@blp.response(200, TalentRunDetailRead)
@blp.alt_response(404, response="NOT_FOUND")
def get_run(run_id: int) -> Any:
    """A run with its distributions by box, by current level and by unit (counts only)."""
    return asdict(talent.run_detail(db(), actor=current_actor(), run_id=run_id))


def _people(run_id: int, box: int | None, pool: bool, args: dict[str, Any]) -> Any:
    return paged(
        talent.box_people(
            db(),
            recorder=recorder("talent_box"),
            run_id=run_id,
            box=box,
            pool=pool,
            page=page_request(args),
        )
    )


@blp.route("/talent/runs/<id:run_id>/boxes/<int:box>/people")
@requires(*READERS)
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, page_of(PlacedPersonRead), headers=LINK_HEADER)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def box_people(run_id: int, box: int, **args: Any) -> Any:
    """The people of one box, by NIP. Personal data: each one returned is in the access log."""
    return _people(run_id, box, False, args)


@blp.route("/talent/runs/<id:run_id>/unmapped/people")
@requires(*READERS)
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, page_of(PlacedPersonRead), headers=LINK_HEADER)
@blp.alt_response(404, response="NOT_FOUND")
def unmapped_people(run_id: int, **args: Any) -> Any:
    """The people without a box (no rated last year or no assessment); logged like a box."""
    return _people(run_id, None, False, args)


@blp.route("/talent/runs/<id:run_id>/pool")
@requires(*READERS)
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, page_of(PlacedPersonRead), headers=LINK_HEADER)
@blp.alt_response(404, response="NOT_FOUND")
def pool_people(run_id: int, **args: Any) -> Any:
    """The talent pool (the pack's `talent_pool_boxes`), by NIP; logged like a box."""
    return _people(run_id, None, True, args)


@blp.route("/talent/runs/<id:run_id>/replay", methods=["POST"])
@requires(*REPLAYERS)
@blp.response(200, TalentReplayRead)
@blp.alt_response(404, response="NOT_FOUND")
def replay_run(run_id: int) -> Any:
    """Recompute the run from its stored snapshot with its pack: reproduced bit for bit, or
    which stored placements (by employee id) differ. Reads only."""
    return talent.replay_run(db(), actor=current_actor(), run_id=run_id).as_dict()


@blp.route("/talent/key-positions/<id:position_id>/successors")
@requires(*READERS)
@blp.arguments(SuccessorQuery, location="query", as_kwargs=True)
@blp.response(200, SuccessorListRead)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def key_position_successors(
    position_id: int, pack: str, limit: int, reference_date: dt.date | None = None
) -> Any:
    """The key position's successors ready now or within the readiness horizon, ranked by the
    vacancy screening's rules and ranking, each with what they still lack. Personal data: each
    one returned is in the access log."""
    found = talent.successors(
        db(),
        recorder=recorder("talent_successors"),
        position_id=position_id,
        pack=pack,
        reference_date=reference_date or dt.datetime.now(dt.UTC).date(),
        limit=limit,
    )
    return found


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@blp.route("/talent/data-quality")
@requires(*READERS)
@blp.arguments(DataQualityQuery, location="query", as_kwargs=True)
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, page_of(AgencyQualityRead), headers=LINK_HEADER)
def data_quality(assessment_years: int, reference_date: dt.date | None = None, **args: Any) -> Any:
    """Each agency's data quality: employees, complete records, score and holes (BKN sees every
    agency side by side; anyone else their own). Counts only."""
    return paged(
        talent.agency_quality(
            db(),
            actor=current_actor(),
            reference_date=reference_date or _today(),
            assessment_years=assessment_years,
            page=page_request(args),
        )
    )


@blp.route("/talent/data-quality/<string:code>/records")
@requires(*READERS)
@blp.arguments(RecordsToFixQuery, location="query", as_kwargs=True)
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, page_of(RecordToFixRead), headers=LINK_HEADER)
@blp.alt_response(404, response="NOT_FOUND")
def records_to_fix(
    code: str,
    assessment_years: int,
    reference_date: dt.date | None = None,
    hole: str | None = None,
    **args: Any,
) -> Any:
    """The agency's records with holes, by NIP, each with its holes. Personal data: each one
    returned is in the access log."""
    return paged(
        talent.records_to_fix(
            db(),
            recorder=recorder("talent_data_quality"),
            agency=code,
            reference_date=reference_date or _today(),
            assessment_years=assessment_years,
            hole=hole,
            page=page_request(args),
        )
    )

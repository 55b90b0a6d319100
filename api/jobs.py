"""Background jobs: a screening's, a talent-map run's, a registry import's or a ledger job's
progress, a ledger export job's result, and stopping a job."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, url_for
from flask_smorest import Blueprint

from api.auth import current_actor, requires
from api.requests import json_only
from api.schemas.jobs import JobCancel, JobRead
from api.state import db
from workflow import jobs
from workflow.models import Role

blp = Blueprint(
    "jobs",
    __name__,
    description="Background jobs: a vacancy's screening in shards, talent-map runs by agency, "
    "registry imports, ledger verifications and exports by chain",
)

READERS = (Role.HR, Role.COMMITTEE, Role.AUTHORITY, Role.NATIONAL_REVIEWER, Role.AUDITOR)
"""Whoever may read the job's vacancy (a talent-map job: its agencies' talent runs; an import:
HR of its agency; a ledger job: auditors and BKN who read every chain it covers)."""
GZIP = "application/gzip"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@blp.route("/jobs/<id:job_id>")
@requires(*READERS)
@blp.response(200, JobRead)
@blp.alt_response(404, response="NOT_FOUND")
def get_job(job_id: int) -> Any:
    """Show a job: its state, shards and candidates done, rate, estimated time left, error.

    A talent-map job (visible to whoever reads the talent runs of every agency it maps) also
    lists its `agencies` and the `runs` stored so far. A registry import (visible to HR of the
    agency it imports into) shows its `agency`, `files` and, once it ended, its `report`: what
    it wrote, or the `problems` (`{file, row, field, message}`) that rejected it.
    lists its `agencies` and the `runs` stored so far. A ledger job (`ledger_verify`,
    `ledger_export`; visible to auditors and BKN who read every chain it covers) lists its
    `agencies` and each chain's result stored so far in `chains`; a verification's `ok` says
    whether every chain verified, a succeeded export's `export` is the URL of its result.
    """
    return job_json(jobs.get_job(db(), actor=current_actor(), job_id=job_id, now=_now()))


def job_json(view: jobs.JobView) -> dict[str, Any]:
    """Return a job as the API shows it (a talent-map job with its agencies and runs)."""
    if view.kind in (jobs.KIND_VERIFY, jobs.KIND_EXPORT):
        ledger_job = jobs.get_ledger_job(db(), actor=current_actor(), job_id=view.id, now=_now())
        body = ledger_job.as_json()
        if view.kind == jobs.KIND_EXPORT and view.state == jobs.SUCCEEDED:
            body["export"] = url_for("jobs.get_export", job_id=view.id)
        return body
    body = view.as_json()
    if view.kind == jobs.KIND_TALENT:
        found = jobs.get_talent_job(db(), actor=current_actor(), job_id=view.id, now=_now())
        body["agencies"] = found.agencies
        body["runs"] = [run.id for run in found.runs]
    elif view.kind == jobs.KIND_IMPORT:
        upload = jobs.get_import_job(db(), actor=current_actor(), job_id=view.id, now=_now())
        body["agency"] = upload.agency
        body["files"] = upload.files
        body["report"] = upload.report
    return body


@blp.route("/jobs/<id:job_id>/cancel", methods=["POST"])
@requires()
@json_only
@blp.arguments(JobCancel)
@blp.response(200, JobRead)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def cancel_job(body: dict[str, Any], job_id: int) -> Any:
    """Stop a queued or running job. A screening: the vacancy is cancelled with the reason.

    The workflow's only way out of `screening` by a user is `cancel` (HR or the authority); a
    caller without that role gets the recorded 403 refusal. A talent-map job is stopped by HR
    or BKN (the runners); agencies not mapped yet get no run. A registry import is stopped by
    HR of its agency: nothing is written and its files are deleted. A job already over is a
    409.
    """
    view = jobs.cancel_job(
        db(), actor=current_actor(), job_id=job_id, reason=body["reason"], now=_now()
    )
    return job_json(view)


@blp.route("/jobs/<id:job_id>/export")
@requires(Role.AUDITOR, Role.NATIONAL_REVIEWER)
@blp.doc(
    responses={
        200: {
            "description": "The export: JSON Lines (docs/ledger.md §4) as one gzip stream, "
            "the chains in code order, streamed",
            "content": {GZIP: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def get_export(job_id: int) -> Response:
    """Stream a succeeded ledger export job's result (gzip; its text is the bytes of
    `flask audit export` for the job's chains). 409 while it runs or if it failed."""
    chunks = jobs.export_stream(db(), actor=current_actor(), job_id=job_id)
    return Response(
        chunks,
        mimetype=GZIP,
        headers={"Content-Disposition": f'attachment; filename="ledger-job-{job_id}.jsonl.gz"'},
    )

"""A background job's progress as JSON for the page's poller (``static/job-progress.js``).

The JSON API takes bearer tokens only, so the pages answer their own script with the signed-in
session: the same use case (:func:`workflow.jobs.get_job`, scoped to the session's actor) and
the progress sentence already in the user's language. Without script the pages' refresh link
does the same.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_babel import gettext as _

from pages.web import bp, current_actor, database, now, signed_in
from workflow import jobs
from workflow.models import Role

READERS = (Role.HR, Role.COMMITTEE, Role.AUTHORITY, Role.NATIONAL_REVIEWER, Role.AUDITOR)
"""As the API's job readers; the use case checks the job's vacancy, agencies or (an import)
that the reader is HR of its agency."""


def progress_label(job: jobs.JobView) -> str:
    """The progress sentence the pages show under a job's bar."""
    counts = {
        "done": job.candidates_done,
        "total": job.candidates_total,
        "shards_done": job.shards_done,
        "shards": job.shards_total,
    }
    if job.kind == jobs.KIND_IMPORT:
        if job.state == jobs.QUEUED:
            return str(_("Waiting for a worker to import the files."))
        return str(
            _(
                "%(done)s of %(total)s kB of the files read",
                done=-(-job.candidates_done // 1024),
                total=-(-job.candidates_total // 1024),
            )
        )
    if job.kind == jobs.KIND_VERIFY:
        return str(
            _(
                "%(done)s of %(total)s entries checked (%(shards_done)s of %(shards)s chains)",
                **counts,
            )
        )
    if job.kind == jobs.KIND_EXPORT:
        return str(
            _(
                "%(done)s of %(total)s entries exported (%(shards_done)s of %(shards)s chains)",
                **counts,
            )
        )
    if job.kind == jobs.KIND_TALENT:
        return str(
            _(
                "%(done)s of %(total)s employees mapped (%(shards_done)s of %(shards)s agencies)",
                **counts,
            )
        )
    return str(
        _(
            "%(done)s of %(total)s candidates screened (%(shards_done)s of %(shards)s parts)",
            **counts,
        )
    )


def time_left(job: jobs.JobView) -> str:
    """About how long is left, or "" when unknown."""
    if (job.seconds_left or 0) < 1:
        return ""
    return str(_("About %(seconds)s seconds left.", seconds=round(job.seconds_left or 0)))


@bp.route("/pekerjaan/<int:job_id>/kemajuan")
@signed_in(*READERS)
def job_progress(job_id: int) -> Any:
    """A job's progress for the page's script: state, bar value and maximum, the sentences."""
    job = jobs.get_job(database(), actor=current_actor(), job_id=job_id, now=now())
    return jsonify(
        {
            "id": job.id,
            "state": job.state,
            "active": job.active,
            "value": job.candidates_done,
            "max": job.candidates_total or 1,
            "label": progress_label(job),
            "left": time_left(job),
        }
    )

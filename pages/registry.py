"""The personnel registry for HR: find an employee by name or NIP, read the profile with its
histories (every view written to the personal-data access log), upload import files and read
their row-by-row problems."""

from __future__ import annotations

import io
from pathlib import PurePosixPath
from typing import IO, Any

from flask import render_template, request
from werkzeug.datastructures import FileStorage

from api.imports import MAX_FILES
from api.personal_data import recorder
from api.state import jobs as job_queue
from pages.jobs import progress_label, time_left
from pages.web import bp, current_actor, database, now, page_request, redirect_to, signed_in
from workflow import jobs, registry
from workflow.core import InvalidInput, NotFound
from workflow.models import Role
from workflow.registry import ImportFile

FILES_FIELD = "berkas"


@bp.route("/pegawai")
@signed_in(Role.HR)
def registry_search() -> Any:
    """Find employees of the user's agency by a part of the name or a NIP prefix."""
    search = (request.args.get("cari") or "").strip()[:100]
    page = registry.list_employees(
        database(),
        recorder=recorder("registry search (pages)"),
        where=registry.EmployeeFilter(
            tenant_code=current_actor().tenant_code, search=search or None
        ),
        page=page_request(),
    )
    return render_template("registry/search.html", page=page, search=search)


@bp.route("/pegawai/<nip>")
@signed_in(Role.HR)
def employee(nip: str) -> Any:
    """One employee's profile with every history."""
    if not nip.isdigit() or len(nip) != 18:
        raise NotFound(f"no employee with NIP {nip}")
    found = registry.get_employee(
        database(), recorder=recorder("employee profile (pages)"), nip=nip
    )
    return render_template("registry/employee.html", e=found)


def _files() -> list[ImportFile]:
    parts = [p for p in request.files.getlist(FILES_FIELD) if p.filename]
    if not parts:
        raise InvalidInput(
            "no file", [{"file": None, "row": None, "field": FILES_FIELD, "message": "no file"}]
        )
    if len(parts) > MAX_FILES:
        raise InvalidInput(
            "too many files",
            [{"file": None, "row": None, "field": FILES_FIELD, "message": f"max {MAX_FILES}"}],
        )
    return [
        ImportFile(
            name=PurePosixPath((part.filename or "").replace("\\", "/")).name,
            opener=_opener(part),
            size=part.content_length or None,
        )
        for part in parts
    ]


def _opener(part: FileStorage) -> Any:
    def open_part() -> IO[bytes]:
        part.stream.seek(0)
        return io.BytesIO(part.stream.read())

    return open_part


@bp.route("/pegawai/impor", methods=["GET", "POST"])
@signed_in(Role.HR)
def registry_upload() -> Any:
    """Upload the files of one import (CSV set and/or JSON profiles) for the user's agency.

    The import runs as a background job: the page follows it (``/pegawai/impor/<job>``) and
    then shows its outcome; with jobs in-process it has finished before the answer.
    """
    if request.method == "GET":
        return render_template("registry/upload.html")
    try:
        started = jobs.start_import_job(
            job_queue(), actor=current_actor(), files=_files(), now=now()
        )
    except InvalidInput as exc:
        return render_template(
            "registry/upload.html", rejected=exc, problems=exc.problems, total=None
        ), 422
    if started.finished and started.report is not None:
        return _outcome(started)
    return redirect_to("pages.registry_import_job", job_id=started.job.id)


@bp.route("/pegawai/impor/<int:job_id>")
@signed_in(Role.HR)
def registry_import_job(job_id: int) -> Any:
    """An import job: its progress while it runs (the page's poller), then its outcome."""
    found = jobs.get_import_job(database(), actor=current_actor(), job_id=job_id, now=now())
    return _outcome(found)


def _outcome(found: jobs.ImportJob) -> Any:
    """The upload page with a job's progress, or the report it ended with (422: rejected)."""
    context: dict[str, Any] = {
        "job": found.job,
        "job_files": found.files,
        "job_label": progress_label(found.job),
        "job_left": time_left(found.job),
    }
    report = found.report
    if report is not None and not report.ok:
        problems = [problem.as_dict() for problem in report.problems]
        return render_template(
            "registry/upload.html",
            rejected=True,
            problems=problems,
            total=report.problems_total,
            **context,
        ), 422
    return render_template("registry/upload.html", report=report, **context)

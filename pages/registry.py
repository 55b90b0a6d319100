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
from api.schemas.registry_import import RegistryRowValidator
from pages.web import bp, current_actor, database, now, page_request, signed_in
from workflow import registry
from workflow.core import InvalidInput, NotFound
from workflow.models import Role
from workflow.registry import ImportFile, ImportRejected

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
    """Upload the files of one import (CSV set and/or JSON profiles) for the user's agency."""
    if request.method == "GET":
        return render_template("registry/upload.html")
    try:
        report = registry.upload_registry(
            database(),
            actor=current_actor(),
            files=_files(),
            validator=RegistryRowValidator(),
            now=now(),
        )
    except ImportRejected as exc:
        return render_template(
            "registry/upload.html",
            rejected=exc,
            problems=exc.problems,
            total=exc.details.get("problems_total"),
        ), 422
    except InvalidInput as exc:
        return render_template(
            "registry/upload.html", rejected=exc, problems=exc.problems, total=None
        ), 422
    return render_template("registry/upload.html", report=report)

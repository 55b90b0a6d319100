"""Uploading registry records over HTTP: the CLI's bulk import, for the uploader's own agency.

``POST /registry/imports`` takes ``multipart/form-data`` with the files of one import: the CSV
set of docs/import.md (recognised by file name) and/or JSON profiles (``.jsonl``/``.json``).
werkzeug spools large parts to temporary files; the request as a whole is bounded by
``MAX_REQUEST_BYTES`` (413 beyond it) and ``MAX_FILES`` parts. The import runs as a job of kind
``registry_import``: the files are stored in the database in pieces (``job_file``) for a
worker on any host, which deletes them when the job ends; no file is held whole. With jobs
in-process (``JOBS_EAGER``) the answer is the import's, as before the queue: 201 with the
report, or 422 with the problems.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from copy import deepcopy
from functools import wraps
from pathlib import PurePosixPath
from typing import IO, Any, TypeVar

from flask import Response, jsonify, request, url_for
from flask_smorest import Blueprint
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import UnsupportedMediaType

from api.auth import current_actor, requires
from api.jobs import job_json
from api.schemas.imports import ImportRead
from api.schemas.jobs import ImportQueuedRead
from api.state import jobs as job_queue
from workflow import jobs
from workflow.core import InvalidInput, SystemClock
from workflow.models import Role
from workflow.registry import ImportFile, ImportRejected

F = TypeVar("F", bound=Callable[..., Any])

blp = Blueprint("imports", __name__, description="Uploading registry records (HR)")

MULTIPART = "multipart/form-data"
ACCEPTED_HEADERS = {
    "Location": {"description": "The import job's URL", "schema": {"type": "string"}}
}
FILES_FIELD = "files"
MAX_FILES = 50
UPLOAD_BODY = {
    "required": True,
    "description": "The files of one import: a CSV set (by file name) and/or JSON profiles",
    "content": {
        MULTIPART: {
            "schema": {
                "type": "object",
                "properties": {
                    FILES_FIELD: {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                        "minItems": 1,
                        "maxItems": MAX_FILES,
                        "description": "One part per file, each with its file name "
                        "(employees.csv, education.csv, …, or *.jsonl / *.json)",
                    }
                },
                "required": [FILES_FIELD],
                "additionalProperties": False,
            }
        }
    },
}


def multipart_only(func: F) -> F:
    """Refuse a request body that is not multipart/form-data with 415 (before reading it)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if request.mimetype != MULTIPART:
            raise UnsupportedMediaType("The request body must be multipart/form-data.")
        return func(*args, **kwargs)

    apidoc = deepcopy(getattr(func, "_apidoc", {}))
    apidoc.setdefault("manual_doc", {}).setdefault("responses", {})[415] = "UNSUPPORTED_MEDIA_TYPE"
    wrapper._apidoc = apidoc  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


@blp.route("/registry/imports", methods=["POST"])
@requires(Role.HR)
@multipart_only
@blp.doc(requestBody=UPLOAD_BODY)
@blp.response(201, ImportRead)
@blp.alt_response(
    202,
    schema=ImportQueuedRead,
    description="With a job queue: the import runs as the `job` (its URL in `Location`), "
    "which shows its `report` once it ended (a failed one lists the `problems`)",
    headers=ACCEPTED_HEADERS,
)
@blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def upload() -> Any:
    """Import the uploaded files into the caller's own agency, all or nothing, as a job.

    Every record must be the caller's agency's; any problem (a row of another agency
    included) rejects the whole import and nothing is written. Accepted, it is written in one
    transaction with a `registry.import` ledger entry.

    The files are stored with a `registry_import` job and a worker imports them: the answer is
    202 with the `job` (URL in `Location`); `GET /jobs/{id}` shows its state and, once it
    ended, its `report` (failed: the `problems` as `{file, row, field, message}`). When jobs run
    in-process the answer is the import's own: 201 with the report, or 422 listing `problems`.
    A malformed upload (no file, too many, a form field) is a 422 before any job.
    """
    started = jobs.start_import_job(
        job_queue(), actor=current_actor(), files=_uploaded_files(), now=SystemClock().now()
    )
    if started.finished and started.report is not None:
        if not started.report.ok:
            raise ImportRejected(started.report)
        return started.report, 201
    location = url_for("jobs.get_job", job_id=started.job.id)
    answer: Response = jsonify(ImportQueuedRead().dump({"job": job_json(started.job)}))
    return answer, 202, {"Location": location}


def _uploaded_files() -> list[ImportFile]:
    """Return the uploaded parts as import files (named by their file names).

    :raises InvalidInput: no file, too many, a part without a file name, or a form field.
    """
    problems = [
        {"file": None, "row": None, "field": name, "message": "unknown form field; send files"}
        for name in request.form
    ]
    parts = list(request.files.items(multi=True))
    if not parts:
        problems.append(
            {"file": None, "row": None, "field": FILES_FIELD, "message": "no file was sent"}
        )
    elif len(parts) > MAX_FILES:
        problems.append(
            {
                "file": None,
                "row": None,
                "field": FILES_FIELD,
                "message": f"at most {MAX_FILES} files per import, not {len(parts)}",
            }
        )
    files = []
    for field, storage in parts:
        name = PurePosixPath((storage.filename or "").replace("\\", "/")).name
        if not name:
            problems.append(
                {
                    "file": None,
                    "row": None,
                    "field": field,
                    "message": "a part without a file name: the name says what the file holds",
                }
            )
            continue
        files.append(ImportFile(name=name, opener=_opener(storage), size=_size(storage)))
    if problems:
        raise InvalidInput("the upload cannot be read as an import", problems)
    return files


def _size(storage: FileStorage) -> int:
    stream = storage.stream
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _opener(storage: FileStorage) -> Callable[[], IO[bytes]]:
    def open_part() -> IO[bytes]:
        storage.stream.seek(0)
        return _Borrowed(storage.stream)  # type: ignore[return-value]

    return open_part


class _Borrowed(io.RawIOBase):
    """A read view of an uploaded part whose close leaves the part itself open."""

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__()
        self._raw = raw

    def readable(self) -> bool:
        """Return True: this stream is for reading."""
        return True

    def read(self, size: int = -1) -> bytes:
        """Read up to ``size`` bytes (all when negative)."""
        return self._raw.read(size)

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` from the part."""
        view = memoryview(buffer).cast("B")
        data = self._raw.read(len(view))
        view[: len(data)] = data
        return len(data)

"""Uploading registry records over HTTP: the CLI's bulk import, for the uploader's own agency.

``POST /registry/imports`` takes ``multipart/form-data`` with the files of one import: the CSV
set of docs/import.md (recognised by file name) and/or JSON profiles (``.jsonl``/``.json``).
werkzeug spools large parts to temporary files, and the import streams them, so no file is
held whole; the request as a whole is bounded by ``MAX_REQUEST_BYTES`` (413 beyond it).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from copy import deepcopy
from functools import wraps
from pathlib import PurePosixPath
from typing import IO, Any, TypeVar

from flask import request
from flask_smorest import Blueprint
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import UnsupportedMediaType

from api.auth import current_actor, requires
from api.schemas.imports import ImportRead
from api.schemas.registry_import import RegistryRowValidator
from api.state import db
from workflow.core import InvalidInput, SystemClock
from workflow.models import Role
from workflow.registry import ImportFile, ImportReport, upload_registry

F = TypeVar("F", bound=Callable[..., Any])

blp = Blueprint("imports", __name__, description="Uploading registry records (HR)")

MULTIPART = "multipart/form-data"
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
@blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def upload() -> Any:
    """Import the uploaded files into the caller's own agency, all or nothing.

    Every record must be the caller's agency's; any problem (a row of another agency
    included) is a 422 listing `problems` as `{file, row, field, message}`, and nothing is
    written. Accepted, it is written in one transaction with a `registry.import` ledger entry.
    """
    report: ImportReport = upload_registry(
        db(),
        actor=current_actor(),
        files=_uploaded_files(),
        validator=RegistryRowValidator(),
        now=SystemClock().now(),
    )
    return report, 201


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

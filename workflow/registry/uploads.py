"""An agency's HR uploading its own registry records: the bulk import, limited to one agency.

The import itself (:func:`workflow.registry.importing.import_registry`) is the CLI's: the same
formats, checks, row-level problems, all-or-nothing transaction and ledger entry. An upload
adds one rule, checked row by row so that a breach is a row-level problem like any other:
**every record belongs to the uploader's own agency** (national users included: BKN uploads
BKN's own staff and positions, never an agency's).

- ``tenants.csv``: only the uploader's own agency, under its stored parent (an upload may
  rename the agency, never move it in the hierarchy or add agencies);
- ``positions.csv``, ``position_competencies.csv``, ``employees.csv`` and JSON profiles: a
  ``tenant_code`` other than the uploader's is refused; the child files (education, …) belong
  to an employee of the same upload, so they follow their employee;
- an employee whose NIP is registered in another agency is refused: upserting it would move
  that agency's employee (a transfer is not an upload).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import ledger
from workflow.core import Actor, Database
from workflow.models import Employee, Tenant
from workflow.registry.importing import (
    ImportFile,
    ImportReport,
    Progress,
    RowRejected,
    RowValidator,
    import_registry,
)
from workflow.registry.records import RecordType

_TENANT_FIELD = {
    RecordType.POSITION: "tenant_code",
    RecordType.POSITION_COMPETENCY: "tenant_code",
    RecordType.EMPLOYEE: "tenant_code",
}


class OwnAgencyOnly:
    """A row validator that refuses, row by row, any record outside one agency."""

    def __init__(
        self, inner: RowValidator, session: Session, tenant_id: int, code: str, parent: str | None
    ) -> None:
        self._inner = inner
        self._session = session
        self._tenant_id = tenant_id
        self._code = code
        self._parent = parent

    def __call__(self, record_type: RecordType, row: Mapping[str, Any], /) -> dict[str, Any]:
        """Return the typed row, or refuse it when it is not the agency's own.

        :raises RowRejected: the inner validator refused it, or it belongs elsewhere.
        """
        clean = self._inner(record_type, row)
        if record_type is RecordType.TENANT:
            self._check_tenant(clean)
        field = _TENANT_FIELD.get(record_type)
        if field is not None and clean.get(field) != self._code:
            raise RowRejected({field: [self._elsewhere(clean.get(field))]})
        if record_type is RecordType.EMPLOYEE:
            self._check_employee(clean["nip"])
        return clean

    def _elsewhere(self, code: object) -> str:
        return f"{code!r} is not your agency: an upload holds records of {self._code} only"

    def _check_tenant(self, clean: Mapping[str, Any]) -> None:
        if clean.get("code") != self._code:
            raise RowRejected({"code": [self._elsewhere(clean.get("code"))]})
        if clean.get("parent_code") != self._parent:
            raise RowRejected(
                {
                    "parent_code": [
                        f"must be {self._parent!r}, the stored parent of {self._code}: "
                        "an upload does not move an agency"
                    ]
                }
            )

    def _check_employee(self, nip: str) -> None:
        tenant_id = self._session.scalar(select(Employee.tenant_id).where(Employee.nip == nip))
        if tenant_id is not None and tenant_id != self._tenant_id:
            raise RowRejected(
                {
                    "nip": [
                        f"NIP {nip} is registered outside {self._code}; "
                        "an upload cannot move an employee between agencies"
                    ]
                }
            )


def upload_registry(
    db: Database,
    *,
    actor: Actor,
    files: Sequence[ImportFile],
    validator: RowValidator,
    now: dt.datetime,
) -> ImportReport:
    """Import ``files`` (a CSV set and/or JSON profiles) for the uploader's own agency.

    All or nothing, in one transaction, recorded in the ledger as the CLI's import is (with the
    uploader as actor); read in this process (no worker processes inside a web worker).

    :raises ImportRejected: any row or file had a problem, a record of another agency
        included; nothing was written.
    """
    return upload_for_agency(
        db,
        tenant_id=actor.tenant_id,
        tenant_code=actor.tenant_code,
        actor_ref=ledger.actor_ref(actor),
        files=files,
        validator=validator,
        now=now,
    )


def upload_for_agency(
    db: Database,
    *,
    tenant_id: int,
    tenant_code: str,
    actor_ref: str | None,
    files: Sequence[ImportFile],
    validator: RowValidator,
    now: dt.datetime,
    progress: Progress | None = None,
    claim: Callable[[Session, ImportReport], bool] | None = None,
) -> ImportReport:
    """Import ``files`` for the agency ``tenant_id`` (``tenant_code``) as its own upload, by
    ``actor_ref`` (``user:<id>``): :func:`upload_registry` for a job, whose worker has no
    signed-in user; ``progress`` and ``claim`` are :func:`import_registry`'s.

    :raises ImportRejected: as :func:`upload_registry`.
    :raises ImportNotClaimed: ``claim`` refused it; nothing was written.
    """
    with _lookups(db) as session:
        parent = session.scalar(
            select(Tenant.code).where(
                Tenant.id
                == select(Tenant.parent_id).where(Tenant.id == tenant_id).scalar_subquery()
            )
        )
        scoped = OwnAgencyOnly(validator, session, tenant_id, tenant_code, parent)
        return import_registry(
            db,
            files=files,
            validator=scoped,
            now=now,
            workers=1,
            actor=actor_ref,
            progress=progress,
            claim=claim,
        )


@contextmanager
def _lookups(db: Database) -> Iterator[Session]:
    """One read session for the per-row lookups, closed when the import is over."""
    with db.read() as session:
        yield session

"""The tamper-evident ledger for auditors: entries, verification, export and checkpoints.

Auditors read their own agency's chain; national users (BKN's auditors and reviewers) read
every agency's. The operations are those of ``flask audit …`` (the same use cases), scoped.
"""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from flask_smorest import Blueprint

from api.auth import current_actor, requires
from api.jobs import job_json
from api.pagination import LINK_HEADER, page_of, page_request, paged
from api.requests import json_only
from api.schemas.ledger import (
    CheckpointCreate,
    CheckpointQuery,
    CheckpointRead,
    CheckpointRunRead,
    EntryQuery,
    EntryRead,
    LedgerJobCreate,
    LedgerJobStarted,
    TenantQuery,
    VerifyRead,
)
from api.state import db, settings
from api.state import jobs as job_queue
from workflow import jobs, ledger
from workflow.core import SystemClock
from workflow.ledger import VerifyReport
from workflow.models import Role

blp = Blueprint("ledger", __name__, description="The tamper-evident ledger (auditors)")

LEDGER_READERS = (Role.AUDITOR, Role.NATIONAL_REVIEWER)
NDJSON = "application/x-ndjson"


@blp.route("/ledger")
@requires(*LEDGER_READERS)
@blp.arguments(EntryQuery, location="query", as_kwargs=True)
@blp.response(200, page_of(EntryRead), headers=LINK_HEADER)
def list_entries(**args: Any) -> Any:
    """List ledger entries, filtered by agency, vacancy, kind and time (by agency and seq)."""
    page = page_request(args)
    where = ledger.EntryFilter(
        tenant_code=args.get("tenant"),
        vacancy_id=args.get("vacancy"),
        kind=args.get("kind"),
        since=args.get("since"),
        until=args.get("until"),
    )
    return paged(ledger.list_entries(db(), actor=current_actor(), where=where, page=page))


@blp.route("/ledger/verify")
@requires(*LEDGER_READERS)
@blp.arguments(TenantQuery, location="query", as_kwargs=True)
@blp.response(200, VerifyRead)
@blp.alt_response(404, response="NOT_FOUND")
def verify(**args: Any) -> VerifyReport:
    """Recompute the chains the caller may read and check the signed checkpoints.

    A broken chain is still a 200: `ok` is false and `first_break` names the first entry
    that does not verify.
    """
    return ledger.audit_verify(
        db(),
        actor=current_actor(),
        tenant_code=args.get("tenant"),
        checkpoint_dir=settings().checkpoint_dir,
    )


@blp.route("/ledger/export")
@requires(*LEDGER_READERS)
@blp.arguments(TenantQuery, location="query", as_kwargs=True)
@blp.doc(
    responses={
        200: {
            "description": "JSON Lines, one entry per line (docs/ledger.md §4), streamed",
            "content": {NDJSON: {"schema": {"type": "string"}}},
        }
    }
)
@blp.alt_response(404, response="NOT_FOUND")
def export(**args: Any) -> Response:
    """Export the chains the caller may read as JSON Lines: the bytes of `flask audit export`."""
    tenant = args.get("tenant")
    chunks = ledger.audit_export(db(), actor=current_actor(), tenant_code=tenant)
    name = f"ledger-{tenant or 'all'}.jsonl"
    return Response(
        chunks,
        mimetype=NDJSON,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


ACCEPTED_HEADERS = {
    "Location": {"description": "The ledger job's URL", "schema": {"type": "string"}}
}


def _start(kind: str, body: dict[str, Any]) -> Any:
    started = jobs.start_ledger_job(
        job_queue(),
        actor=current_actor(),
        kind=kind,
        tenant_code=body.get("tenant"),
        now=SystemClock().now(),
    )
    location = url_for("jobs.get_job", job_id=started.job.id)
    return {"job": job_json(started.job)}, 202, {"Location": location}


@blp.route("/ledger/verifications", methods=["POST"])
@requires(*LEDGER_READERS)
@json_only
@blp.arguments(LedgerJobCreate, required=False)
@blp.response(202, LedgerJobStarted, headers=ACCEPTED_HEADERS)
@blp.alt_response(404, response="NOT_FOUND")
def start_verification(body: dict[str, Any]) -> Any:
    """Verify the chains the caller may read (or one agency's) as a background job.

    One shard per chain: each verifies its chain up to the head it reads at its start and
    checks the signed checkpoints, as `GET /ledger/verify` does. The answer is 202 with the
    `job` and its URL in `Location`; `job.chains` lists each chain's result as it is stored
    (`ok`, or the `first_break`), `job.ok` once all are. When jobs run in-process the job has
    finished before the answer. The job's start and end go to the ledger as `job.*`.
    """
    return _start(jobs.KIND_VERIFY, body)


@blp.route("/ledger/exports", methods=["POST"])
@requires(*LEDGER_READERS)
@json_only
@blp.arguments(LedgerJobCreate, required=False)
@blp.response(202, LedgerJobStarted, headers=ACCEPTED_HEADERS)
@blp.alt_response(404, response="NOT_FOUND")
def start_export(body: dict[str, Any]) -> Any:
    """Export the chains the caller may read (or one agency's) as a background job.

    One shard per chain stores the chain's gzip JSON Lines up to the head it reads at its
    start. Once the job has succeeded, `GET /jobs/{id}/export` (the job's `export`) streams
    them as one gzip stream whose text is the bytes of `flask audit export` for those chains.
    """
    return _start(jobs.KIND_EXPORT, body)


@blp.route("/ledger/checkpoints")
@requires(*LEDGER_READERS)
@blp.arguments(CheckpointQuery, location="query", as_kwargs=True)
@blp.response(200, page_of(CheckpointRead), headers=LINK_HEADER)
def list_checkpoints(**args: Any) -> Any:
    """List the signed checkpoints of the chains the caller may read, newest first."""
    page = page_request(args)
    return paged(
        ledger.list_checkpoints(
            db(),
            actor=current_actor(),
            checkpoint_dir=settings().checkpoint_dir,
            tenant_code=args.get("tenant"),
            page=page,
        )
    )


@blp.route("/ledger/checkpoints", methods=["POST"])
@requires(Role.AUDITOR)
@json_only
@blp.arguments(CheckpointCreate, required=False)
@blp.response(201, CheckpointRunRead)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def create_checkpoint(body: dict[str, Any]) -> Any:
    """Verify and sign a checkpoint of the chains the caller may read (or one agency's).

    A chain that does not verify is never signed: 409, naming it (the others are signed).
    """
    written = ledger.create_checkpoints(
        db(),
        actor=current_actor(),
        settings=settings(),
        tenant_code=body.get("tenant"),
        now=SystemClock().now(),
    )
    return {"checkpoints": written}, 201

"""A registry upload as a ``registry_import`` job: the files wait in the database for a worker
(202 + Location), the worker imports them once (a redelivery imports nothing), a bad file ends
the job failed with the upload's row-level problems and nothing written, the files are deleted
when the job ends, and only HR of the agency sees or stops the job. With jobs in-process the
answers are the import's own (tests/api/test_registry_upload.py)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from api import create_app
from config import Settings
from tests.api.conftest import World
from tests.api.test_registry_upload import _counts, _replace_line, _set_for, _upload
from workflow import jobs
from workflow.core.db import Database
from workflow.jobs import imports as workflow_imports
from workflow.models import Employee, Job, JobFile, LedgerEntry


@pytest.fixture
def queued_app(settings: Settings, world: World) -> Iterator[Flask]:
    """The application with a job queue no worker serves: the test runs the task."""
    application = create_app(
        dataclasses.replace(settings, jobs_eager=False, jobs_broker_url="memory://")
    )
    yield application
    application.extensions["meritflow"].db.dispose()


def _job_ledger(database: Database, job_id: int) -> list[dict[str, Any]]:
    with database.read() as session:
        bodies = session.scalars(
            select(LedgerEntry.body)
            .where(LedgerEntry.kind.like("job.%"))
            .order_by(LedgerEntry.created_at, LedgerEntry.seq)
        ).all()
    entries = [{**json.loads(b)["data"], "entry": json.loads(b)["kind"]} for b in bodies]
    return [e for e in entries if e["job"] == job_id]


def _import_entries(database: Database) -> int:
    with database.read() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(LedgerEntry)
                .where(LedgerEntry.kind == "registry.import")
            )
            or 0
        )


def _files_kept(database: Database) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(JobFile)) or 0


def _broken_set() -> dict[str, str]:
    employees = _set_for("36.00")["employees.csv"]
    broken = _replace_line(employees, 3, employees.splitlines()[2].replace("36.00", "36.73"))
    return _set_for("36.00", {"employees.csv": broken})


EXPECTED_PROBLEM = {
    "file": "employees.csv",
    "row": 3,
    "field": "tenant_code",
    "message": "'36.73' is not your agency: an upload holds records of 36.00 only",
}


def test_eager_the_answer_is_the_imports_and_the_job_is_recorded(
    api: FlaskClient, world: World, database: Database
) -> None:
    answer = _upload(api, world, "province.hr", _set_for("36.00"))
    assert answer.status_code == 201, answer.json
    assert "job" not in answer.json
    assert answer.json["employees"] == {"created": 3, "changed": 0, "unchanged": 0}
    with database.read() as session:
        job = session.scalars(select(Job).where(Job.kind == jobs.KIND_IMPORT)).one()
        assert (job.state, job.shards_done, job.tenant_id) == (
            "succeeded",
            1,
            world.tenant_id["province"],
        )
        job_id = job.id
    assert _files_kept(database) == 0
    shown = api.get(f"/api/v1/jobs/{job_id}", headers=world.headers("province.hr"))
    assert shown.status_code == 200, shown.json
    assert shown.json["kind"] == "registry_import"
    assert shown.json["agency"] == "36.00"
    assert shown.json["report"]["ok"] is True
    assert shown.json["report"]["employees"] == answer.json["employees"]
    assert shown.json["report"]["files"] == answer.json["files"]
    entries = _job_ledger(database, job_id)
    assert [(e["entry"], e.get("state")) for e in entries] == [
        ("job.started", None),
        ("job.finished", "succeeded"),
    ]
    assert entries[0]["kind"] == "registry_import"
    assert {f["name"] for f in entries[0]["files"]} == set(_set_for("36.00"))

    rejected = _upload(api, world, "province.hr", _broken_set())
    assert rejected.status_code == 422
    assert rejected.json["problems"] == [EXPECTED_PROBLEM]


def test_queued_202_then_the_worker_imports_once(
    queued_app: Flask, world: World, database: Database
) -> None:
    client = queued_app.test_client()
    before = _counts(database)
    imports_before = _import_entries(database)
    files = _set_for("36.00")
    answer = _upload(client, world, "province.hr", files)
    assert answer.status_code == 202, answer.json
    job = answer.json["job"]
    assert answer.headers["Location"].endswith(f"/api/v1/jobs/{job['id']}")
    assert (job["kind"], job["state"], job["report"]) == ("registry_import", "queued", None)
    assert job["candidates"]["total"] == sum(len(c.encode()) for c in files.values())
    assert sorted(f["name"] for f in job["files"]) == sorted(files)
    # the files wait in the database, for a worker on any host; nothing is imported yet
    assert _files_kept(database) == len(files)
    assert _counts(database) == before

    queue = queued_app.extensions["meritflow"].jobs
    jobs.run_import(queue, job_id=job["id"])
    shown = client.get(answer.headers["Location"], headers=world.headers("province.hr"))
    assert shown.status_code == 200
    assert shown.json["state"] == "succeeded"
    assert shown.json["shards"] == {"done": 1, "total": 1}
    assert shown.json["report"]["employees"] == {"created": 3, "changed": 0, "unchanged": 0}
    assert shown.json["error"] is None
    after = _counts(database)
    assert after["employee"] == before["employee"] + 3
    assert _import_entries(database) == imports_before + 1
    assert _files_kept(database) == 0
    with database.read() as session:
        tenants = set(
            session.scalars(
                select(Employee.tenant_id).where(Employee.tenant_id == world.tenant_id["province"])
            )
        )
    assert tenants == {world.tenant_id["province"]}

    # redelivered (the worker died after committing, before acknowledging): imports nothing
    jobs.run_import(queue, job_id=job["id"])
    jobs.run_import(queue, job_id=job["id"], shard=0)
    assert _counts(database) == after
    assert _import_entries(database) == imports_before + 1
    assert [e["entry"] for e in _job_ledger(database, job["id"])] == [
        "job.started",
        "job.finished",
    ]


def test_a_bad_file_fails_the_job_with_the_uploads_problems_and_writes_nothing(
    queued_app: Flask, world: World, database: Database
) -> None:
    client = queued_app.test_client()
    before = _counts(database)
    answer = _upload(client, world, "province.hr", _broken_set())
    assert answer.status_code == 202, answer.json
    job_id = answer.json["job"]["id"]
    jobs.run_import(queued_app.extensions["meritflow"].jobs, job_id=job_id)
    shown = client.get(f"/api/v1/jobs/{job_id}", headers=world.headers("province.hr"))
    assert shown.json["state"] == "failed"
    assert shown.json["error"] == ("import rejected: 1 problem(s) in 1 row(s); nothing was written")
    report = shown.json["report"]
    assert report["ok"] is False
    assert report["problems"] == [EXPECTED_PROBLEM]  # what the eager 422 lists
    assert (report["problems_total"], report["rejected_rows"]) == (1, 1)
    assert _counts(database) == before
    assert _files_kept(database) == 0
    finished = _job_ledger(database, job_id)[-1]
    assert (finished["entry"], finished["state"]) == ("job.finished", "failed")
    assert "import rejected" in finished["error"]
    # a file the import cannot read at all: a failed job naming the file
    unknown = _upload(client, world, "province.hr", {"notes.txt": "hello\n"})
    jobs.run_import(queued_app.extensions["meritflow"].jobs, job_id=unknown.json["job"]["id"])
    shown = client.get(
        f"/api/v1/jobs/{unknown.json['job']['id']}", headers=world.headers("province.hr")
    )
    assert shown.json["state"] == "failed"
    assert shown.json["report"]["problems"][0]["file"] == "notes.txt"
    assert _counts(database) == before


def test_only_hr_of_the_agency_sees_or_stops_the_job(
    queued_app: Flask, world: World, database: Database
) -> None:
    client = queued_app.test_client()
    answer = _upload(client, world, "province.hr", _set_for("36.00"))
    url = f"/api/v1/jobs/{answer.json['job']['id']}"
    assert client.get(url, headers=world.headers("province.hr")).status_code == 200
    for user in (
        "city.hr",
        "province.committee",
        "province.auditor",
        "national.national_reviewer",
        "national.hr",
    ):
        seen = client.get(url, headers=world.headers(user))
        assert seen.status_code == 404, user
        stop = client.post(
            f"{url}/cancel", json={"reason": "salah berkas"}, headers=world.headers(user)
        )
        assert stop.status_code == 404, user
    before = _counts(database)
    stopped = client.post(
        f"{url}/cancel", json={"reason": "salah berkas"}, headers=world.headers("province.hr")
    )
    assert stopped.status_code == 200, stopped.json
    assert (stopped.json["state"], stopped.json["error"]) == (
        "cancelled",
        "cancelled: salah berkas",
    )
    assert _files_kept(database) == 0
    # the task arriving afterwards imports nothing
    jobs.run_import(queued_app.extensions["meritflow"].jobs, job_id=answer.json["job"]["id"])
    assert _counts(database) == before
    again = client.post(
        f"{url}/cancel", json={"reason": "lagi"}, headers=world.headers("province.hr")
    )
    assert again.status_code == 409


def test_a_job_stopped_while_its_import_reads_keeps_nothing(
    queued_app: Flask, world: World, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HR stops the job while the worker reads the files: the import's claim, in its own
    transaction, finds the job over, and the whole import rolls back."""
    client = queued_app.test_client()
    before = _counts(database)
    imports_before = _import_entries(database)
    answer = _upload(client, world, "province.hr", _set_for("36.00"))
    job_id = answer.json["job"]["id"]
    queue = queued_app.extensions["meritflow"].jobs
    stopped: list[int] = []

    def stop_once(self: Any, phase: str, done: int, total: int) -> None:
        if not stopped:
            stop = client.post(
                f"/api/v1/jobs/{job_id}/cancel",
                json={"reason": "berkas salah"},
                headers=world.headers("province.hr"),
            )
            stopped.append(stop.status_code)

    monkeypatch.setattr(workflow_imports._Progress, "__call__", stop_once)
    jobs.run_import(queue, job_id=job_id)
    assert stopped == [200]
    assert _counts(database) == before
    assert _import_entries(database) == imports_before
    with database.read() as session:
        job = session.get(Job, job_id)
        assert job is not None
        assert (job.state, job.shards_done) == ("cancelled", 0)
    assert [e["entry"] for e in _job_ledger(database, job_id)] == ["job.started", "job.finished"]


def test_files_are_stored_and_read_in_pieces(
    queued_app: Flask, world: World, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No file is held whole: each is stored in pieces and read back piece by piece, byte for
    byte (the report's SHA-256 of every file is the upload's)."""
    monkeypatch.setattr(workflow_imports, "PIECE", 100)
    client = queued_app.test_client()
    files = _set_for("36.00")
    answer = _upload(client, world, "province.hr", files)
    pieces = sum(-(-len(c.encode()) // 100) or 1 for c in files.values())
    assert _files_kept(database) == pieces > len(files)
    jobs.run_import(queued_app.extensions["meritflow"].jobs, job_id=answer.json["job"]["id"])
    shown = client.get(
        f"/api/v1/jobs/{answer.json['job']['id']}", headers=world.headers("province.hr")
    )
    assert shown.json["state"] == "succeeded", shown.json
    digests = {f["name"]: f["sha256"] for f in shown.json["report"]["files"]}
    assert digests == {
        name: hashlib.sha256(content.encode()).hexdigest() for name, content in files.items()
    }
    assert _files_kept(database) == 0


def test_an_unexpected_error_ends_the_job_failed_and_drops_its_files(
    queued_app: Flask, world: World, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = queued_app.test_client()
    before = _counts(database)
    answer = _upload(client, world, "province.hr", _set_for("36.00"))
    job_id = answer.json["job"]["id"]

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(workflow_imports.registry, "upload_for_agency", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        jobs.run_import(queued_app.extensions["meritflow"].jobs, job_id=job_id)
    shown = client.get(f"/api/v1/jobs/{job_id}", headers=world.headers("province.hr"))
    assert (shown.json["state"], shown.json["report"]) == ("failed", None)
    assert shown.json["error"] == "the import stopped on an error; nothing was written"
    assert _files_kept(database) == 0
    assert _counts(database) == before

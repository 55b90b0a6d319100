"""Talent-map runs as jobs: 202 with the job (finished before the answer when eager), one task
per agency, each agency's run stored once whatever the redeliveries, the job readable by the
talent readers of its agencies only, the scheduler enqueuing instead of mapping."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from api import create_app
from config import Settings
from tests.api.conftest import NOW, World
from tests.support.talent import add_known
from workflow import jobs
from workflow.core.db import Database
from workflow.models import Job, JobShard, LedgerEntry, TalentRun

RUNS = "/api/v1/talent/runs"


@pytest.fixture
def queued_app(settings: Settings, world: World) -> Iterator[Flask]:
    """The application with a job queue no worker serves: the test runs the tasks."""
    application = create_app(
        dataclasses.replace(settings, jobs_eager=False, jobs_broker_url="memory://")
    )
    yield application
    application.extensions["meritflow"].db.dispose()


def _runs(database: Database) -> list[TalentRun]:
    with database.read() as session:
        return list(session.scalars(select(TalentRun).order_by(TalentRun.id)))


def _job_ledger(database: Database) -> list[dict[str, Any]]:
    with database.read() as session:
        bodies = session.scalars(
            select(LedgerEntry.body)
            .where(LedgerEntry.kind.like("job.%"))
            .order_by(LedgerEntry.created_at, LedgerEntry.seq)
        ).all()
    return [{**json.loads(b)["data"], "entry": json.loads(b)["kind"]} for b in bodies]


def test_eager_a_run_is_a_finished_job_and_a_redelivery_stores_nothing(
    api: FlaskClient, api_app: Flask, world: World, database: Database
) -> None:
    add_known(database, tenant_id=world.tenant_id["province"])
    answer = api.post(
        RUNS, json={"reference_date": "2026-03-01"}, headers=world.headers("province.hr")
    )
    assert answer.status_code == 202, answer.json
    job = answer.json["job"]
    assert answer.headers["Location"] == f"/api/v1/jobs/{job['id']}"
    assert job["kind"] == "talent_map"
    assert job["vacancy"] is None
    assert job["state"] == "succeeded"
    assert job["shards"] == {"done": 1, "total": 1}
    assert job["agencies"] == ["36.00"]
    (run,) = answer.json["runs"]
    assert job["runs"] == [run["id"]]
    assert job["result_digest"] == run["result_digest"]
    assert (run["agency"], run["employees"], run["mapped"]) == ("36.00", 10, 7)
    assert job["candidates"] == {"done": 10, "total": 10}
    # the broker redelivers the task after it ran: nothing is mapped or stored again
    queue = api_app.extensions["meritflow"].jobs
    jobs.run_talent_shard(queue, job_id=job["id"], shard=0)
    assert [r.id for r in _runs(database)] == [run["id"]]
    followed = api.get(answer.headers["Location"], headers=world.headers("province.auditor"))
    assert followed.status_code == 200
    assert followed.json["state"] == "succeeded"
    assert followed.json["runs"] == [run["id"]]
    ledger = _job_ledger(database)
    assert [e["entry"] for e in ledger] == ["job.started", "job.finished"]
    assert [e["kind"] for e in ledger] == ["talent_map", "talent_map"]
    assert ledger[0]["agencies"] == ["36.00"]
    assert ledger[0]["employees"] == 10
    assert ledger[1]["state"] == "succeeded"
    assert ledger[1]["result_digest"] == run["result_digest"]


def test_queued_each_agency_is_a_task_stored_once_however_often_it_runs(
    queued_app: Flask, world: World, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_known(database, tenant_id=world.tenant_id["province"])
    add_known(database, tenant_id=world.tenant_id["city"], serial=1)
    client = queued_app.test_client()
    answer = client.post(
        RUNS,
        json={"agencies": ["36.73", "36.00"], "reference_date": "2026-03-01"},
        headers=world.headers("national.national_reviewer"),
    )
    assert answer.status_code == 202, answer.json
    job = answer.json["job"]
    assert (job["state"], job["shards"], job["runs"]) == ("queued", {"done": 0, "total": 2}, [])
    assert job["agencies"] == ["36.00", "36.73"]
    assert answer.json["runs"] == []
    assert _runs(database) == []
    queue = queued_app.extensions["meritflow"].jobs
    jobs.run_talent_shard(queue, job_id=job["id"], shard=0)
    jobs.run_talent_shard(queue, job_id=job["id"], shard=0)  # redelivered after it stored
    assert len(_runs(database)) == 1
    # a worker that found the shard not stored yet while another stored it meanwhile: it maps
    # the agency again, but the (job, shard) key rolls its run (and ledger entry) back
    with monkeypatch.context() as patched:
        patched.setattr("workflow.jobs.talent._stored", lambda *_args: False)
        jobs.run_talent_shard(queue, job_id=job["id"], shard=0)
    assert len(_runs(database)) == 1
    middle = client.get(f"/api/v1/jobs/{job['id']}", headers=world.headers("national.auditor"))
    assert (middle.json["state"], middle.json["shards"]["done"]) == ("running", 1)
    jobs.run_talent_shard(queue, job_id=job["id"], shard=1)
    runs = _runs(database)
    assert sorted(r.tenant_id for r in runs) == sorted(
        [world.tenant_id["province"], world.tenant_id["city"]]
    )
    with database.read() as session:
        shards = session.scalar(
            select(func.count()).select_from(JobShard).where(JobShard.job_id == job["id"])
        )
        maps = session.scalar(
            select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == "talent.map")
        )
    assert (shards, maps) == (2, 2)
    done = client.get(f"/api/v1/jobs/{job['id']}", headers=world.headers("national.auditor")).json
    assert done["state"] == "succeeded"
    assert done["candidates"] == {"done": 20, "total": 20}
    assert sorted(done["runs"]) == sorted(r.id for r in runs)
    assert [e["entry"] for e in _job_ledger(database)] == ["job.started", "job.finished"]


def test_another_agencys_hr_and_non_readers_get_404_on_the_job(
    queued_app: Flask, world: World, database: Database
) -> None:
    add_known(database, tenant_id=world.tenant_id["province"])
    client = queued_app.test_client()
    answer = client.post(RUNS, json={}, headers=world.headers("province.hr"))
    assert answer.status_code == 202, answer.json
    url = answer.headers["Location"]
    for reader in ("province.hr", "province.authority", "province.auditor", "national.auditor"):
        assert client.get(url, headers=world.headers(reader)).status_code == 200, reader
    assert client.get(url, headers=world.headers("national.national_reviewer")).status_code == 200
    for outsider in ("city.hr", "city.auditor", "province.committee"):
        response = client.get(url, headers=world.headers(outsider))
        assert response.status_code == 404, outsider
        assert response.headers["Content-Type"] == "application/problem+json"
    # a job of two agencies is shown only to who reads both
    both = client.post(
        RUNS,
        json={"agencies": ["36.00", "36.73"]},
        headers=world.headers("national.national_reviewer"),
    )
    assert (
        client.get(both.headers["Location"], headers=world.headers("province.hr")).status_code
        == 404
    )
    # and another agency's HR cannot stop it either
    stop = client.post(f"{url}/cancel", json={"reason": "salah"}, headers=world.headers("city.hr"))
    assert stop.status_code == 404


def test_a_stopped_job_stores_no_run(queued_app: Flask, world: World, database: Database) -> None:
    add_known(database, tenant_id=world.tenant_id["province"])
    client = queued_app.test_client()
    job = client.post(RUNS, json={}, headers=world.headers("province.hr")).json["job"]
    refused = client.post(
        f"/api/v1/jobs/{job['id']}/cancel",
        json={"reason": "data belum lengkap"},
        headers=world.headers("province.auditor"),
    )
    assert refused.status_code == 403
    stopped = client.post(
        f"/api/v1/jobs/{job['id']}/cancel",
        json={"reason": "data belum lengkap"},
        headers=world.headers("province.hr"),
    )
    assert stopped.status_code == 200, stopped.json
    assert stopped.json["state"] == "cancelled"
    jobs.run_talent_shard(queued_app.extensions["meritflow"].jobs, job_id=job["id"], shard=0)
    assert _runs(database) == []
    again = client.post(
        f"/api/v1/jobs/{job['id']}/cancel",
        json={"reason": "lagi"},
        headers=world.headers("province.hr"),
    )
    assert again.status_code == 409


def test_bad_input_is_refused_before_any_job(queued_app: Flask, world: World) -> None:
    client = queued_app.test_client()
    headers = world.headers("province.hr")
    assert client.post(RUNS, json={"pack": "no-such-pack"}, headers=headers).status_code == 404
    early = client.post(RUNS, json={"reference_date": "2001-01-01"}, headers=headers)
    assert early.status_code == 422, early.json
    assert "reference_date" in str(early.json)
    other = client.post(RUNS, json={"agencies": ["36.73"]}, headers=headers)
    assert other.status_code == 404
    with queued_app.extensions["meritflow"].db.read() as session:
        assert session.scalar(select(func.count()).select_from(Job)) == 0


def test_the_sweep_enqueues_one_job_per_changed_agency_once(
    queued_app: Flask, world: World, database: Database
) -> None:
    add_known(database, tenant_id=world.tenant_id["province"])
    queue = queued_app.extensions["meritflow"].jobs
    started = jobs.sweep_talent_jobs(queue, now=NOW)
    assert "36.00" in started
    assert _runs(database) == []  # the scheduler maps nothing itself
    assert jobs.sweep_talent_jobs(queue, now=NOW) == []  # their jobs are still queued
    with database.read() as session:
        queued = list(session.scalars(select(Job).where(Job.kind == jobs.KIND_TALENT)))
    assert len(queued) == len(started)
    assert all(job.shards_total == 1 and job.created_by is None for job in queued)
    for job in queued:
        jobs.run_talent_shard(queue, job_id=job.id, shard=0)
    assert {r.trigger for r in _runs(database)} == {"import"}
    assert jobs.sweep_talent_jobs(queue, now=NOW) == []  # mapped, unchanged since

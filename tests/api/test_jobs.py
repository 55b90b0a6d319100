"""Screening as a sharded job: the digest a single process gives, whatever the shards; the
job's API (202 and Location when workers screen, progress, cancel); redelivery stores once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from api import create_app
from bench.pool import pool
from config import Settings
from tests.api.conftest import NOW, World
from tests.support.registry_rows import add_employee
from workflow import jobs, screening, vacancies
from workflow.core.actors import system_actor
from workflow.core.db import Database
from workflow.identity.accounts import actor_by_username
from workflow.models import Employee, Job, JobShard, LedgerEntry, ScreeningRun, Vacancy

POOL = pool(40, seed=7)


def _add_pool(database: Database, world: World) -> None:
    with database.transaction() as session:
        for profile in POOL:
            add_employee(session, profile, tenant_id=world.tenant_id["province"])


def _submitted(database: Database, world: World, key: str) -> tuple[int, int]:
    """Open and submit a province vacancy; return its id and version."""
    with database.read() as session:
        hr = actor_by_username(session, "province.hr")
    opened = vacancies.open_vacancy(
        database,
        actor=hr,
        position_code=world.admin_position_code["province"],
        title="Kepala Bagian Umum (jobs)",
        reference_date=dt.date(2026, 3, 1),
        pack_digest=world.pack_digest,
        idempotency_key=f"{key}-open",
        now=NOW,
    )
    vacancy_id = int(opened.vacancy["id"])
    submitted = vacancies.perform(
        database,
        actor=hr,
        vacancy_id=vacancy_id,
        action="submit",
        expected_version=int(opened.vacancy["version"]),
        idempotency_key=f"{key}-submit",
        now=NOW,
    )
    return vacancy_id, int(submitted.vacancy["version"])


def _pool_size(database: Database, world: World, vacancy_id: int) -> int:
    with database.read() as session:
        vacancy = session.get(Vacancy, vacancy_id)
        assert vacancy is not None
        return int(
            session.scalar(
                select(func.count())
                .select_from(Employee)
                .where(
                    Employee.tenant_id.in_(vacancy.candidate_tenant_ids),
                    (Employee.position_id.is_(None))
                    | (Employee.position_id != vacancy.position_id),
                )
            )
            or 0
        )


def _system(world: World) -> Any:
    return system_actor(world.tenant_id["province"], world.tenant_code["province"], "province")


def _run(database: Database, vacancy_id: int) -> ScreeningRun:
    """Return the vacancy's only stored screening (its shortlist loaded)."""
    with database.read() as session:
        run = session.scalars(
            select(ScreeningRun).where(ScreeningRun.vacancy_id == vacancy_id)
        ).one()
        list(run.entries)
        session.expunge(run)
        return run


@pytest.mark.parametrize("shards", [1, 2, 4])
def test_a_sharded_screening_stores_what_one_process_stores(
    database: Database, world: World, shards: int
) -> None:
    _add_pool(database, world)
    vacancy_id, version = _submitted(database, world, f"sharded-{shards}")
    with database.read() as session:
        vacancy = session.get(Vacancy, vacancy_id)
        assert vacancy is not None
        position_id, tenants = vacancy.position_id, list(vacancy.candidate_tenant_ids)
    single = screening.evaluate_pool(
        database,
        pack_digest=world.pack_digest,
        position_id=position_id,
        reference_date=dt.date(2026, 3, 1),
        tenant_ids=tenants,
    )
    size = math.ceil(_pool_size(database, world, vacancy_id) / shards)
    queue = jobs.make_queue(database, broker_url="memory://", eager=True, shard_size=size)
    started = jobs.start_screening_job(
        queue,
        actor=_system(world),
        vacancy_id=vacancy_id,
        expected_version=version,
        idempotency_key=f"sharded-{shards}-screen",
        now=NOW,
    )
    assert started.finished
    assert started.job is not None
    assert started.job.state == jobs.SUCCEEDED
    assert started.job.shards_total == shards
    assert started.job.candidates_done == single.candidates
    assert started.outcome.applied[0] == "start_screening"
    assert started.outcome.applied[1] in ("complete_screening", "screening_short")
    run = _run(database, vacancy_id)
    assert run.result_digest == single.result_digest == started.job.result_digest
    assert run.input_digest == single.input_digest
    assert run.snapshot == single.snapshot
    assert run.result == single.result
    assert [(e.rank, e.employee_id, e.status) for e in run.entries] == [
        (r.rank, r.employee_id, r.status) for r in single.shortlist
    ]


def test_a_redelivered_shard_and_a_second_finisher_store_once(
    database: Database, world: World
) -> None:
    _add_pool(database, world)
    vacancy_id, version = _submitted(database, world, "redelivered")
    queue = jobs.make_queue(database, broker_url="memory://", eager=False, shard_size=20)
    started = jobs.start_screening_job(
        queue,
        actor=_system(world),
        vacancy_id=vacancy_id,
        expected_version=version,
        idempotency_key="redelivered-screen",
        now=NOW,
    )
    assert not started.finished
    assert started.job is not None
    job_id, total = started.job.id, started.job.shards_total
    assert started.job.state == jobs.QUEUED
    assert total >= 2
    for shard in range(total):
        jobs.run_shard(queue, job_id=job_id, shard=shard)
        jobs.run_shard(queue, job_id=job_id, shard=shard)  # a redelivery
    jobs.finish_job(queue, job_id=job_id)  # a second worker noticing all done
    with database.read() as session:
        stored = session.scalar(
            select(func.count()).select_from(JobShard).where(JobShard.job_id == job_id)
        )
        job = session.get(Job, job_id)
        assert job is not None
        kinds = list(
            session.scalars(
                select(LedgerEntry.kind)
                .where(LedgerEntry.kind.like("job.%"))
                .order_by(LedgerEntry.seq)
            )
        )
    assert stored == total
    assert job.state == jobs.SUCCEEDED
    assert job.shards_done == total
    assert _run(database, vacancy_id).result_digest == job.result_digest
    assert kinds == ["job.started", "job.finished"]


@pytest.fixture(params=["memory", "embedded"])
def queued_app(
    request: pytest.FixtureRequest, settings: Settings, world: World, tmp_path: Path
) -> Iterator[Flask]:
    """The application with a job queue whose workers are not running: a memory broker, and
    the embedded SQLite transport ``make run`` uses (the message waits in its file)."""
    broker = (
        "memory://" if request.param == "memory" else f"sqla+sqlite:///{tmp_path}/jobs-broker.db"
    )
    application = create_app(
        dataclasses.replace(settings, jobs_eager=False, jobs_broker_url=broker)
    )
    yield application
    application.extensions["meritflow"].db.dispose()


def _start(client: FlaskClient, world: World, vacancy_id: int, version: int) -> Any:
    return client.post(
        f"/api/v1/vacancies/{vacancy_id}/actions/start_screening",
        json={},
        headers={
            **world.headers("province.all"),  # a second HR officer: not the submitter
            "If-Match": f'"{version}"',
            "Idempotency-Key": f"start-{vacancy_id}",
        },
    )


def test_start_screening_is_202_with_the_job_when_workers_screen(
    queued_app: Flask, database: Database, world: World
) -> None:
    _add_pool(database, world)
    vacancy_id, version = _submitted(database, world, "accepted")
    client = queued_app.test_client()
    answer = _start(client, world, vacancy_id, version)
    assert answer.status_code == 202, answer.json
    body = answer.json
    assert body["applied"] == ["start_screening"]
    assert body["vacancy"]["state"] == "screening"
    assert body["job"]["state"] == "queued"
    assert answer.headers["Location"] == f"/api/v1/jobs/{body['job']['id']}"
    progress = client.get(answer.headers["Location"], headers=world.headers("province.hr"))
    assert progress.status_code == 200
    assert progress.json["shards"] == {"done": 0, "total": body["job"]["shards"]["total"]}
    assert (
        client.get(answer.headers["Location"], headers=world.headers("city.hr")).status_code == 404
    )
    # the workers' part, in this process
    queue = queued_app.extensions["meritflow"].jobs
    for shard in range(body["job"]["shards"]["total"]):
        jobs.run_shard(queue, job_id=body["job"]["id"], shard=shard)
    done = client.get(answer.headers["Location"], headers=world.headers("province.auditor")).json
    assert done["state"] == "succeeded"
    assert done["candidates"]["done"] == done["candidates"]["total"] > 0
    assert done["applied"][0] in ("complete_screening", "screening_short")
    assert done["result_digest"] == _run(database, vacancy_id).result_digest
    # a retry with the same key replays the start and shows the finished job
    again = _start(client, world, vacancy_id, version)
    assert again.status_code == 200, again.json
    assert again.json["replayed"]
    assert again.json["job"]["state"] == "succeeded"


def test_cancelling_the_job_cancels_the_vacancy_and_the_shards_do_nothing(
    queued_app: Flask, database: Database, world: World
) -> None:
    _add_pool(database, world)
    vacancy_id, version = _submitted(database, world, "cancelled")
    client = queued_app.test_client()
    job = _start(client, world, vacancy_id, version).json["job"]
    refused = client.post(
        f"/api/v1/jobs/{job['id']}/cancel",
        json={"reason": "salah formasi"},
        headers=world.headers("province.committee"),
    )
    assert refused.status_code == 403
    stopped = client.post(
        f"/api/v1/jobs/{job['id']}/cancel",
        json={"reason": "salah formasi"},
        headers=world.headers("province.authority"),
    )
    assert stopped.status_code == 200, stopped.json
    assert stopped.json["state"] == "cancelled"
    queue = queued_app.extensions["meritflow"].jobs
    jobs.run_shard(queue, job_id=job["id"], shard=0)
    with database.read() as session:
        vacancy = session.get(Vacancy, vacancy_id)
        assert vacancy is not None
        assert vacancy.state == "cancelled"
        assert session.scalar(select(func.count()).select_from(JobShard)) == 0
    again = client.post(
        f"/api/v1/jobs/{job['id']}/cancel",
        json={"reason": "lagi"},
        headers=world.headers("province.authority"),
    )
    assert again.status_code == 409


def test_start_screening_finishes_inline_when_eager(api: FlaskClient, world: World) -> None:
    vacancy_id = world.vacancy_id["province"]
    headers = world.headers("province.hr")
    version = int(api.get(f"/api/v1/vacancies/{vacancy_id}", headers=headers).json["version"])
    submitted = api.post(
        f"/api/v1/vacancies/{vacancy_id}/actions/submit",
        json={},
        headers={**headers, "If-Match": f'"{version}"', "Idempotency-Key": "eager-submit"},
    )
    assert submitted.status_code == 200, submitted.json
    answer = _start(api, world, vacancy_id, submitted.json["vacancy"]["version"])
    assert answer.status_code == 200, answer.json
    assert answer.json["applied"][0] == "start_screening"
    assert answer.json["applied"][1] in ("complete_screening", "screening_short")
    assert answer.json["job"]["state"] == "succeeded"


def test_metrics_show_the_jobs(queued_app: Flask, database: Database, world: World) -> None:
    _add_pool(database, world)
    vacancy_id, version = _submitted(database, world, "metrics")
    client = queued_app.test_client()
    job = _start(client, world, vacancy_id, version).json["job"]
    text = client.get("/metrics").get_data(as_text=True)
    assert 'meritflow_jobs{state="queued"} 1.0' in text
    assert f"meritflow_job_shards_waiting {float(job['shards']['total'])}" in text
    queue = queued_app.extensions["meritflow"].jobs
    for shard in range(job["shards"]["total"]):
        jobs.run_shard(queue, job_id=job["id"], shard=shard)
    text = client.get("/metrics").get_data(as_text=True)
    assert 'meritflow_jobs{state="succeeded"} 1.0' in text
    assert f"meritflow_job_shards_processed_total {float(job['shards']['total'])}" in text
    assert "meritflow_job_duration_seconds_count 1.0" in text


@pytest.mark.parametrize("shards", [1, 2, 4])
def test_a_narrowed_sharded_screening_stores_what_one_narrowed_process_stores(
    database: Database, world: World, shards: int
) -> None:
    """Each shard narrows its own NIP range in the database; the union of the narrowed-out
    lists goes into the assembly, so the digests are the single-process narrowed screening's."""
    _add_pool(database, world)
    vacancy_id, version = _submitted(database, world, f"narrowed-{shards}")
    with database.read() as session:
        vacancy = session.get(Vacancy, vacancy_id)
        assert vacancy is not None
        position_id, tenants = vacancy.position_id, list(vacancy.candidate_tenant_ids)
    single = screening.evaluate_pool(
        database,
        pack_digest=world.pack_digest,
        position_id=position_id,
        reference_date=dt.date(2026, 3, 1),
        tenant_ids=tenants,
        narrow=True,
    )
    full = screening.evaluate_pool(
        database,
        pack_digest=world.pack_digest,
        position_id=position_id,
        reference_date=dt.date(2026, 3, 1),
        tenant_ids=tenants,
    )
    assert single.result_digest != full.result_digest  # the narrowing left someone out
    size = math.ceil(_pool_size(database, world, vacancy_id) / shards)
    queue = jobs.make_queue(
        database, broker_url="memory://", eager=True, shard_size=size, narrow=True
    )
    started = jobs.start_screening_job(
        queue,
        actor=_system(world),
        vacancy_id=vacancy_id,
        expected_version=version,
        idempotency_key=f"narrowed-{shards}-screen",
        now=NOW,
    )
    assert started.job is not None
    assert started.job.state == jobs.SUCCEEDED
    assert started.job.shards_total == shards
    assert started.job.candidates_done == started.job.candidates_total == single.candidates
    with database.read() as session:
        plan = session.scalar(select(Job.plan).where(Job.id == started.job.id))
    assert plan is not None
    assert all(shard["narrow"] for shard in plan)
    run = _run(database, vacancy_id)
    assert run.result_digest == single.result_digest == started.job.result_digest
    assert run.input_digest == single.input_digest
    assert run.snapshot == single.snapshot
    assert run.result == single.result
    assert [(e.rank, e.employee_id, e.status) for e in run.entries] == [
        (r.rank, r.employee_id, r.status) for r in single.shortlist
    ]


@pytest.mark.parametrize("size", [1, 7, 23, 1000])
def test_shards_cut_the_agencies_nip_order_into_disjoint_ranges_covering_the_pool(
    database: Database, world: World, size: int
) -> None:
    """One query plans a pool across agencies: every employee of the pool (the position's
    holder left out) is in exactly one shard, a shard holds ``size`` (the last the rest), and
    small agencies share a shard while a large one spans several."""
    others = pool(60, seed=11)
    with database.transaction() as session:
        for profile in POOL:
            add_employee(session, profile, tenant_id=world.tenant_id["province"])
        for i, profile in enumerate(others):
            add_employee(
                session, profile, tenant_id=world.tenant_id["city" if i % 2 else "national"]
            )
    tenants = [world.tenant_id["province"], world.tenant_id["city"]]
    position_id = world.position_id["province"]
    with database.read() as session:
        pool_where = [
            Employee.tenant_id.in_(tenants),
            (Employee.position_id.is_(None)) | (Employee.position_id != position_id),
        ]
        expected = set(session.scalars(select(Employee.id).where(*pool_where)))
        plan = screening.plan_shards(
            session, tenant_ids=tenants, exclude_position_id=position_id, size=size
        )
        members = [
            list(
                session.execute(
                    select(Employee.id, Employee.tenant_id).where(*pool_where, *shard.where())
                )
            )
            for shard in plan
        ]
    assert len(plan) == math.ceil(len(expected) / size)
    assert [len(m) for m in members] == [shard.size for shard in plan]
    assert all(shard.size == size for shard in plan[:-1])
    ids = [employee_id for member in members for employee_id, _ in member]
    assert sorted(ids) == sorted(expected)  # disjoint and covering
    assert [screening.Shard.from_json(s.to_json()) for s in plan] == plan
    if size == 1000:
        assert len({tenant for _, tenant in members[0]}) == 2  # two agencies, one shard
    if size == 7:
        assert sum(1 for m in members if {t for _, t in m} == {tenants[0]}) >= 2


@pytest.mark.parametrize(("least", "narrows"), [(10, True), (100_000, False), (0, False)])
def test_a_job_narrows_when_its_pool_reaches_the_threshold(
    database: Database, world: World, least: int, narrows: bool
) -> None:
    """SCREENING_NARROWING_MIN_POOL: the queue decides from the planned pool's size and writes
    the decision into every shard of the plan; below it the job's digests are the whole pool's
    (what a job stored before narrowing existed), at or above it the narrowed screening's."""
    _add_pool(database, world)
    vacancy_id, version = _submitted(database, world, f"threshold-{least}")
    with database.read() as session:
        vacancy = session.get(Vacancy, vacancy_id)
        assert vacancy is not None
        position_id, tenants = vacancy.position_id, list(vacancy.candidate_tenant_ids)
    size = _pool_size(database, world, vacancy_id)
    assert size >= 10
    expected = screening.evaluate_pool(
        database,
        pack_digest=world.pack_digest,
        position_id=position_id,
        reference_date=dt.date(2026, 3, 1),
        tenant_ids=tenants,
        narrow=narrows,
    )
    queue = jobs.make_queue(
        database, broker_url="memory://", eager=True, shard_size=20, narrow_min_pool=least
    )
    assert queue.narrows(size) is narrows
    started = jobs.start_screening_job(
        queue,
        actor=_system(world),
        vacancy_id=vacancy_id,
        expected_version=version,
        idempotency_key=f"threshold-{least}-screen",
        now=NOW,
    )
    assert started.job is not None
    assert started.job.state == jobs.SUCCEEDED
    assert started.job.shards_total > 1
    with database.read() as session:
        plan = session.scalar(select(Job.plan).where(Job.id == started.job.id))
    assert plan is not None
    assert [bool(shard.get("narrow")) for shard in plan] == [narrows] * len(plan)
    run = _run(database, vacancy_id)
    assert run.result_digest == expected.result_digest == started.job.result_digest
    assert run.input_digest == expected.input_digest

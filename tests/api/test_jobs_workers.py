"""Real Celery workers on the Redis broker: ``flask jobs worker -c 2`` processes screen the
shards and store the single-process digest; a worker's pool process killed with SIGKILL
mid-job gets its shard redelivered, and the screening is still stored exactly once.

Skipped (with the reason) only when Redis is not reachable on 127.0.0.1:6379.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench.pool import pool
from tests.api.conftest import NOW, World
from tests.api.test_jobs import _submitted, _system
from tests.support.registry_rows import add_employee
from workflow import jobs, screening
from workflow.core.db import Database
from workflow.models import Job, JobShard, ScreeningRun, Vacancy

REDIS = "redis://127.0.0.1:6379/11"
ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).parent / "flask"


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(
    not _redis_reachable(), reason="Redis is not reachable on 127.0.0.1:6379"
)


def _purge() -> None:
    import redis

    redis.Redis.from_url(REDIS).flushdb()


@pytest.fixture
def worker_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    _purge()
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "JOBS_BROKER_URL": REDIS,
        "JOBS_EAGER": "0",
        "APP_ENV": "development",
        "INSTANCE_PATH": str(tmp_path / "worker-instance"),
        "LOG_LEVEL": "WARNING",
    }


def _start_worker(env: dict[str, str], concurrency: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(FLASK), "--app", "wsgi", "jobs", "worker", "-c", str(concurrency)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _setup(database: Database, world: World, size: int, shards: int) -> tuple[int, str, int]:
    """Add a pool, submit a vacancy, start its job on Redis; return job, reference digest,
    shards."""
    with database.transaction() as session:
        for profile in pool(size, seed=11):
            add_employee(session, profile, tenant_id=world.tenant_id["province"])
    vacancy_id, version = _submitted(database, world, f"workers-{size}")
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
    queue = jobs.make_queue(
        database,
        broker_url=REDIS,
        eager=False,
        shard_size=math.ceil(single.candidates / shards),
    )
    started = jobs.start_screening_job(
        queue,
        actor=_system(world),
        vacancy_id=vacancy_id,
        expected_version=version,
        idempotency_key=f"workers-{size}-start",
        now=NOW,
    )
    assert started.job is not None
    assert started.job.state == jobs.QUEUED
    return started.job.id, single.result_digest, started.job.shards_total


def _job(database: Database, job_id: int) -> Job:
    with database.read() as session:
        job = session.get(Job, job_id)
        assert job is not None
        session.expunge(job)
        return job


def _wait(database: Database, job_id: int, timeout: float = 180) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = _job(database, job_id)
        if job.state not in jobs.ACTIVE:
            return job
        time.sleep(0.2)
    pytest.fail(f"job {job_id} did not finish in {timeout} s: {_job(database, job_id).state}")


def _stored(database: Database, job_id: int, vacancy_id: int) -> tuple[int, int]:
    with database.read() as session:
        shards = session.scalar(
            select(func.count()).select_from(JobShard).where(JobShard.job_id == job_id)
        )
        runs = session.scalar(
            select(func.count())
            .select_from(ScreeningRun)
            .where(ScreeningRun.vacancy_id == vacancy_id)
        )
    return int(shards or 0), int(runs or 0)


def test_two_real_workers_store_the_single_process_digest(
    database: Database,
    world: World,
    worker_env: dict[str, str],
    workers: list[subprocess.Popen[bytes]],
) -> None:
    job_id, reference, shards = _setup(database, world, 120, 4)
    workers.append(_start_worker(worker_env, 2))
    job = _wait(database, job_id)
    assert job.state == jobs.SUCCEEDED, job.error
    assert job.result_digest == reference
    assert job.vacancy_id is not None
    assert _stored(database, job_id, job.vacancy_id) == (shards, 1)


def _children(pid: int) -> list[int]:
    out = subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
    ).stdout
    return [int(p) for p in out.split()]


def test_a_worker_killed_mid_job_still_stores_once(
    database: Database,
    world: World,
    worker_env: dict[str, str],
    workers: list[subprocess.Popen[bytes]],
) -> None:
    job_id, reference, shards = _setup(database, world, 600, 6)
    worker = _start_worker(worker_env, 1)
    workers.append(worker)
    deadline = time.monotonic() + 120
    killed = 0
    while time.monotonic() < deadline and not killed:
        job = _job(database, job_id)
        if job.state == jobs.RUNNING and job.shards_done < shards:
            # the pool process screening a shard (the worker's main process stays)
            for child in _children(worker.pid):
                for grandchild in _children(child) or [child]:
                    os.kill(grandchild, signal.SIGKILL)
                    killed += 1
        time.sleep(0.05)
    assert killed, "the job never ran"
    job = _wait(database, job_id)
    assert job.state == jobs.SUCCEEDED, job.error
    assert job.result_digest == reference
    assert job.vacancy_id is not None
    assert _stored(database, job_id, job.vacancy_id) == (shards, 1)

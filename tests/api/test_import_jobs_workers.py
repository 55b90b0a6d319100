"""A real Celery worker on the Redis broker (``flask jobs worker``, a separate process that
shares only the database) imports a queued upload from the files stored with its job, and
fails a bad one with the upload's problems, writing nothing. Skipped (with the reason) only
when Redis is not reachable."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from api import create_app
from config import Settings
from tests.api.conftest import World
from tests.api.test_import_jobs import EXPECTED_PROBLEM, _broken_set
from tests.api.test_jobs_workers import (  # noqa: F401 (fixtures)
    _start_worker,
    _wait,
    pytestmark,
    workers,
)
from tests.api.test_registry_upload import _counts, _set_for, _upload
from workflow import jobs
from workflow.core.db import Database
from workflow.models import JobFile

REDIS = "redis://127.0.0.1:6379/13"
"""This test's own Redis database (flushed before it runs, never FLUSHALL)."""


@pytest.fixture
def redis_app(settings: Settings, world: World) -> Flask:
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    return create_app(settings.replace(jobs_eager=False, jobs_broker_url=REDIS))


def test_a_real_worker_imports_the_stored_files_once(
    redis_app: Flask,
    database: Database,
    database_url: str,
    world: World,
    tmp_path: Path,
    workers: list[subprocess.Popen[bytes]],  # noqa: F811
) -> None:
    client = redis_app.test_client()
    before = _counts(database)
    good = _upload(client, world, "province.hr", _set_for("36.00"))
    bad = _upload(client, world, "province.hr", _broken_set())
    assert (good.status_code, bad.status_code) == (202, 202)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "JOBS_BROKER_URL": REDIS,
        "JOBS_EAGER": "0",
        "APP_ENV": "development",
        "INSTANCE_PATH": str(tmp_path / "worker-instance"),
        "LOG_LEVEL": "WARNING",
    }
    workers.append(_start_worker(env, 1))
    done = _wait(database, good.json["job"]["id"])
    failed = _wait(database, bad.json["job"]["id"])
    assert (done.state, done.error) == (jobs.SUCCEEDED, None)
    assert failed.state == jobs.FAILED
    report = jobs.import_report(database, job_id=failed.id)
    assert report is not None
    assert [p.as_dict() for p in report.problems] == [EXPECTED_PROBLEM]
    assert _counts(database)["employee"] == before["employee"] + 3
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(JobFile)) == 0
    redis_app.extensions["meritflow"].db.dispose()

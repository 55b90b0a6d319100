"""A real Celery worker on the Redis broker (``flask jobs worker``) maps a BKN talent-map job
of three agencies, one task each, and stores one run per agency, digest for digest the runs
the same maps give in process. Skipped (with the reason) only when Redis is not reachable."""

from __future__ import annotations

import subprocess

from sqlalchemy import select

from tests.api.conftest import NOW, World
from tests.api.test_jobs_workers import (  # noqa: F401 (fixtures)
    REDIS,
    _start_worker,
    _wait,
    pytestmark,
    worker_env,
    workers,
)
from tests.support.talent import add_known
from workflow import jobs, talent
from workflow.core.db import Database
from workflow.identity.accounts import actor_by_username
from workflow.models import TalentRun


def test_a_real_worker_maps_each_agency_once(
    database: Database,
    world: World,
    worker_env: dict[str, str],  # noqa: F811
    workers: list[subprocess.Popen[bytes]],  # noqa: F811
) -> None:
    add_known(database, tenant_id=world.tenant_id["province"])
    add_known(database, tenant_id=world.tenant_id["city"], serial=1)
    with database.read() as session:
        bkn = actor_by_username(session, "national.national_reviewer")
    agencies = ["bkn", "36.00", "36.73"]
    reference = talent.run_talent_map(database, actor=bkn, agencies=agencies, now=NOW)
    queue = jobs.make_queue(database, broker_url=REDIS, eager=False, shard_size=5000)
    started = jobs.start_talent_job(
        queue, actor=bkn, agencies=agencies, pack="bkn-national", reference_date=None, now=NOW
    )
    assert started.job.state == jobs.QUEUED
    assert started.job.shards_total == 3
    workers.append(_start_worker(worker_env, 2))
    job = _wait(database, started.job.id)
    assert job.state == jobs.SUCCEEDED, job.error
    made = jobs.job_runs(database, job_id=job.id)
    assert [r.agency for r in made] == [r.agency for r in reference]  # by agency id
    assert sorted(r.agency for r in made) == sorted(agencies)
    assert [r.result_digest for r in made] == [r.result_digest for r in reference]
    with database.read() as session:
        stored = session.scalars(select(TalentRun.id)).all()
    assert len(stored) == 2 * len(agencies)  # the in-process reference maps and the job's

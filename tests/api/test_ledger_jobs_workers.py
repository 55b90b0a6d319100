"""A real Celery worker on Redis (``flask jobs worker -c 2``) verifies and exports a national
ledger job chain by chain: the tampered chain's first broken link is the inline verification's,
the export's text is ``flask audit export``'s taken when the job started. Skipped (with the
reason) only when Redis is not reachable."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from api import create_app
from config import Settings
from tests.api.conftest import NOW, World
from tests.api.test_jobs_workers import _start_worker, _wait, pytestmark, workers  # noqa: F401
from tests.support.ledger import clock, fill
from tests.support.tamper import rewrite_body
from workflow import jobs, ledger
from workflow.core.db import Database
from workflow.identity.accounts import actor_by_username

REDIS = "redis://127.0.0.1:6379/14"
"""This suite's own Redis database (emptied before each test: FLUSHDB of 14 only)."""


@pytest.fixture
def ledger_worker_env(database_url: str, settings: Settings, tmp_path: Path) -> dict[str, str]:
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "JOBS_BROKER_URL": REDIS,
        "JOBS_EAGER": "0",
        "APP_ENV": "development",
        "INSTANCE_PATH": str(tmp_path / "worker-instance"),
        "CHECKPOINT_DIR": str(settings.checkpoint_dir),
        "LOG_LEVEL": "WARNING",
    }


@pytest.fixture
def cli_app(settings: Settings, world: World) -> Iterator[object]:
    application = create_app(settings)
    yield application
    application.extensions["meritflow"].db.dispose()


def test_a_real_worker_verifies_and_exports_each_chain_once(
    database: Database,
    world: World,
    cli_app: object,
    ledger_worker_env: dict[str, str],
    workers: list[subprocess.Popen[bytes]],  # noqa: F811
) -> None:
    at = clock()
    fill(database, world.tenant_id["province"], 40, at)
    fill(database, world.tenant_id["city"], 25, at)
    rewrite_body(database, tenant_id=world.tenant_id["city"], seq=9)
    with database.read() as session:
        auditor = actor_by_username(session, "national.auditor")
    queue = jobs.make_queue(database, broker_url=REDIS, eager=False, shard_size=5000)
    verify = jobs.start_ledger_job(
        queue, actor=auditor, kind=jobs.KIND_VERIFY, tenant_code=None, now=NOW
    )
    export = jobs.start_ledger_job(
        queue, actor=auditor, kind=jobs.KIND_EXPORT, tenant_code=None, now=NOW
    )
    assert (verify.job.state, export.job.state) == (jobs.QUEUED, jobs.QUEUED)
    # the operator's export now: both jobs' job.started entries included, nothing after
    runner = cli_app.test_cli_runner()  # type: ignore[attr-defined]
    expected = runner.invoke(args=["audit", "export"]).stdout_bytes
    workers.append(_start_worker(ledger_worker_env, 2))
    assert _wait(database, verify.job.id).state == jobs.SUCCEEDED
    assert _wait(database, export.job.id).state == jobs.SUCCEEDED
    found = jobs.get_ledger_job(database, actor=auditor, job_id=verify.job.id, now=NOW)
    report = found.report
    assert report is not None
    assert [t.tenant for t in report.tenants] == ["36.00", "36.73", "bkn"]
    inline = ledger.verify(database, tenant_code="36.73")
    city = report.tenant("36.73")
    assert city.first_break is not None
    assert city.first_break.seq == 9
    assert (city.entries, city.first_break) == (
        inline.tenants[0].entries,
        inline.tenants[0].first_break,
    )
    assert report.tenant("36.00").ok
    done = jobs.get_ledger_job(database, actor=auditor, job_id=export.job.id, now=NOW)
    assert len({c.tenant for c in done.chains}) == 3
    data = gzip.decompress(
        b"".join(jobs.export_stream(database, actor=auditor, job_id=done.job.id))
    )
    # the operator's export at the start is a prefix (bkn, the jobs' own chain, comes last)
    assert data.startswith(expected)
    # and the whole is the operator's export now with bkn's chain up to its shard's head: the
    # worker may have run that shard after the verification's job.finished
    bkn_upto = {c.tenant: c.upto for c in done.chains}["bkn"]
    now_lines = runner.invoke(args=["audit", "export"]).stdout_bytes.splitlines(keepends=True)
    assert data == b"".join(
        line
        for line in now_lines
        if not (line.startswith(b'{"tenant":"bkn"') and json.loads(line)["seq"] > bkn_upto)
    )

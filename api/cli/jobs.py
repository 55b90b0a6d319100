"""``flask jobs``: run a worker of the background jobs, show a job."""

from __future__ import annotations

import datetime as dt
import json
import socket

import click
from flask.cli import AppGroup

from api.cli.errors import reported
from api.converters import MAX_ID
from api.state import jobs as job_queue
from rules.vocab import TenantLevel
from workflow import jobs
from workflow.core import Actor
from workflow.jobs import QUEUE

jobs_cli = AppGroup("jobs", help="Background jobs: run a worker, show a job.")

OPERATOR = Actor(
    user_id=0,
    username="operator",
    tenant_id=0,
    tenant_code="-",
    tenant_level=TenantLevel.NATIONAL.value,
    roles=frozenset(),
)


@jobs_cli.command("worker")
@click.option("-c", "--concurrency", type=click.IntRange(1, 64), default=1, show_default=True)
@click.option("--loglevel", default="INFO", show_default=True)
@click.option("--hostname", default=None, help="Worker name (default: celery@<host>.<pid>).")
def worker(concurrency: int, loglevel: str, hostname: str | None) -> None:
    """Run a Celery worker with this service's configuration until interrupted.

    Stateless: run as many as you like on any hosts that reach the database and the broker.
    """
    queue = job_queue()
    if queue.eager:
        raise click.ClickException("JOBS_EAGER is set: jobs run in the requesting process")
    queue.db.dispose()  # the worker's pool processes open their own connections
    name = hostname or f"meritflow@{socket.gethostname()}"
    queue.celery.worker_main(
        [
            "worker",
            f"--concurrency={concurrency}",
            f"--loglevel={loglevel}",
            f"--queues={QUEUE}",
            f"--hostname={name}",
            "--without-gossip",
            "--without-mingle",
        ]
    )


@jobs_cli.command("show")
@click.argument("job_id", type=click.IntRange(1, MAX_ID))
def show(job_id: int) -> None:
    """Print a job as JSON: state, shards, candidates, rate, estimated time left, error."""
    with reported():
        view = jobs.get_job(
            job_queue().db, actor=OPERATOR, job_id=job_id, now=dt.datetime.now(dt.UTC)
        )
    click.echo(json.dumps(view.as_json(), default=str, indent=2, ensure_ascii=False))

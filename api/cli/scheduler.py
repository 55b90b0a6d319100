"""``flask scheduler``: the timer process (APScheduler 3) that sweeps due dates."""

from __future__ import annotations

import datetime as dt

import click
import structlog
from apscheduler.schedulers.blocking import BlockingScheduler
from flask.cli import AppGroup

from api.state import db, settings
from api.state import jobs as job_queue
from workflow import jobs, vacancies
from workflow.core import Database
from workflow.jobs import JobQueue

log = structlog.get_logger(__name__)

scheduler_cli = AppGroup("scheduler", help="SLA reminders, escalations and pending screenings.")

SLA_JOB_ID = "sla-sweep"
SCREENING_JOB_ID = "screening-sweep"
TALENT_JOB_ID = "talent-sweep"
"""Fixed job ids: a restart replaces the jobs instead of adding duplicates."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def run_sla_sweep(database: Database) -> None:
    """Run one SLA sweep (a scheduled job: it runs on a worker thread, outside any app context)."""
    report = vacancies.sweep_deadlines(database, now=_now())
    log.debug("sla_sweep_done", reminded=report.reminded, escalated=report.escalated)


STALE_SCREENING = dt.timedelta(minutes=5)
"""A vacancy in ``screening`` this long without an active job gets one (its start was lost)."""


def run_screening_sweep(queue: JobQueue) -> None:
    """Enqueue screenings of submitted vacancies and of stuck ones (a scheduled job): the
    workers screen them, never the scheduler."""
    done = jobs.pending_jobs(queue, now=_now(), stale_after=STALE_SCREENING)
    if done:
        log.info("screening_sweep_done", vacancies=done)


def run_talent_sweep(queue: JobQueue) -> None:
    """Enqueue a talent-map job for every agency whose registry changed since its last run (a
    scheduled job): the workers map them, never the scheduler."""
    started = jobs.sweep_talent_jobs(queue, now=_now())
    if started:
        log.info("talent_sweep_done", agencies=started)


@scheduler_cli.command("run")
def run() -> None:
    """Run the scheduler in this process until interrupted (one per deployment is enough;
    a second one is harmless: sweeps lock each row and re-check it)."""
    interval = settings().scheduler_interval_seconds
    scheduler = BlockingScheduler(timezone=dt.UTC)
    database = db()
    sweeps = (
        (run_sla_sweep, (database,), SLA_JOB_ID),
        (run_screening_sweep, (job_queue(),), SCREENING_JOB_ID),
        (run_talent_sweep, (job_queue(),), TALENT_JOB_ID),
    )
    for job, args, job_id in sweeps:
        scheduler.add_job(
            job,
            "interval",
            args=args,
            seconds=interval,
            id=job_id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            next_run_time=_now(),
        )
    click.echo(f"scheduler: sweeping every {interval} s (Ctrl-C stops it)")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)


@scheduler_cli.command("sweep")
@click.option("--at", "at", default=None, help="Sweep as if it were this ISO 8601 time (UTC).")
def sweep_once(at: str | None) -> None:
    """Run one sweep now (or as of --at) and print what it did."""
    now = _now()
    if at:
        try:
            parsed = dt.datetime.fromisoformat(at)
        except ValueError:
            raise click.BadParameter(f"{at!r} is not an ISO 8601 time", param_hint="--at") from None
        now = parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)
    screened = jobs.pending_jobs(job_queue(), now=now, stale_after=STALE_SCREENING)
    report = vacancies.sweep_deadlines(db(), now=now)
    mapped = jobs.sweep_talent_jobs(job_queue(), now=now)
    click.echo(
        f"screened: {screened or 'none'}; reminded: {report.reminded or 'none'}; "
        f"escalated: {report.escalated or 'none'}; talent maps: {', '.join(mapped) or 'none'}"
    )

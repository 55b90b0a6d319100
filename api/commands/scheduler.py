"""``flask scheduler``: the timer process (APScheduler 3) that sweeps due dates."""

from __future__ import annotations

import datetime as dt

import click
import structlog
from apscheduler.schedulers.blocking import BlockingScheduler
from flask.cli import AppGroup

from api.state import db, settings
from workflow import sla

log = structlog.get_logger(__name__)

scheduler_cli = AppGroup("scheduler", help="SLA reminders, escalations and pending screenings.")

SLA_JOB_ID = "sla-sweep"
"""Fixed job ids: a restart replaces the jobs instead of adding duplicates."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def run_sla_sweep() -> None:
    """Run one SLA sweep against the app's database (the scheduled job)."""
    report = sla.sweep(db(), now=_now())
    log.debug("sla_sweep_done", reminded=report.reminded, escalated=report.escalated)


@scheduler_cli.command("run")
def run() -> None:
    """Run the scheduler in this process until interrupted (one per deployment is enough;
    a second one is harmless: sweeps lock each row and re-check it)."""
    interval = settings().scheduler_interval_seconds
    scheduler = BlockingScheduler(timezone=dt.UTC)
    scheduler.add_job(
        run_sla_sweep,
        "interval",
        seconds=interval,
        id=SLA_JOB_ID,
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
        parsed = dt.datetime.fromisoformat(at)
        now = parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)
    report = sla.sweep(db(), now=now)
    click.echo(f"reminded: {report.reminded or 'none'}; escalated: {report.escalated or 'none'}")

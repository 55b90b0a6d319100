"""SLA timers: a reminder at 75 %, an escalation on breach, each exactly once."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from tests.support.world import World, build_world
from workflow.core.db import Database, connect
from workflow.ledger import chain as ledger
from workflow.models import LedgerEntry, Vacancy
from workflow.vacancies import sla

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def world(database: Database) -> World:
    return build_world(database)


def entered(world: World, vacancy_id: int) -> Vacancy:
    with world.db.read() as session:
        vacancy = session.get(Vacancy, vacancy_id)
        assert vacancy is not None
        return vacancy


def sla_entries(db: Database) -> list[dict[str, Any]]:
    with db.read() as session:
        return [
            json.loads(b)
            for b in session.scalars(
                select(LedgerEntry.body)
                .where(LedgerEntry.kind.like("sla.%"))
                .order_by(LedgerEntry.seq)
            )
        ]


def test_reminder_at_three_quarters_then_escalation_on_breach(world: World) -> None:
    vacancy_id = world.to_committee()
    vacancy = entered(world, vacancy_id)
    start = vacancy.state_entered_at
    assert vacancy.due_at == start + dt.timedelta(days=10)
    assert vacancy.reminder_at == start + dt.timedelta(days=7, hours=12)

    assert sla.sweep(world.db, now=start + dt.timedelta(days=7, hours=11)).reminded == []
    assert sla.sweep(world.db, now=start + dt.timedelta(days=7, hours=12)).reminded == [vacancy_id]
    assert sla.sweep(world.db, now=start + dt.timedelta(days=8)).reminded == []
    report = sla.sweep(world.db, now=start + dt.timedelta(days=10))
    assert report.escalated == [vacancy_id]
    assert sla.sweep(world.db, now=start + dt.timedelta(days=11)).escalated == []

    after = entered(world, vacancy_id)
    assert after.state == "committee_review"
    assert after.version == vacancy.version  # timers never bump the version clients hold
    assert after.escalated_to == "authority"
    assert [(e["kind"], e["data"]["vacancy"]) for e in sla_entries(world.db)] == [
        ("sla.reminder", vacancy_id),
        ("sla.escalated", vacancy_id),
    ]
    assert sla_entries(world.db)[1]["data"]["escalated_to"] == "authority"
    assert ledger.verify(world.db).ok


def test_leaving_the_state_resets_the_timers(world: World) -> None:
    vacancy_id = world.to_committee()
    start = entered(world, vacancy_id).state_entered_at
    sla.sweep(world.db, now=start + dt.timedelta(days=10))
    assert entered(world, vacancy_id).escalated_to == "authority"
    world.act("boss", vacancy_id, "return", reason="the committee did not meet")
    vacancy = entered(world, vacancy_id)
    assert vacancy.state == "returned"
    assert vacancy.escalated_to is None
    assert vacancy.reminded_at is None
    assert vacancy.due_at == vacancy.state_entered_at + dt.timedelta(days=14)


def test_final_states_have_no_timers(world: World) -> None:
    vacancy_id = world.to_committee()
    world.act("boss", vacancy_id, "cancel", reason="abolished")
    vacancy = entered(world, vacancy_id)
    assert (vacancy.due_at, vacancy.reminder_at) == (None, None)
    assert (
        sla.sweep(world.db, now=vacancy.state_entered_at + dt.timedelta(days=400)).escalated == []
    )


def test_two_schedulers_at_once_escalate_each_step_once(world: World, database_url: str) -> None:
    ids = [world.to_committee() for _ in range(3)]
    breach = max(
        entered(world, i).due_at or dt.datetime.max.replace(tzinfo=dt.UTC) for i in ids
    ) + dt.timedelta(minutes=1)
    results: list[sla.SweepReport] = []
    barrier = threading.Barrier(4)

    def scheduler() -> None:
        own = connect(database_url, pool_size=0)
        barrier.wait()
        results.append(sla.sweep(own, now=breach))
        own.dispose()

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    escalated = sorted(i for r in results for i in r.escalated)
    assert escalated == sorted(ids)
    kinds = [e["kind"] for e in sla_entries(world.db)]
    assert kinds.count("sla.escalated") == 3
    assert kinds.count("sla.reminder") == 0  # overdue: the reminder is moot
    assert ledger.verify(world.db).ok


def test_scheduler_sweep_command(world: World, runner: FlaskCliRunner) -> None:
    vacancy_id = world.to_committee()
    due = entered(world, vacancy_id).due_at
    assert due is not None
    result = runner.invoke(args=["scheduler", "sweep", "--at", due.isoformat()])
    assert result.exit_code == 0, result.output
    assert f"escalated: [{vacancy_id}]" in result.output


def test_the_scheduler_process_escalates_an_overdue_step(
    world: World, database_url: str, tmp_path: Path
) -> None:
    vacancy_id = world.to_committee()
    with world.db.transaction() as session:
        vacancy = session.get(Vacancy, vacancy_id)
        assert vacancy is not None
        vacancy.due_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path),
        "SCHEDULER_INTERVAL_SECONDS": "1",
        "APP_ENV": "test",
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and entered(world, vacancy_id).escalated_to is None:
            time.sleep(0.2)
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0].decode()
    assert entered(world, vacancy_id).escalated_to == "authority", output
    assert "sweeping every 1 s" in output

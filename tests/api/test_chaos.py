"""The short form of bench/chaos.py: nothing acknowledged is lost or applied twice under crashes.

gunicorn in production mode under 16 clients of audited actions: on a private PostgreSQL
instance with workers SIGKILLed and the database crashed and restarted once; on SQLite with the
whole server SIGKILLed and restarted on the same file; and an SLA sweep killed mid-way. The long
form (`python bench/chaos.py`) runs the same code for longer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import chaos
from bench.servers import PrivatePostgres, postgres_available

CLIENTS = 16
SECONDS = 6
KILL_EVERY = 2.0


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    """A private PostgreSQL cluster this test may crash."""
    if not postgres_available():
        pytest.fail("PostgreSQL binaries (initdb, pg_ctl) are needed for the crash test")
    server = PrivatePostgres()
    server.start()
    yield server
    server.destroy()


def assert_proved(proof: chaos.Proof) -> None:
    report = "\n".join(proof.lines())
    assert proof.acknowledged > 0, report
    assert proof.lost == [], report
    assert proof.applied_twice == [], report
    assert proof.disagreeing == [], report
    assert proof.chains_verify, report
    assert proof.unresolved == 0, report
    assert proof.server_errors == 0, report


def test_postgresql_with_workers_killed_and_the_database_crashed(
    private_postgres: PrivatePostgres, tmp_path: Path
) -> None:
    proof, events = chaos.postgres_scenario(
        private_postgres,
        clients=CLIENTS,
        seconds=SECONDS,
        kill_every=KILL_EVERY,
        log=tmp_path / "gunicorn.log",
    )
    assert events["PostgreSQL crashes (-m immediate)"] == 1
    assert events["worker SIGKILLs"] >= 1
    assert events["server alive at the end"] == 1
    assert_proved(proof)


def test_sqlite_with_the_whole_server_killed_and_restarted(tmp_path: Path) -> None:
    proof, events = chaos.sqlite_scenario(
        tmp_path, clients=CLIENTS, seconds=SECONDS, kill_every=KILL_EVERY, log=tmp_path / "g.log"
    )
    assert events["server SIGKILLs (master and workers)"] >= 1
    assert events["integrity_check ok"] == 1
    assert_proved(proof)


def test_a_sweep_killed_mid_way_escalates_each_due_step_exactly_once(tmp_path: Path) -> None:
    found = chaos.scheduler_scenario(
        f"sqlite:///{tmp_path / 'sweep.db'}", vacancies_due=40, kills=2
    )
    assert found["sweeps SIGKILLed mid-sweep"] >= 1, found
    assert found["escalated exactly once"] == 40, found
    assert found["escalated more than once"] == 0, found
    assert found["escalated_at missing"] == 0, found
    assert found["chains verify"] == 1, found

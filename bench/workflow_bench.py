"""Workflow benchmarks: audited transitions, ledger appends and verification, SQLite and PostgreSQL.

Prints figures and asserts nothing. Transitions are the full use case (workflow.vacancies.submit and
cancel: lock, idempotency, duty rules, state change, action row, ledger entry) with 1 and 8 writers;
each figure carries the SQL statements sent per transition and the p50/p99 latency of one.
Each measurement is one function taking a database URL. SQLite runs in a temporary folder;
PostgreSQL in a scratch database created on the server of ``--pg-url`` and dropped afterwards.
Concurrent writers are processes (each with its own connection), which on a 2-core machine is
fairer than threads that would share one GIL.

    python bench/workflow_bench.py [--pg-url URL | --no-pg] [--entries 100000]
        [--only transitions|auth|ledger] [--vacancies 300]

INFO logs are filtered out in the measuring processes so that they measure the use case.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, event, insert, text
from sqlalchemy.engine import make_url

from workflow import ledger
from workflow.core import SystemClock, connect, upgrade_schema
from workflow.identity import actor_by_username
from workflow.models import ChainHead, LedgerEntry, Position, RulePack, Tenant, User, UserRole
from workflow.models.ledger import GENESIS_HASH
from workflow.vacancies import cancel, open_vacancy, submit

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass(frozen=True)
class Figure:
    """One printed result."""

    backend: str
    measurement: str
    value: float
    unit: str
    detail: str = ""


def _add_tenants(url: str, prefix: str, count: int) -> list[int]:
    db = connect(url)
    try:
        with db.transaction() as session:
            tenants = [
                Tenant(code=f"{prefix}-{i}", name=f"Bench {prefix} {i}", level="province")
                for i in range(count)
            ]
            session.add_all(tenants)
            session.flush()
            return [tenant.id for tenant in tenants]
    finally:
        db.dispose()


def _append_worker(
    url: str, tenant_id: int, appends: int, barrier: Barrier, results: Any, worker: int
) -> None:
    """One writer process: wait for the others, then append, one transaction per entry."""
    _quiet()
    db = connect(url, pool_size=1)
    clock = SystemClock()
    barrier.wait()
    started = time.time()
    for step in range(appends):
        with db.transaction() as session:
            ledger.append(
                session,
                tenant_id=tenant_id,
                kind=ledger.LedgerKind.VACANCY_TRANSITION,
                actor=f"user:{worker}",
                data={"vacancy": step, "from": "draft", "to": "submitted", "version": step + 1},
                at=clock.now(),
            )
    results.put((started, time.time()))
    db.dispose()


def audited_appends(url: str, *, writers: int, tenants: int, appends: int) -> float:
    """Return appends/s with ``writers`` processes spread over ``tenants`` tenants."""
    context = multiprocessing.get_context("spawn")
    tenant_ids = _add_tenants(url, f"w{writers}t{tenants}", tenants)
    barrier = context.Barrier(writers)
    results = context.Queue()
    processes = [
        context.Process(
            target=_append_worker,
            args=(url, tenant_ids[n % tenants], appends, barrier, results, n),
        )
        for n in range(writers)
    ]
    for process in processes:
        process.start()
    spans = [results.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"a writer failed with exit code {process.exitcode}")
    elapsed = max(end for _, end in spans) - min(start for start, _ in spans)
    db = connect(url)
    try:
        report = ledger.verify(db)
        if not report.ok:
            raise RuntimeError("the chains do not verify after the run")
    finally:
        db.dispose()
    return writers * appends / elapsed


def _transition_world(
    url: str, prefix: str, writers: int, tenants: int, vacancies: int
) -> list[tuple[str, str, list[int]]]:
    """Seed tenants, a position, a stand-in pack and, per writer, two users and draft vacancies."""
    db = connect(url)
    plan: list[tuple[str, str, list[int]]] = []
    try:
        with db.transaction() as session:
            codes = []
            for t in range(tenants):
                tenant = Tenant(code=f"{prefix}-{t}", name=f"Bench {prefix} {t}", level="province")
                session.add(tenant)
                session.flush()
                session.add(
                    Position(
                        tenant_id=tenant.id,
                        code="ADM",
                        title="Kepala Bagian",
                        level="administrator",
                        unit="Biro",
                        is_key=False,
                    )
                )
                codes.append(tenant.id)
            digest = hashlib.sha256(prefix.encode()).hexdigest()
            session.add(
                RulePack(
                    pack_id=prefix,
                    version="1",
                    digest=digest,
                    canonical="{}",
                    parent_digest=None,
                    published_at=dt.datetime.now(dt.UTC),
                    published_by="bench",
                )
            )
            for w in range(writers):
                tenant_id = codes[w % tenants]
                for role in ("hr", "authority"):
                    session.add(
                        User(
                            tenant_id=tenant_id,
                            username=f"{prefix}-{role}-{w}",
                            display_name=role,
                            roles=[UserRole(role=role)],
                        )
                    )
        for w in range(writers):
            with db.read() as session:
                hr = actor_by_username(session, f"{prefix}-hr-{w}")
            ids = []
            for v in range(vacancies):
                outcome = open_vacancy(
                    db,
                    actor=hr,
                    position_code="ADM",
                    title=f"V{v}",
                    reference_date=dt.date(2026, 3, 1),
                    pack_digest=digest,
                    idempotency_key=f"open-{w}-{v}",
                    now=dt.datetime.now(dt.UTC),
                )
                ids.append(int(outcome.vacancy["id"]))
            plan.append((f"{prefix}-hr-{w}", f"{prefix}-authority-{w}", ids))
    finally:
        db.dispose()
    return plan


def _quiet() -> None:
    """Keep per-action INFO logs out of the measurement (and the terminal), as import_bench does."""
    import logging

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


def _transition_worker(
    url: str, hr: str, authority: str, ids: list[int], barrier: Barrier, results: Any
) -> None:
    """One writer process: submit then cancel each of its vacancies (2 audited actions each).

    Reports its span, the latency of every transition and the SQL statements it sent (counted
    by a cursor listener on its own engine; BEGIN/COMMIT are not statements here).
    """
    _quiet()
    db = connect(url, pool_size=1)
    with db.read() as session:
        submitter, canceller = actor_by_username(session, hr), actor_by_username(session, authority)
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(db.engine, "before_cursor_execute", count)
    latencies: list[float] = []
    barrier.wait()
    started = time.time()
    for index, vacancy_id in enumerate(ids):
        begun = time.perf_counter()
        submit(
            db,
            actor=submitter,
            vacancy_id=vacancy_id,
            expected_version=1,
            idempotency_key=f"s{index}",
            now=dt.datetime.now(dt.UTC),
        )
        middle = time.perf_counter()
        cancel(
            db,
            actor=canceller,
            vacancy_id=vacancy_id,
            expected_version=2,
            idempotency_key=f"c{index}",
            reason="benchmark",
            now=dt.datetime.now(dt.UTC),
        )
        latencies += [middle - begun, time.perf_counter() - middle]
    results.put((started, time.time(), latencies, statements))
    db.dispose()


@dataclass(frozen=True)
class TransitionRun:
    """What one transition measurement found."""

    rate: float
    """Transitions per second over the whole run (first start to last end)."""
    transitions: int
    statements_per_transition: float
    p50_ms: float
    p99_ms: float


def _percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def audited_transitions(url: str, *, writers: int, tenants: int, vacancies: int) -> TransitionRun:
    """Measure workflow transitions (the full use case, ledger on) for ``writers`` processes."""
    context = multiprocessing.get_context("spawn")
    plan = _transition_world(url, f"tw{writers}t{tenants}", writers, tenants, vacancies)
    barrier = context.Barrier(writers)
    results = context.Queue()
    processes = [
        context.Process(target=_transition_worker, args=(url, hr, auth, ids, barrier, results))
        for hr, auth, ids in plan
    ]
    for process in processes:
        process.start()
    reports = [results.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"a writer failed with exit code {process.exitcode}")
    elapsed = max(r[1] for r in reports) - min(r[0] for r in reports)
    latencies = [latency for r in reports for latency in r[2]]
    statements = sum(r[3] for r in reports)
    db = connect(url)
    try:
        if not ledger.verify(db).ok:
            raise RuntimeError("the chains do not verify after the run")
    finally:
        db.dispose()
    total = writers * vacancies * 2
    return TransitionRun(
        rate=total / elapsed,
        transitions=total,
        statements_per_transition=statements / total,
        p50_ms=_percentile(latencies, 0.50) * 1000,
        p99_ms=_percentile(latencies, 0.99) * 1000,
    )


def transition_figures(backend: str, url: str, *, vacancies: int) -> list[Figure]:
    """Run the transition measurements on one database."""
    figures = []
    for writers, tenants in ((1, 1), (8, 1), (8, 8)):
        per_writer = vacancies if writers == 1 else max(vacancies // 4, 1)
        run = audited_transitions(url, writers=writers, tenants=tenants, vacancies=per_writer)
        spread = "one tenant" if tenants == 1 else f"{tenants} tenants"
        label = f"audited transitions, {writers} writer{'s' if writers > 1 else ''}, {spread}"
        detail = (
            f"{run.transitions} total, {run.statements_per_transition:.1f} statements each, "
            f"p50 {run.p50_ms:.1f} ms, p99 {run.p99_ms:.1f} ms"
        )
        figures.append(Figure(backend, label, run.rate, "transitions/s", detail))
        print(f"  {backend}: {label}: {run.rate:,.0f} transitions/s ({detail})", flush=True)
    return figures


def authentication_figures(backend: str, url: str, *, calls: int = 2000) -> list[Figure]:
    """Measure authenticate_bearer (what every HTTP request runs first) with a valid token."""
    from workflow.identity import ThrottlePolicy, authenticate_bearer, create_user, issue_token

    (tenant_id,) = _add_tenants(url, "auth", 1)
    db = connect(url, pool_size=1)
    try:
        create_user(db, tenant_code="auth-0", username="auth.hr", display_name="HR", roles=["hr"])
        now = dt.datetime.now(dt.UTC)
        token = issue_token(db, username="auth.hr", name="bench", now=now).token
        policy = ThrottlePolicy(limit=10, window=dt.timedelta(minutes=15))
        statements = 0

        def count(*_: Any) -> None:
            nonlocal statements
            statements += 1

        authenticate_bearer(db, token=token, client="bench", now=now, policy=policy)
        event.listen(db.engine, "before_cursor_execute", count)
        latencies = []
        started = time.perf_counter()
        for _ in range(calls):
            begun = time.perf_counter()
            authenticate_bearer(db, token=token, client="bench", now=now, policy=policy)
            latencies.append(time.perf_counter() - begun)
        rate = calls / (time.perf_counter() - started)
    finally:
        db.dispose()
    del tenant_id
    p50, p99 = (_percentile(latencies, f) * 1000 for f in (0.5, 0.99))
    detail = f"{statements / calls:.1f} statements each, p50 {p50:.2f} ms, p99 {p99:.2f} ms"
    label = "bearer authentications, 1 client"
    print(f"  {backend}: {label}: {rate:,.0f}/s ({detail})", flush=True)
    return [Figure(backend, label, rate, "auth/s", detail)]


def _bulk_rows(tenant_code: str, tenant_id: int, count: int) -> Iterator[list[dict[str, Any]]]:
    """Yield a valid chain in chunks, built directly (appending one by one would take minutes)."""
    start = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    prev = GENESIS_HASH
    chunk: list[dict[str, Any]] = []
    for seq in range(1, count + 1):
        at = start + dt.timedelta(milliseconds=seq)
        kind = "vacancy.transition" if seq % 5 else "vacancy.refused"
        body = ledger.entry_body(
            tenant=tenant_code,
            seq=seq,
            prev=prev,
            at=at,
            kind=kind,
            actor=f"user:{seq % 97}",
            data={"vacancy": seq // 7, "from": "draft", "to": "submitted", "version": seq % 11},
        )
        entry_hash = ledger.body_hash(body)
        chunk.append(
            {
                "tenant_id": tenant_id,
                "seq": seq,
                "kind": kind,
                "body": body,
                "prev_hash": prev,
                "entry_hash": entry_hash,
                "created_at": at,
            }
        )
        prev = entry_hash
        if len(chunk) == 10_000 or seq == count:
            yield chunk
            chunk = []


def verification_speed(url: str, *, entries: int, runs: int = 3) -> tuple[float, float]:
    """Load a chain of ``entries`` and return (median entries/s of ``runs`` verifies, seconds)."""
    (tenant_id,) = _add_tenants(url, "verify", 1)
    db = connect(url)
    try:
        last: dict[str, Any] = {}
        with db.transaction() as session:
            for chunk in _bulk_rows("verify-0", tenant_id, entries):
                session.execute(insert(LedgerEntry), chunk)
                last = chunk[-1]
            session.add(ChainHead(tenant_id=tenant_id, seq=entries, entry_hash=last["entry_hash"]))
        rates = []
        for _ in range(runs):
            started = time.perf_counter()
            report = ledger.verify(db, tenant_code="verify-0")
            elapsed = time.perf_counter() - started
            if not report.ok or report.tenant("verify-0").entries != entries:
                raise RuntimeError("the benchmark chain does not verify")
            rates.append(entries / elapsed)
        rate = statistics.median(rates)
        return rate, entries / rate
    finally:
        db.dispose()


@contextmanager
def sqlite_database() -> Iterator[str]:
    """Yield the URL of a migrated SQLite file in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="meritflow-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        _migrate(url)
        yield url


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """Yield the URL of a migrated scratch database on ``server_url``'s server; drop it after."""
    server = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"meritflow_bench_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = server.set(database=name).render_as_string(hide_password=False)
        _migrate(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrate(url: str) -> None:
    db = connect(url)
    try:
        upgrade_schema(db)
    finally:
        db.dispose()


def ledger_figures(backend: str, url: str, *, entries: int, appends: int) -> list[Figure]:
    """Run every ledger measurement on one database."""
    figures = []
    for writers, tenants in ((1, 1), (8, 1), (8, 8)):
        per_writer = appends if writers == 1 else max(appends // 4, 1)
        rate = audited_appends(url, writers=writers, tenants=tenants, appends=per_writer)
        spread = "one tenant" if tenants == 1 else f"{tenants} tenants"
        label = f"audited appends, {writers} writer{'s' if writers > 1 else ''}, {spread}"
        figures.append(Figure(backend, label, rate, "appends/s", f"{writers * per_writer} total"))
        print(f"  {backend}: {label}: {rate:,.0f} appends/s", flush=True)
    rate, seconds = verification_speed(url, entries=entries)
    label = f"verification of {entries:,} entries"
    figures.append(Figure(backend, label, rate, "entries/s", f"{seconds:.2f} s, median of 3"))
    print(f"  {backend}: {label}: {rate:,.0f} entries/s", flush=True)
    return figures


def _print(figures: Sequence[Figure]) -> None:
    print()
    print(f"Workflow benchmark — {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"{'backend':<11}{'measurement':<46}{'figure':>22}  detail")
    for figure in figures:
        value = f"{figure.value:,.0f} {figure.unit}"
        print(f"{figure.backend:<11}{figure.measurement:<46}{value:>22}  {figure.detail}")


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments, run the measurements, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="a PostgreSQL server to use")
    parser.add_argument("--no-pg", action="store_true", help="measure SQLite only")
    parser.add_argument("--entries", type=int, default=100_000, help="chain length to verify")
    parser.add_argument("--appends", type=int, default=600, help="appends of the single writer")
    parser.add_argument(
        "--vacancies", type=int, default=300, help="vacancies the single writer submits and cancels"
    )
    parser.add_argument(
        "--only",
        choices=("all", "transitions", "auth", "ledger"),
        default="all",
        help="run only the transition, authentication or ledger measurements",
    )
    args = parser.parse_args(argv)
    _quiet()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    figures: list[Figure] = []
    backends = [("sqlite", sqlite_database())]
    if not args.no_pg:
        backends.append(("postgresql", postgres_database(args.pg_url)))
    for backend, database in backends:
        with database as url:
            if args.only in ("all", "transitions"):
                figures += transition_figures(backend, url, vacancies=args.vacancies)
            if args.only in ("all", "auth"):
                figures += authentication_figures(backend, url)
            if args.only in ("all", "ledger"):
                figures += ledger_figures(backend, url, entries=args.entries, appends=args.appends)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    _print(figures)


if __name__ == "__main__":
    main()

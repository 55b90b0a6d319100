"""API load benchmark: gunicorn on PostgreSQL, 32 concurrent clients, realistic traffic.

Prints figures and asserts nothing about speed. It creates a scratch PostgreSQL database and a
login role without superuser rights (production mode refuses a superuser), migrates it, seeds
the demo registry, publishes the shipped packs and screens a few vacancies, then for each
gunicorn worker count starts ``gunicorn --config gunicorn.conf.py wsgi:app`` in production mode
on loopback and drives the clients for a bounded time:

- actions: each client opens vacancies through the API and carries each through ``submit`` and
  ``cancel`` (three audited writes per vacancy, each with ``If-Match`` and ``Idempotency-Key``);
- reads: vacancy lists and details, the caller's tasks, shortlists and one candidate's
  explanation of the screened vacancies;
- conflicts: all clients race on a shared pool of vacancies with the version they last read;
  the losers get 412 (stale ``If-Match``) or 409 (state moved), which is the point.

Afterwards it checks that the acknowledged actions (2xx, not replayed) equal the new ledger
entries, and that the chains verify.

    python bench/api_load.py [--pg-url URL] [--workers 2 4] [--clients 32] [--seconds 30]
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import http.client
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from workflow import ledger, vacancies  # noqa: E402
from workflow.core import (  # noqa: E402
    Database,
    connect,
    system_actor,
)
from workflow.identity import actor_by_username, create_user, issue_token  # noqa: E402
from workflow.models import (  # noqa: E402
    Employee,
    LedgerEntry,
    Position,
    ScreeningRun,
    ShortlistEntry,
    Tenant,
)
from workflow.screening import resolve  # noqa: E402

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
AGENCY = "BANTEN"
NATIONAL = "BKN"
REFERENCE_DATE = "2026-03-01"
AUDITED_KINDS = (ledger.LedgerKind.VACANCY_OPENED.value, ledger.LedgerKind.VACANCY_TRANSITION.value)


# ------------------------------------------------------------------ the scratch database


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """Create a database owned by a fresh non-superuser login role; yield its URL; drop both."""
    name = f"meritflow_load_{os.getpid()}"
    role = f"meritflow_load_{os.getpid()}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER'))
        conn.execute(text(f'CREATE DATABASE "{name}" OWNER "{role}"'))
    url = make_url(server_url).set(database=name, username=role, password=None)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


def service_env(url: str) -> dict[str, str]:
    """Return the environment of the service in production mode on ``url``."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "APP_ENV": "production",
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "LEDGER_SIGNING_KEY": base64.b64encode(os.urandom(32)).decode(),
        "LOG_LEVEL": "WARNING",
    }


def flask(env: dict[str, str], *args: str) -> None:
    """Run one ``flask --app wsgi`` command; fail loudly."""
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


@dataclass
class Plan:
    """What the clients use: tokens, positions, screened vacancies, the contested pool."""

    hr_tokens: list[str]
    reader_tokens: list[str]
    authority_token: str
    """Cancels: the submitter may not act at a later step (SOD-SUBMITTER), the authority may."""
    inbox_tokens: list[str]
    positions: list[str]
    screened: list[int]
    candidates: dict[int, list[str]]
    contested: list[int]


def prepare(url: str, env: dict[str, str], *, clients: int, employees: int) -> Plan:
    """Migrate, seed and publish through the CLI, then create users, tokens and vacancies."""
    flask(env, "db", "upgrade")
    flask(env, "demo", "seed", "--employees", str(employees))
    flask(env, "rules", "publish", "--by", "bench")
    db = connect(url)
    try:
        now = dt.datetime.now(dt.UTC)
        users = [(f"load.hr{i}", AGENCY, ["hr"]) for i in range(clients)]
        users += [
            ("load.committee", AGENCY, ["committee"]),
            ("load.authority", AGENCY, ["authority"]),
            ("load.auditor", AGENCY, ["auditor"]),
            ("load.reviewer", NATIONAL, ["national_reviewer"]),
        ]
        tokens = {}
        for username, agency, roles in users:
            create_user(
                db, tenant_code=agency, username=username, display_name=username, roles=roles
            )
            tokens[username] = issue_token(db, username=username, name="load", now=now).token
        with db.read() as session:
            tenant = session.scalar(select(Tenant).where(Tenant.code == AGENCY))
            assert tenant is not None
            positions = list(
                session.scalars(
                    select(Position.code)
                    .where(Position.tenant_id == tenant.id, Position.level == "administrator")
                    .order_by(Position.code)
                )
            )
            hr = actor_by_username(session, "load.hr0")
        pack = resolve(db, "bkn-national").digest
        screened, candidates = _screened(db, hr, tenant, positions[:4], pack, now)
        contested = [
            _open(db, hr, positions[i % len(positions)], pack, f"contested-{i}", now)
            for i in range(clients * 4)
        ]
    finally:
        db.dispose()
    return Plan(
        hr_tokens=[tokens[f"load.hr{i}"] for i in range(clients)],
        reader_tokens=[tokens[u] for u in ("load.committee", "load.authority", "load.auditor")]
        + [tokens["load.reviewer"]],
        authority_token=tokens["load.authority"],
        inbox_tokens=[tokens[u] for u in ("load.committee", "load.authority", "load.reviewer")],
        positions=positions,
        screened=screened,
        candidates=candidates,
        contested=contested,
    )


def _open(db: Database, hr: Any, position: str, pack: str, key: str, now: dt.datetime) -> int:
    outcome = vacancies.open_vacancy(
        db,
        actor=hr,
        position_code=position,
        title=f"Load {key}",
        reference_date=dt.date.fromisoformat(REFERENCE_DATE),
        pack_digest=pack,
        idempotency_key=key,
        now=now,
    )
    return int(outcome.vacancy["id"])


def _screened(
    db: Database, hr: Any, tenant: Tenant, positions: list[str], pack: str, now: dt.datetime
) -> tuple[list[int], dict[int, list[str]]]:
    """Open, submit and screen a vacancy per position; return them and their shortlisted NIPs."""
    system = system_actor(tenant.id, tenant.code, tenant.level)
    ids, nips = [], {}
    for n, position in enumerate(positions):
        vacancy_id = _open(db, hr, position, pack, f"screened-{n}", now)
        submitted = vacancies.perform(
            db,
            actor=hr,
            vacancy_id=vacancy_id,
            action="submit",
            expected_version=1,
            idempotency_key=f"screened-submit-{n}",
            now=now,
        )
        vacancies.screen(
            db,
            actor=system,
            vacancy_id=vacancy_id,
            expected_version=int(submitted.vacancy["version"]),
            idempotency_key=f"screened-screen-{n}",
            now=now,
        )
        with db.read() as session:
            listed = list(
                session.scalars(
                    select(Employee.nip)
                    .join(ShortlistEntry, ShortlistEntry.employee_id == Employee.id)
                    .join(ScreeningRun, ScreeningRun.id == ShortlistEntry.screening_run_id)
                    .where(ScreeningRun.vacancy_id == vacancy_id)
                    .order_by(ShortlistEntry.rank)
                    .limit(20)
                )
            )
        if listed:
            ids.append(vacancy_id)
            nips[vacancy_id] = listed
    return ids, nips


def audited_entries(url: str) -> int:
    """Return the number of vacancy-opened and transition entries in every chain."""
    db = connect(url)
    try:
        with db.read() as session:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(LedgerEntry)
                    .where(LedgerEntry.kind.in_(AUDITED_KINDS))
                )
                or 0
            )
    finally:
        db.dispose()


def chains_verify(url: str) -> bool:
    """Return whether every ledger chain verifies."""
    db = connect(url)
    try:
        return ledger.verify(db).ok
    finally:
        db.dispose()


# ------------------------------------------------------------------ the server


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(env: dict[str, str], workers: int, port: int, log: Path) -> Iterator[None]:
    """Run gunicorn with the project's configuration until the block ends."""
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env={**env, "PORT": str(port), "WEB_CONCURRENCY": str(workers)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_ready(port, process)
            yield
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)


def _wait_ready(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited during start-up; see its log")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not become ready within 60 s")


# ------------------------------------------------------------------ the clients


@dataclass
class Tally:
    """What the clients saw, merged under a lock."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    acknowledged: int = 0
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, status: int) -> None:
        """Record one request."""
        with self.lock:
            self.latencies[kind].append(seconds)
            self.statuses[kind][status] += 1


class Client:
    """One simulated user session: a thread with its own connection and random stream."""

    EXPECTED: ClassVar[dict[str, frozenset[int]]] = {
        "action": frozenset({200, 201}),
        "conflict": frozenset({200, 409, 412}),
        "read": frozenset({200}),
    }

    def __init__(self, n: int, port: int, plan: Plan, tally: Tally, stop: threading.Event):
        self.n, self.port, self.plan, self.tally, self.stop = n, port, plan, tally, stop
        self.random = random.Random(n)
        self.hr = plan.hr_tokens[n]
        self.reader = plan.reader_tokens[n % len(plan.reader_tokens)]
        self.authority = plan.authority_token
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.mine: tuple[int, int, str] | None = None  # vacancy, version, next action
        self.keys = 0

    def request(
        self,
        kind: str,
        method: str,
        path: str,
        token: str,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """Send one request, timed; reconnect when the server closed the connection."""
        sent = {"Authorization": f"Bearer {token}", **(headers or {})}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=payload, headers=sent)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionError, http.client.BadStatusLine):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 2:
                    raise
        elapsed = time.perf_counter() - started
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        self.tally.add(kind, elapsed, response.status)
        if response.status not in self.EXPECTED[kind]:
            with self.tally.lock:
                self.tally.unexpected.append(f"{method} {path}: {response.status} {data[:200]!r}")
        parsed = json.loads(data) if data and response.status < 500 else None
        return response.status, parsed

    def key(self) -> dict[str, str]:
        """Return a fresh Idempotency-Key header."""
        self.keys += 1
        return {"Idempotency-Key": f"load-{self.n}-{self.keys}-{time.time_ns()}"}

    def run(self) -> None:
        """Loop over a weighted mix of traffic until told to stop."""
        steps = [
            (self.act, 45),
            (self.read_vacancies, 20),
            (self.read_shortlist, 15),
            (self.read_explanation, 10),
            (self.read_tasks, 5),
            (self.contest, 5),
        ]
        choices, weights = zip(*steps, strict=True)
        while not self.stop.is_set():
            self.random.choices(choices, weights)[0]()
        self.conn.close()

    def act(self) -> None:
        """Open a vacancy, then submit it, then cancel it: one audited write per call."""
        if self.mine is None:
            position = self.random.choice(self.plan.positions)
            status, body = self.request(
                "action",
                "POST",
                "/api/v1/vacancies",
                self.hr,
                {"position": position, "title": "Load", "reference_date": REFERENCE_DATE},
                self.key(),
            )
            if status == 201:
                self._ack(body)
                self.mine = (body["id"], body["version"], "submit")
            return
        vacancy, version, action = self.mine
        payload = {"reason": "load test over"} if action == "cancel" else {}
        status, body = self.request(
            "action",
            "POST",
            f"/api/v1/vacancies/{vacancy}/actions/{action}",
            self.authority if action == "cancel" else self.hr,
            payload,
            {**self.key(), "If-Match": f'"{version}"'},
        )
        if status == 200:
            self._ack(body)
            state = body["vacancy"]
            self.mine = (vacancy, state["version"], "cancel") if action == "submit" else None
        else:
            self.mine = None

    def _ack(self, body: dict[str, Any]) -> None:
        if not body.get("replayed", False):
            with self.tally.lock:
                self.tally.acknowledged += 1

    def contest(self) -> None:
        """Read a shared vacancy, then act on it with that version: others race for it."""
        vacancy = self.random.choice(self.plan.contested)
        status, body = self.request("read", "GET", f"/api/v1/vacancies/{vacancy}", self.hr)
        if status != 200 or body["state"] not in ("draft", "submitted"):
            return
        action = "submit" if body["state"] == "draft" else "cancel"
        payload = {"reason": "contested"} if action == "cancel" else {}
        status, answer = self.request(
            "conflict",
            "POST",
            f"/api/v1/vacancies/{vacancy}/actions/{action}",
            self.authority if action == "cancel" else self.hr,
            payload,
            {**self.key(), "If-Match": f'"{body["version"]}"'},
        )
        if status == 200:
            self._ack(answer)

    def read_vacancies(self) -> None:
        """A list of the agency's vacancies or one of them."""
        if self.random.random() < 0.5:
            self.request("read", "GET", "/api/v1/vacancies?per_page=20", self.reader)
        else:
            vacancy = self.random.choice(self.plan.contested)
            self.request("read", "GET", f"/api/v1/vacancies/{vacancy}", self.reader)

    def read_shortlist(self) -> None:
        """The first page of a screened vacancy's shortlist."""
        if self.plan.screened:
            vacancy = self.random.choice(self.plan.screened)
            path = f"/api/v1/vacancies/{vacancy}/shortlist?per_page=20"
            self.request("read", "GET", path, self.reader)

    def read_explanation(self) -> None:
        """One shortlisted candidate's explanation."""
        if self.plan.screened:
            vacancy = self.random.choice(self.plan.screened)
            nip = self.random.choice(self.plan.candidates[vacancy])
            path = f"/api/v1/vacancies/{vacancy}/candidates/{nip}/explanation"
            self.request("read", "GET", path, self.reader)

    def read_tasks(self) -> None:
        """The caller's inbox."""
        token = self.plan.inbox_tokens[self.n % len(self.plan.inbox_tokens)]
        self.request("read", "GET", "/api/v1/tasks", token)


def drive(port: int, plan: Plan, *, clients: int, seconds: float) -> tuple[Tally, float]:
    """Run the clients for ``seconds``; return what they saw and the elapsed time."""
    tally = Tally()
    stop = threading.Event()
    threads = [
        threading.Thread(target=Client(n, port, plan, tally, stop).run, daemon=True)
        for n in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    return tally, time.perf_counter() - started


# ------------------------------------------------------------------ report


def percentile(values: list[float], p: float) -> float:
    """Return the p-th percentile (nearest rank) in milliseconds."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index] * 1000


def report(workers: int, tally: Tally, elapsed: float, ledger_delta: int, verified: bool) -> None:
    """Print the figures of one run."""
    total = sum(len(v) for v in tally.latencies.values())
    server_errors = sum(
        n for counts in tally.statuses.values() for status, n in counts.items() if status >= 500
    )
    print(f"\n== gunicorn {workers} workers: {elapsed:.1f} s, load {os.getloadavg()[0]:.2f}")
    print(f"requests: {total} ({total / elapsed:.0f}/s)")
    print(
        f"audited actions acknowledged: {tally.acknowledged} "
        f"({tally.acknowledged / elapsed:.0f}/s); new ledger entries: {ledger_delta}; "
        f"equal: {tally.acknowledged == ledger_delta}; chains verify: {verified}"
    )
    print(f"{'class':<10}{'count':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  statuses")
    for kind in ("action", "conflict", "read"):
        values = tally.latencies.get(kind, [])
        if not values:
            continue
        statuses = ", ".join(f"{s}:{n}" for s, n in sorted(tally.statuses[kind].items()))
        print(
            f"{kind:<10}{len(values):>8}{percentile(values, 50):>9.1f}"
            f"{percentile(values, 95):>9.1f}{percentile(values, 99):>9.1f}  {statuses}"
        )
    print(f"5xx: {server_errors}; unexpected statuses: {len(tally.unexpected)}")
    for line in tally.unexpected[:5]:
        print(f"  {line}")


def main() -> None:
    """Parse the arguments, prepare once, run each worker count."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="a PostgreSQL server (superuser)")
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--employees", type=int, default=3000, help="demo registry size")
    args = parser.parse_args()
    print(f"api_load: {args.clients} clients, {args.seconds:.0f} s per run, cpus {os.cpu_count()}")
    with scratch_database(args.pg_url) as url:
        env = service_env(url)
        started = time.perf_counter()
        plan = prepare(url, env, clients=args.clients, employees=args.employees)
        print(
            f"prepared in {time.perf_counter() - started:.0f} s: {args.employees} employees, "
            f"{len(plan.screened)} screened vacancies, {len(plan.contested)} contested"
        )
        for workers in args.workers:
            before = audited_entries(url)
            log = ROOT / "bench" / "out" / f"api_load_gunicorn_{workers}.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            port = free_port()
            with gunicorn(env, workers, port, log):
                tally, elapsed = drive(port, plan, clients=args.clients, seconds=args.seconds)
            delta = audited_entries(url) - before
            report(workers, tally, elapsed, delta, chains_verify(url))


if __name__ == "__main__":
    main()

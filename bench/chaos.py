"""Crash harness: audited actions under SIGKILLed workers, a crashed database and killed servers.

Prints what it proves; ``tests/api/test_chaos.py`` runs a short form and asserts the same.

1. PostgreSQL (a private instance, never a shared server): gunicorn in production mode under
   ``--clients`` clients, each carrying its own vacancies through open, submit and cancel (every
   request an audited action with ``Idempotency-Key``, and ``If-Match`` for the actions); one
   worker SIGKILLed every ``--kill-every`` seconds, and PostgreSQL crashed (``pg_ctl stop -m
   immediate``) and restarted once mid-run.
2. SQLite: the same clients while the whole server (master and workers) is SIGKILLed and
   restarted on the same database file every ``--kill-every`` seconds.
3. The scheduler: an SLA sweep over many overdue vacancies is SIGKILLed mid-sweep (as soon as it
   has escalated something) several times, then run to the end.

Every request is classed **acknowledged** (a 2xx reached the client), **refused** (a 4xx: the
service said no) or **in doubt** (no answer, or a 503: the transaction may or may not have
committed); an in-doubt request is retried with the same Idempotency-Key (and body) until it is
acknowledged or refused. Afterwards, from the database:

- lost: acknowledged actions without their ledger entry or idempotency record (must be 0);
- applied twice: a logical request that produced two vacancies or two transitions (must be 0);
- disagreeing: vacancies whose (state, version) differ from the fold of their ledger (must be 0);
- every chain verifies; for the scheduler, each due step escalated exactly once.

    python bench/chaos.py [--seconds 60] [--clients 24] [--kill-every 3] [--only postgresql|sqlite|scheduler]
"""  # noqa: E501

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
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import structlog  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bench.servers import Gunicorn, PrivatePostgres  # noqa: E402
from tests.support.world import build_world  # noqa: E402
from workflow import ledger, vacancies  # noqa: E402
from workflow.core import Database, connect, upgrade_schema  # noqa: E402
from workflow.identity import issue_token  # noqa: E402
from workflow.models import IdempotencyRecord, LedgerEntry, User, Vacancy  # noqa: E402

REFERENCE_DATE = "2026-03-01"
structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(30))  # warnings and up
RETRY_FOR_SECONDS = 90
"""How long an in-doubt request is retried before it is reported as unresolved."""


def production_env(url: str, instance: Path) -> dict[str, str]:
    """The environment of the service in production mode on ``url``."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "APP_ENV": "production",
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "LEDGER_SIGNING_KEY": base64.b64encode(os.urandom(32)).decode(),
        "INSTANCE_PATH": str(instance),
        "LOG_LEVEL": "ERROR",
    }


def prepare(url: str) -> dict[str, str]:
    """Migrate and seed a small world (tests/support/world.py); return tokens by username."""
    db = connect(url)
    try:
        upgrade_schema(db)
        build_world(db)
        now = dt.datetime.now(dt.UTC)
        return {
            name: issue_token(db, username=name, name="chaos", now=now).token
            for name in ("hr1", "boss")
        }
    finally:
        db.dispose()


# ------------------------------------------------------------------ the clients


@dataclass
class Request:
    """One logical request: sent again with the same key and body until it is answered."""

    key: str
    method: str
    path: str
    token: str
    body: dict[str, Any]
    headers: dict[str, str]
    attempts: int = 0
    doubted: bool = False
    """An attempt got no answer or a 503 (then the request was retried with its key)."""
    status: int | None = None
    answer: Any = None


@dataclass
class History:
    """Every logical request the clients made, and what came of it."""

    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, request: Request) -> None:
        """Record a finished (or abandoned) logical request."""
        with self.lock:
            self.requests.append(request)

    def classes(self) -> Counter[str]:
        """Return how many requests were acknowledged, refused, in doubt, unresolved."""
        found: Counter[str] = Counter()
        for r in self.requests:
            if r.status is not None and 200 <= r.status < 300:
                found["acknowledged"] += 1
            elif r.status is not None:
                found["refused"] += 1
            else:
                found["unresolved"] += 1
            if r.doubted:
                found["in doubt (retried)"] += 1
                if isinstance(r.answer, dict) and r.answer.get("replayed"):
                    found["in doubt, had committed"] += 1
        return found


class Client:
    """A thread carrying its own vacancies through open, submit and cancel, retrying in doubt."""

    def __init__(self, n: int, port: int, tokens: dict[str, str], history: History) -> None:
        self.n, self.port, self.tokens, self.history = n, port, tokens, history
        self.random = random.Random(n)
        self.serial = 0
        self.conn = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)

    def attempt(self, request: Request) -> tuple[int | None, Any]:
        """Send one attempt; None when no answer came."""
        payload = json.dumps(request.body).encode()
        headers = {
            "Authorization": f"Bearer {request.token}",
            "Content-Type": "application/json",
            "Idempotency-Key": request.key,
            **request.headers,
        }
        try:
            self.conn.request(request.method, request.path, body=payload, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = self._connect()
            return None, None
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = self._connect()
        try:
            return response.status, json.loads(data) if data else None
        except ValueError:
            return response.status, None

    def send(self, request: Request, stop: threading.Event) -> Request:
        """Send until acknowledged or refused; retry in-doubt answers with the same key."""
        deadline = time.monotonic() + RETRY_FOR_SECONDS
        while time.monotonic() < deadline:
            request.attempts += 1
            status, answer = self.attempt(request)
            if status is not None and status != 503 and status < 500:
                request.status, request.answer = status, answer
                break
            if status is not None and status >= 500 and status != 503:
                request.status, request.answer = status, answer  # a real 5xx: reported
                break
            request.doubted = True
            time.sleep(0.2 + self.random.random() * 0.3)
        self.history.add(request)
        return request

    def key(self) -> str:
        """Return a fresh idempotency key (also names the vacancy this client opens)."""
        self.serial += 1
        return f"chaos-{self.n}-{self.serial}-{secrets.token_hex(4)}"

    def run(self, stop: threading.Event) -> None:
        """Open, submit, cancel; again, until told to stop."""
        try:
            self._loop(stop)
        finally:
            self.conn.close()

    def _loop(self, stop: threading.Event) -> None:
        while not stop.is_set():
            key = self.key()
            opened = self.send(
                Request(
                    key, "POST", "/api/v1/vacancies", self.tokens["hr1"],
                    {"position": "ADM-01", "title": f"chaos {key}",
                     "reference_date": REFERENCE_DATE, "pack": "stand-in"},
                    {},
                ),
                stop,
            )  # fmt: skip
            if opened.status != 201:
                continue
            vacancy, version = opened.answer["id"], opened.answer["version"]
            for action, token, body in (
                ("submit", "hr1", {}),
                ("cancel", "boss", {"reason": "chaos run"}),
            ):
                if stop.is_set():
                    return
                done = self.send(
                    Request(
                        self.key(), "POST", f"/api/v1/vacancies/{vacancy}/actions/{action}",
                        self.tokens[token], body, {"If-Match": f'"{version}"'},
                    ),
                    stop,
                )  # fmt: skip
                if done.status != 200:
                    break
                version = done.answer["vacancy"]["version"]


def drive(
    port: int, tokens: dict[str, str], *, clients: int, seconds: float, chaos: Callable[..., None]
) -> History:
    """Run the clients for ``seconds`` while ``chaos(stop)`` runs in this thread."""
    history = History()
    stop = threading.Event()
    threads = [
        threading.Thread(target=Client(n, port, tokens, history).run, args=(stop,), daemon=True)
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    chaos(stop, time.monotonic() + seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=RETRY_FOR_SECONDS + 30)
    return history


# ------------------------------------------------------------------ the proof


@dataclass
class Proof:
    """What the database says about the history."""

    acknowledged: int = 0
    in_doubt: int = 0
    in_doubt_committed: int = 0
    """In-doubt actions whose retry was answered from the idempotency record (had committed)."""
    refused: int = 0
    unresolved: int = 0
    server_errors: int = 0
    lost: list[str] = field(default_factory=list)
    applied_twice: list[str] = field(default_factory=list)
    disagreeing: list[int] = field(default_factory=list)
    chains_verify: bool = False
    ledger_entries: int = 0
    odd: list[str] = field(default_factory=list)
    """Final answers other than 2xx: refusals and server errors, with their detail."""

    @property
    def ok(self) -> bool:
        """Return whether nothing was lost, doubled or out of step, and the chains verify."""
        return (
            not self.lost
            and not self.applied_twice
            and not self.disagreeing
            and self.chains_verify
            and self.unresolved == 0
            and self.server_errors == 0
        )

    def lines(self) -> list[str]:
        """Return the report."""
        return [
            f"requests: acknowledged {self.acknowledged}, refused {self.refused}, "
            f"in doubt and retried {self.in_doubt} (of which actions found committed on "
            f"retry {self.in_doubt_committed}), unresolved {self.unresolved}, "
            f"5xx other than 503 {self.server_errors}",
            f"acknowledged actions lost: {len(self.lost)}; applied twice: "
            f"{len(self.applied_twice)}; vacancies disagreeing with their ledger: "
            f"{len(self.disagreeing)}; chains verify: {self.chains_verify} "
            f"({self.ledger_entries} ledger entries)",
            *(f"  answer: {x}" for x in self.odd[:8]),
            *(f"  lost: {x}" for x in self.lost[:5]),
            *(f"  twice: {x}" for x in self.applied_twice[:5]),
            *(f"  disagreeing vacancy: {x}" for x in self.disagreeing[:5]),
        ]


def prove(url: str, history: History, tokens: dict[str, str]) -> Proof:
    """Check the history against the database."""
    classes = history.classes()
    proof = Proof(
        acknowledged=classes["acknowledged"],
        in_doubt=classes["in doubt (retried)"],
        in_doubt_committed=classes["in doubt, had committed"],
        refused=classes["refused"],
        unresolved=classes["unresolved"],
        server_errors=sum(1 for r in history.requests if r.status is not None and r.status >= 500),
    )
    proof.odd = [
        f"{r.method} {r.path} (attempt {r.attempts}): {r.status} "
        f"{(r.answer or {}).get('detail', '') if isinstance(r.answer, dict) else ''}"
        for r in history.requests
        if r.status is not None and not 200 <= r.status < 300
    ]
    db = connect(url)
    try:
        with db.read() as session:
            hr1 = session.scalar(select(User.id).where(User.username == "hr1"))
            boss = session.scalar(select(User.id).where(User.username == "boss"))
            records = {
                (user, key)
                for user, key in session.execute(
                    select(IdempotencyRecord.user_id, IdempotencyRecord.key)
                )
            }
            rows = {
                v.id: (v.state, v.version, v.title)
                for v in session.scalars(select(Vacancy).where(Vacancy.title.like("chaos %")))
            }
            entries = [
                (kind, json.loads(body))
                for kind, body in session.execute(
                    select(LedgerEntry.kind, LedgerEntry.body).order_by(
                        LedgerEntry.tenant_id, LedgerEntry.seq
                    )
                )
            ]
            proof.ledger_entries = int(
                session.scalar(select(func.count()).select_from(LedgerEntry)) or 0
            )
        proof.chains_verify = ledger.verify(db).ok
    finally:
        db.dispose()
    opened: dict[int, int] = Counter()
    transitions: dict[tuple[int, int], int] = Counter()
    folded: dict[int, tuple[str, int]] = {}
    for kind, body in entries:
        data = body.get("data", {})
        vacancy = data.get("vacancy")
        if kind == ledger.LedgerKind.VACANCY_OPENED.value and vacancy in rows:
            opened[vacancy] += 1
            folded[vacancy] = ("draft", 1)
        elif kind == ledger.LedgerKind.VACANCY_TRANSITION.value and vacancy in rows:
            transitions[(vacancy, data["version"])] += 1
            folded[vacancy] = (data["to"], data["version"])
    users = {"hr1": hr1, "boss": boss}
    by_title = Counter(title for _s, _v, title in rows.values())
    token_user = {token: users[name] for name, token in tokens.items()}
    for r in history.requests:
        acknowledged = r.status is not None and 200 <= r.status < 300
        if acknowledged and (token_user.get(r.token), r.key) not in records:
            proof.lost.append(f"{r.method} {r.path} key {r.key}: no idempotency record")
        if r.path == "/api/v1/vacancies":
            if by_title.get(f"chaos {r.key}", 0) > 1:
                proof.applied_twice.append(f"open {r.key}: {by_title[f'chaos {r.key}']} vacancies")
            if acknowledged and r.answer["id"] not in opened:
                proof.lost.append(f"open {r.key}: vacancy {r.answer['id']} not in the ledger")
        elif acknowledged:
            state = r.answer["vacancy"]
            if transitions.get((state["id"], state["version"]), 0) == 0:
                proof.lost.append(f"{r.path} key {r.key}: no ledger entry")
    proof.applied_twice += [f"vacancy {v} opened {n} times" for v, n in opened.items() if n > 1]
    proof.applied_twice += [
        f"vacancy {v} version {version} written {n} times"
        for (v, version), n in transitions.items()
        if n > 1
    ]
    for vacancy, (state, version, _title) in rows.items():
        if folded.get(vacancy) != (state, version):
            proof.disagreeing.append(vacancy)
    return proof


# ------------------------------------------------------------------ the scenarios


def postgres_scenario(
    postgres: PrivatePostgres, *, clients: int, seconds: float, kill_every: float, log: Path
) -> tuple[Proof, dict[str, int]]:
    """gunicorn on the private PostgreSQL; kill workers, crash the database once mid-run."""
    url = postgres.create_database(f"chaos_{os.getpid()}_{int(time.time())}")
    tokens = prepare(url)
    server = Gunicorn(production_env(url, postgres.folder / "instance"), workers=2, log=log)
    server.start()
    events: Counter[str] = Counter()

    def chaos(stop: threading.Event, until: float) -> None:
        crash_at = time.monotonic() + (until - time.monotonic()) / 2
        crashed = False
        while time.monotonic() < until:
            time.sleep(kill_every * (0.5 + random.random()))
            if server.kill_worker() is not None:
                events["worker SIGKILLs"] += 1
            if not crashed and time.monotonic() >= crash_at:
                postgres.stop("immediate")
                events["PostgreSQL crashes (-m immediate)"] += 1
                time.sleep(1.5)
                postgres.start()
                crashed = True
            if not server.alive():
                events["server died"] += 1
                return

    try:
        history = drive(server.port, tokens, clients=clients, seconds=seconds, chaos=chaos)
        events["server alive at the end"] = int(server.alive())
    finally:
        server.stop()
    return prove(url, history, tokens), dict(events)


def sqlite_scenario(
    folder: Path, *, clients: int, seconds: float, kill_every: float, log: Path
) -> tuple[Proof, dict[str, int]]:
    """gunicorn on one SQLite file; SIGKILL the whole server and start it again, repeatedly."""
    url = f"sqlite:///{folder / 'chaos.db'}"
    tokens = prepare(url)
    server = Gunicorn(production_env(url, folder / "instance"), workers=2, log=log)
    server.start()
    events: Counter[str] = Counter()

    def chaos(stop: threading.Event, until: float) -> None:
        while time.monotonic() < until:
            time.sleep(kill_every * (0.5 + random.random()))
            server.kill()
            events["server SIGKILLs (master and workers)"] += 1
            time.sleep(0.3)
            server.start()

    try:
        history = drive(server.port, tokens, clients=clients, seconds=seconds, chaos=chaos)
    finally:
        server.stop()
    db = connect(url)
    try:
        with db.engine.connect() as conn:
            integrity = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
    finally:
        db.dispose()
    events["integrity_check ok"] = int(integrity == "ok")
    return prove(url, history, tokens), dict(events)


SWEEP = """
import datetime as dt, sys
from workflow import vacancies
from workflow.core import connect
vacancies.sweep_deadlines(connect(sys.argv[1]), now=dt.datetime.fromisoformat(sys.argv[2]))
"""


def scheduler_scenario(url: str, *, vacancies_due: int, kills: int) -> dict[str, int]:
    """SIGKILL an SLA sweep mid-way ``kills`` times, then let one finish; count escalations."""
    db = connect(url)
    try:
        upgrade_schema(db)
        world = build_world(db)
        hr = world.actor("hr1")
        start = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
        ids = []
        for n in range(vacancies_due):
            opened = vacancies.open_vacancy(
                db, actor=hr, position_code="ADM-01", title=f"due {n}",
                reference_date=dt.date(2026, 3, 1), pack_digest="d" * 64,
                idempotency_key=f"due-open-{n}", now=start,
            )  # fmt: skip
            vacancy_id = int(opened.vacancy["id"])
            vacancies.perform(
                db, actor=hr, vacancy_id=vacancy_id, action="submit", expected_version=1,
                idempotency_key=f"due-submit-{n}", now=start,
            )  # fmt: skip
            ids.append(vacancy_id)
        at = (start + dt.timedelta(hours=3)).isoformat()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        landed = 0
        for _ in range(kills):
            before = _escalated(db)
            if before == vacancies_due:
                break
            sweep = subprocess.Popen(
                [sys.executable, "-c", SWEEP, url, at], env=env, stdout=subprocess.DEVNULL
            )
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and sweep.poll() is None:
                if _escalated(db) > before:  # it is mid-sweep: kill it now
                    break
                time.sleep(0.01)
            if sweep.poll() is None:
                sweep.send_signal(signal.SIGKILL)
                landed += 1
            sweep.wait()
        subprocess.run(
            [sys.executable, "-c", SWEEP, url, at], env=env, check=True, stdout=subprocess.DEVNULL
        )
        with db.read() as session:
            escalations: Counter[int] = Counter()
            for body in session.scalars(
                select(LedgerEntry.body).where(
                    LedgerEntry.kind == ledger.LedgerKind.SLA_ESCALATED.value
                )
            ):
                escalations[json.loads(body)["data"]["vacancy"]] += 1
            unmarked = session.scalar(
                select(func.count())
                .select_from(Vacancy)
                .where(Vacancy.id.in_(ids), Vacancy.escalated_at.is_(None))
            )
        return {
            "due steps": vacancies_due,
            "sweeps SIGKILLed mid-sweep": landed,
            "escalated exactly once": sum(1 for v in ids if escalations[v] == 1),
            "escalated more than once": sum(1 for v in ids if escalations[v] > 1),
            "never escalated": sum(1 for v in ids if escalations[v] == 0),
            "escalated_at missing": int(unmarked or 0),
            "chains verify": int(ledger.verify(db).ok),
        }
    finally:
        db.dispose()


def _escalated(db: Database) -> int:
    with db.read() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(LedgerEntry)
                .where(LedgerEntry.kind == ledger.LedgerKind.SLA_ESCALATED.value)
            )
            or 0
        )


def main() -> None:
    """Run the scenarios and print what they prove."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="per database scenario")
    parser.add_argument("--clients", type=int, default=24)
    parser.add_argument("--kill-every", type=float, default=3.0)
    parser.add_argument("--due", type=int, default=300, help="overdue vacancies for the sweep")
    parser.add_argument("--only", choices=("postgresql", "sqlite", "scheduler"))
    args = parser.parse_args()
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0]
    print(f"chaos: {args.clients} clients, {args.seconds:.0f} s per database, a kill every "
          f"~{args.kill_every:g} s; cpus {os.cpu_count()}, load {load:.1f}")  # fmt: skip
    failed = False
    if args.only in (None, "postgresql"):
        postgres = PrivatePostgres()
        postgres.start()
        try:
            proof, events = postgres_scenario(
                postgres, clients=args.clients, seconds=args.seconds,
                kill_every=args.kill_every, log=out / "chaos_postgresql.log",
            )  # fmt: skip
        finally:
            postgres.destroy()
        print("\n== PostgreSQL: " + ", ".join(f"{k} {v}" for k, v in events.items()))
        print("\n".join(proof.lines()))
        failed |= not proof.ok
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory(prefix="meritflow-chaos-") as folder:
            proof, events = sqlite_scenario(
                Path(folder), clients=args.clients, seconds=args.seconds,
                kill_every=args.kill_every, log=out / "chaos_sqlite.log",
            )  # fmt: skip
        print("\n== SQLite: " + ", ".join(f"{k} {v}" for k, v in events.items()))
        print("\n".join(proof.lines()))
        failed |= not proof.ok
    if args.only in (None, "scheduler"):
        with tempfile.TemporaryDirectory(prefix="meritflow-chaos-") as folder:
            found = scheduler_scenario(
                f"sqlite:///{Path(folder) / 'sweep.db'}", vacancies_due=args.due, kills=5
            )
        print("\n== Scheduler (SQLite): " + ", ".join(f"{k} {v}" for k, v in found.items()))
        failed |= found["escalated exactly once"] != found["due steps"]
    print(f"\nchaos: {'FAILED' if failed else 'all proved'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

"""Overload benchmark: is excess load shed fast with 503 + Retry-After, not queued into timeouts?

Prints figures and asserts nothing. On a private PostgreSQL instance it starts gunicorn in
production mode (``gunicorn.conf.py``: gthread workers, per-worker admission, bounded backlog)
and then:

1. measures the sustainable load: closed-loop clients (``bench/api_load.py``'s approach: each
   sends its next request when the previous one is answered) for a while; their throughput is
   what the service carries;
2. offers an open-loop, constant arrival rate of ``--factor`` (4) times that for a while, each
   request timed from when it was due (so queueing in the client counts, wrk2-style), and
   counts every status: served (2xx/4xx), shed (503 with Retry-After), other 5xx, no answer;
3. stops the load and probes once every 100 ms until five probes in a row are back within
   twice the idle latency: the recovery time.

The mix is 60 % reads (vacancy lists and details, the caller, the inbox) and 40 % audited writes
(open, submit, cancel, each with ``If-Match`` and ``Idempotency-Key``).

    python bench/overload.py [--workers 2] [--seconds 20] [--factor 4]
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import http.client
import itertools
import json
import os
import queue
import random
import secrets
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.servers import Gunicorn, PrivatePostgres  # noqa: E402
from tests.support.world import build_world  # noqa: E402
from workflow.core import connect, upgrade_schema  # noqa: E402
from workflow.identity import issue_token  # noqa: E402

REFERENCE_DATE = "2026-03-01"


def production_env(url: str, instance: Path, **extra: str) -> dict[str, str]:
    """The environment of the service in production mode on ``url``."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "APP_ENV": "production",
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "LEDGER_SIGNING_KEY": base64.b64encode(os.urandom(32)).decode(),
        "INSTANCE_PATH": str(instance),
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def prepare(url: str) -> dict[str, str]:
    """Migrate and seed a small world (tests/support/world.py); return tokens by username."""
    db = connect(url)
    try:
        upgrade_schema(db)
        build_world(db)
        now = dt.datetime.now(dt.UTC)
        return {
            name: issue_token(db, username=name, name="bench", now=now).token
            for name in ("hr1", "boss", "aud", "c1")
        }
    finally:
        db.dispose()


class Session:
    """One keep-alive connection that reconnects when the server closes it."""

    def __init__(self, port: int, timeout: float = 30) -> None:
        self.port, self.timeout = port, timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def send(
        self, method: str, path: str, token: str, body: Any = None, headers: Any = None
    ) -> tuple[int | None, dict[str, str], Any]:
        """Return status (None: no answer), lower-cased headers and parsed JSON body."""
        sent = {"Authorization": f"Bearer {token}", **(headers or {})}
        payload = None
        if body is not None:
            payload, sent["Content-Type"] = json.dumps(body).encode(), "application/json"
        try:
            self.conn.request(method, path, body=payload, headers=sent)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            return None, {}, None
        found = {k.lower(): v for k, v in response.getheaders()}
        if found.get("connection", "").lower() == "close":
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        return response.status, found, parsed


@dataclass
class Traffic:
    """The request mix; writes carry one vacancy per thread through open, submit, cancel."""

    tokens: dict[str, str]
    known: list[int] = field(default_factory=list)
    keys: itertools.count[int] = field(default_factory=itertools.count)

    def one(self, session: Session, rnd: random.Random, mine: dict[str, Any]) -> tuple[str, Any]:
        """Send one request of the mix; return its class and (status, headers, body)."""
        if rnd.random() < 0.6:
            reader = self.tokens[rnd.choice(("aud", "c1", "hr1", "boss"))]
            pick = rnd.random()
            if pick < 0.4 or not self.known:
                return "read", session.send("GET", "/api/v1/vacancies?per_page=20", reader)
            if pick < 0.8:
                vacancy = rnd.choice(self.known[-200:])
                return "read", session.send("GET", f"/api/v1/vacancies/{vacancy}", reader)
            return "read", session.send("GET", "/api/v1/tasks", self.tokens["c1"])
        key = {"Idempotency-Key": f"ov-{next(self.keys)}-{time.time_ns()}"}
        state = mine.get("vacancy")
        if state is None:
            body = {"position": "ADM-01", "title": "Overload", "reference_date": REFERENCE_DATE,
                    "pack": "stand-in"}  # fmt: skip
            result = session.send("POST", "/api/v1/vacancies", self.tokens["hr1"], body, key)
            if result[0] == 201:
                mine["vacancy"] = (result[2]["id"], result[2]["version"], "submit")
                self.known.append(result[2]["id"])
            return "write", result
        vacancy, version, action = state
        token = self.tokens["boss" if action == "cancel" else "hr1"]
        body = {"reason": "overload bench"} if action == "cancel" else {}
        result = session.send(
            "POST", f"/api/v1/vacancies/{vacancy}/actions/{action}", token, body,
            {**key, "If-Match": f'"{version}"'},
        )  # fmt: skip
        if result[0] == 200 and action == "submit":
            mine["vacancy"] = (vacancy, result[2]["vacancy"]["version"], "cancel")
        elif result[0] != 503 and result[0] is not None:
            mine["vacancy"] = None
        return "write", result


def sustainable(port: int, traffic: Traffic, *, clients: int, seconds: float) -> float:
    """Run closed-loop clients; return the requests per second answered with < 500."""
    stop = threading.Event()
    done = Counter[str]()
    lock = threading.Lock()

    def client(n: int) -> None:
        session, rnd, mine = Session(port), random.Random(n), {}
        while not stop.is_set():
            _kind, (status, _h, _b) = traffic.one(session, rnd, mine)
            with lock:
                done["ok" if status is not None and status < 500 else "other"] += 1

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    return done["ok"] / (time.perf_counter() - started)


@dataclass
class Outcomes:
    """What the open-loop phase saw."""

    latencies: dict[str, list[float]] = field(
        default_factory=lambda: {"served": [], "shed": [], "served_sent": []}
    )
    statuses: Counter[str] = field(default_factory=Counter)
    shed_without_retry_after: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def open_loop(
    port: int, traffic: Traffic, *, rate: float, seconds: float, senders: int
) -> tuple[Outcomes, float]:
    """Offer ``rate`` requests/s for ``seconds``; return the outcomes and the time it took."""
    tickets: queue.Queue[float | None] = queue.Queue()
    outcomes = Outcomes()

    def sender(n: int) -> None:
        session, rnd, mine = Session(port), random.Random(1000 + n), {}
        while (due := tickets.get()) is not None:
            sent = time.perf_counter()
            kind, (status, headers, _body) = traffic.one(session, rnd, mine)
            answered = time.perf_counter()
            elapsed = answered - due
            with outcomes.lock:
                if status is None:
                    outcomes.statuses["no answer"] += 1
                elif status == 503:
                    outcomes.statuses["503"] += 1
                    outcomes.latencies["shed"].append(elapsed)
                    if "retry-after" not in headers:
                        outcomes.shed_without_retry_after += 1
                else:
                    outcomes.statuses[f"{kind} {status}"] += 1
                    if status < 500:
                        outcomes.latencies["served"].append(elapsed)
                        outcomes.latencies["served_sent"].append(answered - sent)

    threads = [threading.Thread(target=sender, args=(n,), daemon=True) for n in range(senders)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    interval, sent = 1 / rate, 0
    while (now := time.perf_counter()) - started < seconds:
        due = started + sent * interval
        if due > now:
            time.sleep(due - now)
        tickets.put(due)
        sent += 1
    for _ in threads:
        tickets.put(None)
    for thread in threads:
        thread.join(timeout=120)
    return outcomes, time.perf_counter() - started


def probe_latency(port: int, token: str, count: int) -> list[float]:
    """Return the latencies of ``count`` sequential reads, one every 100 ms."""
    session, found = Session(port), []
    for _ in range(count):
        started = time.perf_counter()
        session.send("GET", "/api/v1/vacancies?per_page=20", token)
        found.append(time.perf_counter() - started)
        time.sleep(0.1)
    return found


def recovery(port: int, token: str, normal: float, *, limit: float = 120) -> float:
    """Return the seconds until five reads in a row answer 200 within ``2 * normal``."""
    session, streak, started = Session(port), 0, time.perf_counter()
    while time.perf_counter() - started < limit:
        sent = time.perf_counter()
        status, _h, _b = session.send("GET", "/api/v1/vacancies?per_page=20", token)
        took = time.perf_counter() - sent
        streak = streak + 1 if status == 200 and took <= 2 * normal else 0
        if streak == 5:
            return time.perf_counter() - started
        time.sleep(0.1)
    return float("inf")


def percentile(values: list[float], p: float) -> float:
    """Return the p-th percentile (nearest rank) in milliseconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] * 1000


def main() -> None:
    """Prepare, measure the sustainable load, overload, measure recovery; print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8, help="closed-loop clients (phase 1)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of phases 1 and 2")
    parser.add_argument("--factor", type=float, default=4.0, help="overload / sustainable")
    parser.add_argument("--senders", type=int, default=128, help="open-loop sender threads")
    parser.add_argument(
        "--no-shedding",
        action="store_true",
        help="control run: admission wide open (MAX_CONCURRENT_REQUESTS=64), as if queued",
    )
    args = parser.parse_args()
    postgres = PrivatePostgres()
    postgres.start()
    try:
        url = postgres.create_database("overload")
        tokens = prepare(url)
        extra = {"MAX_CONCURRENT_REQUESTS": "64", "GUNICORN_THREADS": "64"}
        env = production_env(
            url, postgres.folder / "instance", **(extra if args.no_shedding else {})
        )
        server = Gunicorn(env, workers=args.workers, log=ROOT / "bench" / "out" / "overload.log")
        server.start()
        try:
            run(server.port, tokens, args)
            print(f"server alive afterwards: {server.alive()}")
        finally:
            server.stop()
    finally:
        postgres.destroy()


def run(port: int, tokens: dict[str, str], args: argparse.Namespace) -> None:
    """The three phases and the report."""
    traffic = Traffic(tokens)
    mode = "control: no shedding" if args.no_shedding else "admission on"
    print(f"overload: gunicorn {args.workers} workers ({mode}), cpus {os.cpu_count()}, "
          f"load {os.getloadavg()[0]:.1f}")  # fmt: skip
    idle = probe_latency(port, tokens["aud"], 20)
    normal = percentile(idle, 50) / 1000
    print(f"idle read latency: p50 {normal * 1000:.1f} ms")
    capacity = sustainable(port, traffic, clients=args.clients, seconds=args.seconds)
    print(f"sustainable load ({args.clients} closed-loop clients, {args.seconds:.0f} s): "
          f"{capacity:.0f} requests/s")  # fmt: skip
    rate = capacity * args.factor
    outcomes, elapsed = open_loop(
        port, traffic, rate=rate, seconds=args.seconds, senders=args.senders
    )
    total = sum(outcomes.statuses.values())
    print(f"\noffered {rate:.0f} requests/s ({args.factor:g}x) for {args.seconds:.0f} s: "
          f"{total} requests in {elapsed:.1f} s")  # fmt: skip
    for status, count in sorted(outcomes.statuses.items()):
        print(f"  {status:<12}{count:>7}  {100 * count / total:5.1f} %")
    served, shed = outcomes.latencies["served"], outcomes.latencies["shed"]
    other_5xx = sum(
        n for s, n in outcomes.statuses.items() if s.split()[-1].startswith("5") and s != "503"
    )
    print(f"served: {len(served)} ({len(served) / elapsed:.0f}/s), "
          f"p50 {percentile(served, 50):.0f} ms, p99 {percentile(served, 99):.0f} ms "
          "(from when each request was due); from when it was sent: "
          f"p50 {percentile(outcomes.latencies['served_sent'], 50):.0f} ms, "
          f"p99 {percentile(outcomes.latencies['served_sent'], 99):.0f} ms")  # fmt: skip
    print(f"shed 503: {len(shed)}, p50 {percentile(shed, 50):.0f} ms, "
          f"p99 {percentile(shed, 99):.0f} ms; without Retry-After: "
          f"{outcomes.shed_without_retry_after}")  # fmt: skip
    print(f"other 5xx: {other_5xx}; no answer: {outcomes.statuses['no answer']}")
    seconds = recovery(port, tokens["aud"], normal)
    print(f"recovery after the load stopped: {seconds:.1f} s "
          f"(five reads in a row within 2x the idle p50)")  # fmt: skip


if __name__ == "__main__":
    main()

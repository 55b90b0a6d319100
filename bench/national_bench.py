"""National benchmark: a national-shaped registry on PostgreSQL, screened by Celery workers.

Run (PostgreSQL at 127.0.0.1, a database of its own; the bench drops and recreates its schema;
Redis at 127.0.0.1, database 15, which the bench empties)::

    createdb -h 127.0.0.1 -U postgres national
    PYTHONPATH=. .venv/bin/python bench/national_bench.py --sizes 100000,300000,1000000
    PYTHONPATH=. .venv/bin/python bench/national_bench.py --reuse --workers 1,2,4

For each size it (1) migrates an empty schema, (2) generates 34 provinces with their regencies
and cities as agencies (514 regencies/cities, 548 agencies) and ``size`` employees with full
histories (positions, ranks, education, trainings, three years of performance, assessments with
their competency scores, penalties), streamed into PostgreSQL with ``COPY … FROM STDIN``
(psycopg), then ANALYZE (``--reuse`` skips this and screens the registry already loaded, after
migrating it to head); (3) publishes the shipped ``bkn-national`` pack, opens and submits one
JPT Pratama vacancy in a province, open to the whole nation, and screens it as a **narrowed
job**, once per worker count (``--workers``, default 1,2,4): it starts that many
``flask jobs worker -c 1`` processes on Redis, starts the job, and polls the job row until it
ends. It prints, per worker count: candidates/s (pool size / seconds from starting the job to
its end, planning included), the scaling efficiency against 1 worker, the time to the first
progress (first shard stored), the narrowing ratio (the share of the pool the database
excluded), the peak RSS of each worker (the largest ``VmHWM`` of its process and its pool
process, read from /proc before it stops) and the result digest. Figures only; nothing asserts.
``docs/jobs.md`` ("Measured") holds the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from rules.pack import load_shipped
from rules.vocab import Competency, PenaltyType
from workflow.core import migrate
from workflow.core.db import Database, connect
from workflow.models.registry import Position, Tenant
from workflow.screening.shards import SHARD_SIZE, shard_counts

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/national"
REFERENCE = dt.date(2026, 3, 1)
VACANCY_CODE = "JPT-PRATAMA-01"
PROVINCES = (
    ("Aceh", 23), ("Sumatera Utara", 33), ("Sumatera Barat", 19), ("Riau", 12), ("Jambi", 11),
    ("Sumatera Selatan", 17), ("Bengkulu", 10), ("Lampung", 15),
    ("Kepulauan Bangka Belitung", 7), ("Kepulauan Riau", 7), ("DKI Jakarta", 6),
    ("Jawa Barat", 27), ("Jawa Tengah", 35), ("DI Yogyakarta", 5), ("Jawa Timur", 38),
    ("Banten", 8), ("Bali", 9), ("Nusa Tenggara Barat", 10), ("Nusa Tenggara Timur", 22),
    ("Kalimantan Barat", 14), ("Kalimantan Tengah", 14), ("Kalimantan Selatan", 13),
    ("Kalimantan Timur", 10), ("Kalimantan Utara", 5), ("Sulawesi Utara", 15),
    ("Sulawesi Tengah", 13), ("Sulawesi Selatan", 24), ("Sulawesi Tenggara", 17),
    ("Gorontalo", 6), ("Sulawesi Barat", 6), ("Maluku", 11), ("Maluku Utara", 10),
    ("Papua Barat", 13), ("Papua", 29),
)  # fmt: skip
"""The 34 provinces (before the 2022 Papua split) and how many regencies and cities each has."""

# current position level → (weight, rank choices, earlier level)
_LEVELS = (
    ("pelaksana", 0.40, ("II/a", "II/b", "II/c", "II/d", "III/a", "III/b"), "pelaksana"),
    ("jf_keterampilan", 0.10, ("II/b", "II/c", "II/d", "III/a", "III/b"), "pelaksana"),
    ("jf_ahli_pertama", 0.14, ("III/a", "III/b"), "pelaksana"),
    ("jf_ahli_muda", 0.12, ("III/c", "III/d"), "jf_ahli_pertama"),
    ("pengawas", 0.10, ("III/b", "III/c", "III/d"), "pelaksana"),
    ("jf_ahli_madya", 0.06, ("IV/a", "IV/b", "IV/c"), "jf_ahli_muda"),
    ("administrator", 0.06, ("III/d", "IV/a", "IV/b"), "pengawas"),
    ("jpt_pratama", 0.02, ("IV/b", "IV/c", "IV/d"), "administrator"),
)
_PREDICATES = (("Sangat Baik", 0.2), ("Baik", 0.7), ("Butuh Perbaikan", 0.07), ("Kurang", 0.03))
_COMPETENCIES = tuple(c.value for c in Competency)
_PENALTIES = tuple(PenaltyType)
TABLES = {
    "tenant": "id, code, name, level, parent_id, created_at",
    "employee": "id, nip, name, birth_date, gender, tenant_id, employment_type, rank, rank_tmt, "
    "position_id, lhkpn_year, health_certificate_date, disciplinary_case_pending, record_digest, "
    "created_at, updated_at",
    "education": "employee_id, level, field, year, institution",
    "position_history": "employee_id, title, level, unit, start_date, end_date",
    "training": "employee_id, kind, completed_on",
    "performance": "employee_id, year, predicate",
    "assessment": "id, employee_id, assessed_on, method, jpm, potential",
    "assessment_score": "assessment_id, competency, level",
    "penalty": "employee_id, level, type, start_date, end_date",
}


def _weighted(rnd: random.Random, table: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
    x = rnd.random()
    for row in table:
        x -= row[1]
        if x < 0:
            return row
    return table[-1]


def _day(rnd: random.Random, start: dt.date, days: int) -> dt.date:
    return start + dt.timedelta(days=rnd.randrange(max(days, 1)))


class Generator:
    """Streams the rows of a national registry, table by table, as COPY text."""

    def __init__(self, size: int, agencies: list[int], seed: int = 2026) -> None:
        self.size = size
        self.agencies = agencies
        self.rnd = random.Random(seed)
        self.assessment_id = 0
        self.now = "2026-01-01 00:00:00+00"

    def employees(self, chunk: int = 20_000) -> Iterator[dict[str, list[str]]]:
        """Yield, per chunk of employees, the COPY lines of every table."""
        seen: set[str] = set()
        for start in range(0, self.size, chunk):
            out: dict[str, list[str]] = {t: [] for t in TABLES if t != "tenant"}
            for i in range(start + 1, min(start + chunk, self.size) + 1):
                self._employee(i, seen, out)
            yield out

    def _employee(self, i: int, seen: set[str], out: dict[str, list[str]]) -> None:
        rnd = self.rnd
        birth = _day(rnd, dt.date(1966, 1, 1), 365 * 36)
        gender = "1" if rnd.random() < 0.5 else "2"
        joined = dt.date(birth.year + rnd.randint(21, 30), rnd.randint(1, 12), 1)
        serial = i % 1000
        nip = f"{birth:%Y%m%d}{joined:%Y%m}{gender}{serial:03d}"
        while nip in seen:
            serial = (serial + 1) % 1000
            nip = f"{birth:%Y%m%d}{joined:%Y%m}{gender}{serial:03d}"
        seen.add(nip)
        level, _, ranks, earlier = _weighted(rnd, _LEVELS)
        rank = rnd.choice(ranks)
        pns = rnd.random() < 0.9
        since = max(joined, _day(rnd, REFERENCE - dt.timedelta(days=10 * 365), 10 * 365))
        tenant = self.agencies[rnd.randrange(len(self.agencies))]
        rank_tmt = _day(rnd, REFERENCE - dt.timedelta(days=2000), 2000)
        lhkpn = rnd.choice(("2025", "2025", "2025", "2024", r"\N"))
        cert = _day(rnd, REFERENCE - dt.timedelta(days=400), 400) if rnd.random() < 0.8 else None
        pending = "t" if rnd.random() < 0.005 else "f"
        out["employee"].append(
            f"{i}\t{nip}\tPegawai {i}\t{birth}\t{'M' if gender == '1' else 'F'}\t{tenant}\t"
            f"{'PNS' if pns else 'PPPK'}\t{rank}\t{rank_tmt}\t\\N\t{lhkpn}\t"
            f"{cert if cert else chr(92) + 'N'}\t{pending}\t{nip:0>64}\t{self.now}\t{self.now}"
        )
        # positions: the current one, the one before it, sometimes an older one
        positions = out["position_history"]
        positions.append(f"{i}\tJabatan sekarang\t{level}\tUnit\t{since}\t\\N")
        if since > joined:
            end = since - dt.timedelta(days=1)
            begun = max(joined, end - dt.timedelta(days=rnd.randint(365, 8 * 365)))
            positions.append(f"{i}\tJabatan sebelumnya\t{earlier}\tUnit\t{begun}\t{end}")
            if begun > joined and rnd.random() < 0.5:
                positions.append(
                    f"{i}\tJabatan awal\tpelaksana\tUnit\t{joined}\t{begun - dt.timedelta(days=1)}"
                )
        top = rnd.choice(("SMA", "D-III", "S1", "S1", "S1", "D-IV", "S2", "S2", "S3"))
        education = out["education"]
        education.append(f"{i}\tSMA\tIPA\t{birth.year + 18}\t\\N")
        if top != "SMA":
            education.append(f"{i}\t{top}\tAdministrasi Publik\t{birth.year + 23}\tUniversitas")
        if rnd.random() < 0.5:
            kind = "PKA" if level in ("administrator", "jpt_pratama") else "PKP"
            out["training"].append(f"{i}\t{kind}\t{_day(rnd, joined, 3000)}")
        for year in (2023, 2024, 2025):
            if rnd.random() < 0.98:
                out["performance"].append(f"{i}\t{year}\t{_weighted(rnd, _PREDICATES)[0]}")
        if rnd.random() < 0.35:
            self.assessment_id += 1
            aid = self.assessment_id
            potential = rnd.choice(("rendah", "menengah", "tinggi"))
            jpm = f"{rnd.randint(6000, 9800) / 100:.2f}"
            assessed = _day(rnd, REFERENCE - dt.timedelta(days=900), 900)
            out["assessment"].append(
                f"{aid}\t{i}\t{assessed}\tassessment_center\t{jpm}\t{potential}"
            )
            for competency in _COMPETENCIES:
                out["assessment_score"].append(f"{aid}\t{competency}\t{rnd.choice((2, 3, 3, 4))}")
        if rnd.random() < 0.04:
            kind = rnd.choice(_PENALTIES)
            begun = _day(rnd, REFERENCE - dt.timedelta(days=2500), 2500)
            end = begun + dt.timedelta(days=rnd.choice((0, 182, 365)))
            out["penalty"].append(f"{i}\t{kind.level.value}\t{kind.value}\t{begun}\t{end}")


def _psycopg_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def reset_schema(url: str) -> None:
    """Drop and recreate the public schema, then migrate it to head."""
    with psycopg.connect(_psycopg_url(url), autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")
    db = connect(url)
    try:
        migrate.upgrade(db)
    finally:
        db.dispose()


def agencies_rows() -> list[str]:
    """Return the COPY lines of the national agency, the provinces and their regencies/cities."""
    now = "2026-01-01 00:00:00+00"
    rows = [f"1\tnasional\tBadan Kepegawaian Negara\tnational\t\\N\t{now}"]
    next_id = 2
    for p, (name, regencies) in enumerate(PROVINCES, start=1):
        province = next_id
        rows.append(f"{province}\tprov-{p:02d}\tProvinsi {name}\tprovince\t1\t{now}")
        next_id += 1
        for r in range(1, regencies + 1):
            kind, label = ("city", "Kota") if r % 5 == 0 else ("regency", "Kabupaten")
            code = f"prov-{p:02d}-{r:02d}"
            rows.append(f"{next_id}\t{code}\t{label} {r} {name}\t{kind}\t{province}\t{now}")
            next_id += 1
    return rows


def generate(url: str, size: int) -> dict[str, Any]:
    """Migrate an empty schema and COPY a national registry of ``size`` employees into it."""
    started = time.perf_counter()
    reset_schema(url)
    tenants = agencies_rows()
    agencies = [int(r.split("\t")[0]) for r in tenants if "\tnational\t" not in r]
    rows: dict[str, int] = {}
    with psycopg.connect(_psycopg_url(url)) as conn, conn.cursor() as cur:
        # replica role: no foreign-key triggers per copied row (the generator keeps them true)
        cur.execute("SET session_replication_role = replica")
        _copy(cur, "tenant", tenants)
        rows["tenant"] = len(tenants)
        for chunk in Generator(size, agencies).employees():
            for table in TABLES:
                if chunk.get(table):
                    _copy(cur, table, chunk[table])
                    rows[table] = rows.get(table, 0) + len(chunk[table])
        for table in ("tenant", "employee", "assessment"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        conn.commit()
    loaded = time.perf_counter()
    with psycopg.connect(_psycopg_url(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return {
        "rows": rows,
        "copy_s": round(loaded - started, 1),
        "analyze_s": round(time.perf_counter() - loaded, 1),
    }


def _copy(cur: psycopg.Cursor[Any], table: str, lines: list[str]) -> None:
    buffer = StringIO()
    buffer.write("\n".join(lines))
    buffer.write("\n")
    with cur.copy(f"COPY {table} ({TABLES[table]}) FROM STDIN") as copy:
        copy.write(buffer.getvalue())


def open_vacancy(db: Database) -> int:
    """Create the JPT Pratama vacancy (a province's secretary) and return its position id."""
    with db.transaction() as session:
        existing = session.scalar(select(Position.id).where(Position.code == VACANCY_CODE))
        if existing is not None:
            return existing
        tenant = session.scalar(select(Tenant.id).where(Tenant.code == "prov-16"))
        position = Position(
            tenant_id=tenant, code=VACANCY_CODE, title="Sekretaris Daerah Provinsi Banten",
            level="jpt_pratama", unit="Sekretariat Daerah", is_key=True,
            required_education_fields=["Administrasi Publik"],
        )  # fmt: skip
        session.add(position)
        session.flush()
        return position.id


BROKER = "redis://127.0.0.1:6379/15"
BENCH_HR = "bench.hr"
FLASK = Path(sys.executable).parent / "flask"


@dataclass
class ScreenFigures:
    """What one screening of the national pool by Celery workers measured."""

    workers: int
    shards: int
    pool: int
    narrowed_out: int
    evaluated: int
    plan_s: float
    total_s: float
    first_progress_s: float
    candidates_per_s: float
    narrowing_ratio: float
    peak_rss_mb: list[float]
    result_digest: str


def _ready_vacancy(db: Database, run: str) -> tuple[int, int, Any]:
    """Publish the pack, make the bench's HR officer, open and submit a nation-wide vacancy.

    Return the vacancy id, its version and the system actor that starts its screening.
    """
    from workflow import vacancies
    from workflow.core.actors import system_actor
    from workflow.identity.accounts import actor_by_username
    from workflow.models import User, UserRole
    from workflow.screening.rulepacks import publish_pack

    now = dt.datetime.now(dt.UTC)
    published = publish_pack(db, pack=load_shipped()["bkn-national"], published_by="bench", now=now)
    with db.transaction() as session:
        tenant = session.scalars(select(Tenant).where(Tenant.code == "prov-16")).one()
        codes = list(session.scalars(select(Tenant.code).order_by(Tenant.id)))
        if session.scalar(select(User.id).where(User.username == BENCH_HR)) is None:
            session.add(
                User(
                    tenant_id=tenant.id,
                    username=BENCH_HR,
                    display_name="Bench HR",
                    roles=[UserRole(role="hr")],
                )
            )
        system = system_actor(tenant.id, tenant.code, tenant.level)
    with db.read() as session:
        hr = actor_by_username(session, BENCH_HR)
    opened = vacancies.open_vacancy(
        db, actor=hr, position_code=VACANCY_CODE, title=f"Sekda Banten (bench {run})",
        reference_date=REFERENCE, pack_digest=published.digest,
        candidate_tenant_codes=codes, idempotency_key=f"bench-{run}-open", now=now,
    )  # fmt: skip
    vacancy_id = int(opened.vacancy["id"])
    submitted = vacancies.submit(
        db, actor=hr, vacancy_id=vacancy_id, expected_version=int(opened.vacancy["version"]),
        idempotency_key=f"bench-{run}-submit", now=now,
    )  # fmt: skip
    return vacancy_id, int(submitted.vacancy["version"]), system


def _start_workers(url: str, workers: int) -> list[subprocess.Popen[bytes]]:
    """Start ``workers`` processes of ``flask jobs worker -c 1`` on the bench's broker."""
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        "DATABASE_URL": url,
        "JOBS_BROKER_URL": BROKER,
        "JOBS_EAGER": "0",
        "APP_ENV": "development",
        "LOG_LEVEL": "WARNING",
        "INSTANCE_PATH": f"/tmp/national-bench-worker-{os.getpid()}",
    }
    command = [str(FLASK), "--app", "wsgi", "jobs", "worker", "-c", "1", "--loglevel", "WARNING"]
    root = Path(__file__).resolve().parent.parent
    return [
        subprocess.Popen(
            [*command, "--hostname", f"bench{i}@%h"],
            cwd=root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(workers)
    ]


def _wait_ready(queue: Any, workers: int, timeout: float = 120) -> None:
    """Wait until every worker answers a ping (their start-up is not measured)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(queue.celery.control.ping(timeout=1.0)) >= workers:
            return
    raise RuntimeError(f"{workers} workers did not answer within {timeout} s")


def _tree(pid: int) -> list[int]:
    """Return a process and its descendants (read from /proc)."""
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            todo.extend(int(c) for c in task.read_text().split())
    return pids


def _peak_rss_mb(pid: int) -> float:
    """Return the largest VmHWM (peak resident set) of a worker process and its children, MB."""
    peaks = [0.0]
    for member in _tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return round(max(peaks), 1)


def screen_pool(db: Database, workers: int, shard_size: int = SHARD_SIZE) -> ScreenFigures:
    """Screen the whole nation for the vacancy as a narrowed job on ``workers`` Celery workers.

    Starts ``workers`` processes of ``flask jobs worker -c 1`` (Redis database 15), opens and
    submits a nation-wide vacancy, starts its screening job and polls the job row until done.
    """
    import redis

    from workflow import jobs
    from workflow.models import Job, JobShard

    redis.Redis.from_url(BROKER).flushdb()
    queue = jobs.make_queue(db, broker_url=BROKER, eager=False, shard_size=shard_size, narrow=True)
    run = f"{workers}w-{int(time.time())}"
    vacancy_id, version, system = _ready_vacancy(db, run)
    procs = _start_workers(str(db.engine.url.render_as_string(hide_password=False)), workers)
    try:
        _wait_ready(queue, workers)
        started = time.perf_counter()
        job = jobs.start_screening_job(
            queue, actor=system, vacancy_id=vacancy_id, expected_version=version,
            idempotency_key=f"bench-{run}-start", now=dt.datetime.now(dt.UTC),
        ).job  # fmt: skip
        planned = time.perf_counter()
        assert job is not None
        first: float | None = None
        while True:
            with db.read() as session:
                row = session.get(Job, job.id)
                assert row is not None
                state, done = row.state, row.shards_done
            if first is None and done:
                first = time.perf_counter()
            if state not in jobs.ACTIVE:
                break
            time.sleep(0.2)
        finished = time.perf_counter()
        peaks = [_peak_rss_mb(p.pid) for p in procs]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    with db.read() as session:
        row = session.get(Job, job.id)
        assert row is not None
        if row.state != jobs.SUCCEEDED:
            raise RuntimeError(f"job {job.id} ended {row.state}: {row.error}")
        narrowed = evaluated = 0
        for payload in session.scalars(select(JobShard.payload).where(JobShard.job_id == job.id)):
            shard_evaluated, shard_narrowed = shard_counts(payload)
            narrowed += shard_narrowed
            evaluated += shard_evaluated
        pool, shards, digest = row.candidates_total, row.shards_total, row.result_digest or ""
    total = finished - started
    return ScreenFigures(
        workers=workers,
        shards=shards,
        pool=pool,
        narrowed_out=narrowed,
        evaluated=evaluated,
        plan_s=round(planned - started, 2),
        total_s=round(total, 2),
        first_progress_s=round((first or finished) - started, 2),
        candidates_per_s=round(pool / total),
        narrowing_ratio=round(narrowed / pool, 4) if pool else 0.0,
        peak_rss_mb=peaks,
        result_digest=digest,
    )


def _report(f: ScreenFigures, base: ScreenFigures | None) -> str:
    """Return one worker count's figures as a line (scaling efficiency against ``base``)."""
    efficiency = (
        f"; scaling efficiency {f.candidates_per_s / (base.candidates_per_s * f.workers):.0%}"
        if base is not None and base.candidates_per_s
        else ""
    )
    return (
        f"  workers={f.workers}: {f.candidates_per_s:,} candidates/s end to end "
        f"({f.total_s} s, planning {f.plan_s} s, {f.shards} shards){efficiency}; first progress "
        f"{f.first_progress_s} s; narrowing ratio {f.narrowing_ratio:.1%} ({f.narrowed_out:,} "
        f"out, {f.evaluated:,} evaluated); peak RSS per worker {f.peak_rss_mb} MB; "
        f"digest {f.result_digest[:12]}"
    )


def _screen_all(url: str, workers: list[int], shard_size: int) -> None:
    """Screen the registry in ``url`` once per worker count and print each line."""
    db = connect(url)
    try:
        open_vacancy(db)
        base: ScreenFigures | None = None
        for count in workers:
            print(f"  load average before: {os.getloadavg()}", flush=True)
            figures = screen_pool(db, count, shard_size)
            base = base or (figures if count == 1 else None)
            print(_report(figures, base), flush=True)
    finally:
        db.dispose()
    print(f"  load average now: {os.getloadavg()}", flush=True)


def main() -> None:
    """Parse the flags, then generate (or reuse) and screen each size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--sizes", default="100000,300000,1000000")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--shard-size", type=int, default=SHARD_SIZE)
    parser.add_argument(
        "--reuse", action="store_true", help="screen the registry already loaded (migrated to head)"
    )
    args = parser.parse_args()
    # PostgreSQL's JIT compiles the narrowing's many subplans for seconds on every query (its
    # cost estimate is high); interpreted it runs ten times faster. libpq reads PGOPTIONS.
    os.environ.setdefault("PGOPTIONS", "-c jit=off")
    workers = [int(w) for w in args.workers.split(",")]
    print(f"machine: {os.cpu_count()} cores; load: {os.getloadavg()}", flush=True)
    if args.reuse:
        db = connect(args.url)
        try:
            migrate.upgrade(db)
            with db.read() as session:
                size = session.scalar(text("SELECT count(*) FROM employee"))
                agencies = session.scalar(text("SELECT count(*) FROM tenant"))
        finally:
            db.dispose()
        print(f"\n== {size:,} employees, {agencies} agencies (reused registry)", flush=True)
        _screen_all(args.url, workers, args.shard_size)
        return
    for size in (int(s) for s in args.sizes.split(",")):
        built = generate(args.url, size)
        db = connect(args.url)
        try:
            with db.read() as session:
                agencies = session.scalar(text("SELECT count(*) FROM tenant"))
        finally:
            db.dispose()
        print(
            f"\n== {size:,} employees, {agencies} agencies: generated and COPY-loaded in "
            f"{built['copy_s']} s (+ VACUUM ANALYZE {built['analyze_s']} s); "
            f"rows {built['rows']}",
            flush=True,
        )
        _screen_all(args.url, workers, args.shard_size)


if __name__ == "__main__":
    main()

"""National benchmark: a national-shaped registry on PostgreSQL, screened for a JPT Pratama post.

Run (PostgreSQL at 127.0.0.1, a database of its own; the bench drops and recreates its schema)::

    createdb -h 127.0.0.1 -U postgres national
    PYTHONPATH=. .venv/bin/python bench/national_bench.py --sizes 100000,300000,1000000

For each size it (1) migrates an empty schema, (2) generates 34 provinces with their regencies
and cities as agencies (514 regencies/cities, 548 agencies) and ``size`` employees with full
histories (positions, ranks, education, trainings, three years of performance, assessments with
their competency scores, penalties), streamed into PostgreSQL with ``COPY … FROM STDIN``
(psycopg), then ANALYZE; (3) opens one JPT Pratama vacancy in a province, open to the whole
nation, and screens it with the shipped ``bkn-national`` pack and indexed narrowing, once per
worker count (``--workers``, default 1,2), each in a fresh process so its peak memory (RSS of
the process and of its forked workers) is its own. It prints, per size and worker count:
candidates/s (pool size / end-to-end seconds), the narrowing ratio (the share of the pool the
database excluded), the peak RSS, the time to the first result (the narrowed-out list: the first
decisions stored, before any profile is loaded) and where the time went (narrowing query, profile
load, evaluation). Figures only; nothing asserts. ``docs/jobs-bench.md`` holds measured figures.

The screening step is :func:`screen_pool` (a worker count in, timings out): today it uses the
process-pool path of :func:`rules.screening.screen`; the Celery path replaces its body.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from io import StringIO
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from rules.pack import load_shipped
from rules.screening import screen
from rules.vocab import Competency, PenaltyType
from workflow.core import migrate
from workflow.core.db import Database, connect
from workflow.models.registry import Position, Tenant
from workflow.screening.narrowing import classify, narrowing_for
from workflow.screening.profiles import load_profiles, vacancy_context

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


@dataclass
class ScreenFigures:
    """What one screening of the national pool measured."""

    workers: int
    pool: int
    narrowed_out: int
    evaluated: int
    eligible: int
    needs_data: int
    narrowing_s: float
    load_s: float
    evaluate_s: float
    total_s: float
    first_result_s: float
    candidates_per_s: float
    narrowing_ratio: float
    peak_rss_mb: float
    peak_worker_rss_mb: float
    result_digest: str


def screen_pool(db: Database, workers: int) -> ScreenFigures:
    """Screen the whole nation for the vacancy with ``workers`` processes; return the figures.

    The steps of ``workflow.screening.pool.screen_position(narrow=True)``, timed one by one.
    """
    pack = load_shipped()["bkn-national"]
    started = time.perf_counter()
    with db.read() as session:
        position_id = session.scalar(select(Position.id).where(Position.code == VACANCY_CODE))
        assert position_id is not None
        context = vacancy_context(session, position_id=position_id, reference_date=REFERENCE)
        narrowing = narrowing_for(pack, context)
        kept, left_out = classify(session, narrowing, exclude_position_id=position_id)
        narrowed_at = time.perf_counter()
        profiles = load_profiles(session, employee_ids=kept)
    loaded_at = time.perf_counter()
    result = screen(pack, context, profiles, processes=workers, narrowed=left_out)
    done = time.perf_counter()
    statuses = [d.status for d in result.decisions]
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    pool = result.candidates
    return ScreenFigures(
        workers=workers,
        pool=pool,
        narrowed_out=len(left_out),
        evaluated=len(profiles),
        eligible=statuses.count("eligible"),
        needs_data=statuses.count("needs_data"),
        narrowing_s=round(narrowed_at - started, 2),
        load_s=round(loaded_at - narrowed_at, 2),
        evaluate_s=round(done - loaded_at, 2),
        total_s=round(done - started, 2),
        first_result_s=round(narrowed_at - started, 2),
        candidates_per_s=round(pool / (done - started)),
        narrowing_ratio=round(len(left_out) / pool, 4) if pool else 0.0,
        peak_rss_mb=round(usage, 1),
        peak_worker_rss_mb=round(children, 1),
        result_digest=result.result_digest,
    )


def _screen_in_fresh_process(url: str, workers: int) -> dict[str, Any]:
    """Run :func:`screen_pool` in a new interpreter (its peak RSS is then its own)."""
    command = [sys.executable, __file__, "--url", url, "--screen-only", str(workers)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    """Parse the flags, then generate and screen each size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--sizes", default="100000,300000,1000000")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--screen-only", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    # PostgreSQL's JIT compiles the narrowing's many subplans for seconds on every query (its
    # cost estimate is high); interpreted it runs ten times faster. libpq reads PGOPTIONS.
    os.environ.setdefault("PGOPTIONS", "-c jit=off")
    if args.screen_only:
        db = connect(args.url)
        try:
            print(json.dumps(asdict(screen_pool(db, args.screen_only))))
        finally:
            db.dispose()
        return
    print(f"machine: {os.cpu_count()} cores; load: {os.getloadavg()}")
    for size in (int(s) for s in args.sizes.split(",")):
        built = generate(args.url, size)
        db = connect(args.url)
        try:
            open_vacancy(db)
            with db.read() as session:
                agencies = session.scalar(text("SELECT count(*) FROM tenant"))
        finally:
            db.dispose()
        print(
            f"\n== {size:,} employees, {agencies} agencies: generated and COPY-loaded in "
            f"{built['copy_s']} s (+ VACUUM ANALYZE {built['analyze_s']} s); "
            f"rows {built['rows']}"
        )
        for workers in (int(w) for w in args.workers.split(",")):
            f = _screen_in_fresh_process(args.url, workers)
            print(
                f"  workers={workers}: {f['candidates_per_s']:,} candidates/s end to end "
                f"({f['total_s']} s: narrowing {f['narrowing_s']} s, load {f['load_s']} s, "
                f"evaluate {f['evaluate_s']} s); narrowing ratio {f['narrowing_ratio']:.1%} "
                f"({f['narrowed_out']:,} out, {f['evaluated']:,} evaluated, "
                f"{f['eligible']:,} eligible, {f['needs_data']:,} needs data); first result "
                f"{f['first_result_s']} s; peak RSS {f['peak_rss_mb']} MB "
                f"(largest worker {f['peak_worker_rss_mb']} MB); digest {f['result_digest'][:12]}"
            )
        print(f"  load average now: {os.getloadavg()}")


if __name__ == "__main__":
    main()

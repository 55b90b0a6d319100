"""Talent-map benchmark: employees placed per second, end to end and pure, and memory per run.

Run ``PYTHONPATH=. .venv/bin/python bench/talent_bench.py`` (``--quick`` for a short run). It
prints:

* (a) the pure map (``rules.talent.map_talent``: 9-box, pool, input and result digests) of a
  20,000-employee agency on one process, and of 100,000 generated employees on one and on two
  processes (``bench/pool.py``'s realistic mix);
* (b) the whole use case on a demo registry of 20,000 employees in SQLite
  (``workflow.talent.run_talent_map``: load every profile, map, store the snapshot, the
  placements and the ledger entry), with the share of each step;
* (c) the resident memory after each of ten repeated runs of (b) and of (a), to show it does
  not grow with the number of runs;
* (d) successor lists for 500 key positions of a 1,000-employee agency: each a full screening
  (``rules.screening.screen``, the engine) kept to those within the readiness horizon.

Figures only; nothing asserts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
import tempfile
import time
from pathlib import Path

import psutil
from sqlalchemy import select, update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.schemas.registry_import import RegistryRowValidator
from bench.pool import REFERENCE_DATE, pool
from rules.pack import load_shipped
from rules.profile import VacancyContext
from rules.screening import screen
from rules.talent import Subject, map_talent
from rules.vocab import PositionLevel
from workflow import talent
from workflow.core import connect, upgrade_schema
from workflow.identity import actor_named, create_user
from workflow.models import Employee, RulePack, Tenant
from workflow.registry.demo import seed_demo
from workflow.talent.runs import compute, gzip_snapshot, load_subjects, store

NOW = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
LEVELS = (PositionLevel.PELAKSANA, PositionLevel.PENGAWAS, PositionLevel.ADMINISTRATOR)


def _rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def subjects(size: int) -> list[Subject]:
    """Return ``size`` generated employees with a level and one of 40 units."""
    return [
        Subject(p, LEVELS[i % 3], f"Unit {i % 40:02d}") for i, p in enumerate(pool(size, seed=11))
    ]


def pure(sizes: list[tuple[int, int]]) -> None:
    """Print (a): the pure map per size and process count."""
    pack = load_shipped()["bkn-national"]
    print("(a) pure map (rules.talent.map_talent)")
    made: dict[int, list[Subject]] = {}
    for size, processes in sizes:
        people = made.setdefault(size, subjects(size))
        start = time.perf_counter()
        result = map_talent(pack, REFERENCE_DATE, people, processes=processes)
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        stored = gzip_snapshot(REFERENCE_DATE, people)
        snap = time.perf_counter() - start
        print(
            f"  {size:>7,} employees, {processes} process(es): {seconds:6.2f} s "
            f"({size / seconds:,.0f}/s); mapped {result.mapped:,}, pool {result.pool:,}; "
            f"snapshot {len(stored) / 2**20:.1f} MiB gzip in {snap:.2f} s; "
            f"digest {result.result_digest[:12]}"
        )


def end_to_end(employees: int, repeats: int) -> None:
    """Print (b) and the first half of (c): the use case on a demo registry in SQLite."""
    with tempfile.TemporaryDirectory() as directory:
        db = connect(f"sqlite:///{directory}/bench.db")
        upgrade_schema(db)
        start = time.perf_counter()
        seed_demo(
            db,
            employees=employees,
            seed=7,
            as_of=REFERENCE_DATE,
            validator=RegistryRowValidator(),
            now=NOW,
        )
        pack = load_shipped()["bkn-national"]
        with db.transaction() as session:
            session.add(
                RulePack(
                    pack_id=pack.id,
                    version=pack.version,
                    digest=pack.digest,
                    canonical=pack.canonical_json.decode(),
                    parent_digest=None,
                    published_at=NOW,
                    published_by="bench",
                )
            )
        create_user(db, tenant_code="BANTEN", username="hr", display_name="HR", roles=["hr"])
        seeded = time.perf_counter() - start
        print(f"\n(b) whole use case, SQLite (demo registry seeded in {seeded:.0f} s)")
        with db.transaction() as session:
            tenant_id = session.scalar(select(Tenant.id).where(Tenant.code == "BANTEN"))
            # one agency of the whole size: the demo spreads its people over Banten's regions
            session.execute(update(Employee).values(tenant_id=tenant_id))
        assert tenant_id is not None
        t0 = time.perf_counter()
        with db.read() as session:
            loaded = load_subjects(session, tenant_id=tenant_id)
        t1 = time.perf_counter()
        result = compute(pack, loaded, reference_date=REFERENCE_DATE, processes=1)
        t2 = time.perf_counter()
        with db.transaction() as session:
            store(session, loaded=loaded, result=result, trigger="demand", created_by="b", now=NOW)
        t3 = time.perf_counter()
        total = t3 - t0
        size = len(loaded.subjects)
        print(
            f"  BANTEN, {size:,} employees: {total:.2f} s ({size / total:,.0f}/s) = load "
            f"{t1 - t0:.2f} s + map {t2 - t1:.2f} s + store (snapshot, placements, ledger) "
            f"{t3 - t2:.2f} s"
        )
        del loaded, result
        print(f"\n(c) resident memory over {repeats} runs of the use case (MiB)")
        actor = actor_named(db, username="hr")
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            talent.run_talent_map(
                db, actor=actor, reference_date=REFERENCE_DATE, now=NOW, processes=1
            )
            gc.collect()
            samples.append((_rss_mb(), time.perf_counter() - start, len(gc.get_objects())))
        print("  RSS: " + ", ".join(f"{rss:.0f}" for rss, _, _ in samples))
        print("  live Python objects: " + ", ".join(f"{n:,}" for _, _, n in samples))
        print(
            f"  per run: {min(s for _, s, _ in samples):.2f}-{max(s for _, s, _ in samples):.2f} s"
        )
        db.dispose()


def repeated_pure(size: int, repeats: int) -> None:
    """Print the second half of (c): memory over repeated pure maps."""
    pack = load_shipped()["bkn-national"]
    people = subjects(size)
    samples = []
    for _ in range(repeats):
        map_talent(pack, REFERENCE_DATE, people)
        gc.collect()
        samples.append(_rss_mb())
    print(f"  pure map of {size:,}, {repeats} runs: " + ", ".join(f"{r:.0f}" for r in samples))


def succession(positions: int, agency: int) -> None:
    """Print (d): successor lists (screen, rank, keep those within the readiness horizon) for
    ``positions`` key positions of an agency of ``agency`` employees, one process."""
    pack = load_shipped()["bkn-national"]
    people = pool(agency, seed=5)
    levels = (PositionLevel.ADMINISTRATOR, PositionLevel.PENGAWAS)
    start = time.perf_counter()
    kept = 0
    for number in range(positions):
        context = VacancyContext(
            levels[number % 2], REFERENCE_DATE, position_code=f"KEY-{number:03d}", is_key=True
        )
        result = screen(pack, context, people)
        kept += sum(1 for d in result.decisions if d.readiness >= 0)
    seconds = time.perf_counter() - start
    print(
        f"\n(d) successor lists: {positions} key positions × {agency:,} employees in "
        f"{seconds:.1f} s ({positions / seconds:.1f} positions/s, "
        f"{positions * agency / seconds:,.0f} evaluations/s); {kept / positions:.0f} successors "
        "within the horizon per position on average"
    )


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 / 10,000 employees")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--positions", type=int, default=500, help="key positions for (d)")
    parser.add_argument("--agency-for-succession", type=int, default=1000)
    args = parser.parse_args()
    agency, large = (2000, 10000) if args.quick else (20000, 100000)
    pure([(agency, 1), (large, 1), (large, 2)])
    end_to_end(agency, args.repeats)
    repeated_pure(agency, args.repeats)
    succession(args.positions, args.agency_for_succession)


if __name__ == "__main__":
    main()

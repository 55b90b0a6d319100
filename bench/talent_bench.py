"""Talent-map benchmark: the whole use case at 20,000, the pure map at 100,000, memory, successors.

Run ``PYTHONPATH=. .venv/bin/python bench/talent_bench.py [--database-url URL]`` (default: a
temporary SQLite file; give a PostgreSQL URL of an empty or earlier bench database to measure
there; ``--quick`` for a short run). It prints, with the machine's load average beside it:

* (a) the whole use case (``workflow.talent.run_talent_map``'s steps) for one agency of 20,000
  demo employees on one process: load (every profile, one read transaction), map (9-box, pool,
  digests, snapshot), store (snapshot, placements, ledger entry), wall and CPU seconds each;
* (b) the pure map (``rules.talent.map_talent``, snapshot included) of 100,000 generated
  employees (``bench/pool.py``'s realistic mix) on one and on two processes;
* (c) the resident memory after each of five repeated runs of the whole use case, to show it
  does not grow with the number of runs;
* (d) successor lists for 500 key positions of a 1,000-employee agency
  (``workflow.talent.successor_lists``: the agency loaded once, screened per position by the
  engine, kept within the readiness horizon, the shown people access-logged).

The demo registry is seeded once per database (about a minute on SQLite, two to three on a
busy PostgreSQL) and reused by later runs. Figures only; nothing asserts.
"""

from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import gc
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import psutil
from sqlalchemy import func, select, update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.schemas.registry_import import RegistryRowValidator
from bench.pool import REFERENCE_DATE, pool
from rules.pack import load_shipped
from rules.talent import Subject, map_talent
from rules.vocab import PositionLevel
from workflow import talent
from workflow.core import Database, NotFound, connect, upgrade_schema
from workflow.identity import AccessRecorder, actor_named, create_user
from workflow.models import Employee, Position, RulePack, Tenant
from workflow.registry.demo import seed_demo
from workflow.talent.runs import compute, load_subjects, store

NOW = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
LEVELS = (PositionLevel.PELAKSANA, PositionLevel.PENGAWAS, PositionLevel.ADMINISTRATOR)
AGENCY = "BANTEN"
SUCCESSION_AGENCY = "KOTA-SERANG"
T = TypeVar("T")


def _rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def _trimmed_rss_mb() -> float:
    """Return the RSS after glibc's ``malloc_trim(0)`` hands free heap pages back (freed
    memory the allocator keeps is not a leak; memory still held after it would be)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        return float("nan")
    return _rss_mb()


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"


@contextmanager
def _clock(into: list[tuple[float, float]]) -> Iterator[None]:
    """Append (wall, CPU) seconds of the block to ``into`` (CPU of this process and of the
    worker processes it waited for)."""
    wall, cpu = time.perf_counter(), _cpu()
    yield
    into.append((time.perf_counter() - wall, _cpu() - cpu))


def _cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def _timed(step: Callable[[], T], into: list[tuple[float, float]]) -> T:
    with _clock(into):
        return step()


def prepare(url: str | None, employees: int, directory: str) -> Database:
    """Return the bench database, seeding the demo registry into it when it has none."""
    db = connect(url or f"sqlite:///{directory}/bench.db")
    upgrade_schema(db)
    with db.read() as session:
        present = session.scalar(select(func.count(Employee.id))) or 0
    if present:
        print(f"reusing the {present:,} employees already in the database")
        _users(db)
        return db
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
    _users(db)
    print(f"seeded {employees:,} demo employees in {time.perf_counter() - start:.0f} s")
    return db


def _users(db: Database) -> None:
    """Create the bench's HR officers unless an earlier run did."""
    for tenant, username in ((AGENCY, "hr"), (SUCCESSION_AGENCY, "hr.kota")):
        try:
            actor_named(db, username=username)
        except NotFound:
            create_user(db, tenant_code=tenant, username=username, display_name="HR", roles=["hr"])


def _tenant(db: Database, code: str) -> int:
    with db.read() as session:
        found = session.scalar(select(Tenant.id).where(Tenant.code == code))
    assert found is not None
    return found


def whole_use_case(db: Database, repeats: int) -> None:
    """Print (a) and (c): the use case on one agency holding every employee."""
    tenant_id = _tenant(db, AGENCY)
    with db.transaction() as session:
        # one agency of the whole size: the demo spreads its people over Banten's regions
        session.execute(update(Employee).values(tenant_id=tenant_id))
    pack = load_shipped()["bkn-national"]
    steps: list[tuple[float, float]] = []
    total: list[tuple[float, float]] = []
    with _clock(total):
        with _clock(steps), db.read() as session:
            loaded = load_subjects(session, tenant_id=tenant_id)
        with _clock(steps):
            result = compute(pack, loaded, reference_date=REFERENCE_DATE, processes=1)
        with _clock(steps), db.transaction() as session:
            store(session, loaded=loaded, result=result, trigger="demand", created_by="b", now=NOW)
    size = len(loaded.subjects)
    (load_w, load_c), (map_w, map_c), (store_w, store_c) = steps
    print(
        f"\n(a) whole use case, {db.engine.dialect.name}, one process: {AGENCY} with {size:,} "
        f"employees ({result.mapped:,} mapped, pool {result.pool:,}, result digest "
        f"{result.result_digest[:12]})\n"
        f"  total {total[0][0]:.2f} s wall, {total[0][1]:.2f} s CPU ({size / total[0][0]:,.0f}/s)"
        f"\n  load  {load_w:5.2f} s wall, {load_c:5.2f} s CPU\n"
        f"  map   {map_w:5.2f} s wall, {map_c:5.2f} s CPU\n"
        f"  store {store_w:5.2f} s wall, {store_c:5.2f} s CPU (snapshot "
        f"{len(result.snapshot) / 2**20:.0f} MiB of JSON, placements, ledger)\n  {_load()}"
    )
    del loaded, result
    print(f"\n(c) resident memory after each of {repeats} runs of the whole use case")
    actor = actor_named(db, username="hr")
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        talent.run_talent_map(db, actor=actor, reference_date=REFERENCE_DATE, now=NOW)
        seconds = time.perf_counter() - start
        gc.collect()
        rss = _rss_mb()
        samples.append((rss, seconds, len(gc.get_objects()), _trimmed_rss_mb()))
    print("  RSS MiB: " + ", ".join(f"{s[0]:.0f}" for s in samples))
    print(
        "  RSS MiB once the allocator returns free memory: "
        + ", ".join(f"{s[3]:.0f}" for s in samples)
    )
    print("  live Python objects: " + ", ".join(f"{s[2]:,}" for s in samples))
    print("  seconds: " + ", ".join(f"{s[1]:.2f}" for s in samples) + f"\n  {_load()}")


def subjects(size: int) -> list[Subject]:
    """Return ``size`` generated employees with a level and one of 40 units."""
    return [
        Subject(p, LEVELS[i % 3], f"Unit {i % 40:02d}") for i, p in enumerate(pool(size, seed=11))
    ]


def pure(size: int) -> None:
    """Print (b): the pure map of ``size`` generated employees on one and two processes."""
    pack = load_shipped()["bkn-national"]
    people = subjects(size)
    print(f"\n(b) pure map of {size:,} generated employees (placements, digests, snapshot)")
    for processes in (1, 2):
        clock: list[tuple[float, float]] = []
        own = _own_cpu()
        result = _timed(
            lambda: map_talent(pack, REFERENCE_DATE, people, processes=processes),  # noqa: B023
            clock,
        )
        own = _own_cpu() - own
        wall, cpu = clock[0]
        print(
            f"  {processes} process(es): {wall:6.2f} s wall ({size / wall:,.0f}/s), "
            f"{cpu:.2f} s CPU ({own:.2f} s of it in the parent); mapped {result.mapped:,}, pool "
            f"{result.pool:,}; digest {result.result_digest[:12]}; {_load()}"
        )
        del result


def succession(db: Database, positions: int, agency: int) -> None:
    """Print (d): successor lists of ``positions`` key positions of an ``agency``-sized agency."""
    tenant_id = _tenant(db, SUCCESSION_AGENCY)
    levels = ("administrator", "pengawas")
    with db.transaction() as session:
        first = select(Employee.id).order_by(Employee.nip).limit(agency).scalar_subquery()
        session.execute(update(Employee).where(Employee.id.in_(first)).values(tenant_id=tenant_id))
        made = set(
            session.scalars(
                select(Position.code).where(
                    Position.tenant_id == tenant_id, Position.code.like("BENCH-KEY-%")
                )
            )
        )
        session.add_all(
            Position(
                tenant_id=tenant_id,
                code=f"BENCH-KEY-{number:03d}",
                title=f"Jabatan kunci {number}",
                level=levels[number % 2],
                unit=f"Unit {number % 12}",
                is_key=True,
            )
            for number in range(positions)
            if f"BENCH-KEY-{number:03d}" not in made
        )
    with db.read() as session:
        ids = list(
            session.scalars(
                select(Position.id)
                .where(Position.tenant_id == tenant_id, Position.code.like("BENCH-KEY-%"))
                .order_by(Position.code)
                .limit(positions)
            )
        )
    recorder = AccessRecorder(
        actor=actor_named(db, username="hr.kota"),
        method="GET",
        endpoint="bench",
        purpose="talent_successors",
        now=NOW,
    )
    clock: list[tuple[float, float]] = []
    lists = _timed(
        lambda: talent.successor_lists(
            db,
            recorder=recorder,
            position_ids=ids,
            pack="bkn-national",
            reference_date=REFERENCE_DATE,
        ),
        clock,
    )
    wall, cpu = clock[0]
    within = sum(found.within_horizon for found in lists) / len(lists)
    print(
        f"\n(d) successor lists, {db.engine.dialect.name}: {len(lists)} key positions of "
        f"{SUCCESSION_AGENCY} ({lists[0].candidates + 1:,} employees) in {wall:.1f} s wall, "
        f"{cpu:.1f} s CPU ({len(lists) / wall:.1f} positions/s); {within:.0f} successors "
        f"within the horizon per position on average\n  {_load()}"
    )


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--quick", action="store_true", help="2,000 / 10,000 employees")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--positions", type=int, default=500, help="key positions for (d)")
    parser.add_argument("--agency-for-succession", type=int, default=1000)
    parser.add_argument(
        "--skip", default="", help="letters of the parts to skip, e.g. 'bd' (a: also c)"
    )
    args = parser.parse_args()
    agency, large = (2000, 10000) if args.quick else (20000, 100000)
    print(_load())
    with tempfile.TemporaryDirectory() as directory:
        db = prepare(args.database_url, agency, directory)
        try:
            if "a" not in args.skip:
                whole_use_case(db, args.repeats)
            if "b" not in args.skip:
                pure(large)
            if "d" not in args.skip:
                succession(db, args.positions, args.agency_for_succession)
        finally:
            db.dispose()


if __name__ == "__main__":
    main()

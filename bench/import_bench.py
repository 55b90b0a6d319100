"""Registry import benchmark: generated Banten data sets into fresh SQLite and PostgreSQL databases.

    python bench/import_bench.py            # 25k / 50k / 100k employees; SQLite, then PostgreSQL
    python bench/import_bench.py --quick    # 2k / 4k / 8k employees

Each import runs in a child process so its peak resident memory (``ru_maxrss``) is its own; the
validation workers it forks are measured separately. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AS_OF = dt.date(2026, 6, 30)
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="25000,50000,100000", help="employees per data set")
    parser.add_argument("--quick", action="store_true", help="a small run: 2k / 4k / 8k")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="PostgreSQL server (scratch db)")
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--pg-all", action="store_true", help="PostgreSQL for every size")
    parser.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--child", nargs=2, metavar=("URL", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), args.workers)
        return
    sizes = [2_000, 4_000, 8_000] if args.quick else [int(s) for s in args.sizes.split(",")]
    print(f"registry import benchmark: {os.cpu_count()} CPU(s), {args.workers} validation workers")
    with tempfile.TemporaryDirectory(prefix="meritflow-bench-") as scratch:
        sets = {size: generate(Path(scratch) / f"set-{size}", size, args.seed) for size in sizes}
        for size in sizes:
            database = Path(scratch) / f"bench-{size}.db"
            url = f"sqlite:///{database}"
            migrate(url)
            report("sqlite", size, sets[size], run_child(url, sets[size]["dir"], args.workers))
            if size == sizes[-1]:
                again = run_child(url, sets[size]["dir"], args.workers)
                report("sqlite re-import (unchanged)", size, sets[size], again)
            database.unlink()
        if not args.no_pg:
            for size in sizes if args.pg_all else sizes[-1:]:
                postgres(args.pg_url, size, sets[size], args.workers)


def generate(directory: Path, employees: int, seed: int) -> dict[str, Any]:
    from workflow.registry import write_demo_files

    started = time.perf_counter()
    files = write_demo_files(directory, employees=employees, seed=seed, as_of=AS_OF)
    seconds = time.perf_counter() - started
    size = sum(path.stat().st_size for path in files.files)
    print(
        f"generated {employees:>7,} employees: {files.rows:>9,} rows, "
        f"{size / 1_048_576:6.1f} MB in {seconds:5.1f} s"
    )
    return {"dir": directory, "rows": files.rows, "bytes": size}


def migrate(url: str) -> None:
    from workflow.core import connect, upgrade_schema

    db = connect(url)
    try:
        upgrade_schema(db)
    finally:
        db.dispose()


def postgres(server_url: str, size: int, data: dict[str, Any], workers: int) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    server = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"meritflow_bench_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        print(f"postgresql skipped: {error.orig}")
        return
    try:
        url = server.set(database=name).render_as_string(hide_password=False)
        migrate(url)
        report("postgresql", size, data, run_child(url, data["dir"], workers))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run_child(url: str, directory: Path, workers: int) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--child",
        url,
        str(directory),
        "--workers",
        str(workers),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"import failed:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def report(label: str, size: int, data: dict[str, Any], result: dict[str, Any]) -> None:
    seconds = result["seconds"]
    rows = result["rows_read"]
    print(
        f"{label:<29} {size:>7,} employees: {rows:>9,} rows in {seconds:6.1f} s = "
        f"{rows / seconds:>8,.0f} rows/s, {size / seconds:>6,.0f} employees/s; "
        f"written {result['rows_written']:,}; peak RSS {result['peak_mb']:.0f} MB importer "
        f"(baseline {result['baseline_mb']:.0f} MB), {result['workers_peak_mb']:.0f} MB per worker"
    )


def child(url: str, directory: Path, workers: int) -> None:
    """Run one import in this fresh process and print its figures as one JSON line."""
    import logging

    import psutil
    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    from api.schemas.registry_import import RegistryRowValidator
    from workflow.core import connect
    from workflow.registry import collect_files, import_registry

    db = connect(url)
    validator = RegistryRowValidator()
    baseline = psutil.Process().memory_info().rss
    started = time.perf_counter()
    result = import_registry(
        db,
        files=collect_files([directory]),
        validator=validator,
        now=dt.datetime.now(dt.UTC),
        workers=workers,
    )
    seconds = time.perf_counter() - started
    db.dispose()
    kib = 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rows_read": result.total_rows_read,
                "rows_written": result.rows_written,
                "employees": result.employees.as_dict(),
                "baseline_mb": baseline / kib / kib,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / kib,
                "workers_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / kib,
            }
        )
    )


if __name__ == "__main__":
    main()

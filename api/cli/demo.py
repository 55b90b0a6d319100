"""``flask --app wsgi demo seed``: the deterministic Banten demo data set."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click
from flask.cli import AppGroup

from api.cli.registry import LARGE_IMPORT_BYTES, ProgressBars, print_rejection, print_summary
from api.schemas.registry_import import RegistryRowValidator
from api.state import db
from workflow.core import SystemClock
from workflow.registry import ImportRejected, seed_demo, write_demo_files

demo_cli = AppGroup("demo", help="Demo data for trying Meritflow out.")


@demo_cli.command("seed")
@click.option("--employees", type=click.IntRange(min=1), default=20_000, show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True, help="Same seed, same data.")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The reference date careers and records end at (default: today).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write the import files into this directory instead of loading the database.",
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "jsonl"]),
    default="csv",
    show_default=True,
    help="With --out: a CSV set, or employees as JSON Lines profiles.",
)
@click.option("--if-empty", is_flag=True, help="Do nothing when employees are already registered.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=lambda: min(4, os.cpu_count() or 1),
    show_default="CPU cores, at most 4",
    help="Processes that read and validate the generated files.",
)
def seed_command(
    employees: int,
    seed: int,
    as_of: dt.datetime | None,
    out: Path | None,
    file_format: str,
    if_empty: bool,
    workers: int,
) -> None:
    """Generate the Banten demo data set and load it through the registry import."""
    today = dt.date.today()
    day = as_of.date() if as_of else today
    if day > today:
        raise click.BadParameter("must not be after today", param_hint="--as-of")
    if out is not None:
        files = write_demo_files(
            out,
            employees=employees,
            seed=seed,
            as_of=day,
            file_format="jsonl" if file_format == "jsonl" else "csv",
        )
        click.echo(
            f"wrote {files.employees:,} employees ({files.rows:,} rows) "
            f"in {len(files.files)} files to {files.directory}"
        )
        return
    with ProgressBars(enabled=employees * 1_000 >= LARGE_IMPORT_BYTES) as progress:
        try:
            report = seed_demo(
                db(),
                employees=employees,
                seed=seed,
                as_of=day,
                validator=RegistryRowValidator(),
                now=SystemClock().now(),
                only_if_empty=if_empty,
                progress=progress,
                workers=workers,
            )
        except ImportRejected as rejected:
            progress.close()
            print_rejection(rejected.report)
            raise SystemExit(1) from None
    if report is None:
        click.echo("employees are already registered; demo data not seeded (--if-empty)")
        return
    print_summary(report)

"""``flask --app wsgi registry import PATH...``: the personnel-registry bulk import."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

import click
from flask.cli import AppGroup

from api.cli.errors import reported
from api.schemas.registry_import import RegistryRowValidator
from api.state import db
from api.state import jobs as job_queue
from workflow import jobs
from workflow.core import InvalidInput, SystemClock
from workflow.registry import (
    MAX_PROBLEMS,
    ImportFile,
    ImportRejected,
    ImportReport,
    collect_files,
    import_registry,
)

registry_cli = AppGroup("registry", help="The personnel registry (tenants, positions, employees).")

LARGE_IMPORT_BYTES = 4 * 1024 * 1024
"""From this size on, the import shows progress bars."""
_LABELS = {"read": "reading and checking", "write": "writing employees"}


@registry_cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--max-problems",
    type=click.IntRange(min=1),
    default=MAX_PROBLEMS,
    show_default=True,
    help="List at most this many problems (all are counted).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=lambda: min(4, os.cpu_count() or 1),
    show_default="CPU cores, at most 4",
    help="Processes that read and validate the employee files.",
)
@click.option(
    "--queue",
    "queued",
    is_flag=True,
    help="Store the files in the database and import them as a background job on any worker "
    "(follow it with `flask jobs show ID`).",
)
def import_command(paths: tuple[Path, ...], max_problems: int, workers: int, queued: bool) -> None:
    """Import a CSV set and/or JSON profiles (files or directories) in one transaction.

    Exits 0 when everything was written, 1 when any row was rejected (then nothing is written
    and every problem is printed as ``file:row field: message``). With ``--queue`` the import
    is a ``registry_import`` job: the command prints its id and exits 0 once it is queued
    (with jobs in-process, ``JOBS_EAGER``, it has run and answers as without ``--queue``).
    """
    try:
        files = collect_files(list(paths))
    except InvalidInput as error:
        for problem in error.problems:
            click.echo(f"{problem['file']}: {problem['message']}", err=True)
        raise SystemExit(1) from None
    if queued:
        _queue_import(files)
        return
    total = sum(file.size or 0 for file in files)
    with ProgressBars(enabled=total >= LARGE_IMPORT_BYTES) as progress:
        try:
            report = import_registry(
                db(),
                files=files,
                validator=RegistryRowValidator(),
                now=SystemClock().now(),
                progress=progress,
                max_problems=max_problems,
                workers=workers,
                actor=None,
            )
        except ImportRejected as rejected:
            progress.close()
            print_rejection(rejected.report)
            raise SystemExit(1) from None
    print_summary(report)


def _queue_import(files: list[ImportFile]) -> None:
    """Queue the files as an operator's import job; print its outcome if it already ran."""
    with reported():
        started = jobs.start_operator_import_job(job_queue(), files=files, now=SystemClock().now())
    report = started.report
    if report is None:
        click.echo(
            f"queued as job {started.job.id} ({started.job.state}); "
            f"follow it with: flask jobs show {started.job.id}"
        )
        if started.job.error:
            click.echo(started.job.error, err=True)
            raise SystemExit(1)
        return
    if not report.ok:
        print_rejection(report)
        raise SystemExit(1)
    print_summary(report)


class ProgressBars:
    """Turns the import's ``progress(phase, done, total)`` calls into click progress bars."""

    def __init__(self, *, enabled: bool) -> None:
        self._enabled = enabled and sys.stderr.isatty()
        self._bar: Any = None
        self._phase: str | None = None
        self._done = 0

    def __enter__(self) -> ProgressBars:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def __call__(self, phase: str, done: int, total: int) -> None:
        """Advance the bar of ``phase`` to ``done`` out of ``total``."""
        if not self._enabled or total <= 0:
            return
        if phase != self._phase:
            self.close()
            self._phase, self._done = phase, 0
            label = _LABELS.get(phase, phase)
            self._bar = click.progressbar(length=total, label=label, file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(max(0, done - self._done))
        self._done = done

    def close(self) -> None:
        """Finish the current bar, if any."""
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
            self._phase = None


def print_summary(report: ImportReport) -> None:
    """Print what an accepted import created, changed and left unchanged, and its files."""
    size = sum(file.bytes for file in report.files)
    click.echo(
        f"imported {len(report.files)} file(s), {size / 1_048_576:.1f} MB, "
        f"in {report.seconds:.1f} s"
    )
    for name, counts in (
        ("tenants", report.tenants),
        ("positions", report.positions),
        ("employees", report.employees),
    ):
        click.echo(
            f"  {name + ':':<11}{counts.created:>9,} created {counts.changed:>9,} changed "
            f"{counts.unchanged:>9,} unchanged"
        )
    click.echo(
        f"  {'rows:':<11}{report.total_rows_read:>9,} read    {report.rows_written:>9,} written "
        f"{report.rejected_rows:>9,} rejected"
    )
    for file in report.files:
        click.echo(f"  {file.name}: {file.rows:,} rows, sha256 {file.sha256}")


def print_rejection(report: ImportReport) -> None:
    """Print every listed problem as ``file:row field: message``, then the verdict, to stderr."""
    for problem in report.problems:
        click.echo(str(problem), err=True)
    if report.problems_not_listed:
        click.echo(f"... and {report.problems_not_listed:,} more problem(s)", err=True)
    click.echo(
        f"import rejected: {report.problems_total:,} problem(s) in "
        f"{report.rejected_rows:,} row(s); nothing was written",
        err=True,
    )

"""``flask talent``: talent-map runs from the command line (the use cases the API calls)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

import click
from flask.cli import AppGroup

from api.cli.errors import load, reported
from api.converters import MAX_ID
from api.schemas.talent import TalentRunCreate
from api.state import db
from rules.vocab import TenantLevel
from workflow import talent
from workflow.core import Actor, PageRequest
from workflow.identity import actor_named

talent_cli = AppGroup("talent", help="Talent-map runs: map, list, show, replay.")

OPERATOR = Actor(
    user_id=0,
    username="operator",
    tenant_id=0,
    tenant_code="-",
    tenant_level=TenantLevel.NATIONAL.value,
    roles=frozenset(),
)
"""Who reads when a read command names no user: the operator, who reads every agency."""

_RUN_ID = click.argument("run_id", type=click.IntRange(1, MAX_ID))
_READ_AS = click.option(
    "--as",
    "username",
    default=None,
    metavar="USER",
    help="Read as this user sees it (default: every agency).",
)


def _reader(username: str | None) -> Actor:
    return OPERATOR if username is None else actor_named(db(), username=username)


def _line(run: talent.RunSummary) -> str:
    return (
        f"run {run.id} {run.agency} {run.reference_date.isoformat()}: {run.employees} employees, "
        f"{run.mapped} mapped, pool {run.pool}; result {run.result_digest}"
    )


@talent_cli.command("run")
@click.option("--as", "username", required=True, metavar="USER", help="Run as this user.")
@click.option(
    "--agency", "agencies", multiple=True, help="Agency code (repeat; required for BKN users)."
)
@click.option("--pack", default="bkn-national", show_default=True, help="Pack id or digest.")
@click.option("--reference-date", default=None, metavar="YYYY-MM-DD", help="Default: today.")
@click.option("--processes", type=click.IntRange(1, 64), default=1, show_default=True)
def run(
    username: str,
    agencies: tuple[str, ...],
    pack: str,
    reference_date: str | None,
    processes: int,
) -> None:
    """Map every employee of the agencies on the 9-box and store one run per agency."""
    fields: dict[str, object] = {"pack": pack}
    if agencies:
        fields["agencies"] = list(agencies)
    if reference_date is not None:
        fields["reference_date"] = reference_date
    with reported():
        actor = actor_named(db(), username=username)
        body = load(TalentRunCreate, fields)
        runs = talent.run_talent_map(
            db(),
            actor=actor,
            agencies=body.get("agencies"),
            pack=body["pack"],
            reference_date=body.get("reference_date"),
            now=dt.datetime.now(dt.UTC),
            processes=processes,
        )
    for made in runs:
        click.echo(_line(made))


@talent_cli.command("list")
@_READ_AS
@click.option("--agency", default=None, help="Only this agency's runs.")
@click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True)
def list_runs(username: str | None, agency: str | None, limit: int) -> None:
    """List the newest runs."""
    with reported():
        page = talent.list_runs(
            db(), actor=_reader(username), agency=agency, page=PageRequest(1, limit)
        )
    for item in page.items:
        click.echo(_line(item))
    click.echo(f"{page.total} run(s)")


@talent_cli.command("show")
@_RUN_ID
@_READ_AS
def show(run_id: int, username: str | None) -> None:
    """Show a run's distribution by box and by level."""
    with reported():
        detail = talent.run_detail(db(), actor=_reader(username), run_id=run_id)
    click.echo(_line(detail.run))
    click.echo("by box: " + ", ".join(f"{k}={v}" for k, v in detail.by_box.items()))
    for level, boxes in detail.by_level.items():
        click.echo(f"  {level}: " + ", ".join(f"{k}={v}" for k, v in sorted(boxes.items())))


@talent_cli.command("replay")
@_RUN_ID
@_READ_AS
def replay(run_id: int, username: str | None) -> None:
    """Recompute a run from its snapshot; exit 1 unless it reproduces bit for bit."""
    with reported():
        actor = None if username is None else _reader(username)
        report = talent.replay_run(db(), actor=actor, run_id=run_id)
    data = asdict(report)
    click.echo(
        f"run {run_id}: recorded {data['recorded_result_digest']}, "
        f"replayed {data['replayed_result_digest']}"
    )
    if not report.reproduced:
        raise click.ClickException(
            f"run {run_id} did not reproduce ({len(report.changes)} placement(s) differ)"
        )
    click.echo("reproduced")

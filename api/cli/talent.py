"""``flask talent``: talent-map runs from the command line (the use cases the API calls)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

import click
from flask.cli import AppGroup

from api.cli.errors import load, reported
from api.converters import MAX_ID
from api.schemas.succession import SuccessionGroupCreate
from api.schemas.talent import TalentRunCreate
from api.state import db
from api.state import jobs as job_queue
from rules.vocab import TenantLevel
from workflow import jobs, talent
from workflow.core import Actor, PageRequest
from workflow.identity import AccessRecorder, actor_named

talent_cli = AppGroup(
    "talent", help="Talent-map runs (map, list, show, replay) and succession groups."
)

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
def run(
    username: str,
    agencies: tuple[str, ...],
    pack: str,
    reference_date: str | None,
) -> None:
    """Map every employee of the agencies on the 9-box and store one run per agency, as a job
    the workers run (one task per agency); prints the runs if it finished at once (JOBS_EAGER),
    else the job to follow with `flask jobs show`."""
    fields: dict[str, object] = {"pack": pack}
    if agencies:
        fields["agencies"] = list(agencies)
    if reference_date is not None:
        fields["reference_date"] = reference_date
    with reported():
        actor = actor_named(db(), username=username)
        body = load(TalentRunCreate, fields)
        started = jobs.start_talent_job(
            job_queue(),
            actor=actor,
            agencies=body.get("agencies"),
            pack=body["pack"],
            reference_date=body.get("reference_date"),
            now=dt.datetime.now(dt.UTC),
        )
    for made in started.runs:
        click.echo(_line(made))
    job = started.job
    if job.active:
        click.echo(
            f"job {job.id} {job.state}: {job.shards_total} agencies, {job.candidates_total} "
            f"employees; follow it with `flask jobs show {job.id}`"
        )
    elif job.error:
        raise click.ClickException(f"job {job.id} {job.state}: {job.error}")


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


groups_cli = AppGroup("groups", help="Succession groups: list, create, show, and the workflow.")
talent_cli.add_command(groups_cli)

_GROUP_ID = click.argument("group_id", type=click.IntRange(1, MAX_ID))
_ACT_AS = click.option("--as", "username", required=True, metavar="USER", help="Act as this user.")
_REVISION = click.option(
    "--revision", type=click.IntRange(1, MAX_ID), required=True, help="The revision you read."
)


def _recorder(username: str | None, command: str) -> AccessRecorder:
    """The access recorder of one command (the members it prints are personal data)."""
    return AccessRecorder(
        actor=_reader(username),
        method="CLI",
        endpoint=f"flask talent groups {command}",
        purpose="succession_group",
        now=dt.datetime.now(dt.UTC),
    )


def _print_group(detail: talent.GroupDetail) -> None:
    g = detail.group
    click.echo(
        f"group {g.id} {g.agency} {g.position_code} {g.year} v{g.version}: {g.state} "
        f"(revision {g.revision}{', current' if g.current else ''}"
        f"{f', superseded by {g.superseded_by}' if g.superseded_by else ''}); "
        f"{g.member_count} members, {g.ready_now} ready now; pack {g.pack_digest}"
    )
    if g.return_reason:
        click.echo(f"returned: {g.return_reason}")
    for m in detail.members:
        lacks = ", ".join(lack["criterion"] for lack in m.lacks) or "-"
        click.echo(f"  {m.rank:>4} {m.nip} {m.name} box {m.box} {m.readiness['en']}; lacks {lacks}")
    if detail.actions:
        click.echo(f"you may: {', '.join(detail.actions)}")


@groups_cli.command("list")
@_READ_AS
@click.option("--position", "position_id", type=click.IntRange(1, MAX_ID), default=None)
@click.option("--year", type=click.IntRange(2000, 2100), default=None)
@click.option("--state", type=click.Choice([s.value for s in talent.GroupState]), default=None)
@click.option("--limit", type=click.IntRange(1, 100), default=50, show_default=True)
def list_groups(
    username: str | None, position_id: int | None, year: int | None, state: str | None, limit: int
) -> None:
    """List succession groups (no names)."""
    with reported():
        page = talent.list_groups(
            db(),
            actor=_reader(username),
            page=PageRequest(page=1, per_page=limit),
            position_id=position_id,
            year=year,
            state=state,
        )
    for g in page.items:
        click.echo(
            f"group {g.id} {g.agency} {g.position_code} {g.year} v{g.version}: {g.state}, "
            f"{g.member_count} members, {g.ready_now} ready now"
            f"{', current' if g.current else ''}"
        )


@groups_cli.command("create")
@_ACT_AS
@click.option("--position", "position_id", type=click.IntRange(1, MAX_ID), required=True)
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.option("--pack", default="bkn-national", show_default=True, help="Pack id or digest.")
@click.option("--reference-date", default=None, metavar="YYYY-MM-DD", help="Default: today.")
@click.option("--member", "members", multiple=True, metavar="NIP", help="Repeat; default: top 5.")
def create(
    username: str,
    position_id: int,
    year: int,
    pack: str,
    reference_date: str | None,
    members: tuple[str, ...],
) -> None:
    """Create a draft succession group of a key position for a year."""
    fields: dict[str, object] = {"position_id": position_id, "year": year, "pack": pack}
    if reference_date is not None:
        fields["reference_date"] = reference_date
    if members:
        fields["members"] = list(members)
    with reported():
        body = load(SuccessionGroupCreate, fields)
        detail = talent.create_group(
            db(),
            recorder=_recorder(username, "create"),
            position_id=body["position_id"],
            year=body["year"],
            pack=body["pack"],
            reference_date=body.get("reference_date") or dt.datetime.now(dt.UTC).date(),
            members=body.get("members"),
            now=dt.datetime.now(dt.UTC),
        )
    _print_group(detail)


@groups_cli.command("show")
@_GROUP_ID
@_READ_AS
def show_group(group_id: int, username: str | None) -> None:
    """Show a group with its members (each written to the access log)."""
    with reported():
        detail = talent.get_group(db(), recorder=_recorder(username, "show"), group_id=group_id)
    _print_group(detail)


def _act(username: str, group_id: int, action: str, revision: int, **extra: object) -> None:
    with reported():
        detail = talent.act(
            db(),
            recorder=_recorder(username, action),
            group_id=group_id,
            action=action,
            revision=revision,
            now=dt.datetime.now(dt.UTC),
            **extra,  # type: ignore[arg-type]
        )
    _print_group(detail)


@groups_cli.command("propose")
@_GROUP_ID
@_ACT_AS
@_REVISION
def propose(group_id: int, username: str, revision: int) -> None:
    """Propose a draft or returned group to the authority."""
    _act(username, group_id, "propose", revision)


@groups_cli.command("approve")
@_GROUP_ID
@_ACT_AS
@_REVISION
def approve(group_id: int, username: str, revision: int) -> None:
    """Approve a proposed group (the authority; not its proposer nor a member)."""
    _act(username, group_id, "approve", revision)


@groups_cli.command("return")
@_GROUP_ID
@_ACT_AS
@_REVISION
@click.option("--reason", required=True, help="Why it goes back to HR.")
def return_group(group_id: int, username: str, revision: int, reason: str) -> None:
    """Return a proposed group to HR with a reason."""
    _act(username, group_id, "return", revision, reason=reason)


@groups_cli.command("revise")
@_GROUP_ID
@_ACT_AS
@_REVISION
@click.option("--member", "members", multiple=True, metavar="NIP", help="Repeat; default: top 5.")
def revise(group_id: int, username: str, revision: int, members: tuple[str, ...]) -> None:
    """Recompute the successors and choose a draft or returned group's members again."""
    _act(username, group_id, "revise", revision, members=list(members) or None)

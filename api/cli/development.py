"""``flask talent development`` and ``flask talent record-activity``: an employee's development
plan and HR's record of a development activity (the use cases the API calls)."""

from __future__ import annotations

import datetime as dt

import click

from api.cli.errors import load, reported
from api.cli.talent import talent_cli
from api.schemas.development import KINDS, TRAININGS, ActivityCreate
from api.state import db
from workflow import talent
from workflow.identity import AccessRecorder, actor_named


@talent_cli.command("development")
@click.argument("nip")
@click.option("--as", "username", required=True, metavar="USER", help="Read as this user.")
@click.option("--reference-date", default=None, metavar="YYYY-MM-DD", help="Default: today.")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
def development(nip: str, username: str, reference_date: str | None, lang: str) -> None:
    """Print an employee's development plan (the read is in the access log)."""
    now = dt.datetime.now(dt.UTC)
    with reported():
        actor = actor_named(db(), username=username)
        when = dt.date.fromisoformat(reference_date) if reference_date else now.date()
        recorder = AccessRecorder(
            actor=actor,
            method="CLI",
            endpoint="flask talent development",
            purpose="talent_development",
            now=now,
        )
        plan = talent.development_plan(db(), recorder=recorder, employee=nip, reference_date=when)
    click.echo(
        f"{plan.nip} {plan.agency}: level {plan.level or '-'} -> {plan.target}, "
        f"box {plan.box if plan.box is not None else '-'}"
        f"{' (talent pool)' if plan.in_talent_pool else ''}"
    )
    for item in plan.recommendations:
        click.echo(f"  * {item[lang]}")
    for gap in plan.gaps:
        state = "closed" if gap.closed else f"short by {gap.short_by}" if gap.short_by else "ok"
        actual = "-" if gap.actual is None else gap.actual
        click.echo(f"  {gap.competency}: {actual}/{gap.required} {state}")
    progress = plan.progress
    click.echo(
        f"progress: {progress['closed']} of {progress['gaps']} gap(s) closed, "
        f"{progress['activities']} activities, {progress['hours']} hours"
    )


@talent_cli.command("record-activity")
@click.argument("nip")
@click.option("--as", "username", required=True, metavar="USER", help="HR of the agency.")
@click.option("--kind", type=click.Choice(KINDS), required=True)
@click.option("--title", required=True)
@click.option("--date", "occurred_on", required=True, metavar="YYYY-MM-DD")
@click.option("--hours", type=int, default=None)
@click.option("--competency", default=None, help="A competency of the pack's standard.")
@click.option("--training", "training_kind", type=click.Choice(TRAININGS), default=None)
def record_activity(
    nip: str,
    username: str,
    kind: str,
    title: str,
    occurred_on: str,
    hours: int | None,
    competency: str | None,
    training_kind: str | None,
) -> None:
    """Record a development activity of an employee of the user's agency."""
    fields: dict[str, object] = {"kind": kind, "title": title, "occurred_on": occurred_on}
    for name, value in (
        ("hours", hours),
        ("competency", competency),
        ("training_kind", training_kind),
    ):
        if value is not None:
            fields[name] = value
    with reported():
        actor = actor_named(db(), username=username)
        body = load(ActivityCreate, fields)
        made = talent.record_activity(
            db(),
            actor=actor,
            employee=nip,
            kind=body["kind"],
            title=body["title"],
            occurred_on=body["occurred_on"],
            hours=body.get("hours"),
            competency=body.get("competency"),
            training_kind=body.get("training_kind"),
            now=dt.datetime.now(dt.UTC),
        )
    click.echo(f"activity {made.id} recorded for employee {made.employee_id}")

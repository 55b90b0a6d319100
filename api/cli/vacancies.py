"""``flask --app wsgi vacancy …`` and ``delegation …``: the workflow from a terminal.

The CLI is an operator console: each command names the user it acts as (``--as``), and every
action goes through the same use cases, duty rules and ledger as the HTTP API.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

import click
from flask.cli import AppGroup
from sqlalchemy import select

from api.state import db
from workflow import vacancies
from workflow.core import Actor, WorkflowError
from workflow.identity import actor_by_username, create_delegation
from workflow.models import Vacancy, VacancyAction
from workflow.screening import resolve

vacancy_cli = AppGroup("vacancy", help="Open vacancies and take workflow actions.")
delegation_cli = AppGroup("delegation", help="Let a colleague act for you for a while.")

_AS = click.option("--as", "username", required=True, metavar="USER", help="Act as this user.")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _actor(username: str) -> Actor:
    with db().read() as session:
        return actor_by_username(session, username)


def _fail(error: WorkflowError) -> click.ClickException:
    details = "".join(
        f"\n  {p.get('field', '')}: {p.get('message', '')}"
        for p in error.details.get("problems", [])
    )
    rule = error.details.get("rule")
    return click.ClickException(
        f"{type(error).__name__}: {error.message}" + (f" [{rule}]" if rule else "") + details
    )


def _show(outcome: vacancies.Outcome) -> None:
    view = outcome.vacancy
    note = " (replayed: nothing changed)" if outcome.replayed else ""
    click.echo(
        f"vacancy {view['id']}: {view['state']}, version {view['version']}; "
        f"applied {', '.join(outcome.applied)}{note}"
    )


@vacancy_cli.command("open")
@_AS
@click.option("--position", "position_code", required=True, help="Position code in your agency.")
@click.option("--title", required=True)
@click.option(
    "--reference-date",
    type=click.DateTime(["%Y-%m-%d"]),
    required=True,
    help="The date eligibility is judged on.",
)
@click.option(
    "--pack",
    "pack_ref",
    default="bkn-national",
    show_default=True,
    help="A published pack: its digest, or its id for the newest version.",
)
@click.option(
    "--candidates",
    "candidate_codes",
    multiple=True,
    metavar="AGENCY",
    help="Another agency whose employees join the pool (repeatable).",
)
@click.option("--key", "idempotency_key", default=None, help="Idempotency key (default: random).")
def open_command(
    username: str,
    position_code: str,
    title: str,
    reference_date: dt.datetime,
    pack_ref: str,
    candidate_codes: tuple[str, ...],
    idempotency_key: str | None,
) -> None:
    """Open a vacancy in draft, pinning the rule pack and the current workflow."""
    try:
        pack = resolve(db(), pack_ref)
        outcome = vacancies.open_vacancy(
            db(),
            actor=_actor(username),
            position_code=position_code,
            title=title,
            reference_date=reference_date.date(),
            pack_digest=pack.digest,
            candidate_tenant_codes=list(candidate_codes),
            idempotency_key=idempotency_key or secrets.token_hex(8),
            now=_now(),
        )
    except WorkflowError as error:
        raise _fail(error) from None
    _show(outcome)


@vacancy_cli.command("act")
@click.argument("vacancy_id", type=int)
@click.argument("action")
@_AS
@click.option(
    "--version",
    "expected_version",
    type=int,
    default=None,
    help="The version you saw (default: the current one).",
)
@click.option("--key", "idempotency_key", default=None, help="Idempotency key (default: random).")
@click.option("--on-behalf-of", default=None, metavar="USER", help="Act as this user's delegate.")
@click.option(
    "-d",
    "--data",
    "fields",
    multiple=True,
    metavar="FIELD=VALUE",
    help="A payload field, e.g. -d decision=approve -d comment=ok (repeatable).",
)
def act_command(
    vacancy_id: int,
    action: str,
    username: str,
    expected_version: int | None,
    idempotency_key: str | None,
    on_behalf_of: str | None,
    fields: tuple[str, ...],
) -> None:
    """Take ACTION on a vacancy (submit, vote, decide, approve_technical, issue_decree, …)."""
    payload: dict[str, Any] = {}
    for item in fields:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not FIELD=VALUE", param_hint="--data")
        payload[name.strip()] = value
    try:
        version = expected_version if expected_version is not None else _version(vacancy_id)
        key = idempotency_key or secrets.token_hex(8)
        if action == "start_screening":
            outcome = vacancies.screen(
                db(),
                actor=_actor(username),
                vacancy_id=vacancy_id,
                expected_version=version,
                idempotency_key=key,
                now=_now(),
            )
        else:
            outcome = vacancies.perform(
                db(),
                actor=_actor(username),
                vacancy_id=vacancy_id,
                action=action,
                expected_version=version,
                idempotency_key=key,
                payload=payload,
                on_behalf_of=on_behalf_of,
                now=_now(),
            )
    except WorkflowError as error:
        raise _fail(error) from None
    _show(outcome)


def _version(vacancy_id: int) -> int:
    with db().read() as session:
        version = session.scalar(select(Vacancy.version).where(Vacancy.id == vacancy_id))
    if version is None:
        raise click.ClickException(f"no vacancy {vacancy_id}")
    return version


@vacancy_cli.command("show")
@click.argument("vacancy_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show_command(vacancy_id: int, as_json: bool) -> None:
    """Print a vacancy and its history."""
    with db().read() as session:
        vacancy = session.get(Vacancy, vacancy_id)
        if vacancy is None:
            raise click.ClickException(f"no vacancy {vacancy_id}")
        view = vacancies.vacancy_view(session, vacancy)
        history = session.scalars(
            select(VacancyAction)
            .where(VacancyAction.vacancy_id == vacancy_id)
            .order_by(VacancyAction.seq)
        ).all()
        steps = [
            {
                "seq": a.seq,
                "action": a.action,
                "from": a.from_state,
                "to": a.to_state,
                "role": a.role,
                "actor": a.actor_id,
                "on_behalf_of": a.on_behalf_of_id,
                "at": a.at.isoformat(),
            }
            for a in history
        ]
    if as_json:
        click.echo(json.dumps({"vacancy": view, "history": steps}, indent=2))
        return
    click.echo(
        f"vacancy {view['id']} [{view['tenant']}] {view['title']}: {view['state']}, "
        f"version {view['version']}, round {view['round']}"
    )
    click.echo(
        f"  position {view['position']['code']} ({view['position']['level']}), "
        f"reference date {view['reference_date']}, due {view['due_at'] or '-'}"
    )
    for step in steps:
        who = "system" if step["actor"] is None else f"user {step['actor']}"
        if step["on_behalf_of"]:
            who += f" for user {step['on_behalf_of']}"
        click.echo(
            f"  {step['seq']:>3}. {step['at']}  {step['action']:<20} "
            f"{step['from'] or '-'} -> {step['to']}  ({who} as {step['role']})"
        )


@vacancy_cli.command("list")
@click.option("--state", default=None)
def list_command(state: str | None) -> None:
    """List vacancies, newest first."""
    with db().read() as session:
        query = select(Vacancy).order_by(Vacancy.id.desc())
        if state:
            query = query.where(Vacancy.state == state)
        for vacancy in session.scalars(query):
            click.echo(
                f"{vacancy.id:>5}  {vacancy.state:<20} v{vacancy.version:<3} {vacancy.title}"
            )


@delegation_cli.command("create")
@_AS
@click.option("--to", "delegate", required=True, metavar="USER")
@click.option("--role", required=True)
@click.option("--days", type=click.IntRange(1, 90), required=True)
@click.option("--reason", required=True)
def delegation_command(username: str, delegate: str, role: str, days: int, reason: str) -> None:
    """Let USER act for you in one role for DAYS days (recorded in the ledger)."""
    now = _now()
    try:
        delegation_id = create_delegation(
            db(),
            actor=_actor(username),
            delegate_username=delegate,
            role=role,
            starts_at=now,
            ends_at=now + dt.timedelta(days=days),
            reason=reason,
            now=now,
        )
    except WorkflowError as error:
        raise _fail(error) from None
    click.echo(
        f"delegation {delegation_id}: {delegate} may act for {username} as {role} "
        f"until {(now + dt.timedelta(days=days)):%Y-%m-%d %H:%M} UTC"
    )

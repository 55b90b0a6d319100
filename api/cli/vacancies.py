"""``flask --app wsgi vacancy …`` and ``delegation …``: the workflow from a terminal.

The CLI is an operator console: each command that changes something names the user it acts as
(``--as``). Every command calls the use case the JSON API's view calls for the same thing
(:mod:`api.vacancies`), with its input checked by the same request schema, so a terminal and an
HTTP client get the same answers and the same errors (:mod:`api.cli.errors`). Reads may name a
user too; without one they show every agency, to the operator at the terminal.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import click
from flask.cli import AppGroup

from api.cli.errors import load, reported
from api.converters import MAX_ID
from api.schemas.vacancies import (
    DelegationCreate,
    HistoryEntryRead,
    VacancyActionCreate,
    VacancyCreate,
    VacancyQuery,
    VacancyRead,
)
from api.state import db, settings
from api.vacancies import known_action
from rules.vocab import TenantLevel
from workflow import vacancies
from workflow.core import MAX_PER_PAGE, Actor, Page, PageRequest
from workflow.identity import actor_named, create_delegation

T = TypeVar("T")

vacancy_cli = AppGroup("vacancy", help="Open vacancies and take workflow actions.")
delegation_cli = AppGroup("delegation", help="Let a colleague act for you for a while.")

_AS = click.option("--as", "username", required=True, metavar="USER", help="Act as this user.")
_READ_AS = click.option(
    "--as",
    "username",
    default=None,
    metavar="USER",
    help="Read as this user sees it (default: every agency).",
)
_VACANCY_ID = click.argument("vacancy_id", type=click.IntRange(1, MAX_ID))

OPERATOR = Actor(
    user_id=0,
    username="operator",
    tenant_id=0,
    tenant_code="-",
    tenant_level=TenantLevel.NATIONAL.value,
    roles=frozenset(),
)
"""Who reads when a read command names no user: the operator at the terminal, who reads every
agency as a national user does. No user and no role: it is never passed to an action."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _key(given: str | None) -> str:
    return given or secrets.token_hex(8)


def _reader(username: str | None) -> Actor:
    return OPERATOR if username is None else actor_named(db(), username=username)


def _every(fetch: Callable[[PageRequest], Page[T]]) -> Iterator[T]:
    """Yield the items of every page of a list use case, in order."""
    number = 1
    while True:
        page = fetch(PageRequest(page=number, per_page=MAX_PER_PAGE))
        yield from page.items
        if number * page.per_page >= page.total or not page.items:
            return
        number += 1


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
    required=True,
    metavar="YYYY-MM-DD",
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
    reference_date: str,
    pack_ref: str,
    candidate_codes: tuple[str, ...],
    idempotency_key: str | None,
) -> None:
    """Open a vacancy in draft, pinning the rule pack and the current workflow."""
    fields: dict[str, Any] = {
        "position": position_code,
        "title": title,
        "reference_date": reference_date,
        "pack": pack_ref,
    }
    if candidate_codes:
        fields["candidate_tenants"] = list(candidate_codes)
    with reported():
        actor = actor_named(db(), username=username)
        body = load(VacancyCreate, fields)
        outcome = vacancies.open_by_reference(
            db(),
            actor=actor,
            position_code=body["position"],
            title=body["title"],
            reference_date=body["reference_date"],
            pack_reference=body["pack"],
            candidate_tenant_codes=body.get("candidate_tenants"),
            idempotency_key=_key(idempotency_key),
            now=_now(),
        )
    _show(outcome)


@vacancy_cli.command("act")
@_VACANCY_ID
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
    raw: dict[str, Any] = {}
    for item in fields:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not FIELD=VALUE", param_hint="--data")
        raw[name.strip()] = value
    if on_behalf_of is not None:
        raw["on_behalf_of"] = on_behalf_of
    with reported():
        actor = actor_named(db(), username=username)
        payload = load(VacancyActionCreate, raw)
        known_action(action)
        if expected_version is None:
            current = vacancies.get_vacancy(db(), actor=actor, vacancy_id=vacancy_id)
            expected_version = int(current["version"])
        principal = payload.pop("on_behalf_of", None)
        outcome = vacancies.take_action(
            db(),
            actor=actor,
            vacancy_id=vacancy_id,
            action=action,
            expected_version=expected_version,
            idempotency_key=_key(idempotency_key),
            payload=payload,
            on_behalf_of=principal,
            now=_now(),
            narrowing=settings(),
        )
    _show(outcome)


@vacancy_cli.command("show")
@_VACANCY_ID
@_READ_AS
@click.option("--json", "as_json", is_flag=True, help="Print JSON, as the API represents them.")
def show_command(vacancy_id: int, username: str | None, as_json: bool) -> None:
    """Print a vacancy and its history."""
    with reported():
        reader = _reader(username)
        view = vacancies.get_vacancy(db(), actor=reader, vacancy_id=vacancy_id)
        steps = list(
            _every(
                lambda page: vacancies.history(db(), actor=reader, vacancy_id=vacancy_id, page=page)
            )
        )
    if as_json:
        document = {
            "vacancy": VacancyRead().dump(view),
            "history": HistoryEntryRead(many=True).dump(steps),
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
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
        who = "system" if step.actor == "system" else f"user {step.actor}"
        if step.on_behalf_of:
            who += f" for user {step.on_behalf_of}"
        click.echo(
            f"  {step.seq:>3}. {step.at.isoformat()}  {step.action:<20} "
            f"{step.from_state or '-'} -> {step.to_state}  ({who} as {step.role})"
        )


@vacancy_cli.command("list")
@click.option("--state", default=None)
@_READ_AS
def list_command(state: str | None, username: str | None) -> None:
    """List vacancies, newest first."""
    with reported():
        query = load(VacancyQuery, {} if state is None else {"state": state})
        where = vacancies.VacancyFilter(state=query.get("state"))
        reader = _reader(username)
        for view in _every(
            lambda page: vacancies.list_vacancies(
                db(), actor=reader, where=where, page=page, now=_now()
            )
        ):
            line = f"{view['id']:>5}  {view['state']:<20} v{view['version']:<3} {view['title']}"
            click.echo(line)


@delegation_cli.command("create")
@_AS
@click.option("--to", "delegate", required=True, metavar="USER")
@click.option("--role", required=True)
@click.option("--days", type=click.IntRange(1, 90), required=True)
@click.option("--reason", required=True)
def delegation_command(username: str, delegate: str, role: str, days: int, reason: str) -> None:
    """Let USER act for you in one role for DAYS days (recorded in the ledger)."""
    now = _now()
    with reported():
        actor = actor_named(db(), username=username)
        body = load(
            DelegationCreate,
            {
                "delegate": delegate,
                "role": role,
                "ends_at": (now + dt.timedelta(days=days)).isoformat(),
                "reason": reason,
            },
        )
        delegation_id = create_delegation(
            db(),
            actor=actor,
            delegate_username=body["delegate"],
            role=body["role"],
            starts_at=now,
            ends_at=body["ends_at"],
            reason=body["reason"],
            now=now,
        )
    click.echo(
        f"delegation {delegation_id}: {delegate} may act for {username} as {role} "
        f"until {body['ends_at']:%Y-%m-%d %H:%M} UTC"
    )

"""An employee signed in as themself reaches nobody else's data by any URL or API call.

Every route of the application (the JSON API with the employee's bearer token, the pages with
their signed-in session), every method, with its path parameters pointing at a colleague of
the same agency and at an employee of another agency: no answer may carry another employee's
NIP or name, and none may be a server error. Their own view answers with themself only.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule

from tests.api.conftest import NOW, World
from tests.pages.conftest import csrf_token, sign_in
from tests.support.talent import add_known
from workflow import talent
from workflow.core.db import Database
from workflow.identity.accounts import actor_by_username
from workflow.models import Employee, User

USER = "province.employee"


def _targets(database: Database, world: World) -> list[dict[str, Any]]:
    """Path values naming someone else: a colleague of the province, and the city's employee."""
    with database.read() as session:
        hr = actor_by_username(session, "province.hr")
        colleague_user = session.scalar(select(User.id).where(User.username == "province.hr"))
    (run,) = talent.run_talent_map(database, actor=hr, now=NOW)
    common = {
        "run_id": run.id,
        "box": 9,
        "digest": world.pack_digest,
        "action": "submit",
        "user_id": colleague_user,
    }
    return [
        {
            **common,
            "nip": world.employee_nip[key],
            "employee": world.employee_nip[key],
            "position_id": world.position_id[key],
            "vacancy_id": world.vacancy_id.get(key, world.vacancy_id["province"]),
            "code": world.tenant_code[key],
            "id": world.employee_id[key],
        }
        for key in ("province", "city")
    ]


def _path(rule: Rule, values: dict[str, Any]) -> str | None:
    filled = {argument: values.get(argument, 1) for argument in rule.arguments}
    try:
        return rule.build(filled, append_unknown=False)[1]  # type: ignore[no-any-return]
    except Exception:  # a converter refusing a value: the route cannot be reached
        return None


@pytest.fixture
def others(database: Database, world: World) -> tuple[set[str], list[str]]:
    """Every other employee's NIP and name (and the employee's own NIP)."""
    add_known(database, tenant_id=world.tenant_id["province"])
    with database.read() as session:
        rows = session.execute(select(Employee.id, Employee.nip, Employee.name)).all()
    own = world.own_employee_id["province"]
    secrets = {nip for id_, nip, _ in rows if id_ != own} | {
        name for id_, _, name in rows if id_ != own
    }
    return secrets, [nip for id_, nip, _ in rows if id_ == own]


def test_no_route_discloses_anyone_else(
    pages_app: Flask,
    web: FlaskClient,
    world: World,
    database: Database,
    others: tuple[set[str], list[str]],
) -> None:
    secrets, _own = others
    pattern = re.compile("|".join(re.escape(s) for s in sorted(secrets, key=len, reverse=True)))
    targets = _targets(database, world)
    api_headers = world.headers(USER)
    sign_in(web, USER)
    token = csrf_token(web.get("/saya"))
    leaks: list[str] = []
    errors: list[str] = []
    calls = 0
    for rule in pages_app.url_map.iter_rules():
        if rule.endpoint.endswith("static") or rule.rule in ("/keluar",):
            continue
        for values in targets:
            path = _path(rule, values)
            if path is None:
                continue
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                calls += 1
                if path.startswith("/api/"):
                    response = web.open(
                        path,
                        method=method,
                        json={} if method in ("POST", "PATCH", "PUT") else None,
                        headers={**api_headers, "If-Match": '"1"', "Idempotency-Key": "iso-1"},
                    )
                else:
                    data = {"csrf_token": token} if method == "POST" else None
                    response = web.open(path, method=method, data=data)
                body = response.get_data(as_text=True)
                where = f"{method} {path} -> {response.status_code}"
                if response.status_code >= 500:
                    errors.append(where)
                # the NIP the caller put in the path may be echoed back (the problem's instance)
                found = {m for m in pattern.findall(body) if m not in path}
                if found:
                    leaks.append(f"{where}: {sorted(found)}")
    assert calls > 100
    assert errors == []
    assert leaks == []


def test_the_own_view_is_only_themself(
    web: FlaskClient, world: World, others: tuple[set[str], list[str]]
) -> None:
    secrets, own = others
    answer = web.get("/api/v1/me/talent", headers=world.headers(USER))
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    assert own[0] in text
    assert not [s for s in secrets if s in text]
    sign_in(web, USER)
    page = web.get("/saya").get_data(as_text=True)
    assert own[0] in page
    assert not [s for s in secrets if s in page]

"""The authorization matrix: every /api/v1 endpoint × every role × the caller's relation to the
object (own agency, another agency, the national agency), plus anonymous, against a declarative
policy table. Every cell is asserted; an endpoint missing from the table fails the test.

The object of every endpoint belongs to the province. "own" callers are province users, "other"
callers are city users, "national" callers are users of the national agency (BKN).
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from tests.api.conftest import World, roles_of
from workflow.db import Database
from workflow.models import User
from workflow.users import user_etag

ROLES = ("hr", "committee", "authority", "national_reviewer", "auditor", "admin")
RELATIONS = {"own": "province", "other": "city", "national": "national"}
ANYONE = frozenset(ROLES)
PEOPLE = frozenset({"hr", "national_reviewer", "auditor"})
ADMIN = frozenset({"admin"})
LOGS = frozenset({"auditor", "admin"})
LEDGER = frozenset({"auditor", "national_reviewer"})


@dataclass(frozen=True)
class Rule:
    """Who may call an endpoint, and what a permitted caller gets."""

    method: str
    path: str
    """The OpenAPI path; placeholders are filled with the province's object."""
    roles: frozenset[str]
    ok: int = 200
    target: bool = False
    """The path names one object: another agency's caller gets 404, as if it did not exist."""
    write: bool = False
    """It changes the object: national callers, who read every agency, get 403."""
    listed: str | None = None
    """A list that must show the province's object to own and national callers only."""
    body: Callable[[int], dict[str, Any]] | None = field(default=None, compare=False)
    files: dict[str, str] | None = field(default=None, compare=False)
    """A multipart upload of these files (name: content) instead of a JSON body."""


POLICY = (
    Rule("GET", "/api/v1/me", ANYONE),
    Rule("GET", "/api/v1/tenants", ANYONE, listed="code"),
    Rule("GET", "/api/v1/tenants/{code}", ANYONE, target=True),
    Rule("GET", "/api/v1/positions", ANYONE, listed="position"),
    Rule("GET", "/api/v1/positions/{position_id}", ANYONE, target=True),
    Rule("GET", "/api/v1/employees", PEOPLE, listed="employee"),
    Rule("GET", "/api/v1/employees/{nip}", PEOPLE, target=True),
    Rule("GET", "/api/v1/access-log", LOGS),
    Rule("GET", "/api/v1/users", ADMIN, listed="user"),
    Rule("GET", "/api/v1/users/{user_id}", ADMIN, target=True),
    Rule(
        "POST",
        "/api/v1/users",
        ADMIN,
        ok=201,
        body=lambda n: {"username": f"matrix.{n}", "display_name": "M", "roles": ["hr"]},
    ),
    Rule(
        "PATCH",
        "/api/v1/users/{user_id}",
        ADMIN,
        target=True,
        write=True,
        body=lambda n: {"display_name": f"Renamed {n}"},
    ),
    # --- ledger, monitoring and registry upload
    Rule("GET", "/api/v1/ledger", LEDGER, listed="ledger"),
    Rule("GET", "/api/v1/ledger/verify", LEDGER),
    Rule("GET", "/api/v1/ledger/export", LEDGER),
    Rule("GET", "/api/v1/ledger/checkpoints", LEDGER),
    # the province's chain is named in the body: another agency's auditor is told it does not
    # exist; a checkpoint is an anchor, not agency data, so the national auditor may sign it
    Rule(
        "POST",
        "/api/v1/ledger/checkpoints",
        frozenset({"auditor"}),
        ok=201,
        target=True,
        body=lambda n: {"tenant": "36.00"},
    ),
    Rule("GET", "/api/v1/monitoring/agencies", LEDGER, listed="agency"),
    Rule("GET", "/api/v1/monitoring/deviations", LEDGER),
    Rule("GET", "/api/v1/monitoring/nine-box", LEDGER, listed="agency"),
    # header-only files: an empty import, valid for any agency (national HR: BKN's own records)
    Rule(
        "POST",
        "/api/v1/registry/imports",
        frozenset({"hr"}),
        ok=201,
        files={
            "positions.csv": "tenant_code,code,title,level,unit\n",
            "position_competencies.csv": "tenant_code,position_code,competency,required_level\n",
        },
    ),
)

TARGET_USER = "province.committee"


def expected(rule: Rule, role: str | None, relation: str) -> int:
    """Return the status the policy gives ``role`` in ``relation`` to the object."""
    if role is None:
        return 401
    if role not in rule.roles:
        return 403
    if rule.target and relation == "other":
        return 404
    if rule.write and relation == "national":
        return 403
    return rule.ok


def _cells() -> list[tuple[Rule, str | None, str]]:
    cells: list[tuple[Rule, str | None, str]] = []
    for rule in POLICY:
        cells.append((rule, None, "anonymous"))
        for relation, agency in RELATIONS.items():
            cells.extend((rule, role, relation) for role in ROLES if role in roles_of(agency))
    return cells


def _fill(path: str, world: World) -> str:
    return path.format(
        code=world.tenant_code["province"],
        position_id=world.position_id["province"],
        nip=world.employee_nip["province"],
        user_id=world.user_id[TARGET_USER],
    )


def _listed_key(rule: Rule, world: World) -> tuple[str, Any]:
    return {
        "code": ("code", world.tenant_code["province"]),
        "position": ("id", world.position_id["province"]),
        "employee": ("id", world.employee_id["province"]),
        "user": ("id", world.user_id[TARGET_USER]),
        "ledger": ("tenant", world.tenant_code["province"]),
        "agency": ("agency", world.tenant_code["province"]),
    }[rule.listed or ""]


def _target_etag(database: Database, world: World) -> str:
    with database.read() as session:
        user = session.scalar(select(User).where(User.id == world.user_id[TARGET_USER]))
        assert user is not None
        return f'"{user_etag(user)}"'


def test_policy_covers_every_documented_endpoint(api: FlaskClient) -> None:
    spec = api.get("/api/openapi.json").json
    documented = {
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        if path.startswith("/api/v1/")
        for method in operations
        if method != "parameters"
    }
    assert documented == {(rule.method, rule.path) for rule in POLICY}


def test_every_cell_of_the_matrix(api: FlaskClient, world: World, database: Database) -> None:
    cells = _cells()
    mismatches = []
    counter = itertools.count()
    for rule, role, relation in cells:
        headers = {} if role is None else world.headers(f"{RELATIONS[relation]}.{role}")
        if rule.method == "PATCH":
            headers["If-Match"] = _target_etag(database, world)
        body = rule.body(next(counter)) if rule.body else None
        if rule.files is not None:
            parts = [(io.BytesIO(text.encode()), name) for name, text in rule.files.items()]
            response = api.open(
                _fill(rule.path, world),
                method=rule.method,
                data={"files": parts},
                content_type="multipart/form-data",
                headers=headers,
            )
        else:
            response = api.open(
                _fill(rule.path, world), method=rule.method, json=body, headers=headers
            )
        want = expected(rule, role, relation)
        cell = f"{rule.method} {rule.path} as {role or 'anonymous'} ({relation})"
        if response.status_code != want:
            mismatches.append(f"{cell}: {response.status_code}, expected {want}")
        elif rule.listed and want == 200:
            key, value = _listed_key(rule, world)
            shown = value in {item[key] for item in response.json["items"]}
            if shown != (relation != "other"):
                mismatches.append(f"{cell}: the province's object shown={shown}")
    assert not mismatches, "\n".join(mismatches)
    assert len(cells) == len(POLICY) * (1 + 5 + 5 + 6)

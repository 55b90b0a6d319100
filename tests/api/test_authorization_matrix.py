"""The authorization matrix: every /api/v1 endpoint × every role × the caller's relation to the
object (own agency, another agency, the national agency), plus anonymous, against a declarative
policy table. Every cell is asserted; an endpoint missing from the table fails the test.

The object of every endpoint belongs to the province. "own" callers are province users, "other"
callers are city users, "national" callers are users of the national agency (BKN).
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.api.conftest import NOW, World, roles_of
from tests.support.screening import screen_province_vacancy
from tests.support.talent import add_known
from workflow import jobs, talent
from workflow.core.actors import system_actor
from workflow.core.db import Database
from workflow.identity import AccessRecorder
from workflow.identity.accounts import actor_by_username
from workflow.identity.admin import user_etag
from workflow.models import Position, User
from workflow.vacancies import open_vacancy, perform

ROLES = ("hr", "committee", "authority", "national_reviewer", "auditor", "admin", "employee")
RELATIONS = {"own": "province", "other": "city", "national": "national"}
ANYONE = frozenset(ROLES)
PEOPLE = frozenset({"hr", "national_reviewer", "auditor"})
ADMIN = frozenset({"admin"})
LOGS = frozenset({"auditor", "admin"})
HR = frozenset({"hr"})
WORKFLOW = frozenset({"hr", "committee", "authority", "national_reviewer"})
VACANCY_READERS = WORKFLOW | {"auditor"}
CANDIDATES = frozenset({"hr", "committee", "authority", "national_reviewer", "auditor"})
REPLAYERS = frozenset({"hr", "national_reviewer", "auditor"})
WHAT_IF_PROFILE = {
    "nip": "198001012005011001",
    "birth_date": "1980-01-01",
    "employment_type": "PNS",
}
WHAT_IF_VACANCY = {"level": "administrator", "reference_date": "2026-03-01"}
MATRIX_NIP = "{nip}"
MATRIX_POSITION = -1
"""Placeholders in bodies, replaced with the province's employee and position."""
LEDGER = frozenset({"auditor", "national_reviewer"})
TALENT_RUNNERS = frozenset({"hr", "national_reviewer"})
TALENT_READERS = frozenset({"hr", "authority", "national_reviewer", "auditor"})
EMPLOYEE = frozenset({"employee"})


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
    acts: frozenset[str] | None = None
    """Of the permitted roles, those the operation itself then allows (a workflow action's
    roles); the others get 403 once the object is found."""
    setup: Callable[[Database, World, str | None, int], Prepared] | None = field(
        default=None, compare=False
    )
    """Prepares one cell (called with the caller's username, or None): the object it acts on,
    its headers and body, so that each cell is independent of the cells before it."""
    screened: bool = False
    """``{vacancy_id}`` is a province vacancy that has been screened (not the draft one)."""
    files: dict[str, str] | None = field(default=None, compare=False)
    """A multipart upload of these files (name: content) instead of a JSON body."""


@dataclass(frozen=True)
class Prepared:
    """What a cell's setup hook gives the request: path values, headers, a body."""

    params: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None


def _agency(username: str | None) -> str:
    return (username or "province.").split(".")[0]


def _new_vacancy(_database: Database, world: World, username: str | None, n: int) -> Prepared:
    """A vacancy for the caller's own agency's administrator position."""
    body = {
        "position": world.admin_position_code[_agency(username)],
        "title": f"Matrix {n}",
        "reference_date": "2026-03-01",
        "pack": world.pack_digest,
    }
    return Prepared(headers={"Idempotency-Key": f"matrix-open-{n}"}, body=body)


def _fresh_draft(database: Database, world: World, _username: str | None, n: int) -> Prepared:
    """A new province draft per cell (a permitted submit moves it), submitted at version 1."""
    with database.read() as session:
        hr = actor_by_username(session, "province.hr")
    outcome = open_vacancy(
        database,
        actor=hr,
        position_code=world.admin_position_code["province"],
        title=f"Matrix draft {n}",
        reference_date=NOW.date(),
        pack_digest=world.pack_digest,
        idempotency_key=f"matrix-draft-{n}",
        now=NOW,
    )
    return Prepared(
        params={"vacancy_id": outcome.vacancy["id"], "action": "submit"},
        headers={"If-Match": '"1"', "Idempotency-Key": f"matrix-act-{n}"},
        body={},
    )


def _delegation(_database: Database, world: World, username: str | None, n: int) -> Prepared:
    """The caller lets their agency's ``.all`` colleague act for them in their role."""
    agency, _, role = (username or "province.hr").partition(".")
    body = {
        "delegate": f"{agency}.all",
        "role": role,
        "ends_at": "2099-01-01T00:00:00Z",
        "starts_at": "2098-12-01T00:00:00Z",
        "reason": f"matrix {n}",
    }
    return Prepared(body=body)


def _talent_run(_database: Database, world: World, username: str | None, n: int) -> Prepared:
    """HR maps its own agency by default; a national caller names the province."""
    national = _agency(username) == "national"
    return Prepared(body={"agencies": [world.tenant_code["province"]]} if national else {})


GROUP_ACTORS = frozenset({"hr", "authority"})
_GROUP_STATE = {"propose": "draft", "revise": "draft", "approve": "proposed", "return": "proposed"}


def _group_key_position(database: Database, world: World, n: int) -> int:
    """A fresh province key position (its successors: the known employees, added once)."""
    with database.read() as session:
        known = session.scalar(select(Position.id).where(Position.code.like("MATRIX-KEY-%")))
    if known is None:
        add_known(database, tenant_id=world.tenant_id["province"])
    with database.transaction() as session:
        position = Position(
            tenant_id=world.tenant_id["province"],
            code=f"MATRIX-KEY-{n}",
            title="Kepala Biro",
            level="administrator",
            unit="Biro Keuangan",
            is_key=True,
        )
        session.add(position)
        session.flush()
        return position.id


def _new_group(database: Database, world: World, _username: str | None, n: int) -> Prepared:
    """A new group of a fresh key position of the province."""
    position = _group_key_position(database, world, n)
    return Prepared(body={"position_id": position, "year": 2026, "reference_date": "2026-03-01"})


def _group_in(action: str) -> Callable[[Database, World, str | None, int], Prepared]:
    """A province group in the state ``action`` starts from, proposed by its HR officer."""

    def setup(database: Database, world: World, _username: str | None, n: int) -> Prepared:
        position = _group_key_position(database, world, n)
        with database.read() as session:
            hr = actor_by_username(session, "province.hr")
        recorder = AccessRecorder(actor=hr, method="POST", endpoint="t", purpose="t", now=NOW)
        detail = talent.create_group(
            database,
            recorder=recorder,
            position_id=position,
            year=2026,
            pack="bkn-national",
            reference_date=dt.date(2026, 3, 1),
            now=NOW,
        )
        if _GROUP_STATE[action] == "proposed":
            detail = talent.act(
                database,
                recorder=recorder,
                group_id=detail.group.id,
                action="propose",
                revision=1,
                now=NOW,
            )
        body: dict[str, Any] = {"revision": detail.group.revision}
        if action == "return":
            body["reason"] = f"matrix {n}"
        return Prepared(params={"group_id": detail.group.id}, body=body)

    return setup


def _queued_job(database: Database, world: World, _username: str | None, n: int) -> Prepared:
    """A province vacancy per cell, submitted (by a second HR officer) and screening as a job
    that no worker has picked up yet: a permitted cancel stops it."""
    with database.read() as session:
        hr = actor_by_username(session, "province.all")
    opened = open_vacancy(
        database,
        actor=hr,
        position_code=world.admin_position_code["province"],
        title=f"Matrix job {n}",
        reference_date=NOW.date(),
        pack_digest=world.pack_digest,
        idempotency_key=f"matrix-job-{n}",
        now=NOW,
    )
    vacancy_id = int(opened.vacancy["id"])
    submitted = perform(
        database,
        actor=hr,
        vacancy_id=vacancy_id,
        action="submit",
        expected_version=int(opened.vacancy["version"]),
        idempotency_key=f"matrix-job-submit-{n}",
        now=NOW,
    )
    queue = jobs.make_queue(database, broker_url="memory://", eager=False, shard_size=5000)
    started = jobs.start_screening_job(
        queue,
        actor=system_actor(world.tenant_id["province"], world.tenant_code["province"], "province"),
        vacancy_id=vacancy_id,
        expected_version=int(submitted.vacancy["version"]),
        idempotency_key=f"matrix-job-start-{n}",
        now=NOW,
    )
    assert started.job is not None
    return Prepared(params={"job_id": started.job.id}, body={"reason": f"matrix {n}"})


def _export_job(database: Database, _world: World, _username: str | None, n: int) -> Prepared:
    """A succeeded export job of the province's chain, started by its auditor."""
    with database.read() as session:
        auditor = actor_by_username(session, "province.auditor")
    queue = jobs.make_queue(database, broker_url="memory://", eager=True, shard_size=5000)
    started = jobs.start_ledger_job(
        queue, actor=auditor, kind=jobs.KIND_EXPORT, tenant_code=None, now=NOW
    )
    assert started.job.state == jobs.SUCCEEDED
    return Prepared(params={"job_id": started.job.id})


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
    # --- vacancies (GETs first: the list must still show the seeded draft on its first page)
    Rule("GET", "/api/v1/vacancies", VACANCY_READERS, listed="vacancy"),
    Rule("GET", "/api/v1/vacancies/{vacancy_id}", VACANCY_READERS, target=True),
    Rule("GET", "/api/v1/vacancies/{vacancy_id}/history", VACANCY_READERS, target=True),
    Rule("GET", "/api/v1/tasks", WORKFLOW),
    Rule("POST", "/api/v1/vacancies", HR, ok=201, write=True, setup=_new_vacancy),
    Rule(
        "POST",
        "/api/v1/vacancies/{vacancy_id}/actions/{action}",
        ANYONE,
        target=True,
        write=True,
        acts=HR,
        setup=_fresh_draft,
    ),
    Rule("POST", "/api/v1/delegations", WORKFLOW, ok=201, setup=_delegation),
    # --- screening and rule packs (api/screening.py)
    Rule("GET", "/api/v1/vacancies/{vacancy_id}/shortlist", CANDIDATES, target=True, screened=True),
    Rule(
        "GET",
        "/api/v1/vacancies/{vacancy_id}/candidates/{nip}/explanation",
        CANDIDATES,
        target=True,
        screened=True,
    ),
    Rule(
        "POST",
        "/api/v1/vacancies/{vacancy_id}/replay",
        REPLAYERS,
        target=True,
        screened=True,
        body=lambda n: {},
    ),
    Rule("GET", "/api/v1/rule-packs", ANYONE),
    Rule("GET", "/api/v1/rule-packs/{digest}", ANYONE),
    # a profile is nobody's registry data: every candidate reader of every agency may explain one
    Rule(
        "POST",
        "/api/v1/rule-packs/{digest}/explain",
        CANDIDATES,
        body=lambda n: {"profile": WHAT_IF_PROFILE, "vacancy": WHAT_IF_VACANCY},
    ),
    # a registry employee (of the province, for its position): the registry's readers only
    Rule(
        "POST",
        "/api/v1/rule-packs/{digest}/explain",
        PEOPLE,
        target=True,
        body=lambda n: {"nip": MATRIX_NIP, "position_id": MATRIX_POSITION},
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
    # ledger jobs name the province's chain: another agency's auditor is told it does not exist
    *(
        Rule("POST", path, LEDGER, ok=202, target=True, body=lambda n: {"tenant": "36.00"})
        for path in ("/api/v1/ledger/verifications", "/api/v1/ledger/exports")
    ),
    Rule("GET", "/api/v1/jobs/{job_id}/export", LEDGER, target=True, setup=_export_job),
    Rule("GET", "/api/v1/monitoring/agencies", LEDGER, listed="agency"),
    Rule("GET", "/api/v1/monitoring/deviations", LEDGER),
    Rule("GET", "/api/v1/monitoring/nine-box", LEDGER, listed="agency"),
    # --- background jobs (api/jobs.py): {job_id} is the province's screening job
    Rule("GET", "/api/v1/jobs/{job_id}", VACANCY_READERS, target=True),
    Rule(
        "POST",
        "/api/v1/jobs/{job_id}/cancel",
        ANYONE,
        target=True,
        write=True,
        acts=frozenset({"hr", "authority"}),
        setup=_queued_job,
    ),
    # --- talent management (api/talent.py): {run_id} is a talent-map run of the province
    Rule("GET", "/api/v1/talent/runs", TALENT_READERS, listed="talent_run"),
    Rule("GET", "/api/v1/talent/runs/{run_id}", TALENT_READERS, target=True),
    Rule("GET", "/api/v1/talent/runs/{run_id}/boxes/{box}/people", TALENT_READERS, target=True),
    Rule("GET", "/api/v1/talent/runs/{run_id}/unmapped/people", TALENT_READERS, target=True),
    Rule("GET", "/api/v1/talent/runs/{run_id}/pool", TALENT_READERS, target=True),
    Rule("POST", "/api/v1/talent/runs/{run_id}/replay", REPLAYERS, target=True),
    Rule("GET", "/api/v1/talent/data-quality", TALENT_READERS, listed="agency"),
    Rule("GET", "/api/v1/talent/data-quality/{code}/records", TALENT_READERS, target=True),
    Rule("POST", "/api/v1/talent/runs", TALENT_RUNNERS, ok=202, setup=_talent_run),
    Rule(
        "GET",
        "/api/v1/talent/key-positions/{position_id}/successors",
        TALENT_READERS,
        target=True,
    ),
    # --- succession groups (api/succession.py): {group_id} is a group of the province
    Rule("GET", "/api/v1/talent/succession-groups", TALENT_READERS),
    Rule("GET", "/api/v1/talent/national", frozenset({"national_reviewer", "auditor"})),
    Rule(
        "POST",
        "/api/v1/talent/succession-groups",
        HR,
        ok=201,
        target=True,
        write=True,
        setup=_new_group,
    ),
    Rule(
        "GET",
        "/api/v1/talent/succession-groups/{group_id}",
        TALENT_READERS,
        target=True,
        setup=_group_in("propose"),
    ),
    *(
        Rule(
            "POST",
            f"/api/v1/talent/succession-groups/{{group_id}}/{action}",
            GROUP_ACTORS,
            target=True,
            write=True,
            acts=frozenset({"authority" if action in ("approve", "return") else "hr"}),
            setup=_group_in(action),
        )
        for action in ("propose", "revise", "approve", "return")
    ),
    # development plans (api/development.py): {nip} is the province's employee
    Rule("GET", "/api/v1/talent/development/{nip}", TALENT_READERS, target=True),
    Rule(
        "POST",
        "/api/v1/talent/development/{nip}/activities",
        HR,
        ok=201,
        target=True,
        write=True,
        body=lambda n: {"kind": "mentoring", "title": f"Matrix {n}", "occurred_on": "2026-01-05"},
    ),
    # each employee's own view: always the caller's own record, whatever their agency
    Rule("GET", "/api/v1/me/talent", EMPLOYEE),
    Rule("GET", "/api/v1/me/development", EMPLOYEE),
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
    if rule.acts is not None and role not in rule.acts:
        return 403
    return rule.ok


def _cells() -> list[tuple[Rule, str | None, str]]:
    cells: list[tuple[Rule, str | None, str]] = []
    for rule in POLICY:
        cells.append((rule, None, "anonymous"))
        for relation, agency in RELATIONS.items():
            cells.extend((rule, role, relation) for role in ROLES if role in roles_of(agency))
    return cells


def _fill(path: str, world: World, rule: Rule, screened: int, **params: Any) -> str:
    values = {
        "code": world.tenant_code["province"],
        "position_id": world.position_id["province"],
        "nip": world.employee_nip["province"],
        "user_id": world.user_id[TARGET_USER],
        "vacancy_id": screened if rule.screened else world.vacancy_id["province"],
        "action": "submit",
        "digest": world.pack_digest,
        "box": 5,
    }
    return path.format(**(values | params))


def _fill_body(body: dict[str, Any] | None, world: World) -> dict[str, Any] | None:
    if body is None:
        return None
    return {
        key: (
            world.employee_nip["province"]
            if value == MATRIX_NIP
            else world.position_id["province"]
            if value == MATRIX_POSITION
            else value
        )
        for key, value in body.items()
    }


@pytest.fixture
def talent_run(database: Database, world: World) -> int:
    """A talent-map run of the province, made by its HR officer."""
    with database.read() as session:
        hr = actor_by_username(session, "province.hr")
    (run,) = talent.run_talent_map(database, actor=hr, now=NOW)
    return run.id


@pytest.fixture
def screening_job(database: Database, world: World) -> int:
    """A province screening job (queued: no worker runs in this test)."""
    return _queued_job(database, world, None, 10_000).params["job_id"]


@pytest.fixture
def screened_vacancy(database: Database, world: World) -> int:
    """A province vacancy screened for real; the world's own draft vacancies stay as they are."""
    return screen_province_vacancy(database, world).vacancy_id


def _listed_key(rule: Rule, world: World) -> tuple[str, Any]:
    return {
        "code": ("code", world.tenant_code["province"]),
        "position": ("id", world.position_id["province"]),
        "employee": ("id", world.employee_id["province"]),
        "user": ("id", world.user_id[TARGET_USER]),
        "vacancy": ("id", world.vacancy_id["province"]),
        "ledger": ("tenant", world.tenant_code["province"]),
        "agency": ("agency", world.tenant_code["province"]),
        "talent_run": ("agency", world.tenant_code["province"]),
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


def test_every_cell_of_the_matrix(
    api: FlaskClient,
    world: World,
    database: Database,
    screened_vacancy: int,
    talent_run: int,
    screening_job: int,
) -> None:
    cells = _cells()
    mismatches = []
    counter = itertools.count()
    for rule, role, relation in cells:
        username = None if role is None else f"{RELATIONS[relation]}.{role}"
        headers = {} if username is None else world.headers(username)
        if rule.method == "PATCH":
            headers["If-Match"] = _target_etag(database, world)
        n = next(counter)
        body = _fill_body(rule.body(n) if rule.body else None, world)
        prepared = rule.setup(database, world, username, n) if rule.setup else Prepared()
        headers.update(prepared.headers)
        body = prepared.body if prepared.body is not None else body
        params = {"run_id": talent_run, "job_id": screening_job} | prepared.params
        path = _fill(rule.path, world, rule, screened_vacancy, **params)
        if rule.files is not None:
            parts = [(io.BytesIO(text.encode()), name) for name, text in rule.files.items()]
            response = api.open(
                path,
                method=rule.method,
                data={"files": parts},
                content_type="multipart/form-data",
                headers=headers,
            )
        else:
            response = api.open(path, method=rule.method, json=body, headers=headers)
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
    assert len(cells) == len(POLICY) * (1 + 6 + 6 + 7)

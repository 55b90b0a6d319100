"""Hostile bodies: every endpoint that takes JSON or files refuses each with a 4xx problem that
names the problem, and nothing changes.

The endpoints are read from the app's URL map (every rule under /api/ that takes POST, PUT,
PATCH or DELETE), so an endpoint added later is covered without touching this file."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

import workflow.models
from tests.api.conftest import World
from workflow.core.db import Database
from workflow.core.strict_json import (
    MAX_BODY_BYTES,
    MAX_DEPTH,
    MAX_ITEMS,
    MAX_STRING,
    HostileJson,
    decode,
)
from workflow.models import Job, JobFile, JobShard, LedgerEntry, Vacancy

DEEP = b"[" * 1000 + b"]" * 1000
HOSTILE: dict[str, tuple[bytes, set[int], str]] = {
    # name: (body, acceptable statuses, a word the problem's text must contain)
    "deep nesting": (DEEP, {413}, "nested"),
    "deep object": (b'{"a":' * 1000 + b"1" + b"}" * 1000, {413}, "nested"),
    "huge float": (b'{"title": 1e400}', {422}, "overflows"),
    "huge int": (b'{"title": ' + b"9" * 5000 + b"}", {422}, "integer"),
    "NaN": (b'{"title": NaN}', {400}, "NaN"),
    "invalid UTF-8": (b'{"title": "\xff\xfe"}', {400}, "UTF-8"),
    "NUL in a string": (b'{"title": "a\\u0000b"}', {422}, "NUL"),
    "NUL in a name": (b'{"ti\\u0000tle": "a"}', {422}, "NUL"),
    "duplicate keys": (b'{"position": "A", "position": "B"}', {400}, "twice"),
    "long string": (b'{"title": "' + b"x" * (MAX_STRING + 1) + b'"}', {413}, "longer"),
    "long array": (b"[" + b",".join([b"0"] * (MAX_ITEMS + 1)) + b"]", {413}, "array"),
    "huge body": (b'{"title": "' + b"x" * MAX_BODY_BYTES + b'"}', {413}, "bytes"),
    "syntax error": (b'{"title": ', {400}, "not JSON"),
    "byte order mark": (b'\xef\xbb\xbf{"title": "a"}', {400}, "byte order mark"),
}

HOSTILE_FILES: dict[str, tuple[str, bytes, str]] = {
    # name: (file name, content, a word the problem's text must contain)
    "profiles nested deep": (
        "profiles.jsonl",
        b'{"a":' * 1000 + b"1" + b"}" * 1000 + b"\n",
        "nested",
    ),
    "profiles with duplicate keys": (
        "profiles.jsonl",
        b'{"nip": "198001012005011001", "nip": "198001012005011002"}\n',
        "twice",
    ),
    "profiles with a huge number": ("profiles.jsonl", b'{"nip": 1e400}\n', "overflows"),
    "profiles not UTF-8": ("profiles.jsonl", b'{"nip": "\xff"}\n', "UTF-8"),
    "array nested deep": (
        "profiles.json",
        b"[" + b'{"a":' * 1000 + b"1" + b"}" * 1000 + b"]",
        "nested",
    ),
    "array with duplicate keys": ("profiles.json", b'[{"nip": "1", "nip": "2"}]', "twice"),
    "array with NUL": ("profiles.json", b'[{"nip": "1\\u0000"}]', "NUL"),
    "CSV with NUL": ("positions.csv", b"tenant_code,code,title,level,unit\nA,B\x00,C,D,E\n", "NUL"),
    "CSV not UTF-8": (
        "positions.csv",
        b"tenant_code,code,title,level,unit\nA,\xff,C,D,E\n",
        "UTF-8",
    ),
}


def _body_endpoints(app: Flask) -> list[tuple[str, str, str]]:
    """(method, rule, kind) of every API endpoint that takes a body; kind is json or files."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        for method in sorted((rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}):
            view = app.view_functions[rule.endpoint]
            apidoc = getattr(view, "_apidoc", {})
            files = "multipart/form-data" in str(apidoc)
            found.append((method, rule.rule, "files" if files else "json"))
    return found


def _url(rule: str, world: World) -> str:
    values = {
        "id": str(world.vacancy_id["province"]),
        "digest": world.pack_digest,
        "code": world.tenant_code["province"],
        "nip": world.employee_nip["province"],
        "string": "submit",
        "default": "submit",
    }
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: values[m.group(1) or "default"], rule)


def _state(database: Database) -> dict[str, Any]:
    """Every table's row count, except what a rejected upload's own job records: the job (a
    failed ``registry_import``), its stored outcome and its ``job.started``/``job.finished``."""
    with database.read() as session:
        counts = {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in workflow.models.Base.metadata.sorted_tables
            if table.name not in ("access_log", "job", "job_shard", "job_file", "ledger_entry")
        }
        counts["job"] = session.scalar(
            select(func.count()).select_from(Job).where(Job.kind != "registry_import")
        )
        imports = select(Job.id).where(Job.kind == "registry_import")
        counts["job_shard"] = session.scalar(
            select(func.count()).select_from(JobShard).where(JobShard.job_id.not_in(imports))
        )
        counts["job_file"] = session.scalar(select(func.count()).select_from(JobFile))
        counts["ledger_entry"] = session.scalar(
            select(func.count())
            .select_from(LedgerEntry)
            .where(
                ~(
                    LedgerEntry.kind.like("job.%")
                    & LedgerEntry.body.like('%"kind":"registry_import"%')
                )
            )
        )
        versions = session.execute(select(Vacancy.id, Vacancy.state, Vacancy.version)).all()
    return {"counts": counts, "vacancies": sorted(map(tuple, versions))}


def _headers(world: World, user: str) -> dict[str, str]:
    return {**world.headers(user), "Idempotency-Key": "hostile-1", "If-Match": '"1"'}


def test_the_endpoint_list_covers_json_and_files(api_app: Flask) -> None:
    kinds = {(rule, kind) for _method, rule, kind in _body_endpoints(api_app)}
    assert ("/api/v1/vacancies", "json") in kinds
    assert ("/api/v1/registry/imports", "files") in kinds
    assert len(kinds) >= 8


def test_every_hostile_json_body_is_a_named_4xx_and_changes_nothing(
    api_app: Flask, api: FlaskClient, world: World, database: Database
) -> None:
    before = _state(database)
    failures = []
    for method, rule, _kind in _body_endpoints(api_app):
        for name, (body, statuses, word) in HOSTILE.items():
            response = api.open(
                _url(rule, world),
                method=method,
                data=body,
                content_type="application/json",
                headers=_headers(world, "province.hr"),
            )
            problem = response.get_json(silent=True) or {}
            text = f"{problem.get('title')} {problem.get('detail')}"
            if (
                response.status_code not in statuses
                or response.mimetype != "application/problem+json"
                or word.lower() not in text.lower()
            ):
                failures.append((method, rule, name, response.status_code, text))
    assert failures == []
    assert _state(database) == before


def test_every_hostile_file_is_a_named_4xx_and_changes_nothing(
    api_app: Flask, api: FlaskClient, world: World, database: Database
) -> None:
    before = _state(database)
    failures = []
    for method, rule, kind in _body_endpoints(api_app):
        if kind != "files":
            continue
        for name, (filename, content, word) in HOSTILE_FILES.items():
            response = api.open(
                _url(rule, world),
                method=method,
                data={"files": [(io.BytesIO(content), filename)]},
                content_type="multipart/form-data",
                headers=world.headers("province.hr"),
            )
            problem = response.get_json(silent=True) or {}
            text = str(problem)
            if not (
                400 <= response.status_code < 500
                and response.mimetype == "application/problem+json"
                and word.lower() in text.lower()
            ):
                failures.append((rule, name, response.status_code, text[:300]))
    assert failures == []
    assert _state(database) == before


def test_duplicate_members_never_open_a_vacancy(api: FlaskClient, world: World) -> None:
    code = world.admin_position_code["province"]
    body = (
        f'{{"position": "{code}", "title": "Kepala", "reference_date": "2026-01-01", '
        '"position": "NOPE"}'
    )
    response = api.post(
        "/api/v1/vacancies",
        data=body,
        content_type="application/json",
        headers={**world.headers("province.hr"), "Idempotency-Key": "dup-1"},
    )
    assert response.status_code == 400
    assert response.get_json()["detail"] == "the member 'position' appears twice in one object"


def test_the_problem_points_at_the_field() -> None:
    with pytest.raises(HostileJson, match="NUL") as caught:
        decode(b'{"a": [1, {"b~/c": "x\\u0000"}]}')
    assert caught.value.pointer == "/a/1/b~0~1c"


def test_limits_admit_what_the_schemas_need() -> None:
    nested = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert decode(nested.encode()) is not None
    assert decode(b'{"n": -9223372036854775807, "f": 1.5, "s": "\\u00e9"}') == {
        "n": -(2**63 - 1),
        "f": 1.5,
        "s": "é",
    }

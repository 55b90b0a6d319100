"""Uploading registry files: the CLI's import over multipart, for the uploader's own agency only,
all or nothing with the CLI's row-level problems, recorded in the ledger; 413 and 415 too."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from api import create_app
from config import Settings
from tests.api.conftest import World
from tests.support.registry_files import AHMAD, VALID_SET, table_counts
from workflow.core.db import Database
from workflow.models import Employee, LedgerEntry, Tenant

URL = "/api/v1/registry/imports"
HEADERS_ONLY = {
    "positions.csv": "tenant_code,code,title,level,unit\n",
    "position_competencies.csv": "tenant_code,position_code,competency,required_level\n",
}
"""An import of no rows: valid for any agency."""


def _set_for(code: str, changes: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """The valid CSV set of tests/registry_files.py, for agency ``code``, without tenants.csv."""
    files = {
        name: content.replace("KOTA-SERANG", code)
        for name, content in VALID_SET.items()
        if name != "tenants.csv"
    }
    for name, content in (changes or {}).items():
        if content is None:
            files.pop(name, None)
        else:
            files[name] = content
    return files


def _replace_line(content: str, number: int, line: str) -> str:
    lines = content.splitlines()
    lines[number - 1] = line
    return "\n".join(lines) + "\n"


def _upload(api: FlaskClient, world: World, user: str, files: Mapping[str, str | bytes]) -> Any:
    parts = [
        (io.BytesIO(content if isinstance(content, bytes) else content.encode()), name)
        for name, content in files.items()
    ]
    return api.post(
        URL,
        data={"files": parts},
        content_type="multipart/form-data",
        headers=world.headers(user),
    )


def _counts(database: Database) -> dict[str, int]:
    """The registry's rows and the ledger's entries, except the upload job's own ``job.started``
    and ``job.finished`` (every upload is a job: tests/api/test_import_jobs.py)."""
    counts = table_counts(database)
    with database.read() as session:
        counts["ledger_entry"] = (
            session.scalar(
                select(func.count())
                .select_from(LedgerEntry)
                .where(LedgerEntry.kind.not_like("job.%"))
            )
            or 0
        )
    return counts


def _import_entries(database: Database) -> list[dict[str, Any]]:
    with database.read() as session:
        bodies = session.scalars(
            select(LedgerEntry.body)
            .where(LedgerEntry.kind == "registry.import")
            .order_by(LedgerEntry.tenant_id, LedgerEntry.seq)
        ).all()
    return [json.loads(body) for body in bodies]


def test_an_upload_is_imported_and_recorded_in_the_ledger(
    api: FlaskClient, world: World, database: Database
) -> None:
    before = _counts(database)
    files = _set_for("36.00")
    response = _upload(api, world, "province.hr", files)
    assert response.status_code == 201, response.json
    summary = response.json
    assert summary["employees"] == {"created": 3, "changed": 0, "unchanged": 0}
    assert summary["positions"] == {"created": 2, "changed": 0, "unchanged": 0}
    assert summary["tenants"] == {"created": 0, "changed": 0, "unchanged": 0}
    assert summary["rows_read"]["employee"] == 3
    assert sorted(file["name"] for file in summary["files"]) == sorted(files)
    after = _counts(database)
    assert after["employee"] == before["employee"] + 3
    assert after["position"] == before["position"] + 2
    with database.read() as session:
        tenant = session.scalar(
            select(Tenant.code)
            .join(Employee, Employee.tenant_id == Tenant.id)
            .where(Employee.nip == AHMAD)
        )
    assert tenant == "36.00"
    # the ledger entry the CLI's import writes: in each top-level agency's chain, by the user
    [entry] = _import_entries(database)
    assert entry["tenant"] == "bkn"
    assert entry["actor"] == f"user:{world.user_id['province.hr']}"
    assert set(entry["data"]) == {"files", "tenants", "positions", "employees", "rows_written"}
    digests = {file["name"]: file["sha256"] for file in summary["files"]}
    assert {file["name"]: file["sha256"] for file in entry["data"]["files"]} == digests
    # the same upload again changes nothing
    again = _upload(api, world, "province.hr", files)
    assert again.status_code == 201
    assert again.json["employees"] == {"created": 0, "changed": 0, "unchanged": 3}


def test_a_row_of_another_agency_rejects_the_whole_upload(
    api: FlaskClient, world: World, database: Database
) -> None:
    before = _counts(database)
    employees = _set_for("36.00")["employees.csv"]
    broken = _replace_line(employees, 3, employees.splitlines()[2].replace("36.00", "36.73"))
    response = _upload(api, world, "province.hr", _set_for("36.00", {"employees.csv": broken}))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.json["problems"] == [
        {
            "file": "employees.csv",
            "row": 3,
            "field": "tenant_code",
            "message": "'36.73' is not your agency: an upload holds records of 36.00 only",
        }
    ]
    assert response.json["problems_total"] == 1
    assert response.json["rejected_rows"] == 1
    assert _counts(database) == before
    positions = _set_for("36.00")["positions.csv"].replace("36.00", "bkn", 1)
    response = _upload(api, world, "province.hr", _set_for("36.00", {"positions.csv": positions}))
    assert response.status_code == 422
    first = response.json["problems"][0]
    assert (first["file"], first["row"], first["field"]) == (
        "positions.csv",
        2,
        "tenant_code",
    )
    assert _counts(database) == before


def test_row_problems_are_the_clis(
    api: FlaskClient, api_app: Flask, world: World, database: Database, tmp_path: Path
) -> None:
    before = _counts(database)
    employees = _set_for("36.00")["employees.csv"]
    broken = _replace_line(
        employees, 2, employees.splitlines()[1].replace("III/c", "III/f").replace("M,", "F,", 1)
    )
    files = _set_for("36.00", {"employees.csv": broken})
    folder = tmp_path / "upload"
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_text(content, encoding="utf-8")
    cli = api_app.test_cli_runner().invoke(args=["registry", "import", str(folder)])
    assert cli.exit_code == 1
    cli_lines = cli.stderr.splitlines()[:-1]
    assert len(cli_lines) == 2

    response = _upload(api, world, "province.hr", files)
    assert response.status_code == 422
    problems = response.json["problems"]
    as_cli = [f"{p['file']}:{p['row']} {p['field']}: {p['message']}" for p in problems]
    assert as_cli == cli_lines
    assert {p["field"] for p in problems} == {"nip", "rank"}  # gender vs NIP digit 15
    assert _counts(database) == before


def test_an_employee_of_another_agency_cannot_be_moved(
    api: FlaskClient, world: World, database: Database
) -> None:
    before = _counts(database)
    city_nip = world.employee_nip["city"]
    profile = {
        "nip": city_nip,
        "name": "Pegawai city 1",
        "birth_date": f"{city_nip[:4]}-{city_nip[4:6]}-{city_nip[6:8]}",
        "gender": "M",
        "tenant_code": "36.00",
        "employment_type": "PNS",
        "rank": "III/c",
        "rank_tmt": "2019-04-01",
    }
    response = _upload(api, world, "province.hr", {"move.jsonl": json.dumps(profile) + "\n"})
    assert response.status_code == 422
    [problem] = response.json["problems"]
    assert (problem["file"], problem["row"], problem["field"]) == ("move.jsonl", 1, "nip")
    assert "registered outside 36.00" in problem["message"]
    assert _counts(database) == before
    # the city's own HR may re-import its own employee
    profile["tenant_code"] = "36.73"
    response = _upload(api, world, "city.hr", {"update.jsonl": json.dumps(profile) + "\n"})
    assert response.status_code == 201, response.json
    assert response.json["employees"]["changed"] == 1


def test_tenants_csv_may_only_hold_the_uploaders_agency_where_it_is(
    api: FlaskClient, world: World, database: Database
) -> None:
    header = "code,name,level,parent_code\n"
    own = header + "36.00,Pemprov Banten,province,bkn\n"
    response = _upload(api, world, "province.hr", {"tenants.csv": own})
    assert response.status_code == 201, response.json
    assert response.json["tenants"]["changed"] == 1
    before = _counts(database)
    moved = header + "36.00,Pemprov Banten,province,36.73\n"
    other = header + "36.73,Kota Serang,city,36.00\nnew,New,city,36.00\n"
    for content, fields in ((moved, ["parent_code"]), (other, ["code", "code"])):
        response = _upload(api, world, "province.hr", {"tenants.csv": content})
        assert response.status_code == 422
        assert [p["field"] for p in response.json["problems"]] == fields
    assert _counts(database) == before


def test_the_national_agency_uploads_its_own_records_only(
    api: FlaskClient, world: World, database: Database
) -> None:
    response = _upload(api, world, "national.hr", _set_for("bkn"))
    assert response.status_code == 201, response.json
    before = _counts(database)
    response = _upload(api, world, "national.hr", _set_for("36.00"))
    assert response.status_code == 422
    assert {p["field"] for p in response.json["problems"]} == {"tenant_code"}
    assert _counts(database) == before


def test_who_may_upload_and_how(api: FlaskClient, world: World, database: Database) -> None:
    files = _set_for("36.00")
    for user in (
        "province.committee",
        "province.auditor",
        "province.admin",
        "national.national_reviewer",
    ):
        assert _upload(api, world, user, files).status_code == 403, user
    assert api.post(URL, data={"files": []}).status_code == 401
    before = _counts(database)
    as_json = api.post(URL, json={"files": files}, headers=world.headers("province.hr"))
    assert as_json.status_code == 415
    assert as_json.mimetype == "application/problem+json"
    empty = api.post(
        URL,
        data={"note": "nothing"},
        content_type="multipart/form-data",
        headers=world.headers("province.hr"),
    )
    assert empty.status_code == 422
    assert [p["field"] for p in empty.json["problems"]] == ["note", "files"]
    unnamed = _upload(api, world, "province.hr", {"": "code,name\n"})
    assert unnamed.status_code == 422
    unknown = _upload(api, world, "province.hr", {"notes.txt": "hello\n"})
    assert unknown.status_code == 422
    assert unknown.json["problems"][0]["file"] == "notes.txt"
    assert _counts(database) == before


def test_413_for_an_upload_over_the_limit(
    settings: Settings, world: World, database: Database
) -> None:
    before = _counts(database)
    application = create_app(settings.replace(max_request_bytes=4096))
    try:
        client = application.test_client()
        big = _set_for("36.00")
        big["employees.csv"] += "\n" * 8192
        response = _upload(client, world, "province.hr", big)
        assert response.status_code == 413
        assert response.mimetype == "application/problem+json"
        assert response.json["status"] == 413
        small = _upload(
            client,
            world,
            "province.hr",
            HEADERS_ONLY,
        )
        assert small.status_code == 201, small.json
    finally:
        application.extensions["meritflow"].db.dispose()
    after = _counts(database)
    assert after["ledger_entry"] == before["ledger_entry"] + 1
    assert {k: v for k, v in after.items() if k != "ledger_entry"} == {
        k: v for k, v in before.items() if k != "ledger_entry"
    }

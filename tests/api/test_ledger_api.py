"""The ledger over HTTP: entries as docs/ledger.md defines them, scoped filters, verification
that names the first tampered entry, the CLI's export bytes streamed, and checkpoints."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from tests.api.conftest import World
from tests.support.ledger import clock, fill
from workflow.core.db import Database
from workflow.ledger import chain as ledger

PROVINCE_ENTRIES = 6
"""The seeded vacancy's opening plus the entries added by :func:`_fill`."""


def _fill(database: Database, world: World) -> None:
    at = clock()
    fill(database, world.tenant_id["province"], PROVINCE_ENTRIES - 1, at)
    fill(database, world.tenant_id["city"], 2, at)


def _entries(api: FlaskClient, world: World, user: str, **query: Any) -> dict[str, Any]:
    response = api.get("/api/v1/ledger", query_string=query, headers=world.headers(user))
    assert response.status_code == 200, response.json
    body: dict[str, Any] = response.json
    return body


def _tamper(database: Database, tenant_id: int, seq: int, *, garble: bool = False) -> None:
    """Alter one stored body through SQL, lifting the append-only trigger as an attacker would
    (``garble``: so that it is no longer JSON at all)."""
    change = "body || 'x'" if garble else "replace(body, '\"ok\":', '\"ok\": ')"
    with database.transaction() as session:
        if database.is_sqlite:
            session.execute(text("DROP TRIGGER ledger_entry_no_update"))
        else:
            session.execute(text("SET LOCAL session_replication_role = replica"))
        session.execute(
            text(f"UPDATE ledger_entry SET body = {change} WHERE tenant_id = :t AND seq = :s"),
            {"t": tenant_id, "s": seq},
        )


def test_entries_are_the_stored_bodies_with_their_hashes(
    api: FlaskClient, world: World, database: Database
) -> None:
    _fill(database, world)
    page = _entries(api, world, "province.auditor", per_page=100)
    items = page["items"]
    assert page["total"] == PROVINCE_ENTRIES
    assert [item["seq"] for item in items] == list(range(1, PROVINCE_ENTRIES + 1))
    assert {item["tenant"] for item in items} == {"36.00"}
    prev = "0" * 64
    for item in items:
        assert hashlib.sha256(item["body"].encode("utf-8")).hexdigest() == item["entry_hash"]
        assert item["prev_hash"] == prev
        body = json.loads(item["body"])
        assert set(body) == ledger.BODY_KEYS
        assert body["format"] == ledger.FORMAT
        assert (body["tenant"], body["seq"], body["prev"]) == ("36.00", item["seq"], prev)
        assert (body["kind"], body["actor"], body["at"]) == (
            item["kind"],
            item["actor"],
            item["at"],
        )
        assert body["data"] == item["data"]
        prev = item["entry_hash"]
    opening = items[0]
    assert opening["kind"] == "vacancy.opened"
    assert opening["actor"] == f"user:{world.user_id['province.hr']}"
    assert opening["data"]["vacancy"] == world.vacancy_id["province"]


def test_filters_and_scoping(api: FlaskClient, world: World, database: Database) -> None:
    _fill(database, world)
    everything = _entries(api, world, "national.auditor", per_page=100)
    assert {item["tenant"] for item in everything["items"]} == {"36.00", "36.73"}
    assert everything["total"] == PROVINCE_ENTRIES + 3
    assert _entries(api, world, "national.national_reviewer")["total"] == everything["total"]
    # an agency's auditor: their own chain only; another agency's code is simply empty
    assert _entries(api, world, "city.auditor", per_page=100)["total"] == 3
    assert _entries(api, world, "city.auditor", tenant="36.00")["total"] == 0
    assert _entries(api, world, "national.auditor", tenant="36.73")["total"] == 3
    kinds = _entries(api, world, "province.auditor", kind="vacancy.refused", per_page=100)
    assert kinds["total"] == 2  # fill() writes transition, refused, reminder, transition, refused
    assert {item["kind"] for item in kinds["items"]} == {"vacancy.refused"}
    # data.vacancy: the opening of the province's vacancy, plus fill()'s entry about vacancy 1
    # when that is the same id; never the city's vacancy, whatever the caller may read
    vacancy = world.vacancy_id["province"]
    about = _entries(api, world, "national.auditor", vacancy=vacancy, per_page=100)
    assert about["total"] >= 1
    assert all(item["data"]["vacancy"] == vacancy for item in about["items"])
    assert ("36.00", 1) in {(item["tenant"], item["seq"]) for item in about["items"]}
    city_vacancy = world.vacancy_id["city"]
    hidden = _entries(api, world, "province.auditor", vacancy=city_vacancy, per_page=100)
    assert all(item["tenant"] == "36.00" for item in hidden["items"])
    # time: fill() dates its entries 2026-11-23 from 01:00, 1.5 s apart
    early = _entries(
        api,
        world,
        "province.auditor",
        since="2026-11-23T01:00:00Z",
        until="2026-11-23T01:00:02Z",
    )
    assert [item["seq"] for item in early["items"]] == [2, 3]
    response = api.get(
        "/api/v1/ledger", query_string={"kind": "Not A Kind"}, headers=world.headers("city.auditor")
    )
    assert response.status_code == 422
    assert "kind" in response.json["errors"]["query"]


def test_only_auditors_and_the_national_reviewer_read_the_ledger(
    api: FlaskClient, world: World
) -> None:
    for user in ("province.hr", "province.admin", "province.committee", "national.hr"):
        for path in ("/api/v1/ledger", "/api/v1/ledger/verify", "/api/v1/ledger/export"):
            assert api.get(path, headers=world.headers(user)).status_code == 403, (user, path)


def test_verify_reports_a_row_tampered_through_sql(
    api: FlaskClient, world: World, database: Database
) -> None:
    _fill(database, world)
    response = api.get("/api/v1/ledger/verify", headers=world.headers("province.auditor"))
    assert response.status_code == 200
    assert response.json["ok"] is True
    [province] = response.json["tenants"]
    assert province["tenant"] == "36.00"
    assert province["entries"] == PROVINCE_ENTRIES
    assert province["first_break"] is None
    assert (
        province["head"]
        == _entries(api, world, "province.auditor", per_page=100)["items"][-1]["entry_hash"]
    )

    _tamper(database, world.tenant_id["province"], 3)
    response = api.get("/api/v1/ledger/verify", headers=world.headers("national.auditor"))
    assert response.status_code == 200
    assert response.json["ok"] is False
    reports = {report["tenant"]: report for report in response.json["tenants"]}
    assert set(reports) == {"36.00", "36.73"}
    broken = reports["36.00"]
    assert broken["ok"] is False
    assert broken["entries"] == 2
    assert broken["first_break"] == {
        "seq": 3,
        "reason": "entry_hash does not match the SHA-256 of the body",
        "checkpoint": None,
    }
    assert reports["36.73"]["ok"] is True
    city = api.get("/api/v1/ledger/verify", headers=world.headers("city.auditor"))
    assert city.json["ok"] is True
    assert [report["tenant"] for report in city.json["tenants"]] == ["36.73"]


def test_verify_of_another_agency_is_404(api: FlaskClient, world: World) -> None:
    response = api.get(
        "/api/v1/ledger/verify",
        query_string={"tenant": "36.00"},
        headers=world.headers("city.auditor"),
    )
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    unknown = api.get(
        "/api/v1/ledger/verify",
        query_string={"tenant": "99.99"},
        headers=world.headers("national.auditor"),
    )
    assert unknown.status_code == 404
    assert (
        api.get(
            "/api/v1/ledger/verify",
            query_string={"tenant": "36.00"},
            headers=world.headers("national.national_reviewer"),
        ).json["ok"]
        is True
    )


def test_export_streams_the_bytes_of_the_cli_export(
    api: FlaskClient, api_app: Flask, world: World, database: Database
) -> None:
    _fill(database, world)
    runner = api_app.test_cli_runner()
    cli_all = runner.invoke(args=["audit", "export"])
    cli_province = runner.invoke(args=["audit", "export", "--tenant", "36.00"])
    assert cli_all.exit_code == 0
    assert cli_province.exit_code == 0
    assert len(cli_all.stdout_bytes.splitlines()) == PROVINCE_ENTRIES + 3

    national = api.get("/api/v1/ledger/export", headers=world.headers("national.auditor"))
    assert national.status_code == 200
    assert national.mimetype == "application/x-ndjson"
    assert national.is_streamed
    assert national.get_data() == cli_all.stdout_bytes

    own = api.get("/api/v1/ledger/export", headers=world.headers("province.auditor"))
    assert own.get_data() == cli_province.stdout_bytes
    one = api.get(
        "/api/v1/ledger/export",
        query_string={"tenant": "36.00"},
        headers=world.headers("national.national_reviewer"),
    )
    assert one.get_data() == cli_province.stdout_bytes
    assert 'filename="ledger-36.00.jsonl"' in one.headers["Content-Disposition"]
    other = api.get(
        "/api/v1/ledger/export",
        query_string={"tenant": "36.00"},
        headers=world.headers("city.auditor"),
    )
    assert other.status_code == 404
    assert other.mimetype == "application/problem+json"


def test_export_is_read_in_chunks_not_whole(
    api: FlaskClient, world: World, database: Database
) -> None:
    fill(database, world.tenant_id["province"], 1500, clock())
    response = api.get("/api/v1/ledger/export", headers=world.headers("province.auditor"))
    chunks = list(response.response)
    assert len(chunks) > 1
    assert all(len(chunk) < 2 * 64 * 1024 for chunk in chunks)
    lines = b"".join(chunks).splitlines()
    assert len(lines) == 1501
    assert [json.loads(line)["seq"] for line in lines] == list(range(1, 1502))


def test_checkpoints_are_signed_listed_and_scoped(
    api: FlaskClient, world: World, database: Database
) -> None:
    _fill(database, world)
    response = api.post(
        "/api/v1/ledger/checkpoints", json={}, headers=world.headers("province.auditor")
    )
    assert response.status_code == 201, response.json
    [written] = response.json["checkpoints"]
    assert (written["tenant"], written["size"]) == ("36.00", PROVINCE_ENTRIES)
    assert written["note"].startswith(f"meritflow.ledger/36.00\n{PROVINCE_ENTRIES}\n")
    assert written["key_id"].startswith("meritflow-dev+")
    head = _entries(api, world, "province.auditor", per_page=100)["items"][-1]["entry_hash"]
    assert written["head"] == head

    # a checkpoint is an anchor: the national auditor may sign any agency's chain
    other = api.post(
        "/api/v1/ledger/checkpoints",
        json={"tenant": "36.73"},
        headers=world.headers("national.auditor"),
    )
    assert other.status_code == 201
    assert [c["tenant"] for c in other.json["checkpoints"]] == ["36.73"]
    # an agency's auditor never another agency's; the reviewer reads but does not sign
    assert (
        api.post(
            "/api/v1/ledger/checkpoints",
            json={"tenant": "36.00"},
            headers=world.headers("city.auditor"),
        ).status_code
        == 404
    )
    assert (
        api.post(
            "/api/v1/ledger/checkpoints",
            json={},
            headers=world.headers("national.national_reviewer"),
        ).status_code
        == 403
    )
    assert (
        api.post(
            "/api/v1/ledger/checkpoints",
            json={"tenant": "36.00", "size": 3},
            headers=world.headers("province.auditor"),
        ).status_code
        == 422
    )

    listed = api.get("/api/v1/ledger/checkpoints", headers=world.headers("province.auditor"))
    assert [(c["tenant"], c["file"]) for c in listed.json["items"]] == [("36.00", written["file"])]
    everything = api.get("/api/v1/ledger/checkpoints", headers=world.headers("national.auditor"))
    assert [c["tenant"] for c in everything.json["items"]] == ["36.00", "36.73"]
    assert (
        api.get(
            "/api/v1/ledger/checkpoints",
            query_string={"tenant": "36.00"},
            headers=world.headers("city.auditor"),
        ).json["total"]
        == 0
    )
    verified = api.get("/api/v1/ledger/verify", headers=world.headers("province.auditor"))
    assert verified.json["tenants"][0]["checkpoints"] == 1


def test_a_tampered_chain_is_never_signed(
    api: FlaskClient, world: World, database: Database
) -> None:
    _fill(database, world)
    _tamper(database, world.tenant_id["province"], 2)
    response = api.post(
        "/api/v1/ledger/checkpoints", json={}, headers=world.headers("national.auditor")
    )
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert response.json["refused"] == [
        {
            "tenant": "36.00",
            "seq": 2,
            "reason": "entry_hash does not match the SHA-256 of the body",
        }
    ]
    assert [w["tenant"] for w in response.json["written"]] == ["36.73"]
    listed = api.get("/api/v1/ledger/checkpoints", headers=world.headers("national.auditor"))
    assert [c["tenant"] for c in listed.json["items"]] == ["36.73"]


def test_a_garbled_body_is_listed_as_stored_and_skipped_by_the_vacancy_filter(
    api: FlaskClient, world: World, database: Database
) -> None:
    _fill(database, world)
    # fill()'s second entry (seq 3) has data.vacancy == 1
    _tamper(database, world.tenant_id["province"], 3, garble=True)
    listed = _entries(api, world, "province.auditor", per_page=100)["items"]
    garbled = listed[2]
    assert garbled["seq"] == 3
    assert garbled["body"].endswith("}x")
    assert (garbled["data"], garbled["actor"], garbled["at"]) == (None, None, None)
    about = _entries(api, world, "province.auditor", vacancy=1, per_page=100)["items"]
    assert 3 not in [item["seq"] for item in about]
    report = api.get("/api/v1/ledger/verify", headers=world.headers("province.auditor")).json
    assert report["tenants"][0]["first_break"]["seq"] == 3

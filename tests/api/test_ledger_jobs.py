"""Ledger verification and export as jobs: one shard per chain the caller reads, each result
stored once, a tampered row named as the chain's first broken link, the export's text equal to
``flask audit export``'s, the chain verified up to the head read at the shard's start while
entries are appended, and the job visible to the chains' readers only."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text, update

from api import create_app
from config import Settings
from tests.api.conftest import World
from tests.support.ledger import clock, fill
from tests.support.tamper import rewrite_body
from workflow import jobs
from workflow.core.db import Database
from workflow.ledger import chain as ledger_chain
from workflow.models import ChainHead, Job, JobShard, LedgerEntry

VERIFICATIONS = "/api/v1/ledger/verifications"
EXPORTS = "/api/v1/ledger/exports"
PROVINCE_ENTRIES = 6
"""The seeded vacancy's opening plus the entries :func:`_fill` adds."""


@pytest.fixture
def queued_app(settings: Settings, world: World) -> Iterator[Flask]:
    """The application with a job queue no worker serves: the test runs the tasks."""
    application = create_app(
        dataclasses.replace(settings, jobs_eager=False, jobs_broker_url="memory://")
    )
    yield application
    application.extensions["meritflow"].db.dispose()


def _fill(database: Database, world: World) -> None:
    at = clock()
    fill(database, world.tenant_id["province"], PROVINCE_ENTRIES - 1, at)
    fill(database, world.tenant_id["city"], 2, at)


def _chains(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {chain["tenant"]: chain for chain in body["chains"]}


def _job_entries(database: Database) -> list[tuple[str, dict[str, Any]]]:
    with database.read() as session:
        rows = session.execute(
            select(LedgerEntry.tenant_id, LedgerEntry.body)
            .where(LedgerEntry.kind.like("job.%"))
            .order_by(LedgerEntry.created_at, LedgerEntry.seq)
        ).all()
    out = []
    for _tenant, body in rows:
        parsed = json.loads(body)
        out.append((parsed["kind"], {**parsed["data"], "tenant": parsed["tenant"]}))
    return out


def _shard_rows(database: Database, job_id: int) -> list[tuple[int, bytes]]:
    with database.read() as session:
        return [
            (shard, bytes(payload))
            for shard, payload in session.execute(
                select(JobShard.shard, JobShard.payload)
                .where(JobShard.job_id == job_id)
                .order_by(JobShard.shard)
            )
        ]


def test_eager_verification_names_the_tampered_row_as_the_first_broken_link(
    api: FlaskClient, world: World, database: Database
) -> None:
    _fill(database, world)
    rewrite_body(database, tenant_id=world.tenant_id["province"], seq=3)
    answer = api.post(VERIFICATIONS, json={}, headers=world.headers("national.auditor"))
    assert answer.status_code == 202, answer.json
    job = answer.json["job"]
    assert answer.headers["Location"] == f"/api/v1/jobs/{job['id']}"
    assert (job["kind"], job["state"], job["vacancy"]) == ("ledger_verify", "succeeded", None)
    # one shard per chain the national auditor reads, the job's own (bkn's) included
    assert job["agencies"] == ["36.00", "36.73", "bkn"]
    assert job["shards"] == {"done": 3, "total": 3}
    assert job["ok"] is False
    chains = _chains(job)
    broken = chains["36.00"]
    assert broken["ok"] is False
    assert broken["entries"] == 2
    assert broken["upto"] == PROVINCE_ENTRIES
    assert broken["first_break"] == {
        "seq": 3,
        "reason": "entry_hash does not match the SHA-256 of the body",
        "checkpoint": None,
    }
    # the same as the inline verification says
    inline = api.get("/api/v1/ledger/verify", headers=world.headers("national.auditor")).json
    same = {t["tenant"]: t for t in inline["tenants"]}["36.00"]
    assert (same["entries"], same["first_break"]) == (broken["entries"], broken["first_break"])
    assert chains["36.73"]["ok"] is True
    assert chains["36.73"]["entries"] == chains["36.73"]["upto"] == 3
    # the bkn chain held the job's job.started when its shard read the head
    assert (chains["bkn"]["ok"], chains["bkn"]["upto"]) == (True, 1)
    followed = api.get(answer.headers["Location"], headers=world.headers("national.auditor"))
    assert followed.status_code == 200
    assert _chains(followed.json)["36.00"]["first_break"]["seq"] == 3
    assert followed.json["ok"] is False
    entries = _job_entries(database)
    assert [kind for kind, _ in entries] == ["job.started", "job.finished"]
    started, finished = (data for _, data in entries)
    assert started["tenant"] == "bkn"
    assert (started["kind"], started["agencies"], started["shards"]) == (
        "ledger_verify",
        ["36.00", "36.73", "bkn"],
        3,
    )
    assert (finished["state"], finished["ok"], finished["broken"]) == (
        "succeeded",
        False,
        ["36.00"],
    )
    # the job's own entries keep the bkn chain verifiable
    again = api.get(
        "/api/v1/ledger/verify",
        query_string={"tenant": "bkn"},
        headers=world.headers("national.auditor"),
    ).json
    assert again["ok"] is True
    assert again["tenants"][0]["entries"] == 2


def test_queued_verification_stores_each_chain_once_up_to_its_head_at_the_start(
    queued_app: Flask, world: World, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(database, world)
    client = queued_app.test_client()
    answer = client.post(VERIFICATIONS, json={}, headers=world.headers("province.auditor"))
    assert answer.status_code == 202, answer.json
    job = answer.json["job"]
    assert (job["state"], job["shards"], job["chains"], job["ok"]) == (
        "queued",
        {"done": 0, "total": 1},
        [],
        None,
    )
    assert job["agencies"] == ["36.00"]
    # the job is filed under the chain it verifies: its job.started is entry 7
    assert job["candidates"] == {"done": 0, "total": PROVINCE_ENTRIES + 1}
    queue = queued_app.extensions["meritflow"].jobs
    province = world.tenant_id["province"]

    # entries appended while the shard walks the chain are not part of it (and not tampering)
    real_entries = ledger_chain._entries
    appended: list[int] = []

    @contextmanager
    def appending(*args: Any, **kwargs: Any) -> Iterator[Any]:
        with real_entries(*args, **kwargs) as rows:
            if not appended:
                fill(database, province, 2, clock())
                appended.append(2)
            yield rows

    with monkeypatch.context() as patched:
        patched.setattr(ledger_chain, "_entries", appending)
        jobs.run_ledger_shard(queue, job_id=job["id"], shard=0)
    assert appended == [2]
    stored = _shard_rows(database, job["id"])
    assert len(stored) == 1
    result = json.loads(stored[0][1])
    assert (result["ok"], result["upto"], result["entries"]) == (True, 7, 7)
    assert result["first_break"] is None
    # redelivered after it stored: nothing computed or stored again
    jobs.run_ledger_shard(queue, job_id=job["id"], shard=0)
    # a worker that found it not stored while another stored it: its result is dropped
    with monkeypatch.context() as patched:
        patched.setattr("workflow.jobs.chains._stored", lambda *_args: False)
        jobs.run_ledger_shard(queue, job_id=job["id"], shard=0)
    assert _shard_rows(database, job["id"]) == stored
    done = client.get(f"/api/v1/jobs/{job['id']}", headers=world.headers("province.auditor"))
    assert done.json["state"] == "succeeded"
    assert done.json["ok"] is True
    assert done.json["candidates"] == {"done": 7, "total": 7}
    assert [kind for kind, _ in _job_entries(database)] == ["job.started", "job.finished"]
    # the whole chain (the entries appended meanwhile and job.finished) still verifies
    whole = client.get("/api/v1/ledger/verify", headers=world.headers("province.auditor")).json
    assert whole["ok"] is True
    assert whole["tenants"][0]["entries"] == 10


def test_export_job_streams_the_bytes_of_the_cli_export(
    queued_app: Flask, world: World, database: Database
) -> None:
    _fill(database, world)
    client = queued_app.test_client()
    answer = client.post(EXPORTS, json={}, headers=world.headers("national.national_reviewer"))
    assert answer.status_code == 202, answer.json
    job = answer.json["job"]
    assert (job["kind"], job["agencies"]) == ("ledger_export", ["36.00", "36.73", "bkn"])
    early = client.get(
        f"/api/v1/jobs/{job['id']}/export", headers=world.headers("national.auditor")
    )
    assert early.status_code == 409
    # what the operator's export gives for the same chains now (job.started included)
    cli = queued_app.test_cli_runner().invoke(args=["audit", "export"])
    assert cli.exit_code == 0
    queue = queued_app.extensions["meritflow"].jobs
    for shard in (2, 0, 1, 0):  # any order, one redelivered
        jobs.run_ledger_shard(queue, job_id=job["id"], shard=shard)
    assert len(_shard_rows(database, job["id"])) == 3
    done = client.get(f"/api/v1/jobs/{job['id']}", headers=world.headers("national.auditor")).json
    assert done["state"] == "succeeded"
    assert done["export"] == f"/api/v1/jobs/{job['id']}/export"
    assert [c["tenant"] for c in done["chains"]] == ["36.00", "36.73", "bkn"]
    assert [c["entries"] for c in done["chains"]] == [PROVINCE_ENTRIES, 3, 1]
    assert done["result_digest"] == hashlib.sha256(cli.stdout_bytes).hexdigest()
    response = client.get(done["export"], headers=world.headers("national.auditor"))
    assert response.status_code == 200
    assert response.mimetype == "application/gzip"
    assert response.is_streamed
    assert f'filename="ledger-job-{job["id"]}.jsonl.gz"' in response.headers["Content-Disposition"]
    assert gzip.decompress(response.get_data()) == cli.stdout_bytes
    # an agency's auditor cannot read a job covering other chains
    assert client.get(done["export"], headers=world.headers("city.auditor")).status_code == 404


def test_eager_export_of_one_chain_equals_the_cli_export_up_to_the_shards_head(
    api: FlaskClient, api_app: Flask, world: World, database: Database
) -> None:
    _fill(database, world)
    answer = api.post(EXPORTS, json={"tenant": "36.00"}, headers=world.headers("national.auditor"))
    assert answer.status_code == 202, answer.json
    job = answer.json["job"]
    assert job["state"] == "succeeded"
    (chain,) = job["chains"]
    assert (chain["tenant"], chain["upto"], chain["entries"]) == ("36.00", 7, 7)
    data = gzip.decompress(
        api.get(job["export"], headers=world.headers("province.auditor")).get_data()
    )
    cli = api_app.test_cli_runner().invoke(args=["audit", "export", "--tenant", "36.00"])
    lines = cli.stdout_bytes.splitlines(keepends=True)
    # the chain holds the job's job.started (in the export) and then its job.finished (after)
    assert json.loads(lines[-1])["kind"] == "job.finished"
    assert data == b"".join(lines[:-1])
    verify = api.post(VERIFICATIONS, headers=world.headers("province.auditor"))  # no body
    assert verify.status_code == 202, verify.json
    assert verify.json["job"]["agencies"] == ["36.00"]
    assert (
        api.get(
            f"/api/v1/jobs/{verify.json['job']['id']}/export",
            headers=world.headers("province.auditor"),
        ).status_code
        == 404
    )


def test_only_the_chains_readers_start_or_see_a_ledger_job(
    queued_app: Flask, world: World, database: Database
) -> None:
    client = queued_app.test_client()
    for user in ("province.hr", "province.committee", "province.admin", "national.hr"):
        for path in (VERIFICATIONS, EXPORTS):
            assert client.post(path, json={}, headers=world.headers(user)).status_code == 403
    other = client.post(
        VERIFICATIONS, json={"tenant": "36.00"}, headers=world.headers("city.auditor")
    )
    assert other.status_code == 404
    assert other.mimetype == "application/problem+json"
    unknown = client.post(
        EXPORTS, json={"tenant": "99.99"}, headers=world.headers("national.auditor")
    )
    assert unknown.status_code == 404
    bad = client.post(
        EXPORTS, json={"tenant": "no spaces"}, headers=world.headers("national.auditor")
    )
    assert bad.status_code == 422
    extra = client.post(EXPORTS, json={"chains": 1}, headers=world.headers("national.auditor"))
    assert extra.status_code == 422
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(Job)) == 0

    own = client.post(VERIFICATIONS, json={}, headers=world.headers("province.auditor"))
    url = own.headers["Location"]
    for reader in ("province.auditor", "national.auditor", "national.national_reviewer"):
        assert client.get(url, headers=world.headers(reader)).status_code == 200, reader
    for outsider in ("city.auditor", "province.hr", "province.committee", "province.authority"):
        response = client.get(url, headers=world.headers(outsider))
        assert response.status_code == 404, outsider
    national = client.post(VERIFICATIONS, json={}, headers=world.headers("national.auditor"))
    assert (
        client.get(
            national.headers["Location"], headers=world.headers("province.auditor")
        ).status_code
        == 404
    )
    stop = client.post(
        f"{url}/cancel", json={"reason": "salah"}, headers=world.headers("city.auditor")
    )
    assert stop.status_code == 404


def test_a_stopped_ledger_job_stores_nothing(
    queued_app: Flask, world: World, database: Database
) -> None:
    client = queued_app.test_client()
    job = client.post(EXPORTS, json={}, headers=world.headers("province.auditor")).json["job"]
    stopped = client.post(
        f"/api/v1/jobs/{job['id']}/cancel",
        json={"reason": "tidak perlu"},
        headers=world.headers("province.auditor"),
    )
    assert stopped.status_code == 200, stopped.json
    assert stopped.json["state"] == "cancelled"
    jobs.run_ledger_shard(queued_app.extensions["meritflow"].jobs, job_id=job["id"], shard=0)
    assert _shard_rows(database, job["id"]) == []
    gone = client.get(f"/api/v1/jobs/{job['id']}/export", headers=world.headers("province.auditor"))
    assert gone.status_code == 409
    again = client.post(
        f"/api/v1/jobs/{job['id']}/cancel",
        json={"reason": "lagi"},
        headers=world.headers("province.auditor"),
    )
    assert again.status_code == 409


def test_an_entry_stored_beyond_the_head_is_still_reported(
    world: World, database: Database
) -> None:
    """Bounded by the head it reads, the shard's verification still sees an entry stored past
    it in the same snapshot (the head row moved back: tampering), as the inline one does."""
    _fill(database, world)
    province = world.tenant_id["province"]
    with database.transaction() as session:
        if database.is_sqlite:  # lifting the append-only triggers, as the owner could
            triggers = text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            for name in list(session.scalars(triggers)):
                session.execute(text(f'DROP TRIGGER "{name}"'))
        else:
            session.execute(text("SET LOCAL session_replication_role = replica"))
        prev = session.scalar(
            select(LedgerEntry.prev_hash).where(
                LedgerEntry.tenant_id == province, LedgerEntry.seq == PROVINCE_ENTRIES
            )
        )
        session.execute(
            update(ChainHead)
            .where(ChainHead.tenant_id == province)
            .values(seq=PROVINCE_ENTRIES - 1, entry_hash=prev)
        )
    report, upto = ledger_chain.verify_chain(database, tenant_code="36.00")
    inline = ledger_chain.verify(database, tenant_code="36.00")
    assert upto == PROVINCE_ENTRIES - 1
    (chain,) = report.tenants
    assert not chain.ok
    assert chain.first_break == inline.tenants[0].first_break
    assert chain.first_break is not None
    assert chain.first_break.seq == PROVINCE_ENTRIES
    assert "lies beyond chain_head" in chain.first_break.reason

"""The verify page's "verify as a background job": the job is started with the page's agency
choice, the page follows it (its bar and the poller's URL while it runs) and then shows each
chain's result as "verify now" does, the tampered row named as the first broken link; another
agency's auditor gets a 404."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from api import create_app
from config import Settings
from tests.api.conftest import World
from tests.pages.conftest import csrf_token, seed_passwords, sign_in
from tests.support.tamper import rewrite_body
from workflow import jobs
from workflow.core.db import Database
from workflow.models import Job

VERIFY = "/jejak-audit/verifikasi"
JOB = "/jejak-audit/verifikasi/pekerjaan"


def _visible(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _start(app: Flask, username: str, status: int = 303, **fields: str) -> tuple[Any, str]:
    client = app.test_client()
    assert sign_in(client, username).status_code == 303
    token = csrf_token(client.get(VERIFY))
    response = client.post(JOB, data={"csrf_token": token, **fields})
    assert response.status_code == status, response.status_code
    return client, response.headers.get("Location", "")


@pytest.fixture
def queued_pages_app(settings: Settings, world: World, database: Database) -> Iterator[Flask]:
    """The pages with a job queue no worker serves: the test runs the shards."""
    seed_passwords(database, world)
    application = create_app(
        dataclasses.replace(settings, jobs_eager=False, jobs_broker_url="memory://")
    )
    yield application
    application.extensions["meritflow"].db.dispose()


def test_the_page_offers_the_job_and_shows_each_chains_result(
    pages_app: Flask, database: Database, world: World
) -> None:
    rewrite_body(database, tenant_id=world.tenant_id["province"], seq=1)
    client, location = _start(pages_app, "national.auditor")
    assert re.fullmatch(r"/jejak-audit/verifikasi\?pekerjaan=\d+", location)
    page = client.get(location).get_data(as_text=True)
    text = _visible(page)
    assert "Verifikasi sebagai pekerjaan latar" in text
    assert "data-job-progress" not in page  # finished before the answer (eager)
    assert "Ada rantai yang tidak terverifikasi" in text
    assert 'href="/jejak-audit/36.00/1"' in page  # the first broken link
    assert "Sampai catatan" in text
    assert re.search(r"Pekerjaan verifikasi \d+ selesai", text)
    for code in ("36.00", "36.73", "bkn"):
        assert f"<td>{code}</td>" in page
    # the agency's own auditor: only their chain; not the national job
    own, own_location = _start(pages_app, "city.auditor")
    city = _visible(own.get(own_location).get_data(as_text=True))
    assert "Semua rantai terverifikasi" in city
    assert own.get(location).status_code == 404
    assert own.get(f"{VERIFY}?pekerjaan=abc").status_code == 404
    assert own.get(f"{VERIFY}?pekerjaan=99999999999999999999999").status_code == 404
    # another agency's chain is no chain an agency's auditor reads: 404, and no job
    with database.read() as session:
        before = len(session.scalars(select(Job.id)).all())
    _start(pages_app, "city.auditor", status=404, instansi="36.00")
    with database.read() as session:
        assert len(session.scalars(select(Job.id)).all()) == before


def test_the_page_follows_a_running_job(
    queued_pages_app: Flask, database: Database, world: World
) -> None:
    client, location = _start(queued_pages_app, "province.auditor", instansi="36.00")
    with database.read() as session:
        job = session.scalars(select(Job).order_by(Job.id.desc()).limit(1)).one()
        job_id, kind = job.id, job.kind
    assert kind == jobs.KIND_VERIFY
    running = client.get(location).get_data(as_text=True)
    assert f'data-job-progress="/pekerjaan/{job_id}/kemajuan"' in running
    assert 'id="verify-bar"' in running
    assert "job-progress.js" in running
    assert "0 dari 2 catatan diperiksa (0 dari 1 rantai)" in _visible(running)
    progress = client.get(f"/pekerjaan/{job_id}/kemajuan").get_json()
    assert (progress["state"], progress["active"]) == ("queued", True)
    jobs.run_ledger_shard(queued_pages_app.extensions["meritflow"].jobs, job_id=job_id, shard=0)
    assert client.get(f"/pekerjaan/{job_id}/kemajuan").get_json()["active"] is False
    done = client.get(location).get_data(as_text=True)
    assert "data-job-progress" not in done
    assert "Semua rantai terverifikasi" in _visible(done)

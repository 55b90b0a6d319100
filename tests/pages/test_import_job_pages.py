"""The import page with a job queue: an upload is a job the page follows (its bar, the poller's
JSON, a refresh link), then the page shows what was written or the problems row by row (file,
row, field) in Indonesian or English; another agency's HR gets a 404."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from config import Settings
from tests.api.conftest import World
from tests.api.test_import_jobs import _broken_set
from tests.api.test_registry_upload import _counts, _set_for
from tests.pages.conftest import csrf_token, seed_passwords, sign_in
from workflow import jobs
from workflow.core.db import Database


@pytest.fixture
def queued_web(settings: Settings, world: World, database: Database) -> Iterator[Flask]:
    """The pages with a job queue no worker serves: the test runs the import's task."""
    seed_passwords(database, world)
    application = create_app(
        dataclasses.replace(settings, jobs_eager=False, jobs_broker_url="memory://")
    )
    yield application
    application.extensions["meritflow"].db.dispose()


def _post(client: FlaskClient, files: dict[str, str]) -> tuple[int, str]:
    token = csrf_token(client.get("/pegawai/impor"))
    answer = client.post(
        "/pegawai/impor",
        data={
            "csrf_token": token,
            "berkas": [(io.BytesIO(c.encode()), name) for name, c in files.items()],
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)
    location = answer.headers["Location"]
    return int(location.rsplit("/", 1)[1]), location


def test_the_page_follows_the_job_then_shows_what_was_written(
    queued_web: Flask, world: World, database: Database
) -> None:
    client = queued_web.test_client()
    sign_in(client, "province.hr")
    before = _counts(database)
    job_id, location = _post(client, _set_for("36.00"))
    assert location.endswith(f"/pegawai/impor/{job_id}")
    waiting = client.get(location)
    assert waiting.status_code == 200
    text = waiting.get_data(as_text=True)
    assert f'data-job-progress="/pekerjaan/{job_id}/kemajuan"' in text
    assert "job-progress.js" in text
    assert "Menunggu pekerja (worker) untuk mengimpor berkas." in text
    assert "employees.csv" in text
    progress = client.get(f"/pekerjaan/{job_id}/kemajuan").json
    assert progress is not None
    assert (progress["state"], progress["active"]) == ("queued", True)
    assert _counts(database) == before

    jobs.run_import(queued_web.extensions["meritflow"].jobs, job_id=job_id)
    done = client.get(location)
    assert done.status_code == 200
    text = done.get_data(as_text=True)
    assert "Berhasil diimpor" in text
    assert "data-job-progress" not in text
    assert _counts(database)["employee"] == before["employee"] + 3
    finished = client.get(f"/pekerjaan/{job_id}/kemajuan").json
    assert finished is not None
    assert (finished["state"], finished["active"]) == ("succeeded", False)

    other = queued_web.test_client()
    sign_in(other, "city.hr")
    assert other.get(location).status_code == 404
    assert other.get(f"/pekerjaan/{job_id}/kemajuan").status_code == 404


def test_a_rejected_import_job_lists_file_row_and_field_in_both_languages(
    queued_web: Flask, world: World, database: Database
) -> None:
    client = queued_web.test_client()
    sign_in(client, "province.hr")
    before = _counts(database)
    job_id, location = _post(client, _broken_set())
    jobs.run_import(queued_web.extensions["meritflow"].jobs, job_id=job_id)
    rejected = client.get(location)
    assert rejected.status_code == 422
    text = rejected.get_data(as_text=True)
    assert "Tidak ada yang diimpor" in text
    row = '<td>employees.csv</td><td class="num">3</td><td>tenant_code</td>'
    assert row in text
    assert "is not your agency" in text
    with client.session_transaction() as session:
        session["lang"] = "en"
    english = client.get(location).get_data(as_text=True)
    assert "Nothing was imported" in english
    assert row in english
    assert _counts(database) == before

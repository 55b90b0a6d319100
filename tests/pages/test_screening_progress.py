"""The vacancy page while a screening job runs: a progress bar and a refresh link (no script,
no meta refresh), then the screening's outcome once the workers are done."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from api import create_app
from config import Settings
from tests.api.conftest import World
from tests.api.test_jobs import _add_pool, _submitted
from tests.pages.conftest import seed_passwords
from tests.pages.test_vacancy_pages import Person, state_of
from workflow import jobs
from workflow.core.db import Database
from workflow.models import Job


@pytest.fixture
def queued_pages(settings: Settings, world: World, database: Database) -> Iterator[Flask]:
    """The pages with a job queue whose workers are not running (a memory broker)."""
    seed_passwords(database, world)
    application = create_app(
        dataclasses.replace(
            settings, jobs_eager=False, jobs_broker_url="memory://", jobs_shard_size=20
        )
    )
    yield application
    application.extensions["meritflow"].db.dispose()


def test_the_vacancy_page_shows_the_screening_progress(
    queued_pages: Flask, database: Database, world: World
) -> None:
    _add_pool(database, world)
    vacancy_id, _ = _submitted(database, world, "progress")
    hr2 = Person(queued_pages, "province.all")
    assert hr2.act(vacancy_id, "start_screening").status_code == 303
    page = hr2.page(f"/lowongan/{vacancy_id}").get_data(as_text=True)
    assert state_of(hr2, vacancy_id) == "Seleksi berjalan"
    assert '<progress id="screening-bar"' in page
    assert 'value="0"' in page
    assert "kandidat telah disaring" in page
    assert "Muat ulang" in page
    assert "http-equiv" not in page
    with database.read() as session:
        job = session.scalars(select(Job)).one()
        job_id, shards = job.id, job.shards_total
    assert shards > 1
    queue = queued_pages.extensions["meritflow"].jobs
    jobs.run_shard(queue, job_id=job_id, shard=0)
    partial = hr2.page(f"/lowongan/{vacancy_id}").get_data(as_text=True)
    assert 'value="0"' not in partial
    for shard in range(1, shards):
        jobs.run_shard(queue, job_id=job_id, shard=shard)
    assert state_of(hr2, vacancy_id) == "Penilaian TPK"
    assert "<progress" not in hr2.page(f"/lowongan/{vacancy_id}").get_data(as_text=True)

"""In Chromium: a second HR officer starts a screening; while the job's shards wait, the
vacancy page shows its progress bar and a refresh link (no script needed); once the shards
are screened, refreshing shows the vacancy with the committee. axe checks both pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser
from sqlalchemy import select

from tests.api.conftest import NOW
from tests.pages.conftest import PASSWORD, LiveSite
from tests.support.browser import axe_violations, browser_sign_in
from workflow import jobs, vacancies
from workflow.identity.accounts import actor_by_username
from workflow.models import Job

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp")


def test_a_screening_job_shows_its_progress_and_finishes(
    chromium: Browser, live_queued_site: LiveSite
) -> None:
    site = live_queued_site
    vacancy_id = site.world.vacancy_id["province"]
    with site.db.read() as session:
        hr = actor_by_username(session, "province.hr")
    current = vacancies.get_vacancy(site.db, actor=hr, vacancy_id=vacancy_id)
    vacancies.perform(
        site.db,
        actor=hr,
        vacancy_id=vacancy_id,
        action="submit",
        expected_version=int(current["version"]),
        idempotency_key="browser-job-submit",
        now=NOW,
    )
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    browser_sign_in(tab, site.url, "province.all", PASSWORD)
    tab.goto(f"{site.url}/lowongan/{vacancy_id}")
    tab.locator("section.card").filter(
        has=tab.get_by_role("heading", name="Mulai seleksi")
    ).get_by_role("button", name="Mulai seleksi").click()
    bar = tab.locator("progress#screening-bar")
    bar.wait_for()
    assert tab.locator("dl.summary-list dd strong").first.inner_text() == "Seleksi berjalan"
    assert bar.get_attribute("value") == "0"
    assert axe_violations(tab) == []
    tab.screenshot(path=str(SHOTS / "pages-screening-progress.png"), full_page=True)

    queue = site.app.extensions["meritflow"].jobs
    with site.db.read() as session:
        job = session.scalars(select(Job).where(Job.vacancy_id == vacancy_id)).one()
        job_id, shards = job.id, job.shards_total
    jobs.run_shard(queue, job_id=job_id, shard=0)
    tab.get_by_role("link", name="Muat ulang").click()
    assert tab.locator("progress#screening-bar").get_attribute("value") != "0"
    for shard in range(1, shards):
        jobs.run_shard(queue, job_id=job_id, shard=shard)
    tab.get_by_role("link", name="Muat ulang").click()
    assert tab.locator("dl.summary-list dd strong").first.inner_text() == "Penilaian TPK"
    assert tab.locator("progress").count() == 0
    assert axe_violations(tab) == []
    tab.screenshot(path=str(SHOTS / "pages-screening-finished.png"), full_page=True)
    context.close()

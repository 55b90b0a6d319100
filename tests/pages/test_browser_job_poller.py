"""In Chromium, with no worker (the test runs the tasks): the pages' job poller
(``static/job-progress.js``) moves the progress bar of a running job in place, without a
click or a reload, and reloads the page by itself once the job has ended: on the talent page
(HR's "map now", BKN's two-agency job) and on a vacancy being screened. axe checks the pages
with their bars; screenshots go to /tmp."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from tests.api.conftest import NOW
from tests.pages.conftest import PASSWORD, LiveSite
from tests.support.browser import axe_violations, browser_sign_in
from workflow import jobs, vacancies
from workflow.identity.accounts import actor_by_username
from workflow.models import Job

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp")
WAIT_MS = 10_000
"""Long enough for several polls (one every 1.5 s)."""


def _tab(chromium: Browser) -> Page:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    context.set_default_timeout(15_000)
    return context.new_page()


def _mark(tab: Page) -> None:
    """Leave a mark in the page's window: a reload wipes it, an in-place update keeps it."""
    tab.evaluate("() => { window.__sameDocument = true; }")


def _same_document(tab: Page) -> bool:
    return bool(tab.evaluate("() => window.__sameDocument === true"))


def _latest_talent_job(site: LiveSite) -> Job:
    with site.db.read() as session:
        job = session.scalars(
            select(Job).where(Job.kind == jobs.KIND_TALENT).order_by(Job.id.desc()).limit(1)
        ).one()
        session.expunge(job)
        return job


def test_the_talent_page_follows_its_map_job_and_reloads_when_it_ends(
    chromium: Browser, live_queued_site: LiveSite
) -> None:
    site = live_queued_site
    queue = site.app.extensions["meritflow"].jobs
    tab = _tab(chromium)
    browser_sign_in(tab, site.url, "province.hr", PASSWORD)
    tab.goto(f"{site.url}/talenta")
    tab.get_by_role("button", name="Petakan sekarang").click()
    bar = tab.locator("progress#talent-bar")
    bar.wait_for()
    assert bar.get_attribute("value") == "0"
    expect(tab.get_by_text("Peta talenta sedang dibuat.")).to_be_visible()
    expect(tab.get_by_role("button", name="Petakan sekarang")).to_have_count(0)
    expect(tab.get_by_role("link", name="Muat ulang")).to_be_visible()  # the no-script way
    assert axe_violations(tab) == []
    tab.screenshot(path=str(SHOTS / "pages-talent-job-queued.png"), full_page=True)
    _mark(tab)
    job = _latest_talent_job(site)
    assert job.state == jobs.QUEUED
    jobs.run_talent_shard(queue, job_id=job.id, shard=0)  # the worker's part
    # no click: the poller sees the job ended and reloads the page, which shows the map
    tab.wait_for_function("() => window.__sameDocument !== true", timeout=WAIT_MS)
    expect(tab.locator("progress#talent-bar")).to_have_count(0)
    expect(tab.get_by_text("Dipetakan pada")).to_be_visible()
    assert axe_violations(tab) == []
    tab.screenshot(path=str(SHOTS / "pages-talent-job-done.png"), full_page=True)
    tab.context.close()

    # BKN's job of two agencies: the first agency's shard moves the bar in place
    with site.db.read() as session:
        bkn = actor_by_username(session, "national.national_reviewer")
    started = jobs.start_talent_job(
        queue,
        actor=bkn,
        agencies=["36.00", "36.73"],
        pack="bkn-national",
        reference_date=None,
        now=NOW,
    )
    tab = _tab(chromium)
    browser_sign_in(tab, site.url, "national.national_reviewer", PASSWORD)
    tab.goto(f"{site.url}/talenta?instansi=36.00")
    bar = tab.locator("progress#talent-bar")
    bar.wait_for()
    assert bar.get_attribute("value") == "0"
    label = tab.locator("label[for=talent-bar]")
    assert "dari 2 instansi" in label.inner_text()
    _mark(tab)
    jobs.run_talent_shard(queue, job_id=started.job.id, shard=0)
    tab.wait_for_function("() => document.querySelector('#talent-bar').value > 0", timeout=WAIT_MS)
    assert _same_document(tab)  # updated without a reload
    expect(label).to_contain_text("(1 dari 2 instansi)")
    tab.screenshot(path=str(SHOTS / "pages-talent-job-half.png"), full_page=True)
    jobs.run_talent_shard(queue, job_id=started.job.id, shard=1)
    tab.wait_for_function("() => window.__sameDocument !== true", timeout=WAIT_MS)
    expect(tab.locator("progress#talent-bar")).to_have_count(0)
    expect(tab.get_by_text("Dipetakan pada")).to_be_visible()
    tab.context.close()


def test_the_vacancy_page_follows_its_screening_job_without_a_click(
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
        idempotency_key="poller-job-submit",
        now=NOW,
    )
    tab = _tab(chromium)
    browser_sign_in(tab, site.url, "province.all", PASSWORD)
    tab.goto(f"{site.url}/lowongan/{vacancy_id}")
    tab.locator("section.card").filter(
        has=tab.get_by_role("heading", name="Mulai seleksi")
    ).get_by_role("button", name="Mulai seleksi").click()
    bar = tab.locator("progress#screening-bar")
    bar.wait_for()
    assert bar.get_attribute("value") == "0"
    _mark(tab)
    queue = site.app.extensions["meritflow"].jobs
    with site.db.read() as session:
        job = session.scalars(select(Job).where(Job.vacancy_id == vacancy_id)).one()
        job_id, shards = job.id, job.shards_total
    assert shards >= 2
    jobs.run_shard(queue, job_id=job_id, shard=0)
    tab.wait_for_function(
        "() => document.querySelector('#screening-bar').value > 0", timeout=WAIT_MS
    )
    assert _same_document(tab)
    expect(tab.locator("label[for=screening-bar]")).to_contain_text(f"(1 dari {shards} bagian)")
    tab.screenshot(path=str(SHOTS / "pages-screening-job-half.png"), full_page=True)
    for shard in range(1, shards):
        jobs.run_shard(queue, job_id=job_id, shard=shard)
    tab.wait_for_function("() => window.__sameDocument !== true", timeout=WAIT_MS)
    expect(tab.locator("dl.summary-list dd strong").first).to_have_text("Penilaian TPK")
    expect(tab.locator("progress")).to_have_count(0)
    tab.context.close()

"""In Chromium, with no worker (the test runs the shards): the auditor's verify page starts a
verification job, the poller moves its bar in place as chains are verified and reloads the page
when the job has ended, which then shows each chain's result — the tampered one with its first
broken link. axe checks both states; screenshots go to /tmp."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from tests.pages.conftest import PASSWORD, LiveSite
from tests.support.browser import axe_violations, browser_sign_in
from tests.support.tamper import rewrite_body
from workflow import jobs
from workflow.models import Job

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp")
WAIT_MS = 10_000


def _tab(chromium: Browser) -> Page:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    context.set_default_timeout(15_000)
    return context.new_page()


def test_the_verify_page_follows_its_job_and_shows_each_chain(
    chromium: Browser, live_queued_site: LiveSite
) -> None:
    site = live_queued_site
    rewrite_body(site.db, tenant_id=site.world.tenant_id["city"], seq=1)
    queue = site.app.extensions["meritflow"].jobs
    tab = _tab(chromium)
    browser_sign_in(tab, site.url, "national.auditor", PASSWORD)
    tab.goto(f"{site.url}/jejak-audit/verifikasi")
    tab.get_by_role("button", name="Verifikasi sebagai pekerjaan latar").click()
    bar = tab.locator("progress#verify-bar")
    bar.wait_for()
    assert bar.get_attribute("value") == "0"
    label = tab.locator("label[for=verify-bar]")
    expect(label).to_contain_text("(0 dari 3 rantai)")
    expect(tab.get_by_role("link", name="Muat ulang")).to_be_visible()  # the no-script way
    assert axe_violations(tab) == []
    with site.db.read() as session:
        job = session.scalars(select(Job).order_by(Job.id.desc()).limit(1)).one()
        job_id = job.id
    assert tab.url.endswith(f"/jejak-audit/verifikasi?pekerjaan={job_id}")
    tab.evaluate("() => { window.__sameDocument = true; }")
    jobs.run_ledger_shard(queue, job_id=job_id, shard=0)  # a worker verifies one chain
    tab.wait_for_function("() => document.querySelector('#verify-bar').value > 0", timeout=WAIT_MS)
    assert tab.evaluate("() => window.__sameDocument === true")  # moved in place
    expect(label).to_contain_text("(1 dari 3 rantai)")
    tab.screenshot(path=str(SHOTS / "pages-ledger-verify-job-running.png"), full_page=True)
    jobs.run_ledger_shard(queue, job_id=job_id, shard=1)
    jobs.run_ledger_shard(queue, job_id=job_id, shard=2)
    tab.wait_for_function("() => window.__sameDocument !== true", timeout=WAIT_MS)
    expect(tab.locator("progress#verify-bar")).to_have_count(0)
    expect(tab.get_by_role("heading", name="Ada rantai yang tidak terverifikasi")).to_be_visible()
    expect(tab.get_by_role("link", name="catatan 1")).to_have_attribute(
        "href", "/jejak-audit/36.73/1"
    )
    expect(tab.get_by_role("columnheader", name="Sampai catatan")).to_be_visible()
    expect(tab.get_by_text(f"Pekerjaan verifikasi {job_id} selesai")).to_be_visible()
    assert axe_violations(tab) == []
    tab.screenshot(path=str(SHOTS / "pages-ledger-verify-job-done.png"), full_page=True)
    tab.context.close()

"""In Chromium: HR uploads a registry import while no worker runs; the page shows the job's
bar, and when the test runs the task the poller reloads the page, which shows what was
written. A rejected import shows its problems by file, row and field, in Indonesian and in
English. axe checks the pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.api.test_import_jobs import _broken_set
from tests.api.test_registry_upload import _set_for
from tests.pages.conftest import BROWSER_SKIP_REASON, PASSWORD, LiveSite, _serve, chromium_missing
from tests.support.browser import axe_violations, browser_sign_in
from workflow import jobs

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp")


@pytest.fixture(scope="module")
def live_import_site(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveSite]:
    """The live site with a job queue no worker serves (the test runs the import's task)."""
    if chromium_missing():
        pytest.skip(BROWSER_SKIP_REASON)
    yield from _serve(sqlite_template, tmp_path_factory.mktemp("live"), eager=False)


def _upload(tab: Page, site: LiveSite, files: dict[str, str]) -> int:
    tab.goto(f"{site.url}/pegawai/impor")
    tab.set_input_files(
        "#berkas",
        [
            {"name": name, "mimeType": "text/csv", "buffer": content.encode()}
            for name, content in files.items()
        ],
    )
    tab.get_by_role("button", name="Unggah dan impor").click()
    tab.wait_for_url(f"{site.url}/pegawai/impor/*")
    return int(tab.url.rsplit("/", 1)[1])


def test_an_import_job_shows_its_progress_then_its_outcome(
    chromium: Browser, live_import_site: LiveSite
) -> None:
    site = live_import_site
    queue = site.app.extensions["meritflow"].jobs
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    browser_sign_in(tab, site.url, "province.hr", PASSWORD)

    job_id = _upload(tab, site, _set_for("36.00"))
    bar = tab.locator("progress#import-bar")
    bar.wait_for()
    assert "Menunggu pekerja" in tab.locator("#import-progress").inner_text()
    assert axe_violations(tab) == []
    tab.screenshot(path=str(SHOTS / "pages-import-progress.png"), full_page=True)
    jobs.run_import(queue, job_id=job_id)
    # the poller sees the job ended and reloads the page
    tab.get_by_text("Berhasil diimpor").wait_for()
    assert tab.locator("progress").count() == 0
    assert axe_violations(tab) == []
    tab.screenshot(path=str(SHOTS / "pages-import-finished.png"), full_page=True)

    job_id = _upload(tab, site, _broken_set())
    jobs.run_import(queue, job_id=job_id)
    tab.get_by_text("Tidak ada yang diimpor").wait_for()
    cells = tab.locator("table tbody tr").first.locator("td").all_inner_texts()
    assert cells[:3] == ["employees.csv", "3", "tenant_code"]
    assert axe_violations(tab) == []
    tab.screenshot(path=str(SHOTS / "pages-import-rejected.png"), full_page=True)
    tab.get_by_role("button", name="English").click()
    tab.goto(f"{site.url}/pegawai/impor/{job_id}")
    tab.get_by_text("Nothing was imported").wait_for()
    assert tab.get_by_role("columnheader", name="Row").count() == 1
    tab.screenshot(path=str(SHOTS / "pages-import-rejected-en.png"), full_page=True)
    context.close()

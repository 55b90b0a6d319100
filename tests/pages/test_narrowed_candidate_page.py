"""The candidate page of someone a narrowed screening left out: rendered on demand by the engine
from today's registry, saying so and naming the criterion; and the replay page of that run.
Through the test client, and in Chromium (axe-core, no English left, a screenshot)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser
from sqlalchemy import select

from bench.pool import pool
from tests.api.conftest import World
from tests.pages.conftest import (
    BROWSER_SKIP_REASON,
    PASSWORD,
    LiveSite,
    _serve,
    chromium_missing,
    post_form,
    sign_in,
)
from tests.pages.test_browser_vacancy import checked
from tests.support.browser import browser_sign_in
from tests.support.screening import Screened, screen_province_vacancy
from workflow.core.db import Database
from workflow.models import Employee, PersonalDataAccess, ScreeningRun
from workflow.screening import NarrowingPolicy, explanations

POOL = pool(40, seed=3)
ALWAYS = NarrowingPolicy(screening_narrowing=True)
SHOTS = Path("/tmp")


def _screen(database: Database, world: World) -> Screened:
    explanations.clear_caches()
    found = screen_province_vacancy(database, world, profiles=POOL, narrowing=ALWAYS)
    assert found.narrowed
    return found


def test_the_narrowed_out_candidate_page_explains_from_todays_registry(
    pages_app: Flask, database: Database, world: World
) -> None:
    screened = _screen(database, world)
    nip, criterion = screened.narrowed[0]
    client = pages_app.test_client()
    assert sign_in(client, "province.committee").status_code == 303
    answer = client.get(f"/lowongan/{screened.vacancy_id}/calon/{nip}")
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    assert 'id="narrowed-out"' in text
    assert f"Tersaring keluar oleh kriteria {criterion}" in text
    assert "dari data registri hari ini" in text
    assert "tidak memenuhi syarat (TMS)" in text
    assert "registri berubah" not in text  # today's profile still fails the criterion
    with database.read() as session:
        employee_id = session.scalar(select(Employee.id).where(Employee.nip == nip))
        logged = session.scalars(select(PersonalDataAccess.employee_id)).all()
    assert logged == [employee_id]
    # an evaluated candidate's page carries no such notice
    evaluated = screened.ranking[0]["nip"]
    plain = client.get(f"/lowongan/{screened.vacancy_id}/calon/{evaluated}")
    assert plain.status_code == 200
    assert 'id="narrowed-out"' not in plain.get_data(as_text=True)


def test_the_replay_page_of_a_narrowed_run_says_how_it_narrowed(
    pages_app: Flask, database: Database, world: World
) -> None:
    screened = _screen(database, world)
    client = pages_app.test_client()
    assert sign_in(client, "province.auditor").status_code == 303
    answer = post_form(
        client,
        "/jejak-audit/putar-ulang",
        "/jejak-audit/putar-ulang",
        lowongan=str(screened.vacancy_id),
        paket="",
    )
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    assert "Hasil sama persis" in text  # reproduced
    assert 'id="replay-narrowed"' in text
    assert f"menyaring keluar {len(screened.narrowed)} kandidat" in text


# ------------------------------------------------------------------ Chromium


@pytest.fixture(scope="module")
def narrowed_site(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveSite]:
    if chromium_missing():
        pytest.skip(BROWSER_SKIP_REASON)
    yield from _serve(
        sqlite_template,
        tmp_path_factory.mktemp("narrowed"),
        lambda db, world: _screen(db, world),
    )


@pytest.mark.browser
def test_in_chromium_the_narrowed_out_page_reads_well_in_both_languages(
    chromium: Browser, narrowed_site: LiveSite
) -> None:
    vacancy_id, nip, criterion = _narrowed_of(narrowed_site)
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        browser_sign_in(page, narrowed_site.url, "province.committee", PASSWORD)
        page.goto(f"{narrowed_site.url}/lowongan/{vacancy_id}/calon/{nip}")
        notice = page.locator("#narrowed-out")
        assert f"Tersaring keluar oleh kriteria {criterion}" in notice.inner_text()
        checked(page, "narrowed-out-candidate")
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
        english = page.locator("#narrowed-out").inner_text()
        assert f"Left out of the screening by criterion {criterion}" in english
        assert "from the registry as it is today" in english
        page.screenshot(path=str(SHOTS / "pages-narrowed-out-candidate-en.png"), full_page=True)
    finally:
        context.close()


def _narrowed_of(site: LiveSite) -> tuple[int, str, str]:
    """Return the screened vacancy and its first narrowed-out candidate with the criterion."""
    with site.db.read() as session:
        vacancy_id, stored = session.execute(
            select(ScreeningRun.vacancy_id, ScreeningRun.result).order_by(ScreeningRun.id.desc())
        ).first()  # type: ignore[misc]
    nip, criterion = json.loads(gzip.decompress(stored))["narrowed"][0]
    return int(vacancy_id), str(nip), str(criterion)

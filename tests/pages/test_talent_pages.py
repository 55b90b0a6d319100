"""The talent pages with the test client: the talent map, a box, data quality, a development
plan HR records on, and the employee's own page."""

from __future__ import annotations

import datetime as dt
import re

from flask.testing import FlaskClient
from sqlalchemy import select

from tests.api.conftest import World
from tests.pages.conftest import csrf_token, sign_in
from tests.support.talent import add_known
from workflow.core.db import Database
from workflow.models import DevelopmentActivity, PersonalDataAccess


def test_hr_maps_now_and_opens_a_box(web: FlaskClient, world: World, database: Database) -> None:
    add_known(database, tenant_id=world.tenant_id["province"])
    sign_in(web, "province.hr")
    empty = web.get("/talenta")
    assert empty.status_code == 200
    made = web.post("/talenta/petakan", data={"csrf_token": csrf_token(empty), "agency": ""})
    assert made.status_code == 303
    page = web.get("/talenta").get_data(as_text=True)
    assert "<svg" in page
    href = _box_link(page, 9)
    box = web.get(href)
    assert box.status_code == 200
    with database.read() as session:
        logged = session.scalars(
            select(PersonalDataAccess.purpose).where(PersonalDataAccess.purpose.like("talent_box%"))
        ).all()
    assert len(logged) == 2  # the two employees of box 9


def _box_link(page: str, box: int) -> str:
    found = re.search(rf'href="(/talenta/\d+/kotak/{box})"', page)
    assert found is not None, page
    return found.group(1)


def test_the_city_cannot_open_the_province_box(
    web: FlaskClient, world: World, database: Database
) -> None:
    sign_in(web, "province.hr")
    token = csrf_token(web.get("/talenta"))
    web.post("/talenta/petakan", data={"csrf_token": token, "agency": ""})
    href = _box_link(web.get("/talenta").get_data(as_text=True), 5)
    web.post("/keluar", data={"csrf_token": csrf_token(web.get("/talenta"))})
    city = web.application.test_client()
    sign_in(city, "city.hr")
    assert city.get(href).status_code == 404


def test_data_quality_for_hr_and_every_agency_for_bkn(web: FlaskClient, world: World) -> None:
    sign_in(web, "province.hr")
    page = web.get("/talenta/kualitas-data")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "36.00" in text
    assert "36.73" not in text
    bkn = web.application.test_client()
    sign_in(bkn, "national.national_reviewer")
    every = bkn.get("/talenta/kualitas-data").get_data(as_text=True)
    assert "36.00" in every
    assert "36.73" in every


def test_hr_records_an_activity_on_the_plan(
    web: FlaskClient, world: World, database: Database
) -> None:
    nip = world.employee_nip["province"]
    sign_in(web, "province.hr")
    page = web.get(f"/pegawai/{nip}/pengembangan")
    assert page.status_code == 200
    assert "integritas" in page.get_data(as_text=True)
    fields = {
        "csrf_token": csrf_token(page),
        "key": "form-key-1",
        "kind": "training",
        "title": "Pelatihan Kepemimpinan Administrator",
        "occurred_on": "2026-02-10",
        "hours": "120",
        "competency": "integritas",
        "training_kind": "PKA",
    }
    done = web.post(f"/pegawai/{nip}/pengembangan", data=fields)
    assert done.status_code == 303
    again = web.post(f"/pegawai/{nip}/pengembangan", data=fields)
    assert again.status_code == 303
    with database.read() as session:
        assert len(session.scalars(select(DevelopmentActivity)).all()) == 1
    shown = web.get(f"/pegawai/{nip}/pengembangan").get_data(as_text=True)
    assert "Pelatihan Kepemimpinan Administrator" in shown
    bad = web.post(
        f"/pegawai/{nip}/pengembangan",
        data={**fields, "key": "form-key-2", "kind": "mentoring"},
    )
    assert bad.status_code == 422
    assert "training_kind" in bad.get_data(as_text=True)


def test_the_employee_lands_on_their_own_page_in_both_languages(
    web: FlaskClient, world: World, database: Database
) -> None:
    signed = sign_in(web, "province.employee")
    assert signed.status_code == 303
    front = web.get("/")
    assert front.status_code == 302
    assert front.location.endswith("/saya")
    page = web.get("/saya")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Profil saya" in text
    assert world.employee_nip["province"] not in text
    web.post("/bahasa", data={"csrf_token": csrf_token(page), "lang": "en", "next": "/saya"})
    english = web.get("/saya").get_data(as_text=True)
    assert "My profile" in english
    with database.read() as session:
        own = set(
            session.scalars(
                select(PersonalDataAccess.employee_id).where(
                    PersonalDataAccess.username == "province.employee"
                )
            )
        )
    assert own == {world.own_employee_id["province"]}
    assert dt.date.today()  # the page reads today's date

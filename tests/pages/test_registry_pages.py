"""The registry pages for HR: search, profile (recorded in the access log), upload."""

from __future__ import annotations

import io

from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.api.conftest import World
from tests.pages.conftest import csrf_token, sign_in
from workflow.core.db import Database
from workflow.models import PersonalDataAccess


def _accesses(database: Database) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(PersonalDataAccess)) or 0


def test_hr_finds_an_employee_by_name_and_by_nip_in_their_own_agency(
    web: FlaskClient, world: World
) -> None:
    sign_in(web, "province.hr")
    by_name = web.get("/pegawai?cari=pegawai province").get_data(as_text=True)
    assert world.employee_nip["province"] in by_name
    assert world.employee_nip["city"] not in by_name
    by_nip = web.get(f"/pegawai?cari={world.employee_nip['province'][:10]}")
    assert world.employee_nip["province"] in by_nip.get_data(as_text=True)


def test_the_profile_shows_the_histories_and_is_written_to_the_access_log(
    web: FlaskClient, world: World, database: Database
) -> None:
    sign_in(web, "province.hr")
    before = _accesses(database)
    page = web.get(f"/pegawai/{world.employee_nip['province']}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Kepala Subbagian" in text  # the position history
    assert "Hukum" in text  # the education history
    assert "Riwayat jabatan" in text
    assert _accesses(database) == before + 1
    other = web.get(f"/pegawai/{world.employee_nip['city']}")
    assert other.status_code == 404
    assert _accesses(database) == before + 1


def test_a_rejected_upload_lists_its_problems_row_by_row_and_writes_nothing(
    web: FlaskClient, world: World, database: Database
) -> None:
    sign_in(web, "province.hr")
    token = csrf_token(web.get("/pegawai/impor"))
    answer = web.post(
        "/pegawai/impor",
        data={
            "csrf_token": token,
            "berkas": (io.BytesIO(b'{"nip": "123"}\n'), "profiles.jsonl"),
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    text = answer.get_data(as_text=True)
    assert "Tidak ada yang diimpor" in text
    assert "profiles.jsonl" in text


def test_the_registry_is_for_hr_only(web: FlaskClient) -> None:
    sign_in(web, "province.committee")
    assert web.get("/pegawai").status_code == 403

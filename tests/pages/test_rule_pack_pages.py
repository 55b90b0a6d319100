"""The rule-pack pages: published versions, every criterion with its citation in both languages,
and the what-if form (a typed-in profile for anyone; a registry employee for HR, logged)."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.api.conftest import World
from tests.pages.conftest import csrf_token, sign_in
from workflow.core.db import Database
from workflow.models import PersonalDataAccess


def _accesses(database: Database) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(PersonalDataAccess)) or 0


def _what_if(web: FlaskClient, digest: str, **fields: str) -> tuple[int, str]:
    page = f"/aturan/{digest}/simulasi"
    answer = web.post(page, data={"csrf_token": csrf_token(web.get(page)), **fields})
    return answer.status_code, answer.get_data(as_text=True)


def test_anyone_signed_in_lists_the_packs_and_reads_every_criterion_in_both_languages(
    web: FlaskClient, world: World
) -> None:
    sign_in(web, "province.committee")
    listing = web.get("/aturan").get_data(as_text=True)
    assert "bkn-national" in listing
    assert world.pack_digest[:16] in listing
    pack = web.get(f"/aturan/{world.pack_digest}").get_data(as_text=True)
    assert world.pack_digest in pack
    assert 'id="c-rank.minimum"' in pack
    assert "PP 11/2017" in pack  # a legal citation
    assert 'lang="en"' in pack
    assert 'lang="id"' in pack
    assert web.get("/aturan/" + "0" * 64).status_code == 404
    assert web.get("/aturan/not-a-digest").status_code == 404


def test_a_typed_in_profile_is_explained_criterion_by_criterion(
    web: FlaskClient, world: World, database: Database
) -> None:
    sign_in(web, "province.committee")
    before = _accesses(database)
    status, page = _what_if(
        web,
        world.pack_digest,
        level="administrator",
        reference_date="2026-03-01",
        birth_date="1980-03-15",
        employment_type="PNS",
        rank="III/c",
        rank_tmt="2020-04-01",
        education="S1",
        performance_last="Sangat Baik",
        performance_before="Baik",
        jpm="82.50",
        potential="tinggi",
    )
    assert status == 200, page
    assert 'id="result-title"' in page
    assert "rank.minimum" in page or "III/d" in page  # the rank criterion and its hint
    assert "tidak memenuhi syarat" in page.lower() or "memenuhi" in page
    assert _accesses(database) == before  # nothing personal was read


def test_bad_input_sits_beside_its_field(web: FlaskClient, world: World) -> None:
    sign_in(web, "province.committee")
    status, page = _what_if(web, world.pack_digest, level="administrator", jpm="140")
    assert status == 422
    assert 'href="#jpm"' in page
    assert 'href="#birth_date"' not in page or "Antara 0 dan 100." in page
    status, page = _what_if(web, world.pack_digest, level="administrator")
    assert status == 422
    assert 'href="#birth_date"' in page
    status, page = _what_if(web, world.pack_digest, level="nope", birth_date="1980-01-01")
    assert status == 422
    assert 'href="#level"' in page
    status, page = _what_if(
        web, world.pack_digest, level="administrator", birth_date="2031-01-01", rank="III/c"
    )
    assert status == 422, page
    assert "error-message" in page


def test_hr_explains_an_employee_of_their_agency_and_the_read_is_logged(
    web: FlaskClient, world: World, database: Database
) -> None:
    sign_in(web, "province.hr")
    before = _accesses(database)
    status, page = _what_if(
        web, world.pack_digest, level="jpt_pratama", nip=world.employee_nip["province"]
    )
    assert status == 200, page
    assert world.employee_nip["province"] in page
    assert _accesses(database) == before + 1
    status, page = _what_if(
        web, world.pack_digest, level="jpt_pratama", nip=world.employee_nip["city"]
    )
    assert status == 404
    assert "Tidak ada pegawai dengan NIP ini di instansi Anda." in page
    assert _accesses(database) == before + 1


def test_only_hr_may_ask_for_a_registry_employee(web: FlaskClient, world: World) -> None:
    sign_in(web, "province.committee")
    assert 'name="nip"' not in web.get(f"/aturan/{world.pack_digest}/simulasi").get_data(
        as_text=True
    )
    status, page = _what_if(
        web, world.pack_digest, level="jpt_pratama", nip=world.employee_nip["province"]
    )
    assert status == 422
    assert "Hanya petugas BKPSDM" in page


def test_the_pages_speak_english_too(web: FlaskClient, world: World) -> None:
    sign_in(web, "province.committee")
    web.post("/bahasa", data={"csrf_token": csrf_token(web.get("/aturan")), "lang": "en"})
    page = web.get(f"/aturan/{world.pack_digest}").get_data(as_text=True)
    assert "Legal citation" in page
    assert "Rule packs" in page

"""Registry resources: agencies, positions and employees, scoped to the caller's agency."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from flask.testing import FlaskClient

from tests.api.conftest import World


def test_tenants_of_an_agency_user_are_their_own(api: FlaskClient, world: World) -> None:
    response = api.get("/api/v1/tenants", headers=world.headers("city.hr"))
    assert response.status_code == 200
    assert [t["code"] for t in response.json["items"]] == ["36.73"]
    assert response.json["items"][0]["parent"] == "36.00"
    assert response.json["total"] == 1


def test_national_users_read_every_agency(api: FlaskClient, world: World) -> None:
    response = api.get("/api/v1/tenants", headers=world.headers("national.national_reviewer"))
    assert [t["code"] for t in response.json["items"]] == ["36.00", "36.73", "bkn"]


def test_position_detail_has_its_competency_standard(api: FlaskClient, world: World) -> None:
    position_id = world.position_id["province"]
    response = api.get(f"/api/v1/positions/{position_id}", headers=world.headers("province.hr"))
    assert response.status_code == 200
    body = response.json
    assert body["tenant"] == "36.00"
    assert body["competencies"] == [{"competency": "integritas", "required_level": 4}]
    assert body["required_education_fields"] == ["Hukum", "Manajemen"]


def test_positions_filter_by_level_and_key(api: FlaskClient, world: World) -> None:
    headers = world.headers("national.hr")
    keys = api.get("/api/v1/positions?key=true", headers=headers).json
    assert keys["total"] == 3
    assert all(p["is_key"] for p in keys["items"])
    admin = api.get("/api/v1/positions?level=administrator&tenant=36.73", headers=headers).json
    assert [(p["tenant"], p["level"]) for p in admin["items"]] == [("36.73", "administrator")]


def test_employee_profile_has_every_history(api: FlaskClient, world: World) -> None:
    nip = world.employee_nip["province"]
    response = api.get(f"/api/v1/employees/{nip}", headers=world.headers("province.hr"))
    assert response.status_code == 200
    body = response.json
    assert body["nip"] == nip
    assert [p["level"] for p in body["positions"]] == ["pelaksana", "pengawas"]
    assert body["education"][0]["field"] == "Hukum"
    assert [p["year"] for p in body["performance"]] == [2023, 2024, 2025]
    assert body["assessments"][0]["jpm"] == 78.5
    assert body["assessments"][0]["scores"] == [{"competency": "integritas", "level": 4}]
    assert body["penalties"][0]["type"] == "teguran_lisan"
    assert body["trainings"][0]["kind"] == "PKP"
    assert body["position"]["level"] == "jpt_pratama"


def test_employee_search_by_name_and_nip_prefix(api: FlaskClient, world: World) -> None:
    headers = world.headers("province.hr")
    by_name = api.get("/api/v1/employees?q=pegawai province 2", headers=headers).json
    assert [e["name"] for e in by_name["items"]] == ["Pegawai province 2"]
    prefix = world.employee_nip["province"][:10]
    by_nip = api.get(f"/api/v1/employees?q={prefix}", headers=headers).json
    assert world.employee_nip["province"] in [e["nip"] for e in by_nip["items"]]
    wildcard = api.get("/api/v1/employees?q=%25", headers=headers).json
    assert wildcard["total"] == 0


def test_employee_filters_rank_and_position_level(api: FlaskClient, world: World) -> None:
    headers = world.headers("national.auditor")
    all_people = api.get("/api/v1/employees?rank=III/c", headers=headers).json
    assert all_people["total"] == 9
    none = api.get("/api/v1/employees?position_level=administrator", headers=headers).json
    assert none["total"] == 0
    city = api.get("/api/v1/employees?tenant=36.73&position_level=jpt_pratama", headers=headers)
    assert {e["tenant"] for e in city.json["items"]} == {"36.73"}
    assert city.json["total"] == 3


def test_pagination_envelope_and_link_header(api: FlaskClient, world: World) -> None:
    headers = world.headers("national.auditor")
    response = api.get("/api/v1/employees?per_page=2&page=2&rank=III/c", headers=headers)
    body = response.json
    assert (body["page"], body["per_page"], body["total"], body["pages"]) == (2, 2, 9, 5)
    assert len(body["items"]) == 2
    links = {
        rel: parse_qs(urlsplit(url).query)
        for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers["Link"])
    }
    assert {rel: q["page"] for rel, q in links.items()} == {
        "first": ["1"],
        "prev": ["1"],
        "next": ["3"],
        "last": ["5"],
    }
    assert all(q["rank"] == ["III/c"] and q["per_page"] == ["2"] for q in links.values())


def test_per_page_is_bounded(api: FlaskClient, world: World) -> None:
    response = api.get("/api/v1/positions?per_page=101", headers=world.headers("province.hr"))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "per_page" in response.json["errors"]["query"]

"""The administrator's user pages: list, create, change, password, tokens; scoped and refused."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select

from tests.api.conftest import World
from tests.pages.conftest import PASSWORD, csrf_token, sign_in
from workflow.core.db import Database
from workflow.identity.accounts import hash_token
from workflow.models import ApiToken, User

_ETAG = re.compile(r'name="edit-etag" type="hidden" value="([^"]+)"')


def _user(database: Database, username: str) -> User:
    with database.read() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        session.expunge(user)
        return user


def _edit(web: FlaskClient, user_id: int, **fields: object) -> tuple[int, str]:
    page = web.get(f"/admin/pengguna/{user_id}").get_data(as_text=True)
    etag = _ETAG.search(page)
    assert etag is not None
    data = {
        "csrf_token": csrf_token(web.get(f"/admin/pengguna/{user_id}")),
        "edit-etag": etag.group(1),
        **fields,
    }
    answer = web.post(f"/admin/pengguna/{user_id}/ubah", data=data)
    return answer.status_code, answer.get_data(as_text=True)


def test_the_list_is_scoped_to_the_agency_and_for_admins_only(
    web: FlaskClient, world: World
) -> None:
    sign_in(web, "province.admin")
    text = web.get("/admin/pengguna").get_data(as_text=True)
    assert "province.hr" in text
    assert "city.hr" not in text
    assert web.get(f"/admin/pengguna/{world.user_id['city.hr']}").status_code == 404
    web.post("/keluar", data={"csrf_token": csrf_token(web.get("/"))})
    sign_in(web, "province.hr")
    assert web.get("/admin/pengguna").status_code == 403


def test_an_admin_creates_a_user_then_sets_their_password_and_they_sign_in(
    web: FlaskClient, world: World, database: Database, pages_app: object
) -> None:
    sign_in(web, "province.admin")
    token = csrf_token(web.get("/admin/pengguna/baru"))
    answer = web.post(
        "/admin/pengguna/baru",
        data={
            "csrf_token": token,
            "username": "province.hr9",
            "display_name": "Petugas Baru",
            "roles": ["hr", "committee"],
        },
    )
    assert answer.status_code == 303
    created = _user(database, "province.hr9")
    assert created.tenant_id == world.tenant_id["province"]
    answer = web.post(
        f"/admin/pengguna/{created.id}/sandi",
        data={
            "csrf_token": csrf_token(web.get(f"/admin/pengguna/{created.id}")),
            "password-password": "kata-sandi-baru-1",
        },
    )
    assert answer.status_code == 303
    fresh = pages_app.test_client()  # type: ignore[attr-defined]
    assert sign_in(fresh, "province.hr9", "kata-sandi-baru-1").status_code == 303


def test_bad_input_is_shown_beside_its_field_and_changes_nothing(
    web: FlaskClient, database: Database, world: World
) -> None:
    sign_in(web, "province.admin")
    token = csrf_token(web.get("/admin/pengguna/baru"))
    taken = web.post(
        "/admin/pengguna/baru",
        data={
            "csrf_token": token,
            "username": "province.hr",
            "display_name": "X",
            "roles": ["hr"],
        },
    )
    assert taken.status_code == 409
    assert "Nama pengguna ini sudah dipakai." in taken.get_data(as_text=True)
    national = web.post(
        "/admin/pengguna/baru",
        data={
            "csrf_token": token,
            "username": "province.bkn",
            "display_name": "X",
            "roles": ["national_reviewer"],
        },
    )
    assert national.status_code == 422
    assert "national_reviewer belongs to the national agency" in national.get_data(as_text=True)
    short = web.post(
        f"/admin/pengguna/{world.user_id['province.hr']}/sandi",
        data={"csrf_token": token, "password-password": "pendek"},
    )
    assert short.status_code == 422
    assert 'href="#password-password"' in short.get_data(as_text=True)
    with database.read() as session:
        assert session.scalar(select(User.id).where(User.username == "province.bkn")) is None


def test_an_admin_may_not_lock_themself_out_and_the_refusal_names_the_rule(
    web: FlaskClient, world: World, database: Database
) -> None:
    sign_in(web, "province.admin")
    me = world.user_id["province.admin"]
    status, text = _edit(
        web, me, **{"edit-display_name": "Admin", "edit-roles": ["hr"], "edit-active": "yes"}
    )
    assert status == 403
    assert "ADMIN-SELF" in text
    assert _user(database, "province.admin").role_names == {"admin"}


def test_a_stale_edit_is_refused_with_a_reload_link(web: FlaskClient, world: World) -> None:
    sign_in(web, "province.admin")
    target = world.user_id["province.committee"]
    token = csrf_token(web.get(f"/admin/pengguna/{target}"))
    answer = web.post(
        f"/admin/pengguna/{target}/ubah",
        data={
            "csrf_token": token,
            "edit-etag": "0" * 32,
            "edit-display_name": "Anggota",
            "edit-roles": ["committee"],
            "edit-active": "yes",
        },
    )
    assert answer.status_code == 409
    assert f'href="/admin/pengguna/{target}"' in answer.get_data(as_text=True)


def test_disabling_a_user_stops_their_sign_in_and_refuses_a_new_password(
    web: FlaskClient, world: World, pages_app: object
) -> None:
    sign_in(web, "province.admin")
    target = world.user_id["province.committee"]
    status, _ = _edit(
        web,
        target,
        **{"edit-display_name": "Anggota", "edit-roles": ["committee"], "edit-active": "no"},
    )
    assert status == 303
    fresh = pages_app.test_client()  # type: ignore[attr-defined]
    assert sign_in(fresh, "province.committee", PASSWORD).status_code == 401
    refused = web.post(
        f"/admin/pengguna/{target}/sandi",
        data={
            "csrf_token": csrf_token(web.get(f"/admin/pengguna/{target}")),
            "password-password": "kata-sandi-baru-1",
        },
    )
    assert refused.status_code == 403
    assert "USER-DISABLED" in refused.get_data(as_text=True)


def test_a_token_is_shown_once_stored_hashed_and_revoked(
    web: FlaskClient, world: World, database: Database
) -> None:
    sign_in(web, "province.admin")
    target = world.user_id["province.hr"]
    answer = web.post(
        f"/admin/pengguna/{target}/token",
        data={
            "csrf_token": csrf_token(web.get(f"/admin/pengguna/{target}")),
            "token-name": "laporan",
            "token-days": "30",
        },
    )
    assert answer.status_code == 201
    assert answer.headers["Cache-Control"] == "no-store"
    secret = re.search(r'id="token-secret">(mf_[^<]+)<', answer.get_data(as_text=True))
    assert secret is not None
    with database.read() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.name == "laporan"))
        assert row is not None
        assert row.token_hash == hash_token(secret.group(1))
        token_id = row.id
    api = web.get("/api/v1/me", headers={"Authorization": f"Bearer {secret.group(1)}"})
    assert api.status_code == 200
    again = web.get(f"/admin/pengguna/{target}").get_data(as_text=True)
    assert secret.group(1) not in again
    revoked = web.post(
        f"/admin/pengguna/{target}/token/{token_id}/cabut",
        data={"csrf_token": csrf_token(web.get(f"/admin/pengguna/{target}"))},
    )
    assert revoked.status_code == 303
    api = web.get("/api/v1/me", headers={"Authorization": f"Bearer {secret.group(1)}"})
    assert api.status_code == 401


def test_a_national_admin_reads_another_agency_user_but_cannot_change_them(
    web: FlaskClient, world: World
) -> None:
    sign_in(web, "national.admin")
    target = world.user_id["province.hr"]
    page = web.get(f"/admin/pengguna/{target}")
    assert page.status_code == 200
    answer = web.post(
        f"/admin/pengguna/{target}/token",
        data={"csrf_token": csrf_token(page), "token-name": "x", "token-days": "30"},
    )
    assert answer.status_code == 403

"""Signing in and out, the session cookie, the idle timeout, throttling, CSRF, headers, the
language switch and the error pages, through the Flask test client."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient

from tests.pages.conftest import PASSWORD, csrf_token, post_form, sign_in


def test_the_front_door_is_the_sign_in_page_for_a_visitor(web: FlaskClient) -> None:
    answer = web.get("/")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert '<html lang="id">' in page
    assert "Nama pengguna" in page
    assert 'autocomplete="current-password"' in page


def test_signing_in_opens_the_inbox_with_the_users_tasks(web: FlaskClient) -> None:
    answer = sign_in(web, "province.hr")
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/"
    inbox = web.get("/").get_data(as_text=True)
    assert "Tugas saya" in inbox
    assert "Kepala Bagian Umum (province)" in inbox  # the seeded draft waits on its HR officer
    assert "Kepala Bagian Umum (city)" not in inbox  # another agency's vacancy never shows


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    web: FlaskClient,
) -> None:
    unknown = sign_in(web, "nobody", PASSWORD)
    wrong = sign_in(web, "province.hr", "not-the-password")
    assert unknown.status_code == wrong.status_code == 401
    assert "Nama pengguna atau kata sandi tidak benar." in wrong.get_data(as_text=True)
    assert unknown.get_data(as_text=True).count("tidak benar") == 1
    assert "Tugas saya" not in web.get("/").get_data(as_text=True)


def test_an_empty_form_shows_the_summary_and_each_message_beside_its_field(
    web: FlaskClient,
) -> None:
    answer = post_form(web, "/masuk", "/masuk", username="", password="")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Ada masalah" in page
    assert 'href="#username"' in page
    assert 'href="#password"' in page
    assert 'id="username-error"' in page
    assert 'aria-invalid="true"' in page


def test_the_session_cookie_is_httponly_and_samesite_lax(web: FlaskClient) -> None:
    answer = sign_in(web, "province.hr")
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # not in production (test settings)


def test_signing_out_ends_the_session(web: FlaskClient) -> None:
    sign_in(web, "province.hr")
    answer = post_form(web, "/", "/keluar")
    assert answer.status_code == 303
    assert "Tugas saya" not in web.get("/").get_data(as_text=True)


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(web: FlaskClient) -> None:
    answer = web.post("/masuk", data={"username": "province.hr", "password": PASSWORD})
    assert answer.status_code == 400
    assert "Formulir sudah kedaluwarsa" in answer.get_data(as_text=True)
    assert "Tugas saya" not in web.get("/").get_data(as_text=True)


def test_a_forged_csrf_token_is_refused(web: FlaskClient) -> None:
    web.get("/masuk")
    answer = web.post(
        "/masuk",
        data={"username": "province.hr", "password": PASSWORD, "csrf_token": "forged"},
    )
    assert answer.status_code == 400


def test_an_idle_session_ends_and_asks_to_sign_in_again(web: FlaskClient) -> None:
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False):
        sign_in(web, "province.hr")
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert "Tugas saya" in web.get("/").get_data(as_text=True)  # activity renews it
    with time_machine.travel(start + dt.timedelta(minutes=29 + 31), tick=False):
        answer = web.get("/")
        assert answer.status_code == 302
        assert answer.headers["Location"] == "/masuk"
        follow = web.get("/masuk").get_data(as_text=True)
        assert "tidak aktif" in follow
        assert "Tugas saya" not in web.get("/").get_data(as_text=True)


def test_repeated_failed_sign_ins_are_throttled_even_for_the_right_password(
    pages_app: Flask, web: FlaskClient
) -> None:
    limit = pages_app.extensions["meritflow"].settings.auth_failure_limit
    for _ in range(limit):
        assert sign_in(web, "province.hr", "wrong-password").status_code == 401
    answer = sign_in(web, "province.hr")
    assert answer.status_code == 429
    assert int(answer.headers["Retry-After"]) >= 1
    assert "Terlalu banyak percobaan masuk" in answer.get_data(as_text=True)


def test_pages_carry_the_security_headers(web: FlaskClient) -> None:
    answer = web.get("/masuk")
    csp = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "same-origin"
    assert answer.headers["Cache-Control"] == "no-store"
    assert "<script" not in answer.get_data(as_text=True)


def test_the_stylesheet_is_served_by_the_app(web: FlaskClient) -> None:
    with web.get("/assets/meritflow.css") as answer:
        assert answer.status_code == 200
        assert answer.mimetype == "text/css"


def test_the_language_switch_renders_english_and_keeps_the_choice(web: FlaskClient) -> None:
    answer = post_form(web, "/masuk", "/bahasa", lang="en", next="/masuk")
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/masuk"
    page = web.get("/masuk").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Username" in page
    sign_in(web, "province.hr")
    assert "My tasks" in web.get("/").get_data(as_text=True)  # kept across signing in


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_the_language_switch_never_redirects_off_site(web: FlaskClient, target: str) -> None:
    answer = post_form(web, "/masuk", "/bahasa", lang="en", next=target)
    assert answer.headers["Location"] == "/"


def test_an_unknown_page_is_an_html_404_in_the_users_language(web: FlaskClient) -> None:
    browser_accept = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    answer = web.get("/tidak-ada", headers=browser_accept)
    assert answer.status_code == 404
    assert answer.mimetype == "text/html"
    assert "Halaman tidak ditemukan" in answer.get_data(as_text=True)
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert web.get("/api/v1/tidak-ada", headers=browser_accept).mimetype == (
        "application/problem+json"
    )
    assert web.get("/tidak-ada").mimetype == "application/problem+json"  # not a browser


def test_a_page_needs_a_signed_in_user(web: FlaskClient) -> None:
    answer = web.get("/lowongan/1")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/masuk?next=/lowongan/1"


def test_a_role_without_access_gets_the_403_page(web: FlaskClient) -> None:
    sign_in(web, "province.admin")
    answer = web.get("/lowongan/1")
    assert answer.status_code == 403
    assert "Tidak diizinkan" in answer.get_data(as_text=True)


def test_the_next_page_after_signing_in_is_where_the_user_was_going(web: FlaskClient) -> None:
    page = web.get("/masuk?next=/lowongan/1")
    answer = web.post(
        "/masuk",
        data={
            "username": "province.hr",
            "password": PASSWORD,
            "next": "/lowongan/1",
            "csrf_token": csrf_token(page),
        },
    )
    assert answer.headers["Location"] == "/lowongan/1"


def test_the_pagination_links_keep_the_query_and_speak_the_language(pages_app: Flask) -> None:
    from flask import render_template_string

    from workflow.core import Page

    with pages_app.test_request_context("/pegawai?cari=siti&page=2"):
        pages_app.preprocess_request()
        html = render_template_string(
            '{% from "_macros.html" import pagination %}{{ pagination(page, "pages.inbox") }}',
            page=Page(items=[], total=60, page=2, per_page=25),
        )
    assert "Halaman 2 dari 3" in html
    assert 'href="/?cari=siti&amp;page=1"' in html
    assert 'href="/?cari=siti&amp;page=3"' in html


def test_a_failure_is_the_html_500_page_without_details(
    pages_app: Flask, web: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workflow import vacancies

    pages_app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production, not as in tests

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(vacancies, "my_tasks", broken)
    sign_in(web, "province.hr")
    answer = web.get("/")
    assert answer.status_code == 500
    page = answer.get_data(as_text=True)
    assert "Terjadi kesalahan" in page
    assert "secret detail" not in page
    assert answer.headers["X-Content-Type-Options"] == "nosniff"

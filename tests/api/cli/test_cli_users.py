"""The users and tokens commands, and the demo users `make run` prints."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from api.cli.users import DEMO_PASSWORD
from workflow.core.db import Database
from workflow.models import ApiToken, Tenant, User


def _tenants(database: Database) -> None:
    with database.transaction() as session:
        national = Tenant(code="bkn", name="Badan Kepegawaian Negara", level="national")
        province = Tenant(code="36.00", name="Provinsi Banten", level="province", parent=national)
        session.add_all(
            [
                national,
                province,
                Tenant(code="36.71", name="Kota Tangerang", level="city", parent=province),
                Tenant(code="36.73", name="Kota Serang", level="city", parent=province),
            ]
        )


def _me(app: Flask, token: str) -> dict[str, object]:
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    return dict(response.json)


def test_create_user_then_issue_and_revoke_a_token(
    app: Flask, runner: FlaskCliRunner, database: Database
) -> None:
    _tenants(database)
    created = runner.invoke(
        args=["users", "create", "ani", "--tenant", "36.73", "--role", "hr", "--role", "auditor"]
    )
    assert created.exit_code == 0, created.output
    assert "created user ani" in created.output
    issued = runner.invoke(args=["tokens", "issue", "ani", "--name", "laptop", "--days", "7"])
    assert issued.exit_code == 0, issued.output
    token = issued.stdout.strip().splitlines()[0]
    assert token.startswith("mf_")
    assert _me(app, token)["roles"] == ["auditor", "hr"]
    with database.read() as session:
        stored = session.scalar(select(ApiToken).where(ApiToken.name == "laptop"))
        assert stored is not None
        assert token not in (stored.token_hash, stored.prefix)
    revoked = runner.invoke(args=["tokens", "revoke", "ani"])
    assert "revoked 1 token(s)" in revoked.output
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_create_user_reports_what_is_wrong(runner: FlaskCliRunner, database: Database) -> None:
    _tenants(database)
    unknown = runner.invoke(args=["users", "create", "x", "--tenant", "99", "--role", "hr"])
    assert unknown.exit_code == 1
    assert "unknown agency '99'" in unknown.output
    national = runner.invoke(
        args=["users", "create", "y", "--tenant", "36.00", "--role", "national_reviewer"]
    )
    assert national.exit_code == 1
    assert "national_reviewer belongs to the national agency" in national.output
    bad_role = runner.invoke(args=["users", "create", "z", "--tenant", "36.00", "--role", "king"])
    assert bad_role.exit_code == 2


def test_demo_users_are_idempotent_and_get_fresh_tokens(
    app: Flask, runner: FlaskCliRunner, database: Database
) -> None:
    _tenants(database)
    first = runner.invoke(args=["users", "demo"])
    assert first.exit_code == 0, first.output
    rows = {line.split()[0]: line.split() for line in first.output.splitlines()[2:-2]}
    assert set(rows) == {
        *(
            f"{agency}.{name}"
            for agency in ("prov", "kota")
            for name in (
                "hr",
                "hr2",
                "committee1",
                "committee2",
                "committee3",
                "authority",
                "auditor",
            )
        ),
        "prov.admin",
        "bkn.reviewer",
        "bkn.auditor",
    }
    assert rows["kota.hr"][1] == "36.73"
    assert rows["bkn.reviewer"][1:3] == ["bkn", "national_reviewer"]
    assert rows["kota.hr"][3] == DEMO_PASSWORD  # a fixed demo password outside production
    old_token = rows["kota.hr"][4]
    assert _me(app, old_token)["tenant"] == "36.73"

    second = runner.invoke(args=["users", "demo"])
    assert second.exit_code == 0, second.output
    new_rows = {line.split()[0]: line.split() for line in second.output.splitlines()[2:-2]}
    assert _me(app, new_rows["kota.hr"][4])["username"] == "kota.hr"
    stale = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {old_token}"})
    assert stale.status_code == 401
    with database.read() as session:
        assert len(session.scalars(select(User)).all()) == len(rows)


def test_demo_users_need_the_demo_agencies(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["users", "demo"])
    assert result.exit_code == 1
    assert "seed the demo data first" in result.output


def test_set_password_stores_an_argon2_hash_that_signs_in(
    app: Flask, runner: FlaskCliRunner, database: Database
) -> None:
    _tenants(database)
    runner.invoke(args=["users", "create", "ani", "--tenant", "36.00", "--role", "hr"])
    short = runner.invoke(args=["users", "set-password", "ani", "--password", "pendek"])
    assert short.exit_code == 1
    assert "at least 10 characters" in short.output
    done = runner.invoke(args=["users", "set-password", "ani", "--password", "kata-sandi-ani"])
    assert done.exit_code == 0, done.output
    with database.read() as session:
        stored = session.scalar(select(User.password_hash).where(User.username == "ani"))
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert "kata-sandi-ani" not in stored
    missing = runner.invoke(args=["users", "set-password", "nobody", "--password", "x" * 12])
    assert missing.exit_code == 1
    assert "no active user" in missing.output

"""A vacancy goes from draft to closed through the CLI alone, then is verified and replayed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from api.schemas.registry_import import RegistryRowValidator
from workflow.identity.accounts import create_user
from workflow.models import Employee, Position, ShortlistEntry, Tenant
from workflow.registry.demo import seed_demo

REFERENCE = dt.date(2026, 3, 1)
USERS = {
    "hr1": ["hr"],
    "hr2": ["hr"],
    "c1": ["committee"],
    "c2": ["committee"],
    "c3": ["committee"],
    "boss": ["authority"],
    "deputy": ["auditor"],
}


@pytest.fixture
def seeded(app: Flask, runner: FlaskCliRunner) -> str:
    """Demo registry data, published packs and the province's users; returns a position code."""
    db = app.extensions["meritflow"].db
    seed_demo(
        db,
        employees=400,
        seed=11,
        as_of=REFERENCE,
        validator=RegistryRowValidator(),
        now=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
    )
    assert runner.invoke(args=["rules", "publish"]).exit_code == 0
    for username, roles in USERS.items():
        create_user(db, tenant_code="BANTEN", username=username, display_name=username, roles=roles)
    create_user(
        db, tenant_code="BKN", username="bkn", display_name="BKN", roles=["national_reviewer"]
    )
    with db.read() as session:
        banten = session.scalar(select(Tenant.id).where(Tenant.code == "BANTEN"))
        code = session.scalars(
            select(Position.code)
            .where(Position.tenant_id == banten, Position.level == "administrator")
            .order_by(Position.code)
        ).first()
    assert code is not None
    return code


def ok(runner: FlaskCliRunner, *args: str) -> str:
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_draft_to_closed_through_the_cli(app: Flask, runner: FlaskCliRunner, seeded: str) -> None:
    out = ok(
        runner,
        "vacancy",
        "open",
        "--as",
        "hr1",
        "--position",
        seeded,
        "--title",
        "Kepala Bagian Umum",
        "--reference-date",
        REFERENCE.isoformat(),
    )
    vacancy_id = re.search(r"vacancy (\d+): draft", out)
    assert vacancy_id is not None
    vid = vacancy_id[1]
    ok(runner, "vacancy", "act", vid, "submit", "--as", "hr1")
    out = ok(runner, "vacancy", "act", vid, "start_screening", "--as", "hr2")
    assert "committee_review" in out

    refused = runner.invoke(
        args=["vacancy", "act", vid, "vote", "--as", "hr1", "-d", "decision=approve"]
    )
    assert refused.exit_code == 1
    assert "Refused" in refused.output

    for member in ("c1", "c2"):
        out = ok(
            runner,
            "vacancy",
            "act",
            vid,
            "vote",
            "--as",
            member,
            "-d",
            "decision=approve",
            "-d",
            "comment=memenuhi syarat",
        )
    assert "authority_decision" in out

    db = app.extensions["meritflow"].db
    with db.read() as session:
        first = session.scalar(
            select(Employee.nip)
            .join(ShortlistEntry, ShortlistEntry.employee_id == Employee.id)
            .where(ShortlistEntry.rank == 1)
        )
    assert first is not None
    ok(
        runner,
        "delegation",
        "create",
        "--as",
        "boss",
        "--to",
        "deputy",
        "--role",
        "authority",
        "--days",
        "3",
        "--reason",
        "official travel",
    )
    out = ok(
        runner,
        "vacancy",
        "act",
        vid,
        "decide",
        "--as",
        "deputy",
        "--on-behalf-of",
        "boss",
        "-d",
        f"candidate={first}",
    )
    assert "technical_review" in out
    ok(
        runner,
        "vacancy",
        "act",
        vid,
        "approve_technical",
        "--as",
        "bkn",
        "-d",
        "reference=PERTEK-2026-0001",
    )
    ok(
        runner,
        "vacancy",
        "act",
        vid,
        "issue_decree",
        "--as",
        "hr2",
        "-d",
        "decree_number=821/001/BKD/2026",
        "-d",
        f"decree_date={dt.date.today()}",
    )
    out = ok(
        runner,
        "vacancy",
        "act",
        vid,
        "close",
        "--as",
        "hr2",
        "-d",
        f"inauguration_date={dt.date.today()}",
    )
    assert "closed" in out

    shown = ok(runner, "vacancy", "show", vid)
    assert "decide" in shown
    assert "for user" in shown  # the delegate acted on behalf of the authority
    assert "ok," in ok(runner, "audit", "verify")
    assert "REPRODUCED" in ok(runner, "audit", "replay", vid)
    counterfactual = ok(runner, "audit", "replay", vid, "--pack", "kota-serang")
    assert "under pack" in counterfactual


def test_bad_cli_input_is_a_clear_error(runner: FlaskCliRunner, seeded: str) -> None:
    result = runner.invoke(
        args=[
            "vacancy",
            "open",
            "--as",
            "hr1",
            "--position",
            "NOPE",
            "--title",
            "x",
            "--reference-date",
            "2026-03-01",
        ]
    )
    assert result.exit_code == 1
    assert "no position 'NOPE'" in result.output
    result = runner.invoke(args=["vacancy", "act", "999", "submit", "--as", "hr1"])
    assert result.exit_code == 1
    assert "no vacancy 999" in result.output
    result = runner.invoke(args=["vacancy", "act", "1", "submit", "--as", "hr1", "-d", "oops"])
    assert result.exit_code == 2
    assert "FIELD=VALUE" in result.output

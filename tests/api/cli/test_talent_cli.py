"""Talent-map runs from the command line on the demo registry: run, show, replay, sweep."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from api.schemas.registry_import import RegistryRowValidator
from workflow.identity.accounts import create_user
from workflow.models import Position, Tenant
from workflow.registry.demo import seed_demo

REFERENCE = dt.date(2026, 3, 1)


@pytest.fixture
def seeded(app: Flask, runner: FlaskCliRunner) -> None:
    """The demo registry, the published packs, an HR officer of Banten and a BKN reviewer."""
    db = app.extensions["meritflow"].db
    seed_demo(
        db,
        employees=300,
        seed=5,
        as_of=REFERENCE,
        validator=RegistryRowValidator(),
        now=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
    )
    assert runner.invoke(args=["rules", "publish"]).exit_code == 0
    create_user(db, tenant_code="BANTEN", username="hr1", display_name="HR", roles=["hr"])
    create_user(
        db, tenant_code="BKN", username="bkn", display_name="BKN", roles=["national_reviewer"]
    )


def test_a_run_shows_its_boxes_and_replays(runner: FlaskCliRunner, seeded: None) -> None:
    made = runner.invoke(args=["talent", "run", "--as", "hr1", "--reference-date", "2026-03-01"])
    assert made.exit_code == 0, made.output
    match = re.match(r"run (\d+) BANTEN 2026-03-01: (\d+) employees, (\d+) mapped", made.output)
    assert match is not None, made.output
    run_id, employees, mapped = (int(g) for g in match.groups())
    assert employees > 0
    assert 0 < mapped <= employees
    shown = runner.invoke(args=["talent", "show", str(run_id), "--as", "hr1"])
    assert shown.exit_code == 0
    counts = re.search(r"by box: (.*)", shown.output)
    assert counts is not None
    total = sum(int(part.split("=")[1]) for part in counts.group(1).split(", "))
    assert total == employees
    replayed = runner.invoke(args=["talent", "replay", str(run_id)])
    assert replayed.exit_code == 0, replayed.output
    assert replayed.output.endswith("reproduced\n")


def test_errors_read_as_over_http(runner: FlaskCliRunner, seeded: None) -> None:
    bkn = runner.invoke(args=["talent", "run", "--as", "bkn"])
    assert bkn.exit_code == 1
    assert "name the agencies to map [InvalidInput 422]" in bkn.output
    missing = runner.invoke(args=["talent", "show", "999"])
    assert missing.exit_code == 1
    assert "no talent-map run 999 [NotFound 404]" in missing.output
    bad_date = runner.invoke(args=["talent", "run", "--as", "hr1", "--reference-date", "soon"])
    assert bad_date.exit_code == 1
    assert "reference_date" in bad_date.output


def test_the_scheduler_maps_each_changed_agency_once(runner: FlaskCliRunner, seeded: None) -> None:
    first = runner.invoke(args=["scheduler", "sweep", "--at", "2026-03-02T00:00:00"])
    assert first.exit_code == 0, first.output
    mapped = re.search(r"talent maps: (.*)", first.output)
    assert mapped is not None
    assert "BANTEN" in mapped.group(1).split(", ")
    second = runner.invoke(args=["scheduler", "sweep", "--at", "2026-03-02T00:01:00"])
    assert second.output.rstrip().endswith("talent maps: none")


def test_a_succession_group_from_the_command_line(
    app: Flask, runner: FlaskCliRunner, seeded: None
) -> None:
    db = app.extensions["meritflow"].db
    create_user(db, tenant_code="BANTEN", username="ppk", display_name="PPK", roles=["authority"])
    with db.read() as session:
        positions = list(
            session.scalars(
                select(Position.id)
                .join(Tenant, Tenant.id == Position.tenant_id)
                .where(Tenant.code == "BANTEN", Position.is_key.is_(True))
                .order_by(Position.id)
            )
        )
    made = None
    for position in positions:
        made = runner.invoke(
            args=[
                "talent", "groups", "create", "--as", "hr1", "--position", str(position),
                "--year", "2026", "--reference-date", "2026-03-01",
            ]
        )  # fmt: skip
        if made.exit_code == 0:
            break
    assert made is not None
    assert made.exit_code == 0, made.output
    match = re.match(r"group (\d+) BANTEN \S+ 2026 v1: draft \(revision 1\)", made.output)
    assert match is not None, made.output
    group = match.group(1)
    proposed = runner.invoke(
        args=["talent", "groups", "propose", group, "--as", "hr1", "--revision", "1"]
    )
    assert "proposed (revision 2)" in proposed.output, proposed.output
    refused = runner.invoke(
        args=["talent", "groups", "approve", group, "--as", "hr1", "--revision", "2"]
    )
    assert refused.exit_code == 1
    approved = runner.invoke(
        args=["talent", "groups", "approve", group, "--as", "ppk", "--revision", "2"]
    )
    assert "approved (revision 3, current)" in approved.output, approved.output
    listed = runner.invoke(args=["talent", "groups", "list", "--year", "2026"])
    assert f"group {group} BANTEN" in listed.output


def test_a_development_plan_and_an_activity_from_the_command_line(
    app: Flask, runner: FlaskCliRunner, seeded: None
) -> None:
    from sqlalchemy import select

    from workflow.models import DevelopmentActivity, Employee, Tenant

    db = app.extensions["meritflow"].db
    with db.read() as session:
        nip = session.scalars(
            select(Employee.nip).join(Tenant).where(Tenant.code == "BANTEN").order_by(Employee.nip)
        ).first()
    assert nip is not None
    shown = runner.invoke(args=["talent", "development", nip, "--as", "hr1", "--lang", "en"])
    assert shown.exit_code == 0, shown.output
    assert nip in shown.output
    assert "progress: " in shown.output
    made = runner.invoke(
        args=[
            "talent", "record-activity", nip, "--as", "hr1", "--kind", "mentoring",
            "--title", "Mentoring by the secretary", "--date", "2026-02-01", "--hours", "12",
        ]
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    bad = runner.invoke(
        args=[
            "talent", "record-activity", nip, "--as", "hr1", "--kind", "mentoring",
            "--title", "x", "--date", "2026-02-01", "--competency", "juggling",
        ]
    )  # fmt: skip
    assert bad.exit_code == 1
    assert "competency" in bad.output
    with db.read() as session:
        assert len(session.scalars(select(DevelopmentActivity)).all()) == 1


def test_demo_users_include_employees_linked_to_themselves(
    app: Flask, runner: FlaskCliRunner, seeded: None
) -> None:
    from sqlalchemy import select

    from workflow.models import User

    made = runner.invoke(args=["users", "demo"])
    assert made.exit_code == 0, made.output
    assert "prov.employee1" in made.output
    db = app.extensions["meritflow"].db
    with db.read() as session:
        users = session.scalars(select(User).where(User.username.like("%.employee%"))).all()
        assert len(users) >= 2
        assert all(u.employee_id is not None and u.role_names == {"employee"} for u in users)

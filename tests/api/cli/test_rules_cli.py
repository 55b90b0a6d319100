"""The ``rules`` command group: validate, test, publish, list and explain (registry and what-if)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from api import create_app
from api.state import db
from bench.pool import pool
from config import Settings
from rules.pack import PACKS_DIR, load_shipped
from tests.support.registry_rows import add_employee
from tests.support.rules import ADMINISTRATOR_CANDIDATE
from workflow.models.registry import Position, Tenant


@pytest.fixture
def offline(sqlite_template: Path, tmp_path: Path) -> Iterator[FlaskCliRunner]:
    """A CLI runner on a private SQLite copy, for commands whose result does not touch the
    database (they run once, not once per database backend)."""
    path = tmp_path / "cli.db"
    shutil.copy(sqlite_template, path)
    settings = Settings(
        app_env="test",
        database_url=f"sqlite:///{path}",
        instance_path=tmp_path,
        log_level="WARNING",
    )
    app = create_app(settings)
    yield app.test_cli_runner()
    app.extensions["meritflow"].db.dispose()


def test_validate_prints_every_shipped_pack_with_its_digest(offline: FlaskCliRunner) -> None:
    result = offline.invoke(args=["rules", "validate"])
    assert result.exit_code == 0, result.output
    for pack in load_shipped().values():
        assert f"ok  {pack.id} {pack.version}  sha256 {pack.digest}" in result.output


def test_validate_names_the_problems_of_a_bad_pack(offline: FlaskCliRunner, tmp_path: Path) -> None:
    target = tmp_path / "broken"
    shutil.copytree(PACKS_DIR / "bkn-national", target)
    text = (target / "pack.yaml").read_text(encoding="utf-8")
    (target / "pack.yaml").write_text(
        text.replace("fact: rank, op:", "fact: pangkat, op:"), encoding="utf-8"
    )
    result = offline.invoke(args=["rules", "validate", str(target)])
    assert result.exit_code == 1
    assert (
        "criterion rank.minimum, field condition.fact: unknown fact field 'pangkat'"
        in result.output
    )


def test_test_runs_the_scenarios_with_full_coverage(offline: FlaskCliRunner) -> None:
    result = offline.invoke(args=["rules", "test"])
    assert result.exit_code == 0, result.output
    assert "PASS  administrator.yaml: a sedang penalty ending the day before" in result.output
    assert result.output.count("coverage 100%") == 2
    assert "FAIL" not in result.output


def test_test_fails_on_a_failing_scenario(offline: FlaskCliRunner, tmp_path: Path) -> None:
    target = tmp_path / "bkn-copy"
    shutil.copytree(PACKS_DIR / "bkn-national", target)
    scenario = target / "scenarios" / "administrator.yaml"
    scenario.write_text(
        scenario.read_text(encoding="utf-8").replace(
            "readiness: Siap Sekarang", "readiness: Belum siap", 1
        ),
        encoding="utf-8",
    )
    result = offline.invoke(args=["rules", "test", str(target)])
    assert result.exit_code == 1
    assert "FAIL  administrator.yaml: eligible, box 9, ready now" in result.output
    assert "readiness: expected Belum siap, got Ready now" in result.output


def _national(app: Flask) -> None:
    with app.extensions["meritflow"].db.transaction() as session:
        session.add(Tenant(code="BKN", name="Badan Kepegawaian Negara", level="national"))


def test_publish_needs_the_national_agency(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["rules", "publish", "bkn-national"])
    assert result.exit_code != 0
    assert "national agency" in result.output


def test_publish_is_idempotent_and_listed(app: Flask, runner: FlaskCliRunner) -> None:
    _national(app)
    first = runner.invoke(args=["rules", "publish", "--by", "tester"])
    assert first.exit_code == 0, first.output
    assert "published: bkn-national 2026.1.0" in first.output
    assert "published: kota-serang 2026.1.0" in first.output
    again = runner.invoke(args=["rules", "publish", "kota-serang"])
    assert "already published: kota-serang 2026.1.0" in again.output
    listing = runner.invoke(args=["rules", "list"])
    assert "kota-serang" in listing.output
    assert "by tester" in listing.output


def test_explain_a_profile_file_as_json(offline: FlaskCliRunner, tmp_path: Path) -> None:
    profile = tmp_path / "candidate.json"
    profile.write_text(json.dumps({**ADMINISTRATOR_CANDIDATE, "rank": "III/c"}), encoding="utf-8")
    result = offline.invoke(
        args=[
            "rules", "explain", "--pack", "bkn-national", "--profile", str(profile),
            "--level", "administrator", "--reference-date", "2026-03-01", "--json",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["status"] == "ineligible"
    assert data["failed"] == ["rank.minimum"]
    assert data["vacancy"]["reference_date"] == "2026-03-01"


def test_explain_a_vacancy_file_with_a_published_pack(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    _national(app)
    runner.invoke(args=["rules", "publish"])
    digest = load_shipped()["kota-serang"].digest
    profile = tmp_path / "candidate.json"
    profile.write_text(json.dumps(ADMINISTRATOR_CANDIDATE), encoding="utf-8")
    vacancy = tmp_path / "vacancy.json"
    vacancy.write_text(
        json.dumps({"level": "administrator", "reference_date": "2026-03-01", "code": "ADM-9"}),
        encoding="utf-8",
    )
    result = runner.invoke(
        args=[
            "rules",
            "explain",
            "--pack",
            digest,
            "--profile",
            str(profile),
            "--position-file",
            str(vacancy),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Pack kota-serang 2026.1.0" in result.output
    assert "serang.jpm.minimum" in result.output
    assert "Status: ELIGIBLE" in result.output


def test_explain_a_registry_candidate(app: Flask, runner: FlaskCliRunner) -> None:
    person = pool(1, seed=11)[0]
    with app.app_context(), db().transaction() as session:
        tenant = Tenant(code="kota-serang", name="Kota Serang", level="city")
        session.add(tenant)
        session.flush()
        session.add(
            Position(
                tenant_id=tenant.id,
                code="ADM-01",
                title="Kepala Bagian",
                level="administrator",
                unit="Setda",
            )
        )
        add_employee(session, person, tenant_id=tenant.id)
    result = runner.invoke(
        args=[
            "rules", "explain", "--pack", "bkn-national", "--position", "ADM-01",
            "--nip", person.nip, "--reference-date", "2026-03-01", "--json",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["candidate"]["nip"] == person.nip
    assert data["vacancy"]["code"] == "ADM-01"
    missing = runner.invoke(
        args=[
            "rules",
            "explain",
            "--pack",
            "bkn-national",
            "--position",
            "ADM-01",
            "--nip",
            "1" * 18,
        ]
    )
    assert missing.exit_code == 1
    assert "no employee with NIP" in missing.output


def test_explain_refuses_mixed_sources_and_bad_values(
    offline: FlaskCliRunner, tmp_path: Path
) -> None:
    both = offline.invoke(
        args=["rules", "explain", "--pack", "bkn-national", "--nip", "1", "--profile", "x.json"]
    )
    assert both.exit_code == 2
    bad = tmp_path / "bad.json"
    bad.write_text('{"nip": "123", "rank": "III/f", "birth_date": "1980-02-30"}', encoding="utf-8")
    invalid = offline.invoke(
        args=[
            "rules",
            "explain",
            "--pack",
            "bkn-national",
            "--profile",
            str(bad),
            "--level",
            "administrator",
        ]
    )
    assert invalid.exit_code == 1
    assert "field rank: expected one of" in invalid.output
    assert "field birth_date: expected a date" in invalid.output


def test_explain_reads_a_what_if_profile_leniently(offline: FlaskCliRunner, tmp_path: Path) -> None:
    data = {
        key: value
        for key, value in ADMINISTRATOR_CANDIDATE.items()
        if key not in ("birth_date", "nip")
    }
    data.update(nip="TEST-1", tenant_code="kota-serang", colour="blue")
    profile = tmp_path / "what-if.json"
    profile.write_text(json.dumps(data), encoding="utf-8")
    result = offline.invoke(
        args=[
            "rules", "explain", "--pack", "bkn-national", "--profile", str(profile),
            "--level", "jpt_pratama", "--reference-date", "2026-03-01", "--json",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "warning: file " in result.stderr
    assert "field colour: unknown field, ignored" in result.stderr
    assert "field nip: not an 18-digit NIP" in result.stderr
    assert "field birth_date: not given: unknown" in result.stderr
    explained = json.loads(result.stdout)
    age = next(c for c in explained["criteria"] if c["id"] == "age.maximum")
    assert age["outcome"] == "missing_data"
    assert explained["status"] == "ineligible"  # missing data never hides a real failure

"""``flask audit verify | checkpoint | export`` report plainly and exit non-zero when broken."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import text

from api import create_app
from config import Settings
from tests.support.ledger import add_tenants, clock, fill
from workflow.core.db import Database
from workflow.ledger.checkpoints import Signer


def _db(app: Flask) -> Database:
    database: Database = app.extensions["meritflow"].db
    return database


def _filled(app: Flask) -> dict[str, int]:
    ids = add_tenants(_db(app), "36", "3673")
    at = clock()
    fill(_db(app), ids["36"], 3, at)
    fill(_db(app), ids["3673"], 2, at)
    return ids


def _break_entry_2_of_36(app: Flask, ids: dict[str, int]) -> None:
    database = _db(app)
    with database.transaction() as session:
        if database.is_sqlite:
            session.execute(text("DROP TRIGGER ledger_entry_no_update"))
        else:
            session.execute(text("SET LOCAL session_replication_role = replica"))
        session.execute(
            text("UPDATE ledger_entry SET body = body || ' ' WHERE tenant_id = :t AND seq = 2"),
            {"t": ids["36"]},
        )


def test_verify_an_empty_ledger(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert result.output == "the ledger is empty\n"


def test_verify_checkpoint_verify(app: Flask, runner: FlaskCliRunner, settings: Settings) -> None:
    _filled(app)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "36: ok, 3 entries verified, 0 checkpoints checked",
        "3673: ok, 2 entries verified, 0 checkpoints checked",
    ]
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0, result.output
    written = [Path(line) for line in result.stdout.splitlines()]
    assert [p.parent for p in written] == [
        settings.checkpoint_dir / "36",
        settings.checkpoint_dir / "3673",
    ]
    assert all(p.is_file() for p in written)
    assert (settings.instance_path / "ledger-signing.key").is_file()
    result = runner.invoke(args=["audit", "verify", "--tenant", "3673"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "3673: ok, 2 entries verified, 1 checkpoint checked\n"


def test_verify_names_the_first_broken_entry_and_fails(app: Flask, runner: FlaskCliRunner) -> None:
    ids = _filled(app)
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    _break_entry_2_of_36(app, ids)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "36: BROKEN at entry 2: entry_hash does not match the SHA-256 of the body "
        "(1 entry verified, 0 checkpoints checked)"
    )
    assert lines[-1] == "3673: ok, 2 entries verified, 1 checkpoint checked"
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 1
    assert "36: NOT signed, the chain does not verify: tenant 36, entry 2:" in result.stderr
    assert len(result.stdout.splitlines()) == 1


def test_verify_with_pinned_keys(app: Flask, runner: FlaskCliRunner) -> None:
    _filled(app)
    assert runner.invoke(args=["audit", "checkpoint", "--tenant", "36"]).exit_code == 0
    stranger = Signer.from_seed("someone-else", b"\x09" * 32).verifier.encode()
    result = runner.invoke(args=["audit", "verify", "--tenant", "36", "--trusted-key", stranger])
    assert result.exit_code == 1
    assert result.stdout.startswith("36: checkpoint problems (3 entries verified")
    assert "unknown key id meritflow-dev+" in result.stdout
    result = runner.invoke(args=["audit", "verify", "--trusted-key", "nonsense"])
    assert result.exit_code == 1
    assert "Error: a verifier key is" in result.output


def test_unknown_tenant_is_an_error(app: Flask, runner: FlaskCliRunner) -> None:
    _filled(app)
    for command in ("verify", "checkpoint", "export"):
        result = runner.invoke(args=["audit", command, "--tenant", "99"])
        assert result.exit_code == 1
        assert "Error: no tenant '99'" in result.output


def test_checkpoint_of_an_empty_ledger(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0
    assert result.output == "nothing to checkpoint: the ledger is empty\n"


def test_export_to_stdout_and_to_a_file(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    _filled(app)
    result = runner.invoke(args=["audit", "export"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["tenant"], r["seq"]) for r in records] == [
        ("36", 1),
        ("36", 2),
        ("36", 3),
        ("3673", 1),
        ("3673", 2),
    ]
    target = tmp_path / "ledger.jsonl"
    result = runner.invoke(args=["audit", "export", "--tenant", "3673", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == f"2 entries written to {target}\n"
    assert target.read_text("utf-8").splitlines() == result_lines_for(records, "3673")


def result_lines_for(records: list[dict[str, object]], tenant: str) -> list[str]:
    return [json.dumps(r, separators=(",", ":")) for r in records if r["tenant"] == tenant]


def test_a_key_name_with_a_slash_stays_in_keys_and_verifies(settings: Settings) -> None:
    """C2SP key names may hold '/': the published key is one file in keys/, found again by a
    plain `audit verify` (no pinned keys)."""
    app = create_app(dataclasses.replace(settings, ledger_key_id="bkn.go.id/ledger"))
    runner = app.test_cli_runner()
    _filled(app)
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    keys = settings.checkpoint_dir / "keys"
    published = list(keys.iterdir())
    assert len(published) == 1
    assert published[0].is_file()
    assert published[0].name.startswith("bkn.go.id%2Fledger+")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "36: ok, 3 entries verified, 1 checkpoint checked",
        "3673: ok, 2 entries verified, 1 checkpoint checked",
    ]
    _db(app).dispose()

"""An auditor's verifier, written from docs/ledger.md §4 and §6 with the standard library only.

Nothing from the project is imported by ``independent_verify``: if the documented format were
not enough to check an export, this could not pass.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from flask import Flask
from flask.testing import FlaskCliRunner

from tests.support.ledger import add_tenants, clock, fill
from workflow.core.db import Database
from workflow.ledger import chain as ledger

MEMBERS = {"format", "tenant", "seq", "prev", "at", "kind", "actor", "data"}


def independent_verify(lines: Iterable[str]) -> dict[str, str]:
    """Return, per tenant, ``ok <size> <head>`` or ``broken at <seq>: <why>`` (docs §6 step 2)."""
    chains: dict[str, list[dict[str, object]]] = {}
    for line in lines:
        record = json.loads(line)
        chains.setdefault(record["tenant"], []).append(record)
    verdicts = {}
    for tenant, records in chains.items():
        expected, prev = 1, "0" * 64
        verdict = ""
        for record in records:
            body_text = record["body"]
            assert isinstance(body_text, str)
            if record["seq"] != expected:
                verdict = f"broken at {expected}: missing"
                break
            if hashlib.sha256(body_text.encode("utf-8")).hexdigest() != record["entry_hash"]:
                verdict = f"broken at {expected}: hash"
                break
            if record["prev_hash"] != prev:
                verdict = f"broken at {expected}: link"
                break
            body = json.loads(body_text)
            if (
                not isinstance(body, dict)
                or set(body) != MEMBERS
                or body["format"] != "meritflow-ledger/1"
                or body["tenant"] != tenant
                or type(body["seq"]) is not int
                or body["seq"] != record["seq"]
                or body["prev"] != record["prev_hash"]
                or body["kind"] != record["kind"]
            ):
                verdict = f"broken at {expected}: body"
                break
            # RFC 8785 for these bodies: no floats, and keys whose code point order is the
            # UTF-16 order (all below U+D800), so Python's sorted compact form is canonical
            canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            if canonical != body_text:
                verdict = f"broken at {expected}: not canonical"
                break
            prev = str(record["entry_hash"])
            expected += 1
        verdicts[tenant] = verdict or f"ok {expected - 1} {prev}"
    return verdicts


def _exported(app: Flask, runner: FlaskCliRunner) -> list[str]:
    database: Database = app.extensions["meritflow"].db
    ids = add_tenants(database, "36", "3673")
    at = clock()
    fill(database, ids["36"], 7, at)
    fill(database, ids["3673"], 4, at)
    fill(database, ids["36"], 2, at)
    result = runner.invoke(args=["audit", "export"])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_an_export_verifies_with_an_independent_program(app: Flask, runner: FlaskCliRunner) -> None:
    lines = _exported(app, runner)
    report = ledger.verify(app.extensions["meritflow"].db)
    assert report.ok
    assert independent_verify(lines) == {
        t.tenant: f"ok {t.entries} {t.head}" for t in report.tenants
    }


def test_the_independent_program_catches_tampered_exports(
    app: Flask, runner: FlaskCliRunner
) -> None:
    lines = _exported(app, runner)
    record = json.loads(lines[4])
    assert (record["tenant"], record["seq"]) == ("36", 5)
    record["body"] = record["body"].replace('"vacancy":', '"vacancy":1')
    edited = [*lines[:4], json.dumps(record), *lines[5:]]
    assert independent_verify(edited)["36"] == "broken at 5: hash"
    assert independent_verify(lines[:2] + lines[3:])["36"] == "broken at 3: missing"
    swapped = [lines[1], lines[0], *lines[2:]]
    assert independent_verify(swapped)["36"] == "broken at 1: missing"
    assert independent_verify(lines)["3673"].startswith("ok 4 ")

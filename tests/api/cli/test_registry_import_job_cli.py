"""``flask registry import --queue``: the operator's import as a ``registry_import`` job whose
files wait in the database for a worker; any agency's records, by the system, seen by the
operator's command line only (``flask jobs show``), not by any user of the API."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner

from api import create_app
from config import Settings
from tests.api.cli.test_registry_cli import lines
from tests.api.conftest import World
from tests.support.registry_files import table_counts, write_set
from workflow import jobs


def test_queued_in_process_it_answers_as_the_import_does(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    directory = write_set(tmp_path / "set")
    empty = runner.invoke(args=["registry", "import", "--queue", str(directory)])
    assert empty.exit_code == 1
    assert "no agency in the registry yet" in empty.output
    first = runner.invoke(args=["registry", "import", str(directory / "tenants.csv")])
    assert first.exit_code == 0, first.output
    result = runner.invoke(args=["registry", "import", "--queue", str(directory)])
    assert result.exit_code == 0, result.output
    assert "employees: 3 created 0 changed 0 unchanged" in lines(result.output)
    shown = runner.invoke(args=["jobs", "show", "1"])
    assert shown.exit_code == 0, shown.output
    job = json.loads(shown.output)
    assert (job["kind"], job["state"]) == ("registry_import", "succeeded")


def test_queued_a_worker_imports_it_and_no_api_user_sees_it(
    settings: Settings, world: World, tmp_path: Path
) -> None:
    application = create_app(
        dataclasses.replace(settings, jobs_eager=False, jobs_broker_url="memory://")
    )
    try:
        runner = application.test_cli_runner()
        database = application.extensions["meritflow"].db
        before = table_counts(database)
        directory = write_set(tmp_path / "set")
        result = runner.invoke(args=["registry", "import", "--queue", str(directory)])
        assert result.exit_code == 0, result.output
        job_id = int(result.output.split("queued as job ")[1].split()[0])
        assert f"flask jobs show {job_id}" in result.output
        assert table_counts(database) == before
        jobs.run_import(application.extensions["meritflow"].jobs, job_id=job_id)
        after = table_counts(database)
        assert after["employee"] == before["employee"] + 3
        job = json.loads(runner.invoke(args=["jobs", "show", str(job_id)]).output)
        assert (job["state"], job["error"]) == ("succeeded", None)
        client = application.test_client()
        for user in ("national.hr", "province.hr", "national.national_reviewer"):
            seen = client.get(f"/api/v1/jobs/{job_id}", headers=world.headers(user))
            assert seen.status_code == 404, user
    finally:
        application.extensions["meritflow"].db.dispose()

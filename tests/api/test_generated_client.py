"""A client generated from the OpenAPI document alone (openapi-python-client) carries a vacancy
from open to closed: the contract is enough to drive the workflow, versions and all."""

from __future__ import annotations

import datetime as dt
import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from flask import Flask

from bench.pool import REFERENCE_DATE
from tests.api.conftest import World
from tests.api.test_e2e_vacancy import Candidates, seed_candidates
from workflow.core.db import Database

PACKAGE = "meritflow_generated_client"
GENERATE = ("generate", "--path", "openapi.json", "--meta", "none", "--output-path", PACKAGE)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ModuleType]]:
    """Generate the client from the app's OpenAPI document into a temporary folder; import it."""
    from api import create_app
    from config import Settings

    root = tmp_path_factory.mktemp("client")
    settings = Settings(
        app_env="test",
        database_url=f"sqlite:///{root / 'spec.db'}",
        instance_path=root / "instance",
        checkpoint_dir=root / "checkpoints",
        log_level="WARNING",
    )
    app = create_app(settings)
    (root / "openapi.json").write_bytes(app.test_client().get("/api/openapi.json").data)
    app.extensions["meritflow"].db.dispose()
    tool = Path(sys.executable).parent / "openapi-python-client"
    result = subprocess.run(
        [str(tool), *GENERATE],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(root))
    try:
        names = [
            "client",
            "api.vacancies.create_vacancy",
            "api.vacancies.act",
            "api.vacancies.get_vacancy",
            "models",
        ]
        yield {name: importlib.import_module(f"{PACKAGE}.{name}") for name in names}
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.startswith(PACKAGE)]:
            del sys.modules[name]


@pytest.fixture
def candidates(database: Database, world: World) -> Candidates:
    return seed_candidates(database, world)


def test_a_generated_client_drives_a_vacancy_to_closed(
    generated: dict[str, ModuleType], api_app: Flask, world: World, candidates: Candidates
) -> None:
    client_module, models = generated["client"], generated["models"]
    create_vacancy = generated["api.vacancies.create_vacancy"]
    act = generated["api.vacancies.act"]
    get_vacancy = generated["api.vacancies.get_vacancy"]
    clients: dict[str, Any] = {}

    def as_user(user: str) -> Any:
        if user not in clients:
            client = client_module.AuthenticatedClient(base_url="http://meritflow", token="x")
            client.set_httpx_client(
                httpx.Client(
                    base_url="http://meritflow",
                    transport=httpx.WSGITransport(app=api_app),
                    headers=world.headers(user),
                )
            )
            clients[user] = client
        return clients[user]

    body = models.VacancyCreate.from_dict(
        {
            "position": world.admin_position_code["province"],
            "title": "Kepala Bagian Umum",
            "reference_date": REFERENCE_DATE.isoformat(),
        }
    )
    opened = create_vacancy.sync_detailed(
        client=as_user("province.hr"), body=body, idempotency_key="gen-open"
    )
    assert opened.status_code == 201
    assert opened.parsed.replayed is False
    again = create_vacancy.sync_detailed(
        client=as_user("province.hr"), body=body, idempotency_key="gen-open"
    )
    assert (again.status_code, again.parsed.id, again.parsed.replayed) == (
        201,
        opened.parsed.id,
        True,
    )
    vacancy_id, etag = opened.parsed.id, opened.headers["ETag"]
    version = opened.parsed.version
    today = dt.datetime.now(dt.UTC).date().isoformat()
    steps: list[tuple[str, str, dict[str, Any] | None]] = [
        ("province.hr", "submit", None),
        ("province.all", "start_screening", None),
        ("province.committee", "vote", {"decision": "approve"}),
        ("province.committee2", "vote", {"decision": "approve"}),
        (
            "province.authority",
            "decide",
            {"candidate": candidates.eligible[0], "justification": "The best-ranked candidate."},
        ),
        ("national.national_reviewer", "approve_technical", {"reference": "PERTEK/2026/1"}),
        ("province.all", "issue_decree", {"decree_number": "800/1/2026", "decree_date": today}),
        ("province.all", "close", {"inauguration_date": today}),
    ]
    for number, (user, action, payload) in enumerate(steps):
        answer = act.sync_detailed(
            vacancy_id,
            models.ActAction(action),
            client=as_user(user),
            body=models.VacancyActionCreate.from_dict(payload) if payload else _unset(),
            if_match=etag,
            idempotency_key=f"gen-{number}",
        )
        assert answer.status_code == 200, (action, answer.content)
        result = answer.parsed
        # every applied step moved the version by one: a client can follow it
        assert result.vacancy.version == version + len(result.applied), (action, result.applied)
        assert result.applied[0] == action
        version, etag = result.vacancy.version, answer.headers["ETag"]
        assert etag == f'"{version}"'
    final = get_vacancy.sync_detailed(vacancy_id, client=as_user("province.auditor"))
    assert final.parsed.state.value == "closed"
    assert final.headers["ETag"] == etag


def _unset() -> Any:
    types = importlib.import_module(f"{PACKAGE}.types")
    return types.UNSET

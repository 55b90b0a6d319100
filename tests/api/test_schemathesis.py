"""Schemathesis against the app's own OpenAPI document: every operation through every phase
(examples, coverage, fuzzing, stateful), all checks, positive and negative data, as users of two
agencies (province and city), at least 50 examples per operation; zero failures allowed.

It runs schemathesis's own engine in-process (the app is a WSGI app), which is what the CLI
runs, so every check of ``schemathesis run`` applies."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from flask import Flask
from schemathesis.engine import Status, events, from_schema
from schemathesis.generation.meta import TestPhase
from schemathesis.transport.wsgi import WSGITransport

from api import create_app
from config import Settings
from tests.api.conftest import World

MAX_EXAMPLES = 50
OK = ["2xx", "401", "403", "404", "409", "429"]
"""What schemathesis accepts by default for schema-valid data."""


def _config() -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": 20261124,
            "generation": {"mode": "all", "deterministic": True, "max-examples": MAX_EXAMPLES},
            "operations": [
                # Each override names one operation: the first matching entry decides an
                # option, and include-path/include-method filters are alternatives (an entry
                # with both would match every POST).
                {
                    # A random If-Match is well-formed but never the current version (412); a
                    # schema-valid payload can still miss a field the action requires or fail
                    # its guard (422). Missing If-Match is 428 (RFC 6585), a missing
                    # Idempotency-Key 400.
                    "include-name": "POST /api/v1/vacancies/{vacancy_id}/actions/{action}",
                    "checks": {
                        "positive_data_acceptance": {"expected-statuses": [*OK, "412", "422"]},
                        "missing_required_header": {
                            "expected-statuses": ["400", "401", "403", "406", "415", "422", "428"]
                        },
                    },
                },
                {
                    # A schema-valid new vacancy can name a position code or pack the caller's
                    # agency does not have (422 naming the field), and a reused random
                    # Idempotency-Key with another body is a 422. A missing Idempotency-Key
                    # is a 400 naming the header.
                    "include-name": "POST /api/v1/vacancies",
                    "checks": {
                        "positive_data_acceptance": {"expected-statuses": [*OK, "422"]},
                        "missing_required_header": {
                            "expected-statuses": ["400", "401", "403", "406", "415", "422"]
                        },
                    },
                },
                {
                    # A schema-valid delegation can break a rule the schema cannot state (a
                    # role the caller does not hold, over 90 days, a chain):
                    # 422 naming it.
                    "include-name": "POST /api/v1/delegations",
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*OK, "422"]}},
                },
                {
                    # A schema-valid development activity can name a competency outside the
                    # pack's standard, a date in the future or a leadership training on an
                    # activity that is not a training: 422 naming the field.
                    "include-name": "POST /api/v1/talent/development/{nip}/activities",
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*OK, "422"]}},
                },
                {
                    # A schema-valid new user can still break a rule the schema cannot state:
                    # national_reviewer outside the national agency, or an employee NIP that
                    # is not of the caller's agency. Those are 422 with the field named.
                    "include-name": "POST /api/v1/users",
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*OK, "422"]}},
                },
                {
                    # A random If-Match is well-formed but never the current ETag (412), and a
                    # schema-valid role list can hold national_reviewer outside BKN (422).
                    "include-name": "PATCH /api/v1/users/{user_id}",
                    "checks": {
                        "positive_data_acceptance": {"expected-statuses": [*OK, "412", "422"]},
                        # RFC 6585: a missing If-Match on a conditional-only operation is 428.
                        "missing_required_header": {
                            "expected-statuses": ["400", "401", "403", "406", "415", "422", "428"]
                        },
                        # Every field of the change is optional, so an absent body is no change
                        # and the random If-Match then fails first: 412 (it showed once the
                        # seeded world's user ids moved with the employee users).
                        "negative_data_rejection": {
                            "expected-statuses": [
                                "400",
                                "401",
                                "403",
                                "404",
                                "405",
                                "406",
                                "409",
                                "412",
                                "415",
                                "422",
                                "428",
                                "429",
                                "5xx",
                            ]
                        },
                    },
                },
                {
                    # National monitoring reads its reference date within 2000-2100 (422
                    # naming the field).
                    "include-name": "GET /api/v1/talent/national",
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*OK, "422"]}},
                },
                {
                    # A plan's reference date is read within 2000-2100 (422 naming the field).
                    "include-name": "GET /api/v1/talent/development/{nip}",
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*OK, "422"]}},
                },
                {
                    # The body needs exactly one of nip/profile and one of position_id/vacancy,
                    # and a profile is checked field by field by CandidateProfile.from_json:
                    # rules the schema (free-form objects) cannot state, so 422 naming the field.
                    "include-name": "POST /api/v1/rule-packs/{digest}/explain",
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*OK, "422"]}},
                },
                {
                    # A schema-valid run can name a date outside the pack's effective period,
                    # or leave out the agencies a BKN caller must name: 422 naming the field.
                    "include-name": "POST /api/v1/talent/runs",
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*OK, "422"]}},
                },
                {
                    # A schema-valid position id can name a position that is not a key
                    # position, and a date outside the pack's period: 422 naming the field.
                    "include-name": "GET /api/v1/talent/key-positions/{position_id}/successors",
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*OK, "422"]}},
                },
                {
                    # A schema-valid new succession group can name a position that is not a key
                    # position or has no successor, or NIPs not among its successors (422
                    # naming the field), or meet a group of that year still open (409).
                    "include-name": "POST /api/v1/talent/succession-groups",
                    "checks": {
                        "positive_data_acceptance": {"expected-statuses": [*OK, "409", "422"]}
                    },
                },
                *(
                    {
                        # A random revision is well-formed but never the group's current one,
                        # or the group is in another state (409); a revised member list can
                        # name NIPs outside the successors (422).
                        "include-name": "POST /api/v1/talent/succession-groups/{group_id}/"
                        + action,
                        "checks": {
                            "positive_data_acceptance": {"expected-statuses": [*OK, "409", "422"]}
                        },
                    }
                    for action in ("propose", "revise", "approve", "return")
                ),
                {
                    # The path's integer is a box only within 1-9 (422 naming the field).
                    "include-name": "GET /api/v1/talent/runs/{run_id}/boxes/{box}/people",
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*OK, "422"]}},
                },
                {
                    # A schema-valid upload is arbitrary bytes under arbitrary file names: only
                    # the file rules of docs/import.md, which a schema cannot state (names of
                    # the CSV set, headers, row checks), decide, so 422 with problems is right.
                    "include-name": "POST /api/v1/registry/imports",
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*OK, "422"]}},
                },
            ],
        }
    )


@pytest.fixture(autouse=True)
def _wsgi_probe_without_network_options(monkeypatch: pytest.MonkeyPatch) -> None:
    """Work around schemathesis 4.32.5 handing requests-only options to werkzeug.

    The ``ignored_auth`` check re-sends a case without its session, and the in-process WSGI
    transport then passes ``max_redirects``/``verify``/``cert`` to werkzeug's test client,
    which refuses them; they mean nothing in-process, so they are dropped here.
    """
    original = WSGITransport.send

    def send(self: WSGITransport, case: Any, *, session: Any = None, **kwargs: Any) -> Any:
        if session is None:
            for name in ("max_redirects", "verify", "cert", "proxies"):
                kwargs.pop(name, None)
        return original(self, case, session=session, **kwargs)

    monkeypatch.setattr(WSGITransport, "send", send)


@pytest.fixture
def fuzzed_app(settings: Settings, world: World) -> Iterator[Flask]:
    """The app on the seeded database; the failure throttle is out of the fuzzer's way (it
    has its own tests), since the fuzzer sends invalid tokens on purpose."""
    application = create_app(settings.replace(auth_failure_limit=1_000_000))
    yield application
    application.extensions["meritflow"].db.dispose()


def _failures(app: Flask, tokens: list[str]) -> tuple[list[str], int]:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=_config())
    turns = itertools.cycle(tokens)

    @schema.auth.auth(refresh_interval=None)
    class TakeTurns:
        """Each case is sent as the next agency's user in turn; a stateful scenario (create,
        then read what was created) stays with one user, as another agency's user is rightly
        told the new object does not exist."""

        def get(self, case: schemathesis.Case, ctx: Any) -> str:
            if case.meta is not None and case.meta.phase.name == TestPhase.STATEFUL:
                return tokens[0]
            return next(turns)

        def set(self, case: schemathesis.Case, data: str, ctx: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    failures: list[str] = []
    scenarios = 0
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            scenarios += 1
            if event.status in (Status.FAILURE, Status.ERROR):
                failures.extend(_describe(event))
        elif isinstance(event, events.NonFatalError | events.FatalError):
            failures.append(f"{getattr(event, 'label', 'run')}: {event.info.format()}")
    return failures, scenarios


def _describe(event: Any) -> list[str]:
    found = []
    for case_id, checks in event.recorder.checks.items():
        for check in checks:
            if check.status == Status.FAILURE and check.failure_info is not None:
                case = event.recorder.cases[case_id].value
                found.append(
                    f"{event.label} [{check.name}] {check.failure_info.failure.title}: "
                    f"{check.failure_info.failure.message}\n  {check.failure_info.code_sample}"
                    f"\n  {case.method} {case.path} {case.path_parameters} {case.query}"
                    f" {case.body!r}"
                )
    return found or [f"{event.label}: {event.status}"]


def test_api_conforms_to_its_document(fuzzed_app: Flask, world: World) -> None:
    tokens = [world.tokens["province.all"], world.tokens["city.all"]]
    failures, scenarios = _failures(fuzzed_app, tokens)
    assert scenarios > 0
    assert not failures, "\n\n".join(failures)

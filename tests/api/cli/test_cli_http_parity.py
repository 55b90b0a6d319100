"""The same bad input through the CLI and through HTTP gets the same error.

Each case below is sent once as a command (``FlaskCliRunner``) and once as a request (the test
client with a bearer token). The CLI names the error's kind (``NotFound``, ``Refused`` …), HTTP
answers a status; :data:`KIND_STATUS` is the correspondence the two must keep. Both must carry
the same text (the problem ``detail``), the same rule for a refusal, the same listed problems
and the same other members (``possible``, ``current_version`` …). Input a request schema refuses
is compared by its field messages (over HTTP the ``detail`` of such a 422 is the generic text).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from werkzeug.test import TestResponse

from tests.api.conftest import World
from tests.api.test_e2e_vacancy import Candidates, seed_candidates
from workflow.core import Database
from workflow.vacancies import run_pending_screenings

KIND_STATUS = {
    "NotFound": 404,
    "InvalidInput": 422,
    "Conflict": 409,
    "Refused": 403,
    "PreconditionFailed": 412,
    "GuardFailed": 422,
    "IdempotencyMismatch": 422,
}
"""What HTTP must answer for each kind of error the CLI reports."""

_FIRST_LINE = re.compile(
    r"Error: (?P<detail>.*) \[(?P<kind>\w+) (?P<status>\d{3})(?:, rule (?P<rule>[\w-]+))?\]"
)
_STANDARD = {"type", "title", "status", "detail", "instance", "rule", "problems", "errors"}
UNKNOWN_NIP = "199901012020011999"
"""A well-formed NIP no employee has."""
ELIGIBLE_2 = "<eligible 2>"
"""Stands for the NIP of the second eligible candidate (known once the pool is seeded)."""


@dataclass(frozen=True)
class Answer:
    """An error as one adapter gave it."""

    status: int
    detail: str | None
    rule: str | None
    problems: frozenset[str]
    """``field: message`` of each listed problem (or each field the request schema refused)."""
    members: frozenset[str]
    """``name: value`` of every other member of the problem."""
    kind: str | None = None


def _value(value: Any) -> str:
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return ", ".join(str(v) for v in value)
    return str(value)


def _flatten(messages: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            yield from _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(messages, list):
        for message in messages:
            yield from _flatten(message, prefix)
    else:
        yield f"{prefix}: {messages}"


def _json(response: TestResponse, status: int) -> dict[str, Any]:
    body: dict[str, Any] = response.json or {}
    assert response.status_code == status, body
    return body


def http_answer(response: TestResponse) -> Answer:
    """Read the problem+json of a failed request."""
    assert response.headers["Content-Type"] == "application/problem+json", response.data
    body: dict[str, Any] = response.json or {}
    problems = {f"{p['field']}: {p['message']}" for p in body.get("problems", [])}
    problems |= set(_flatten(body.get("errors", {}).get("json", {})))
    members = {f"{k}: {_value(v)}" for k, v in body.items() if k not in _STANDARD}
    return Answer(
        status=response.status_code,
        detail=body.get("detail"),
        rule=body.get("rule"),
        problems=frozenset(problems),
        members=frozenset(members),
    )


def cli_answer(output: str) -> Answer:
    """Read the error a command reported on stderr."""
    first, *rest = output.rstrip("\n").split("\n")
    match = _FIRST_LINE.fullmatch(first)
    assert match is not None, output
    problems = {line.removeprefix("  field ") for line in rest if line.startswith("  field ")}
    members = {line.strip() for line in rest if not line.startswith("  field ")}
    return Answer(
        status=int(match["status"]),
        detail=match["detail"],
        rule=match["rule"],
        problems=frozenset(problems),
        members=frozenset(members),
        kind=match["kind"],
    )


@dataclass
class Setting:
    """The seeded world, both adapters, and the vacancies the cases act on."""

    world: World
    api: FlaskClient
    runner: FlaskCliRunner
    ids: dict[str, int] = field(default_factory=dict)
    """``draft``, ``city_draft``, ``submitted``, ``committee``, ``authority``."""
    eligible: list[str] = field(default_factory=list)
    _keys: Iterator[int] = field(default_factory=itertools.count)

    def key(self) -> str:
        return f"parity-{next(self._keys)}"

    def fill(self, data: dict[str, str]) -> dict[str, str]:
        """Return ``data`` with the placeholder ``<eligible 2>`` replaced by that NIP."""
        return {k: v.replace(ELIGIBLE_2, self.eligible[1]) for k, v in data.items()}

    def read(self, name: str) -> dict[str, Any]:
        """Return a vacancy as a national auditor reads it."""
        response = self.api.get(
            f"/api/v1/vacancies/{self.ids[name]}", headers=self.world.headers("national.auditor")
        )
        return _json(response, 200)

    def version(self, name: str) -> int:
        return 1 if name == "missing" else int(self.read(name)["version"])

    # ---------------------------------------------------------------- HTTP

    def post(self, user: str, url: str, body: dict[str, Any], **headers: str) -> TestResponse:
        sent = {**self.world.headers(user), "Idempotency-Key": self.key(), **headers}
        return self.api.post(f"/api/v1{url}", json=body, headers=sent)

    def http_act(
        self, user: str, vacancy_id: int, action: str, version: int, **body: Any
    ) -> TestResponse:
        url = f"/vacancies/{vacancy_id}/actions/{action}"
        return self.post(user, url, body, **{"If-Match": f'"{version}"'})

    def http_open(self, user: str, **changes: Any) -> TestResponse:
        body = {
            "position": self.world.admin_position_code["province"],
            "title": "Kepala Bagian Umum",
            "reference_date": "2026-03-01",
        } | changes
        return self.post(user, "/vacancies", body)

    # ---------------------------------------------------------------- CLI

    @staticmethod
    def cli_act(user: str, vacancy_id: int, action: str, version: int, **data: str) -> list[str]:
        args = ["vacancy", "act", str(vacancy_id), action, "--as", user, "--version", str(version)]
        if "on_behalf_of" in data:
            args += ["--on-behalf-of", data.pop("on_behalf_of")]
        for name, value in data.items():
            args += ["-d", f"{name}={value}"]
        return args

    def cli_open(self, user: str, *extra: str, title: str = "Kepala Bagian Umum") -> list[str]:
        position = self.world.admin_position_code["province"]
        return [
            *("vacancy", "open", "--as", user, "--position", position, "--title", title),
            *("--reference-date", "2026-03-01", *extra),
        ]


@dataclass(frozen=True)
class Case:
    """One bad input, as a command and as a request, and the error both must report."""

    name: str
    kind: str
    cli: Callable[[Setting], list[str]]
    http: Callable[[Setting], TestResponse]
    rule: str | None = None
    schema: bool = False
    """Refused by the request schema: compare the field messages, not the ``detail``."""


def _act(
    user: str, vacancy: str, action: str, *, stale: bool = False, **data: str
) -> tuple[Callable[[Setting], list[str]], Callable[[Setting], TestResponse]]:
    """The same action as a command and as a request (``stale``: with a version not current)."""

    def version(s: Setting) -> int:
        return s.version(vacancy) + (5 if stale else 0)

    return (
        lambda s: s.cli_act(user, s.ids[vacancy], action, version(s), **s.fill(data)),
        lambda s: s.http_act(user, s.ids[vacancy], action, version(s), **s.fill(data)),
    )


def _open(
    user: str, cli: tuple[str, ...] = (), **body: Any
) -> tuple[Callable[[Setting], list[str]], Callable[[Setting], TestResponse]]:
    return (lambda s: s.cli_open(user, *cli), lambda s: s.http_open(user, **body))


def _delegate(
    user: str, to: str, role: str
) -> tuple[Callable[[Setting], list[str]], Callable[[Setting], TestResponse]]:
    def http(s: Setting) -> TestResponse:
        ends = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()
        body = {"delegate": to, "role": role, "ends_at": ends, "reason": "dinas luar"}
        return s.api.post("/api/v1/delegations", json=body, headers=s.world.headers(user))

    cli = [
        *("delegation", "create", "--as", user, "--to", to, "--role", role),
        *("--days", "3", "--reason", "dinas luar"),
    ]
    return (lambda _s: cli, http)


def _reused_key() -> tuple[Callable[[Setting], list[str]], Callable[[Setting], TestResponse]]:
    """Open a vacancy, then send another request with the same idempotency key."""

    def cli(s: Setting) -> list[str]:
        first = s.runner.invoke(args=s.cli_open("province.hr", "--key", "k1", title="A"))
        assert first.exit_code == 0, first.output
        return s.cli_open("province.hr", "--key", "k1", title="B")

    def http(s: Setting) -> TestResponse:
        body = {
            "position": s.world.admin_position_code["province"],
            "reference_date": "2026-03-01",
        }
        first = s.post(
            "province.hr", "/vacancies", body | {"title": "A"}, **{"Idempotency-Key": "k2"}
        )
        _json(first, 201)
        return s.post(
            "province.hr", "/vacancies", body | {"title": "B"}, **{"Idempotency-Key": "k2"}
        )

    return cli, http


def _show(
    user: str, vacancy: str | int, path: str = ""
) -> tuple[Callable[[Setting], list[str]], Callable[[Setting], TestResponse]]:
    def vid(s: Setting) -> int:
        return vacancy if isinstance(vacancy, int) else s.ids[vacancy]

    return (
        lambda s: ["vacancy", "show", str(vid(s)), "--as", user],
        lambda s: s.api.get(f"/api/v1/vacancies/{vid(s)}{path}", headers=s.world.headers(user)),
    )


MISSING = 2_000_000_000
"""A vacancy id no test creates."""

CASES = [
    Case("unknown vacancy id", "NotFound", *_act("province.hr", "missing", "submit")),
    Case("unknown vacancy id, read", "NotFound", *_show("province.hr", MISSING)),
    Case("another agency's vacancy", "NotFound", *_act("city.hr", "draft", "submit")),
    Case("another agency's history", "NotFound", *_show("city.auditor", "draft", "/history")),
    Case("unknown position code", "InvalidInput", *_open("province.hr", ("--position", "NOPE"), position="NOPE")),  # noqa: E501
    Case("unknown rule pack", "InvalidInput", *_open("province.hr", ("--pack", "no-such-pack"), pack="no-such-pack")),  # noqa: E501
    Case("unknown candidate agency", "InvalidInput", *_open("province.hr", ("--candidates", "99.99"), candidate_tenants=["99.99"])),  # noqa: E501
    Case("a national user opens", "Refused", *_open("national.hr")),
    Case("reference date is no date", "InvalidInput", *_open("province.hr", ("--reference-date", "2026-02-30"), reference_date="2026-02-30"), schema=True),  # noqa: E501
    Case("reused idempotency key", "IdempotencyMismatch", *_reused_key()),
    Case("wrong state for the action", "Conflict", *_act("province.hr", "draft", "issue_decree", decree_number="1")),  # noqa: E501
    Case("a role the user lacks", "Refused", *_act("province.committee", "draft", "submit"), rule="ROLE"),  # noqa: E501
    Case("national user on an agency step", "Refused", *_act("national.hr", "draft", "submit"), rule="NATIONAL-READ-ONLY"),  # noqa: E501
    Case("submitter acts later", "Refused", *_act("province.hr", "submitted", "cancel", reason="x"), rule="SOD-SUBMITTER"),  # noqa: E501
    Case("acting for someone without a delegation", "Refused", *_act("province.committee", "draft", "submit", on_behalf_of="province.hr"), rule="DELEGATION"),  # noqa: E501
    Case("a candidate votes", "Refused", *_act("province.candidate", "committee", "vote", decision="approve"), rule="COI-CANDIDATE"),  # noqa: E501
    Case("guard: a pick below rank 1 without justification", "GuardFailed", *_act("province.authority", "authority", "decide", candidate=ELIGIBLE_2), rule="PICK-IN-POOL"),  # noqa: E501
    Case("stale expected version", "PreconditionFailed", *_act("province.hr", "draft", "submit", stale=True)),  # noqa: E501
    Case("missing payload field", "InvalidInput", *_act("province.hr", "draft", "cancel")),
    Case("payload refused by the action", "InvalidInput", *_act("province.committee", "committee", "vote", decision="return")),  # noqa: E501
    Case("unknown employee picked", "InvalidInput", *_act("province.authority", "authority", "decide", candidate=UNKNOWN_NIP)),  # noqa: E501
    Case("invalid payload value", "InvalidInput", *_act("province.hr", "draft", "submit", decision="maybe"), schema=True),  # noqa: E501
    Case("invalid payload date", "InvalidInput", *_act("province.hr", "draft", "cancel", reason="x", decree_date="2026-13-45"), schema=True),  # noqa: E501
    Case("unknown payload field", "InvalidInput", *_act("province.hr", "draft", "submit", state="closed"), schema=True),  # noqa: E501
    Case("payload for start_screening", "InvalidInput", *_act("province.all", "submitted", "start_screening", reason="x")),  # noqa: E501
    Case("unknown action name", "NotFound", *_act("province.hr", "draft", "approve_everything")),
    Case("automatic action name", "NotFound", *_act("province.hr", "committee", "complete_screening")),  # noqa: E501
    Case("delegate unknown", "NotFound", *_delegate("province.authority", "nobody", "authority")),
    Case("delegate of another agency", "NotFound", *_delegate("province.authority", "city.hr", "authority")),  # noqa: E501
    Case("delegating a role not held", "InvalidInput", *_delegate("province.authority", "province.auditor", "hr")),  # noqa: E501
    Case("delegating no inbox role", "InvalidInput", *_delegate("province.authority", "province.auditor", "admin"), schema=True),  # noqa: E501
]  # fmt: skip


@pytest.fixture
def setting(api_app: Flask, api: FlaskClient, world: World, database: Database) -> Setting:
    """The cases' vacancies: drafts of the province and the city, one submitted, one in the
    committee's review and one waiting on the authority (screened for real)."""
    candidates: Candidates = seed_candidates(database, world)
    s = Setting(world, api, api_app.test_cli_runner(), eligible=candidates.eligible)
    s.ids |= {"draft": world.vacancy_id["province"], "missing": MISSING}

    def submitted(name: str) -> None:
        s.ids[name] = int(_json(s.http_open("province.hr"), 201)["id"])
        _json(s.http_act("province.hr", s.ids[name], "submit", 1), 200)

    submitted("committee")
    submitted("authority")
    run_pending_screenings(database, now=dt.datetime.now(dt.UTC))
    for member in ("province.committee", "province.committee2"):
        vote = s.http_act(
            member, s.ids["authority"], "vote", s.version("authority"), decision="approve"
        )
        _json(vote, 200)
    submitted("submitted")
    states = {name: s.read(name)["state"] for name in ("committee", "authority", "submitted")}
    assert states == {
        "committee": "committee_review",
        "authority": "authority_decision",
        "submitted": "submitted",
    }
    return s


def _mismatches(case: Case, s: Setting) -> list[str]:
    """Send ``case`` through both adapters; return how their answers differ (empty: alike)."""
    result = s.runner.invoke(args=case.cli(s))
    if result.exit_code != 1:
        return [f"CLI exit {result.exit_code}: {result.output.strip()}"]
    cli = cli_answer(result.stderr)
    http = http_answer(case.http(s))
    found = []
    if cli.kind != case.kind:
        found.append(f"CLI kind {cli.kind}, expected {case.kind}")
    if http.status != KIND_STATUS[case.kind]:
        found.append(f"HTTP {http.status} for {case.kind}, expected {KIND_STATUS[case.kind]}")
    if cli.status != http.status:
        found.append(f"CLI says {cli.status}, HTTP answered {http.status}")
    if not case.schema and cli.detail != http.detail:
        found.append(f"detail: CLI {cli.detail!r}, HTTP {http.detail!r}")
    if (cli.rule, http.rule) != (case.rule, case.rule):
        found.append(f"rule: CLI {cli.rule}, HTTP {http.rule}, expected {case.rule}")
    if cli.problems != http.problems:
        found.append(f"problems: CLI {sorted(cli.problems)}, HTTP {sorted(http.problems)}")
    if case.schema and not http.problems:
        found.append("a schema refusal lists no field")
    if cli.members != http.members:
        found.append(f"members: CLI {sorted(cli.members)}, HTTP {sorted(http.members)}")
    return found


def test_the_cli_and_http_report_the_same_errors(setting: Setting) -> None:
    report = {}
    for case in CASES:
        found = _mismatches(case, setting)
        if found:
            report[case.name] = found
    assert report == {}

"""Model-based test: random legal and illegal actions by random actors across two agencies.

After every step the database must equal a small model of the workflow (state, version and
recorded actions per vacancy), a refused or failed action must have changed nothing but the
ledger, the ledger must hold exactly the successes plus the refusals, and every chain must verify.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import func, select, text

from tests.support.world import EMPLOYEES, World, build_world
from workflow import vacancies
from workflow.core.db import Database, connect
from workflow.core.errors import Conflict, NotFound, PreconditionFailed, Refused, WorkflowError
from workflow.ledger import chain as ledger
from workflow.models import Base, LedgerEntry, Tenant, User, UserRole, Vacancy, VacancyAction
from workflow.vacancies.definition import load_definition

DEFINITION = load_definition()
CITY_USERS = {
    "hr_city": ("hr",),
    "c_city1": ("committee",),
    "c_city2": ("committee",),
    "boss_city": ("authority",),
}
USERS = {
    "hr1": ("BANTEN", {"hr"}),
    "hr2": ("BANTEN", {"hr"}),
    "c1": ("BANTEN", {"committee"}),
    "c2": ("BANTEN", {"committee"}),
    "c3": ("BANTEN", {"committee"}),
    "dual": ("BANTEN", {"authority", "committee"}),
    "boss": ("BANTEN", {"authority"}),
    "cand": ("BANTEN", {"committee"}),
    "aud": ("BANTEN", {"auditor"}),
    "bkn": ("BKN", {"national_reviewer"}),
    **{name: ("SERANG", set(roles)) for name, roles in CITY_USERS.items()},
}
CANDIDATE_USER = "cand"
"""Employee E1, always ranked first on the shortlist: recused, never votes or decides."""
SEATED = {"BANTEN": {"c1", "c2", "c3", "dual"}, "SERANG": {"c_city1", "c_city2"}}
ENDINGS = ("cancel", "return", "reject_technical")
"""Actions that end or send back a vacancy: drawn less often so vacancies get far."""
USER_ACTIONS = (
    "submit",
    "start_screening",
    "vote",
    "decide",
    "approve_technical",
    "issue_decree",
    "close",
    "return",
    "reject_technical",
    "cancel",
)


@dataclass
class Model:
    """What the workflow should have done to one vacancy."""

    agency: str
    state: str = "draft"
    version: int = 1
    round: int = 0
    actions: int = 1
    submitters: set[str] = field(default_factory=set)
    """Everyone who ever submitted it (any round): none of them acts at a later step."""
    acted: dict[str, set[str]] = field(default_factory=dict)
    votes: dict[str, str] = field(default_factory=dict)
    technical: bool = False


class Refusal(Exception):
    """The model expects a recorded refusal with this rule."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


def payload_for(action: str, pick: int, justified: bool, decision: str) -> Any:
    """Return a well-formed payload for ``action``."""
    return {
        "vote": {"decision": decision, "comment": "catatan komite"},
        "decide": {
            "candidate": pick,
            "justification": "Alasan tertulis yang cukup panjang." if justified else "",
        },
        "approve_technical": {"reference": "PERTEK-1"},
        "issue_decree": {"decree_number": "821/1", "decree_date": "2026-03-01"},
        "close": {"inauguration_date": "2026-03-05"},
        "return": {"reason": "kembalikan"},
        "reject_technical": {"reason": "tidak sesuai"},
        "cancel": {"reason": "dibatalkan"},
    }.get(action, {})


class WorkflowMachine(RuleBasedStateMachine):
    """Drives the use cases and checks them against :class:`Model` after every step."""

    fresh: Any = None

    def __init__(self) -> None:
        super().__init__()
        self.db: Database = type(self).fresh()
        self.world: World = build_world(self.db)
        _add_city_users(self.db, self.world)
        self.models: dict[int, Model] = {}
        self.entries = 0

    def teardown(self) -> None:
        self.db.dispose()

    # ------------------------------------------------------------ rules

    @initialize()
    def first_vacancy(self) -> None:
        self._open("hr1", "BANTEN")

    @rule(agency=st.sampled_from(["BANTEN", "SERANG"]))
    def open_vacancy(self, agency: str) -> None:
        if sum(not DEFINITION.states[m.state].final for m in self.models.values()) < 3:
            self._open("hr1" if agency == "BANTEN" else "hr_city", agency)

    def _finish(self, vacancy: int) -> None:
        """Stand in for the engine: store a screening (E1-E4 eligible, E5 needs data)."""
        model = self.models[vacancy]
        outcome = self.world.screened(vacancy)
        self.entries += 1 + len(outcome.applied)  # screening.result + the transition
        model.state, model.version = "committee_review", model.version + 1
        model.actions += 1
        model.votes = {}

    @rule(data=st.data())
    def act(self, data: st.DataObject) -> None:
        # mostly plausible moves (an open vacancy, an action its state allows that moves it on,
        # by someone holding the action's role), sometimes anything at all: both legal and
        # illegal attempts get exercised
        open_ones = sorted(
            i for i, m in self.models.items() if not DEFINITION.states[m.state].final
        )
        choose_open = open_ones and data.draw(st.integers(0, 9), label="open vacancy") < 9
        vacancy = data.draw(
            st.sampled_from(open_ones if choose_open else sorted(self.models)), label="vacancy"
        )
        model = self.models[vacancy]
        possible = [
            a
            for a in USER_ACTIONS
            if model.state in DEFINITION.actions[a].sources and a not in ENDINGS
        ]
        plausible = possible and data.draw(st.integers(0, 9), label="plausible action") < 8
        action = data.draw(st.sampled_from(possible if plausible else USER_ACTIONS), label="action")
        fitting = [
            u
            for u, (agency, roles) in sorted(USERS.items())
            if agency in (model.agency, "BKN")
            and roles & DEFINITION.actions[action].roles
            and not (action == "vote" and u in model.votes)
        ]
        suited = fitting and data.draw(st.integers(0, 9), label="suited user") < 7
        username = data.draw(st.sampled_from(fitting if suited else sorted(USERS)), label="user")
        stale = data.draw(st.sampled_from([False] * 19 + [True]), label="stale")
        pick = data.draw(st.integers(0, len(EMPLOYEES) - 1), label="pick")
        justified = data.draw(st.booleans(), label="justified")
        decision = data.draw(st.sampled_from(["approve", "approve", "return"]), label="vote")
        self._attempt(vacancy, username, action, stale, pick, justified, decision)

    def _attempt(
        self,
        vacancy: int,
        username: str,
        action: str,
        stale: bool,
        pick: int,
        justified: bool,
        decision: str,
    ) -> None:
        model = self.models[vacancy]
        payload = payload_for(action, pick, justified, decision)
        if "candidate" in payload:
            payload["candidate"] = self.world.nips[EMPLOYEES[pick]]
        try:
            expected = self._predict(model, username, action, stale, pick, justified, decision)
        except Refusal as refusal:
            expected = refusal
        version = model.version - 1 if stale else model.version
        # start_screening only moves the vacancy; _finish stands in for the engine
        result: vacancies.Outcome | WorkflowError
        try:
            result = vacancies.perform(
                self.db,
                actor=self.world.actor(username),
                vacancy_id=vacancy,
                action=action,
                expected_version=version,
                idempotency_key=self.world.key(),
                payload=payload,
                now=self.world.now(),
            )
        except WorkflowError as error:
            result = error
        where = f"{username} {action} in {model.state}"
        if isinstance(result, Refused):  # GuardFailed included: both are recorded refusals
            assert isinstance(expected, Refusal), f"{where}: refused {result.details}"
            assert result.details["rule"] == expected.rule, where
            self.entries += 1
            return
        if isinstance(result, WorkflowError):
            assert isinstance(expected, type), f"{where}: expected {expected}, got {result!r}"
            assert isinstance(result, expected), f"{where}: expected {expected}, got {result!r}"
            return
        outcome = result
        assert isinstance(expected, list), f"{username} {action}: expected {expected}, succeeded"
        assert outcome.applied == expected, (username, action, outcome.applied)
        self._apply(model, username, action, decision, expected)
        if model.state == "screening":
            self._finish(vacancy)

    # ------------------------------------------------------------ the model

    def _open(self, username: str, agency: str) -> None:
        vacancy_id = self.world.open(username) if agency == "BANTEN" else _open_city(self.world)
        self.models[vacancy_id] = Model(agency, acted={username: {"hr"}})
        self.entries += 1

    def _predict(
        self,
        model: Model,
        username: str,
        action: str,
        stale: bool,
        pick: int,
        justified: bool,
        decision: str,
    ) -> Any:
        """Return the expected error class, or the list of actions that will be applied."""
        agency, roles = USERS[username]
        if agency not in (model.agency, "BKN"):
            return NotFound
        if stale:
            return PreconditionFailed
        definition = DEFINITION.actions[action]
        if model.state not in definition.sources:
            return Conflict
        usable = sorted(definition.roles & roles - {"system"})
        if not usable:
            raise Refusal("ROLE")
        role = usable[0]
        if username in model.submitters and model.state not in ("draft", "returned"):
            raise Refusal("SOD-SUBMITTER")
        if model.acted.get(username, set()) - {role}:
            raise Refusal("SOD-ONE-ROLE")
        if username == CANDIDATE_USER and action in ("vote", "decide"):
            raise Refusal("COI-CANDIDATE")
        if action == "vote":
            if username not in SEATED[model.agency]:
                raise Refusal("NOT-A-MEMBER")
            if username in model.votes:
                return Conflict
            return ["vote", *self._quorum(model, {**model.votes, username: decision})]
        if action == "decide":
            rank = pick + 1
            eligible = rank <= 4
            if not (eligible and rank <= 3 and (rank == 1 or justified)):
                raise Refusal("PICK-IN-POOL")
        if action == "approve_technical" and model.technical:
            return Conflict
        if action == "issue_decree" and not model.technical:
            raise Refusal("PERTEK-GIVEN")
        return [action]

    def _quorum(self, model: Model, votes: dict[str, str]) -> list[str]:
        seated = SEATED[model.agency]
        approvals = sum(1 for v in votes.values() if v == "approve")
        needed = len(seated) // 2 + 1
        if len(seated) >= 2 and approvals >= needed:
            return ["committee_approved"]
        if needed - (approvals + len(seated) - len(votes)) > 0:
            return ["committee_returned"]
        return []

    def _apply(
        self, model: Model, username: str, action: str, decision: str, applied: list[str]
    ) -> None:
        role = sorted(DEFINITION.actions[action].roles & USERS[username][1])[0]
        model.acted.setdefault(username, set()).add(role)
        if action == "vote":
            model.votes[username] = decision
        if action == "submit":
            model.round += 1
            model.submitters.add(username)
            model.technical = False
        if action == "approve_technical":
            model.technical = True
        for name in applied:
            model.state = DEFINITION.actions[name].target_from(model.state)
        if model.state == "committee_review" and "vote" not in applied:
            model.votes = {}
        model.version += len(applied)
        model.actions += len(applied)
        self.entries += len(applied)

    # ------------------------------------------------------------ invariants

    @invariant()
    def database_equals_the_model(self) -> None:
        with self.db.read() as session:
            rows = {v.id: (v.state, v.version) for v in session.scalars(select(Vacancy))}
            counts = dict(
                session.execute(
                    select(VacancyAction.vacancy_id, func.count()).group_by(
                        VacancyAction.vacancy_id
                    )
                ).all()
            )
            entries = session.scalar(select(func.count()).select_from(LedgerEntry))
        assert rows == {i: (m.state, m.version) for i, m in self.models.items()}
        assert counts == {i: m.actions for i, m in self.models.items()}
        assert entries == self.entries

    @invariant()
    def every_chain_verifies(self) -> None:
        assert ledger.verify(self.db).ok


def _add_city_users(db: Database, world: World) -> None:
    with db.transaction() as session:
        serang = session.scalar(select(Tenant.id).where(Tenant.code == "SERANG"))
        for username, roles in CITY_USERS.items():
            if session.scalar(select(User.id).where(User.username == username)) is None:
                session.add(
                    User(
                        tenant_id=serang,
                        username=username,
                        display_name=username,
                        roles=[UserRole(role=r) for r in roles],
                    )
                )


def _open_city(world: World) -> int:
    outcome = vacancies.open_vacancy(
        world.db,
        actor=world.actor("hr_city"),
        position_code="ADM-01",
        title="Kepala Bagian",
        reference_date=world.now().date(),
        pack_digest="d" * 64,
        idempotency_key=world.key(),
        now=world.now(),
    )
    return int(outcome.vacancy["id"])


@pytest.fixture
def fresh_database(database_url: str, tmp_path: Path, sqlite_template: Path) -> Any:
    """Return a factory of empty, migrated databases (one per hypothesis example)."""
    counter = iter(range(1_000_000))

    def make() -> Database:
        if database_url.startswith("sqlite"):
            path = tmp_path / f"model-{next(counter)}.db"
            shutil.copy(sqlite_template, path)
            return connect(f"sqlite:///{path}")
        db = connect(database_url)
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        return db

    return make


def test_the_workflow_matches_its_model(fresh_database: Any) -> None:
    WorkflowMachine.fresh = staticmethod(fresh_database)
    runner = WorkflowMachine.TestCase
    runner.settings = settings(
        max_examples=20,
        stateful_step_count=30,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    runner().runTest()


def test_unknown_actions_are_input_errors(fresh_database: Any) -> None:
    db = fresh_database()
    world = build_world(db)
    vacancy_id = world.open()
    with pytest.raises(WorkflowError, match="unknown action"):
        world.act("hr1", vacancy_id, "committee_approved")
    db.dispose()

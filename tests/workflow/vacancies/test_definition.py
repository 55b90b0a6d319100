"""Workflow definitions are validated on load with errors that name the field."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from workflow.vacancies.definition import (
    DEFAULT_DEFINITION,
    SAME,
    DefinitionInvalid,
    load_definition,
    parse_definition,
)


@pytest.fixture
def document() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_DEFINITION.read_text())


def problems_of(document: dict[str, Any]) -> list[dict[str, str]]:
    with pytest.raises(DefinitionInvalid) as info:
        parse_definition(document, source="test.yaml")
    return info.value.problems


def test_default_definition_follows_the_approval_procedure() -> None:
    definition = load_definition()
    assert definition.initial == "draft"
    path = [
        "submit",
        "start_screening",
        "complete_screening",
        "committee_approved",
        "decide",
        "issue_decree",
        "close",
    ]
    state = definition.initial
    for name in path:
        action = definition.action(name)
        assert state in action.sources, f"{name} from {state}"
        state = action.target_from(state)
    assert state == "closed"
    assert definition.states["closed"].final
    assert definition.states["cancelled"].final
    assert set(definition.action("cancel").sources) == set(definition.open_states)
    assert definition.states["committee_review"].sla is not None
    assert definition.states["committee_review"].sla.duration == dt.timedelta(days=10)
    assert definition.action("vote").target == SAME


def test_digest_is_stable_and_changes_with_content(document: dict[str, Any]) -> None:
    first = parse_definition(document)
    second = parse_definition(copy.deepcopy(document))
    assert first.digest == second.digest
    document["states"]["committee_review"]["sla"]["duration"] = "P11D"
    assert parse_definition(document).digest != first.digest


def test_unknown_role_is_named(document: dict[str, Any]) -> None:
    document["actions"]["vote"]["roles"] = ["committee", "mayor"]
    assert {
        "file": "test.yaml",
        "field": "actions.vote.roles",
        "message": "unknown role 'mayor'",
    } in problems_of(document)


def test_unknown_state_is_named(document: dict[str, Any]) -> None:
    document["actions"]["decide"]["to"] = "approved"
    assert any(
        p["field"] == "actions.decide.to" and "approved" in p["message"]
        for p in problems_of(document)
    )


def test_unreachable_state_is_reported(document: dict[str, Any]) -> None:
    document["states"]["limbo"] = {"description": "never entered"}
    document["actions"]["leave_limbo"] = {"from": ["limbo"], "to": "cancelled", "roles": ["hr"]}
    assert {
        "file": "test.yaml",
        "field": "states.limbo",
        "message": "is unreachable from the initial state",
    } in problems_of(document)


def test_non_final_state_without_a_way_out_is_reported(document: dict[str, Any]) -> None:
    document["states"]["stuck"] = {"description": "entered, never left"}
    document["actions"]["get_stuck"] = {"from": ["draft"], "to": "stuck", "roles": ["hr"]}
    assert {
        "file": "test.yaml",
        "field": "states.stuck",
        "message": "is not final but no action leaves it",
    } in problems_of(document)


def test_bad_sla_duration_and_escalation_target(document: dict[str, Any]) -> None:
    document["states"]["committee_review"]["sla"] = {"duration": "ten days", "escalate_to": "x"}
    assert any(p["field"] == "states.committee_review.sla.duration" for p in problems_of(document))
    document["states"]["committee_review"]["sla"] = {"duration": "P1M", "escalate_to": "hr"}
    assert any("months and years vary" in p["message"] for p in problems_of(document))
    document["states"]["committee_review"]["sla"] = {"duration": "P1D", "escalate_to": "mayor"}
    assert any(
        p["field"] == "states.committee_review.sla.escalate_to" for p in problems_of(document)
    )


def test_leaving_a_final_state_is_refused(document: dict[str, Any]) -> None:
    document["actions"]["reopen"] = {"from": ["closed"], "to": "draft", "roles": ["hr"]}
    assert any(
        p["field"] == "actions.reopen.from" and "final" in p["message"]
        for p in problems_of(document)
    )


def test_unknown_keys_and_missing_keys(document: dict[str, Any]) -> None:
    document["colour"] = "blue"
    del document["initial"]
    problems = problems_of(document)
    assert {"file": "test.yaml", "field": "colour", "message": "unknown key"} in problems
    assert {"file": "test.yaml", "field": "initial", "message": "is required"} in problems


def test_automatic_actions_belong_to_the_system(document: dict[str, Any]) -> None:
    document["actions"]["committee_approved"]["roles"] = ["committee"]
    assert any(p["field"] == "actions.committee_approved.automatic" for p in problems_of(document))


def test_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("states: [unclosed")
    with pytest.raises(DefinitionInvalid) as info:
        load_definition(path)
    assert info.value.problems[0]["file"] == "broken.yaml"

"""State and action names come from one place and are checked against the definition on load."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from workflow.vacancies.definition import (
    DEFAULT_DEFINITION,
    DefinitionInvalid,
    load_definition,
    parse_definition,
)
from workflow.vacancies.states import ActionName, State


@pytest.fixture
def document() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_DEFINITION.read_text())


def problems_of(document: dict[str, Any]) -> list[dict[str, str]]:
    with pytest.raises(DefinitionInvalid) as info:
        parse_definition(document, source="test.yaml")
    return info.value.problems


def test_the_default_definition_names_exactly_the_enums() -> None:
    definition = load_definition()
    assert set(definition.states) == {s.value for s in State}
    assert set(definition.actions) == {a.value for a in ActionName}


def test_a_state_the_code_does_not_know_is_refused(document: dict[str, Any]) -> None:
    # a complete, reachable, leavable state: only the name check can object to it
    document["states"]["on_hold"] = {"description": "paused by HR"}
    document["actions"]["cancel"]["from"].append("on_hold")
    document["actions"]["submit"]["from"].append("on_hold")
    document["actions"]["return"]["to"] = "on_hold"
    assert problems_of(document) == [
        {
            "file": "test.yaml",
            "field": "states.on_hold",
            "message": "is not one of the states the service implements",
        }
    ]


def test_a_renamed_state_is_refused_both_ways(document: dict[str, Any]) -> None:
    text = DEFAULT_DEFINITION.read_text().replace("decree_issued", "sk_issued")
    problems = problems_of(yaml.safe_load(text))
    assert {
        "file": "test.yaml",
        "field": "states.sk_issued",
        "message": "is not one of the states the service implements",
    } in problems
    assert {
        "file": "test.yaml",
        "field": "states",
        "message": "'decree_issued' is missing: the service implements it",
    } in problems


def test_an_action_the_code_does_not_know_is_refused(document: dict[str, Any]) -> None:
    document["actions"]["withdraw"] = {"from": ["draft"], "to": "cancelled", "roles": ["hr"]}
    assert problems_of(document) == [
        {
            "file": "test.yaml",
            "field": "actions.withdraw",
            "message": "is not one of the actions the service implements",
        }
    ]


def test_a_missing_action_is_refused(document: dict[str, Any]) -> None:
    del document["actions"]["declare_conflict"]
    assert problems_of(document) == [
        {
            "file": "test.yaml",
            "field": "actions",
            "message": "'declare_conflict' is missing: the service implements it",
        }
    ]

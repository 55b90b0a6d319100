"""Workflow guards, compiled to a durable_rules ruleset per definition and run by the engine.

A definition's guards are compiled exactly like a rule pack's criteria (a FAIL rule and a
MISSING rule per guard), so the engine decides pass / fail / missing data, and missing data
fails a guard instead of passing silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rules import engine
from rules.compiler import CompiledLevel, compile_level
from rules.conditions import render
from rules.engine import FAILED, MISSING_DATA
from rules.facts import GUARD_FIELDS
from rules.valuetypes import EngineValue
from workflow.vacancies.definition import Guard, WorkflowDefinition

COUNT_CAP = 1000
"""Guard counts are clamped to the ``count`` type's range; only small values matter."""

_COMPILED: dict[str, CompiledLevel] = {}


@dataclass(frozen=True, slots=True)
class GuardResult:
    """The engine's verdict on one guard."""

    passed: bool
    outcome: str
    """``pass``, ``fail`` or ``missing_data``."""
    detail: str


def compiled(definition: WorkflowDefinition) -> CompiledLevel:
    """Return the ruleset of a definition's guards, compiled once per process and digest."""
    ruleset = _COMPILED.get(definition.digest)
    if ruleset is None:
        criteria = [
            (a.guard.id, a.guard.condition, True)
            for a in definition.actions.values()
            if a.guard is not None
        ]
        ruleset = compile_level(f"guards_{definition.digest[:16]}", None, criteria)
        _COMPILED[definition.digest] = ruleset
    return ruleset


def facts_of(values: Mapping[str, int | bool]) -> dict[str, EngineValue]:
    """Return guard facts as the engine takes them: known fields only, counts clamped."""
    out: dict[str, EngineValue] = {}
    for name, value in values.items():
        spec = GUARD_FIELDS[name]
        if spec.type.kind == "bool":
            out[name] = bool(value)
        else:
            out[name] = max(0, min(COUNT_CAP, int(value)))
    return out


def evaluate(
    definition: WorkflowDefinition, guard: Guard, values: Mapping[str, int | bool]
) -> GuardResult:
    """Evaluate ``guard`` on the vacancy facts ``values`` with the rules engine."""
    ruleset = compiled(definition)
    facts = facts_of(values)
    index = next(c.index for c in ruleset.criteria if c.id == guard.id)
    code = engine.evaluate(ruleset, [facts], trusted=True)[0][index]
    condition = render(guard.condition)
    if code == MISSING_DATA:
        needed = [f for f in ruleset.criteria[index].fields if f not in facts]
        return GuardResult(False, "missing_data", f"{condition}: unknown {', '.join(needed)}")
    if code == FAILED:
        shown = ", ".join(f"{f} = {facts[f]}" for f in ruleset.criteria[index].fields)
        return GuardResult(False, "fail", f"needs {condition}; now {shown}")
    return GuardResult(True, "pass", condition)

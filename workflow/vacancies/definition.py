"""Declarative workflow definitions (YAML): states, actions, roles, guards and SLAs.

A definition is validated on load and named by the SHA-256 of its canonical JSON form, so a
vacancy can pin the exact version it was opened under (:func:`register_definition` stores it,
:func:`pinned_definition` finds it again). ``docs/workflow.md`` documents the format.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import isodate
import rfc8785
import yaml
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from rules.conditions import Condition, ConditionParser
from rules.facts import GUARD_FIELDS
from rules.vocab import PROMOTION_TARGETS
from workflow.core import InvalidInput, NotFound
from workflow.models import WorkflowVersion
from workflow.vacancies.states import ActionName, State

DEFINITIONS_DIR: Final = Path(__file__).resolve().parent / "definitions"
DEFAULT_DEFINITION: Final = DEFINITIONS_DIR / "promotion.yaml"
SAME: Final = "same"
"""The target of an action that records something without leaving its state."""

SYSTEM_ROLE: Final = "system"

_TOP_KEYS: Final = {
    "id",
    "version",
    "description",
    "legal_basis",
    "roles",
    "parameters",
    "initial",
    "states",
    "actions",
}
_STATE_KEYS: Final = {"description", "final", "sla"}
_ACTION_KEYS: Final = {"from", "to", "roles", "requires", "guard", "automatic"}
_GUARD_KEYS: Final = {"id", "message", "when"}


class DefinitionInvalid(InvalidInput):
    """A workflow definition failed validation; each problem names the file and the field."""


@dataclass(frozen=True, slots=True)
class Sla:
    """How long a state may last before a reminder (at 75 %) and an escalation."""

    duration: dt.timedelta
    escalate_to: str

    def reminder_after(self, fraction: float = 0.75) -> dt.timedelta:
        """Return the time after entering the state at which a reminder is due."""
        return self.duration * fraction


@dataclass(frozen=True, slots=True)
class StateDef:
    """One state of the workflow."""

    name: str
    description: str
    final: bool
    sla: Sla | None


@dataclass(frozen=True, slots=True)
class Guard:
    """A condition, evaluated by the rules engine, that must hold for an action to proceed."""

    id: str
    message: str
    condition: Condition
    """The PASS condition over the guard facts (:data:`rules.facts.GUARD_FIELDS`)."""


@dataclass(frozen=True, slots=True)
class ActionDef:
    """An action: which roles may take it from which states, and where it leads."""

    name: str
    sources: frozenset[str]
    target: str
    """A state name, or :data:`SAME` for an action that stays in its state."""
    roles: frozenset[str]
    requires: tuple[str, ...]
    guard: Guard | None
    automatic: bool

    def target_from(self, state: str) -> str:
        """Return the state this action leads to when taken in ``state``."""
        return state if self.target == SAME else self.target


@dataclass(frozen=True, slots=True)
class WorkflowDefinition:
    """A validated workflow definition and its digest."""

    id: str
    version: str
    description: str
    legal_basis: tuple[str, ...]
    roles: Mapping[str, str]
    parameters: Mapping[str, Any]
    initial: str
    states: Mapping[str, StateDef]
    actions: Mapping[str, ActionDef]
    digest: str
    document: Mapping[str, Any]
    """The definition as loaded (its canonical JSON is what the digest covers)."""

    def actions_from(self, state: str) -> list[ActionDef]:
        """Return the actions that may be taken in ``state``, in definition order."""
        return [a for a in self.actions.values() if state in a.sources]

    def action(self, name: str) -> ActionDef:
        """Return the action called ``name``.

        :raises KeyError: no such action.
        """
        return self.actions[name]

    @property
    def open_states(self) -> list[str]:
        """Return the states that are not final."""
        return [s.name for s in self.states.values() if not s.final]


def canonical_bytes(document: Mapping[str, Any]) -> bytes:
    """Return the RFC 8785 canonical JSON of ``document``."""
    return rfc8785.dumps(document)


def load_definition(path: Path = DEFAULT_DEFINITION) -> WorkflowDefinition:
    """Load and validate the workflow definition in ``path``.

    :raises DefinitionInvalid: the file is not valid YAML or not a valid definition.
    """
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        cached = _LOADED.get(key)
        if cached is not None:
            return cached
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DefinitionInvalid(
            f"cannot read workflow definition {path.name}",
            [{"file": path.name, "message": str(exc)}],
        ) from exc
    definition = parse_definition(document, source=path.name)
    _LOADED[key] = definition
    return definition


_LOADED: dict[tuple[str, int, int], WorkflowDefinition] = {}
"""Parsed definitions by file, modification time and size: opening a vacancy does not parse
and validate the YAML again while the file is unchanged (an edited file is read anew)."""


def parse_definition(document: Any, *, source: str = "<definition>") -> WorkflowDefinition:
    """Validate a loaded definition document and return it.

    :raises DefinitionInvalid: with one problem per thing wrong, each naming the field.
    """
    problems: list[dict[str, str]] = []

    def problem(field: str, message: str) -> None:
        problems.append({"file": source, "field": field, "message": message})

    if not isinstance(document, Mapping):
        raise DefinitionInvalid(
            "a workflow definition must be a mapping",
            [{"file": source, "message": "not a mapping"}],
        )
    for key in sorted(set(document) - _TOP_KEYS):
        problem(key, "unknown key")
    for key in ("id", "version", "initial", "states", "actions", "roles"):
        if key not in document:
            problem(key, "is required")
    if problems:
        raise DefinitionInvalid(f"invalid workflow definition {source}", problems)

    roles = _mapping(document["roles"], "roles", problem)
    states = _parse_states(document["states"], set(roles), problem)
    actions = _parse_actions(document["actions"], set(states), set(roles), problem)
    parameters = _mapping(document.get("parameters") or {}, "parameters", problem)
    _check_parameters(parameters, problem)
    initial = str(document["initial"])
    if initial not in states:
        problem("initial", f"unknown state {initial!r}")
    elif not problems:
        _check_graph(initial, states, actions, problem)
    _check_names("states", set(states), {s.value for s in State}, problem)
    _check_names("actions", set(actions), {a.value for a in ActionName}, problem)
    guard_ids = [a.guard.id for a in actions.values() if a.guard is not None]
    for duplicate in sorted({g for g in guard_ids if guard_ids.count(g) > 1}):
        problem("actions", f"guard id {duplicate} is used twice")
    if problems:
        raise DefinitionInvalid(f"invalid workflow definition {source}", problems)
    return WorkflowDefinition(
        id=str(document["id"]),
        version=str(document["version"]),
        description=str(document.get("description", "")),
        legal_basis=tuple(str(x) for x in document.get("legal_basis") or ()),
        roles={str(k): str(v) for k, v in roles.items()},
        parameters=parameters,
        initial=initial,
        states=states,
        actions=actions,
        digest=hashlib.sha256(canonical_bytes(document)).hexdigest(),
        document=document,
    )


def _mapping(value: Any, field: str, problem: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        problem(field, "must be a mapping")
        return {}
    return {str(k): v for k, v in value.items()}


def _parse_states(raw: Any, roles: set[str], problem: Any) -> dict[str, StateDef]:
    states: dict[str, StateDef] = {}
    for name, spec in _mapping(raw, "states", problem).items():
        spec = spec or {}
        where = f"states.{name}"
        if not isinstance(spec, Mapping):
            problem(where, "must be a mapping")
            continue
        for key in sorted(set(spec) - _STATE_KEYS):
            problem(f"{where}.{key}", "unknown key")
        sla = None
        if spec.get("sla") is not None:
            sla = _parse_sla(spec["sla"], f"{where}.sla", roles, problem)
        final = bool(spec.get("final", False))
        if final and sla is not None:
            problem(f"{where}.sla", "a final state cannot have an SLA")
        states[name] = StateDef(name, str(spec.get("description", "")), final, sla)
    return states


def _parse_sla(raw: Any, where: str, roles: set[str], problem: Any) -> Sla | None:
    if not isinstance(raw, Mapping) or set(raw) != {"duration", "escalate_to"}:
        problem(where, "must have exactly 'duration' and 'escalate_to'")
        return None
    try:
        duration = isodate.parse_duration(str(raw["duration"]))
    except (isodate.ISO8601Error, ValueError):
        problem(f"{where}.duration", f"{raw['duration']!r} is not an ISO 8601 duration")
        return None
    if not isinstance(duration, dt.timedelta):
        # Months and years have no fixed length; a due date must not depend on the calendar.
        problem(f"{where}.duration", "use days, hours or minutes (months and years vary)")
        return None
    if duration <= dt.timedelta(0):
        problem(f"{where}.duration", "must be positive")
        return None
    target = str(raw["escalate_to"])
    if target not in roles or target == SYSTEM_ROLE:
        problem(f"{where}.escalate_to", f"unknown role {target!r}")
        return None
    return Sla(duration, target)


def _parse_actions(
    raw: Any, states: set[str], roles: set[str], problem: Any
) -> dict[str, ActionDef]:
    actions: dict[str, ActionDef] = {}
    for name, spec in _mapping(raw, "actions", problem).items():
        where = f"actions.{name}"
        if not isinstance(spec, Mapping):
            problem(where, "must be a mapping")
            continue
        for key in sorted(set(spec) - _ACTION_KEYS):
            problem(f"{where}.{key}", "unknown key")
        sources = [str(s) for s in spec.get("from") or []]
        if not sources:
            problem(f"{where}.from", "must list at least one state")
        for state in sources:
            if state not in states:
                problem(f"{where}.from", f"unknown state {state!r}")
        target = str(spec.get("to", ""))
        if target != SAME and target not in states:
            problem(f"{where}.to", f"unknown state {target!r}")
        action_roles = [str(r) for r in spec.get("roles") or []]
        if not action_roles:
            problem(f"{where}.roles", "must list at least one role")
        for role in action_roles:
            if role not in roles:
                problem(f"{where}.roles", f"unknown role {role!r}")
        automatic = bool(spec.get("automatic", False))
        if automatic and action_roles != [SYSTEM_ROLE]:
            problem(f"{where}.automatic", "only the system role takes automatic actions")
        guard = _parse_guard(spec.get("guard"), f"{where}.guard", problem)
        requires = tuple(str(r) for r in spec.get("requires") or ())
        actions[name] = ActionDef(
            name, frozenset(sources), target, frozenset(action_roles), requires, guard, automatic
        )
    return actions


def _parse_guard(raw: Any, where: str, problem: Any) -> Guard | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or set(raw) != _GUARD_KEYS:
        problem(where, "must have exactly 'id', 'message' and 'when'")
        return None
    parser = ConditionParser({}, file=None, criterion=str(raw["id"]), schema=GUARD_FIELDS)
    condition = parser.parse(raw["when"], f"{where}.when")
    for found in parser.problems:
        problem(found.field or f"{where}.when", found.message)
    if condition is None:
        return None
    return Guard(str(raw["id"]), str(raw["message"]), condition)


def _check_names(field: str, found: set[str], known: set[str], problem: Any) -> None:
    """Refuse names the code does not implement, and names it needs that are missing."""
    for name in sorted(found - known):
        problem(f"{field}.{name}", f"is not one of the {field} the service implements")
    for name in sorted(known - found):
        problem(field, f"{name!r} is missing: the service implements it")


def _check_parameters(parameters: Mapping[str, Any], problem: Any) -> None:
    targets = {level.value for level in PROMOTION_TARGETS}
    minimum = parameters.get("min_eligible", {})
    if not isinstance(minimum, Mapping) or set(minimum) - targets:
        problem("parameters.min_eligible", f"keys must be among {sorted(targets)}")
    for name in ("committee_min_members", "decision_pool"):
        value = parameters.get(name)
        if not isinstance(value, int) or value < 1:
            problem(f"parameters.{name}", "must be a positive integer")
    try:
        fraction = float(parameters.get("committee_quorum_fraction", "x"))
    except ValueError:
        fraction = -1.0
    if not 0 <= fraction < 1:
        problem("parameters.committee_quorum_fraction", "must be a number in [0, 1)")


def _check_graph(
    initial: str, states: Mapping[str, StateDef], actions: Mapping[str, ActionDef], problem: Any
) -> None:
    edges: dict[str, set[str]] = {name: set() for name in states}
    for action in actions.values():
        for source in action.sources:
            if states[source].final:
                problem(f"actions.{action.name}.from", f"{source!r} is final; nothing leaves it")
            edges[source].add(action.target_from(source))
    reachable = _closure(initial, edges)
    for name in states:
        if name not in reachable:
            problem(f"states.{name}", "is unreachable from the initial state")
    finals = {name for name, state in states.items() if state.final}
    if not finals:
        problem("states", "at least one state must be final")
    for name, state in states.items():
        if state.final:
            continue
        if not edges[name] - {name}:
            problem(f"states.{name}", "is not final but no action leaves it")
        elif not _closure(name, edges) & finals:
            problem(f"states.{name}", "no final state can be reached from it")


def _closure(start: str, edges: Mapping[str, set[str]]) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in edges[queue.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


# ------------------------------------------------------------------ pinning


_PINNED: dict[str, WorkflowDefinition] = {}
"""Definitions by digest (a registered version never changes)."""


def current_definition() -> WorkflowDefinition:
    """Return the workflow definition new vacancies are opened under."""
    definition = load_definition()
    _PINNED.setdefault(definition.digest, definition)
    return definition


def pinned_definition(session: Session, digest: str) -> WorkflowDefinition:
    """Return the definition a vacancy pinned, from the cache or its stored document.

    :raises NotFound: no workflow version with that digest is registered.
    """
    definition = _PINNED.get(digest)
    if definition is None:
        row = session.get(WorkflowVersion, digest)
        if row is None:
            raise NotFound(f"workflow version {digest} is not registered")
        definition = parse_definition(json.loads(row.document), source=f"workflow {digest[:12]}")
        _PINNED[digest] = definition
    return definition


def register_definition(session: Session, definition: WorkflowDefinition, now: dt.datetime) -> None:
    """Store ``definition`` as a workflow version (once), so vacancies can pin it.

    Two first openings can race to register the same version: the insert does nothing when the
    row exists or a concurrent transaction inserts it first (it used to fail with a unique
    violation, a 500, found by bench/chaos.py).
    """
    if session.get(WorkflowVersion, definition.digest) is not None:
        return
    session.flush()
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    session.connection().execute(
        insert(WorkflowVersion)
        .values(
            digest=definition.digest,
            workflow_id=definition.id,
            version=definition.version,
            document=rfc8785.dumps(dict(definition.document)).decode(),
            registered_at=now,
        )
        .on_conflict_do_nothing(index_elements=["digest"])
    )

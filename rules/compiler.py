"""Compiler from resolved criteria to a durable_rules ruleset declared as JSON data.

For one (pack digest, target level) the ruleset holds, per applicable criterion ``C``:

* ``C#fail``: the PASS condition negated, pushed down to comparisons (``$lt``, ``$neq`` …) and
  split into mutually exclusive cubes joined by ``$or`` (an ``$or`` whose branches overlap fires
  once per true branch), so it fires at most once per fact;
* ``C#missing``: fires when a field ``C`` reads is absent (``$nex``), again as exclusive cubes.

The engine's verdict per criterion is then: missing fired → ``missing_data``; else fail fired →
``fail``; else ``pass``. An eligible candidate fires no rule at all, which keeps evaluation cheap
(each fired action costs ~10 µs of Python glue). Two more rules keep the engine safe:

* ``~sink`` joins every candidate fact with a pattern that never occurs, so a fact that fires
  nothing is still *handled* (no ``MessageNotHandledException``);
* ``~warmup`` fires once when the ruleset is registered: deleting a session in which no action
  ever fired segfaults the process unless an action has already fired in that ruleset.

Every pattern starts with ``kind == "candidate"``, so the session's own state fact (re-asserted
after each action) never matches. :func:`network_problems` replays how durable_rules builds its
Rete network and refuses rulesets that would hang its compiler (more than 512 children under one
node) or exceed its other fixed limits.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, Final

from rules.conditions import Atom, Condition, Not, exclusive_cubes, fields
from rules.vocab import PositionLevel

KIND: Final = "candidate"
"""The ``kind`` of every candidate fact."""
NEVER_KIND: Final = "~never"
WARMUP_KIND: Final = "~warmup"
SINK_RULE: Final = "~sink"
WARMUP_RULE: Final = "~warmup"
FAIL: Final = "#fail"
MISSING: Final = "#missing"

MAX_HASHED_CHILDREN: Final = 511
"""Distinct conditions under one node; the 512th makes ``create_ruleset`` spin forever."""
MAX_NEX_CHILDREN: Final = 127
MAX_BETAS_PER_NODE: Final = 255
MAX_SEQUENCE: Final = 31
MAX_RULES: Final = 4096

_OPS: Final = {"==": "$eq", "!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}


@dataclass(frozen=True, slots=True)
class CompiledCriterion:
    """A criterion as one ruleset evaluates it: resolved condition, fields read, hardness."""

    id: str
    index: int
    condition: Condition
    fields: tuple[str, ...]
    hard: bool


@dataclass(frozen=True, slots=True)
class CompiledLevel:
    """The ruleset of one pack version for one target level (or of a workflow's guards)."""

    name: str
    level: PositionLevel | None
    """None for a ruleset that is not a pack level (a workflow definition's guards)."""
    criteria: tuple[CompiledCriterion, ...]
    fields: tuple[str, ...]
    """Every fact field some criterion reads: the only fields sent to the engine."""
    definition: Mapping[str, Any]
    """The durable_rules ruleset as JSON data (rule id → rule)."""
    hard: tuple[bool, ...]
    """Per criterion, whether it is hard (in the order of ``criteria``)."""


def compile_level(
    name: str, level: PositionLevel | None, criteria: Sequence[tuple[str, Condition, bool]]
) -> CompiledLevel:
    """Return the ruleset ``name`` for resolved (criterion id, pass condition, hard) triples."""
    compiled = tuple(
        CompiledCriterion(cid, i, cond, fields(cond), hard)
        for i, (cid, cond, hard) in enumerate(criteria)
    )
    definition: dict[str, Any] = {}
    for criterion in compiled:
        cubes = exclusive_cubes(Not(criterion.condition))
        if cubes:
            definition[criterion.id + FAIL] = _rule(_cubes_pattern(cubes), criterion.id + FAIL)
        definition[criterion.id + MISSING] = _rule(
            _missing_pattern(criterion.fields), criterion.id + MISSING
        )
    definition[SINK_RULE] = {
        "all": [{"m": {"$eq": {"kind": KIND}}}, {"n": {"$eq": {"kind": NEVER_KIND}}}],
        "run": SINK_RULE,
    }
    definition[WARMUP_RULE] = _rule({"$eq": {"kind": WARMUP_KIND}}, WARMUP_RULE)
    used = tuple(sorted({f for c in compiled for f in c.fields}))
    return CompiledLevel(name, level, compiled, used, definition, tuple(c.hard for c in compiled))


def _rule(pattern: dict[str, Any], action: str) -> dict[str, Any]:
    return {"all": [{"m": pattern}], "run": action}


def _atom(atom: Atom) -> dict[str, Any]:
    if atom.op in ("in", "not in"):
        values = atom.value
        assert isinstance(values, tuple)
        op = "$eq" if atom.op == "in" else "$neq"
        parts = [{op: {atom.field: v}} for v in values]
        if len(parts) == 1:
            return parts[0]
        return {"$or": parts} if atom.op == "in" else {"$and": parts}
    return {_OPS[atom.op]: {atom.field: atom.value}}


def _cubes_pattern(cubes: Sequence[Sequence[Atom]]) -> dict[str, Any]:
    head = {"$eq": {"kind": KIND}}
    if len(cubes) == 1:
        return {"$and": [head, *(_atom(a) for a in cubes[0])]}
    branches = [
        {"$and": [_atom(a) for a in cube]} if len(cube) > 1 else _atom(cube[0]) for cube in cubes
    ]
    return {"$and": [head, {"$or": branches}]}


def _missing_pattern(names: Sequence[str]) -> dict[str, Any]:
    head = {"$eq": {"kind": KIND}}
    if len(names) == 1:
        return {"$and": [head, {"$nex": {names[0]: 1}}]}
    branches = []
    for i, name in enumerate(names):
        present = [{"$ex": {n: 1}} for n in names[:i]]
        absent = {"$nex": {name: 1}}
        branches.append({"$and": [*present, absent]} if present else absent)
    return {"$and": [head, {"$or": branches}]}


# ---------------------------------------------------------------- static network limits


class _Node:
    __slots__ = ("betas", "hashed", "nex")

    def __init__(self) -> None:
        self.hashed: dict[str, _Node] = {}
        self.nex: list[tuple[str | None, _Node]] = []
        """Existence tests (keyed) and links to ``$or`` forward nodes (unkeyed)."""
        self.betas = 0


def network_problems(definition: Mapping[str, Any]) -> list[str]:
    """Return why durable_rules would hang or fail compiling ``definition`` (empty: it is safe).

    Mirrors ``createAlpha``/``linkAlpha`` in durable_rules 2.0.28 (``src/rules/rete.c``): the
    comparisons of a pattern form a chain of alpha nodes shared with identical chains, each ``$or``
    adds a forward node reached from the end of every branch, ``$nex`` children live in a short
    list, and every node has fixed-size tables.
    """
    problems: list[str] = []
    if len(definition) > MAX_RULES:
        problems.append(f"{len(definition)} rules; durable_rules allows {MAX_RULES}")
    root = _Node()
    nodes = [root]
    for rule_id, rule in definition.items():
        for pattern in rule.get("all", []):
            for expression in pattern.values():
                markers = _count_markers(expression)
                if markers > MAX_SEQUENCE:
                    problems.append(
                        f"rule {rule_id}: {markers} expression markers in one pattern; "
                        f"durable_rules allows {MAX_SEQUENCE}"
                    )
                end = _add(root, expression, nodes)
                end.betas += 1
    for node in nodes:
        if len(node.hashed) > MAX_HASHED_CHILDREN:
            problems.append(
                f"{len(node.hashed)} distinct conditions under one network node (fan-out); "
                f"durable_rules hangs beyond {MAX_HASHED_CHILDREN}"
            )
        if len(node.nex) > MAX_NEX_CHILDREN:
            problems.append(
                f"{len(node.nex)} existence tests or alternatives under one network node; "
                f"durable_rules allows {MAX_NEX_CHILDREN}"
            )
        if node.betas > MAX_BETAS_PER_NODE:
            problems.append(
                f"{node.betas} rules end on the same condition; durable_rules allows "
                f"{MAX_BETAS_PER_NODE}"
            )
    return problems


def _count_markers(expression: Mapping[str, Any]) -> int:
    (op, body), *_ = expression.items()
    if op in ("$and", "$or"):
        return 2 + sum(_count_markers(e) for e in body)
    return 0


def _add(parent: _Node, expression: Mapping[str, Any], nodes: list[_Node]) -> _Node:
    (op, body), *_ = expression.items()
    if op == "$and":
        node = parent
        for item in body:
            node = _add(node, item, nodes)
        return node
    if op == "$or":
        forward = _Node()
        nodes.append(forward)
        for item in body:
            _add(parent, item, nodes).nex.append((None, forward))
        return forward
    key = json.dumps([op, body], sort_keys=True)
    if op == "$nex":
        for existing, child in parent.nex:
            if existing == key:
                return child
        child = _Node()
        parent.nex.append((key, child))
        nodes.append(child)
        return child
    if key not in parent.hashed:
        child = _Node()
        parent.hashed[key] = child
        nodes.append(child)
    return parent.hashed[key]


# ---------------------------------------------------------------- compile in a subprocess

_compile_host: dict[str, Any] = {}
"""The host of the compiling process (set by :func:`_start_compile_host` in that process only)."""


def _start_compile_host() -> None:
    from durable import engine

    class _Quiet(engine.Host):  # type: ignore[misc]
        def _run(self) -> None:
            """Start no dispatcher threads: this host only compiles."""

        def get_action(self, action_name: str) -> Any:
            return lambda c: None

    _compile_host["host"] = _Quiet()


def _compile_one(name: str, definition_json: str) -> str:
    _compile_host["host"].set_rulesets({name: json.loads(definition_json)})
    return name


def compile_in_subprocess(
    definitions: Mapping[str, Mapping[str, Any]], *, timeout: float = 10.0
) -> str | None:
    """Register rulesets (name → definition) in a fresh process; ``None`` if all compiled.

    durable_rules can hang forever (or crash) on a ruleset its limits do not allow, so a pack is
    compiled here before it is published: in a single-worker executor whose process is spawned
    (nothing inherited from this one, durable_rules' state included), one ruleset per task in
    order. A hang is killed after ``timeout`` seconds in all and reported with the name of the
    ruleset it hung on; a crash or an error names the ruleset too.
    """
    deadline = time.monotonic() + timeout
    context = multiprocessing.get_context("spawn")
    executor = ProcessPoolExecutor(1, mp_context=context, initializer=_start_compile_host)
    try:
        worker = executor.submit(os.getpid)
        tasks = {
            name: executor.submit(_compile_one, name, json.dumps(definition))
            for name, definition in definitions.items()
        }
        for name, task in tasks.items():
            try:
                task.result(timeout=max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                with suppress(BrokenProcessPool, ProcessLookupError):
                    os.kill(worker.result(), signal.SIGKILL)
                return (
                    f"durable_rules did not finish compiling {name} within {timeout:g} s (killed)"
                )
            except BrokenProcessPool:
                return f"durable_rules crashed compiling {name} (its process died)"
            except Exception as exc:  # any error of durable_rules, reported with the ruleset
                return f"durable_rules failed compiling {name}: {exc}"
        return None
    finally:
        executor.shutdown(wait=True, cancel_futures=True)

"""The durable_rules adapter: one host per process, a fresh session per evaluation, nothing kept.

How each trap of durable_rules 2.0.28 (``docs/rules.md`` §8.2 lists them with their tests) is
handled here:

* **One host per process, created lazily** (after a gunicorn or pool fork; a forked child builds
  its own), never the ``durable.lang`` global host. The host starts **no dispatcher threads**
  (``_run`` is a no-op): every action runs synchronously inside ``assert_fact``, so no background
  thread can steal an action and record it against another evaluation.
* **Facts, not events**, asserted **one at a time** (a batch with an unmatched message defers its
  actions to a background thread that does not exist here).
* **A fresh ``uuid4`` session per evaluation**, ``delete_state`` in ``finally``; an evaluation is
  one batch of at most :data:`BATCH_SIZE` candidates with distinct ``fid`` values (far below the
  1024 live-session cap and the memory bounds); :func:`live_sessions` counts sessions still open.
* **Every fact is handled**: the ``~sink`` rule accepts any candidate fact, so
  ``MessageNotHandledException`` would be a bug and is raised as :class:`EngineError`.
* **Warm-up**: deleting a session in which no action ever fired can segfault the process (the C
  core frees two pointers it never initialised). So the ``~warmup`` rule fires once right after
  registration, and again as the first fact of every session: no session the adapter deletes is
  ever one in which nothing fired, whatever the candidates (measured cost: one action per batch).
* **Actions only record** ``(rule, fid)``. By default (``dispatch="direct"``) the adapter starts and
  completes each fired action itself with durable's C calls and reads the rule and ``fid`` from
  the action's message, skipping durable's Python loop (a Closure and a state round trip per
  action, the state re-asserted each time); ``dispatch="durable"`` runs that loop with
  ``get_action`` recorders. Either way: no I/O, no state writes, nothing any condition tests.
* **Hidden action errors**: with durable's loop ``state['exception']`` is checked after every
  assert and raised as :class:`EngineError`; direct dispatch runs no Python action that could
  hide one. Duplicate facts (``MessageObservedException``) are errors too.
* **Strict facts**: callers that did not build facts with :func:`rules.facts.build_fact` have them
  checked (:func:`rules.facts.check_fact`): no ``None``, floats, ``Decimal`` or ``date``, no
  unknown field, no field of the wrong type, no more properties than the engine takes.
* **Compiler hangs** (more than 512 children under a node) are refused statically by
  :func:`rules.compiler.network_problems` and, before publishing, by compiling in a subprocess.
* **No persistence callbacks** are ever set (a delete callback segfaults ``delete_state``).
"""

from __future__ import annotations

import copy
import json
import os
import re
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from importlib.metadata import version
from typing import Any, Final, Literal

import durable_rules_engine
from durable import engine as durable_engine
from durable.engine import MessageNotHandledException, MessageObservedException

from rules.compiler import (
    FAIL,
    KIND,
    MISSING,
    SINK_RULE,
    WARMUP_KIND,
    WARMUP_RULE,
    CompiledLevel,
)
from rules.errors import EngineError, Problem
from rules.facts import check_fact
from rules.valuetypes import EngineValue

ENGINE_VERSION: Final = f"durable_rules {version('durable_rules')}"
"""The engine and its version, recorded with every result."""
BATCH_SIZE: Final = 32
"""Candidates evaluated in one session (measured fastest; 32 sessions per 1,000 candidates)."""

PASS: Final = 0
FAILED: Final = 1
MISSING_DATA: Final = 2
"""Outcome codes per criterion, in compiled order (``not_applicable`` criteria are not compiled)."""


class _Host(durable_engine.Host):  # type: ignore[misc]
    """A durable_rules host whose actions only record which rule fired for which fact."""

    def __init__(self) -> None:
        self.trace: list[tuple[str, str]] = []
        self.warmed: set[str] = set()
        super().__init__()

    def _run(self) -> None:
        """Start no dispatcher or timer threads: every action here runs synchronously."""

    def get_action(self, action_name: str) -> Any:
        """Return the action for a rule id: append (rule, fid) to the trace, nothing else."""
        trace = self.trace
        if action_name == WARMUP_RULE:
            return lambda c: trace.append((WARMUP_RULE, ""))

        def record(c: Any) -> None:
            trace.append((action_name, c.m["fid"]))

        return record


_lock = threading.RLock()
"""Serialises registration and sessions: actions share the host's trace list, and the engine
holds the GIL anyway, so a second thread would gain nothing."""
_host_state: dict[str, Any] = {}
_sessions = {"live": 0}


def _reset_after_fork() -> None:
    global _lock
    _lock = threading.RLock()
    _host_state.clear()
    _sessions["live"] = 0


os.register_at_fork(after_in_child=_reset_after_fork)


def _host() -> _Host:
    """Return this process's host, creating it on first use."""
    host = _host_state.get("host")
    if host is None:
        with _lock:
            host = _host_state.get("host")
            if host is None:
                host = _Host()
                _host_state["host"] = host
    return host


def live_sessions() -> int:
    """Return the number of engine sessions open in this process (0 between evaluations)."""
    return _sessions["live"]


def register(compiled: CompiledLevel) -> None:
    """Register ``compiled`` in this process's host once, and fire its warm-up action.

    :raises EngineError: the warm-up did not fire (the ruleset would not be safe to use).
    """
    host = _host()
    if compiled.name in host.warmed:
        return
    with _lock:
        if compiled.name in host.warmed:
            return
        # set_rulesets deletes "run" from the dict it is given
        host.set_rulesets({compiled.name: copy.deepcopy(dict(compiled.definition))})
        sid = uuid.uuid4().hex
        host.trace.clear()
        _sessions["live"] += 1
        try:
            host.assert_fact(compiled.name, {"kind": WARMUP_KIND, "sid": sid})
        finally:
            host.delete_state(compiled.name, sid)
            _sessions["live"] -= 1
        if host.trace != [(WARMUP_RULE, "")]:
            raise EngineError(f"ruleset {compiled.name}: warm-up fired {host.trace!r}")
        host.trace.clear()
        host.warmed.add(compiled.name)


_OUTCOME_BY_SUFFIX: Final = {FAIL: FAILED, MISSING: MISSING_DATA}


def _rule_index(compiled: CompiledLevel) -> dict[str, tuple[int, int]]:
    out = {}
    for criterion in compiled.criteria:
        out[criterion.id + FAIL] = (criterion.index, FAILED)
        out[criterion.id + MISSING] = (criterion.index, MISSING_DATA)
    return out


_indexes: dict[str, dict[str, tuple[int, int]]] = {}


Dispatch = Literal["direct", "durable"]
"""How fired actions are collected: ``direct`` reads each started action and completes it;
``durable`` lets durable_rules run its Python action loop (Closure, state round trip)."""


def evaluate(
    compiled: CompiledLevel,
    facts: Sequence[Mapping[str, EngineValue]],
    *,
    trusted: bool = False,
    dispatch: Dispatch = "direct",
) -> list[bytes]:
    """Return, per fact, one outcome code per compiled criterion (pass, fail, missing data).

    ``trusted`` skips :func:`rules.facts.check_fact` for facts made by
    :func:`rules.facts.build_fact`, which produces schema-valid facts by construction.

    :raises FactInvalid: an untrusted fact does not match the schema.
    :raises EngineError: the engine raised, hid an action error, or fired an impossible rule.
    """
    if not trusted:
        for i, fact in enumerate(facts):
            check_fact(fact, where=f"fact[{i}]")
    register(compiled)
    index = _indexes.get(compiled.name)
    if index is None:
        index = _indexes.setdefault(compiled.name, _rule_index(compiled))
    run = _run_direct if dispatch == "direct" else _run_durable
    size = len(compiled.criteria)
    results = [bytearray(size) for _ in facts]
    fields = compiled.fields
    for start in range(0, len(facts), BATCH_SIZE):
        messages = []
        for offset, fact in enumerate(facts[start : start + BATCH_SIZE]):
            # kind and fid first: the engine hands each action the message as asserted, and
            # _run_direct reads both from its start
            message: dict[str, EngineValue] = {"kind": KIND, "fid": str(start + offset)}
            for name in fields:
                if name in fact:
                    message[name] = fact[name]
            messages.append(message)
        with _lock:
            fired = run(_host(), compiled.name, messages)
        for rule, fid in fired:
            position = index.get(rule)
            if position is None:
                raise EngineError(f"ruleset {compiled.name}: unexpected rule {rule} fired")
            criterion, code = position
            row = results[int(fid)]
            if code > row[criterion]:
                row[criterion] = code
    return [bytes(r) for r in results]


def _assert(
    call: Callable[[dict[str, EngineValue]], Any], name: str, message: dict[str, EngineValue]
) -> Any:
    """Assert one fact with ``call``; a fact nothing handles or a repeated one is an error."""
    try:
        return call(message)
    except MessageNotHandledException as exc:
        raise EngineError(
            f"ruleset {name}: a fact matched no rule (the sink should accept every fact)",
            [Problem(exc.message, field=str(message.get("fid")))],
        ) from None
    except MessageObservedException:
        raise EngineError(
            f"ruleset {name}: fact {message.get('fid')} was asserted twice in one session"
        ) from None


def _run_direct(
    host: _Host, name: str, messages: list[dict[str, EngineValue]]
) -> list[tuple[str, str]]:
    """Assert ``messages`` in a fresh session, starting and completing each action they fire.

    This is what durable_rules' own action loop does, minus the parts our record-only actions do
    not need: no Closure, no state round trip and no re-assertion of the session state after
    each action (the source of the infinite-loop trap); an action cannot hide an exception.
    """
    ruleset = host.get_ruleset(name)
    handle = ruleset._handle
    fired: list[tuple[str, str]] = []
    sid = uuid.uuid4().hex
    _sessions["live"] += 1
    try:
        for message in _with_warmup(messages):
            message["sid"] = sid
            state = _assert(ruleset.assert_fact, name, message)
            started = durable_rules_engine.start_action_for_state(handle, state)
            if started is None:
                continue
            text = started[1]
            try:
                while text is not None:
                    fired.append(_action(text))
                    text = durable_rules_engine.complete_and_start_action(handle, state)
            except BaseException:
                durable_rules_engine.abandon_action(handle, state)
                raise
    finally:
        _delete(host, name, sid)
    return _checked(name, fired)


def _with_warmup(messages: list[dict[str, EngineValue]]) -> list[dict[str, EngineValue]]:
    """Return the session's messages led by the warm-up fact (so every session fires once)."""
    warmup: dict[str, EngineValue] = {"kind": WARMUP_KIND, "fid": "~"}
    return [warmup, *messages]


_ACTION = re.compile(r'\{"([^"]+)":\{"m":\{"kind": "[^"]*", "fid": "([^"]*)"')


def _action(text: str) -> tuple[str, str]:
    """Return (rule, fid) of a started action's message ``{"rule": {"m": {fact}}}``.

    The fact arrives as it was asserted, ``kind`` and ``fid`` first, so a prefix match finds
    both without parsing the whole fact; anything else is parsed as JSON.
    """
    match = _ACTION.match(text)
    if match is not None:
        return match[1], match[2]
    ((rule, frame),) = json.loads(text).items()
    return rule, str(frame.get("m", {}).get("fid", ""))


def _checked(name: str, fired: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Return the fired (rule, fid) pairs without the session's warm-up; refuse impossible ones."""
    if not fired or fired[0][0] != WARMUP_RULE:
        raise EngineError(f"ruleset {name}: the session warm-up did not fire first")
    if any(rule in (SINK_RULE, WARMUP_RULE) for rule, _ in fired[1:]):
        raise EngineError(f"ruleset {name}: the sink or warm-up rule fired for a candidate")
    return fired[1:]


def _run_durable(
    host: _Host, name: str, messages: list[dict[str, EngineValue]]
) -> list[tuple[str, str]]:
    """Assert ``messages`` in a fresh session through durable_rules' own action loop."""
    trace = host.trace
    trace.clear()
    sid = uuid.uuid4().hex
    _sessions["live"] += 1
    try:
        for message in _with_warmup(messages):
            message["sid"] = sid
            state = _assert(lambda m: host.assert_fact(name, m), name, message)
            if state and "exception" in state:
                raise EngineError(f"ruleset {name}: an action failed: {state['exception']}")
    finally:
        _delete(host, name, sid)
    fired = list(trace)
    trace.clear()
    return _checked(name, fired)


def _delete(host: _Host, name: str, sid: str) -> None:
    """Delete a session, tolerating only "unknown sid" (error 309: it was never created)."""
    try:
        host.delete_state(name, sid)
    except durable_rules_engine.error as exc:
        if "309" not in str(exc):
            raise
    finally:
        _sessions["live"] -= 1

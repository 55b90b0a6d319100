"""The condition language: parse and type-check, resolve parameters, evaluate, analyse, render.

A condition is the PASS condition of a criterion, written as data over the fact schema::

    {fact: rank, op: ">=", value: "III/d"}
    {fact: age_years, op: "<=", value: {param: max_age}}
    {fact: box, op: in, value: {param: talent_pool_boxes}}
    {all: [...]}   {any: [...]}   {not: {...}}

Operators: ``== != < <= > >= in``, plus ``not in``; ordering needs an ordered type (a rank, a
number), ``in`` needs a list. Literals are typed by the field (``"III/d"`` for a rank, ``80.5`` for
a percentage). Evaluation is three-valued: a condition reading an absent field is *missing*, never
false. The same resolved tree is compiled to durable_rules (:mod:`rules.compiler`) and evaluated
here in plain Python (:mod:`rules.reference`); a property test proves they agree.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from rules.errors import Problem
from rules.facts import FIELDS, SPECS, FieldSpec
from rules.valuetypes import EngineValue, Lang, LiteralError, ValueType

ORDERING: Final = ("<", "<=", ">", ">=")
OPERATORS: Final = ("==", "!=", *ORDERING, "in", "not in")
NEGATION: Final = {
    "==": "!=",
    "!=": "==",
    "<": ">=",
    ">=": "<",
    "<=": ">",
    ">": "<=",
    "in": "not in",
    "not in": "in",
}
_SYMBOL: Final = {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}


@dataclass(frozen=True, slots=True)
class ParamRef:
    """A reference to a pack parameter, resolved per target level before evaluation."""

    name: str


Value = EngineValue | tuple[EngineValue, ...]


@dataclass(frozen=True, slots=True)
class Atom:
    """``fact op value``: one comparison of a fact field with a literal or a parameter."""

    field: str
    op: str
    value: Value | ParamRef


@dataclass(frozen=True, slots=True)
class All:
    """True when every item is true."""

    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    """True when some item is true."""

    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """True when the item is false."""

    item: Condition


Condition = Atom | All | AnyOf | Not

ParamTypes = Mapping[str, tuple[ValueType, bool]]
"""Parameter name → (value type, is a list)."""


class ConditionParser:
    """Parses condition data, collecting a :class:`Problem` per mistake."""

    def __init__(
        self,
        params: ParamTypes,
        *,
        file: str | None,
        criterion: str | None,
        schema: Mapping[str, FieldSpec] = FIELDS,
    ) -> None:
        self.params = params
        self.schema = schema
        self.file = file
        self.criterion = criterion
        self.problems: list[Problem] = []
        self.used_params: set[str] = set()

    def _fail(self, path: str, message: str) -> None:
        self.problems.append(Problem(message, self.file, self.criterion, path))

    def parse(self, data: object, path: str = "condition") -> Condition | None:
        """Return the condition ``data`` describes, or ``None`` after recording problems."""
        if not isinstance(data, Mapping):
            self._fail(path, "a condition is an object: {fact, op, value}, {all}, {any} or {not}")
            return None
        keys = set(data)
        if keys in ({"all"}, {"any"}):
            (key,) = keys
            items = data[key]
            if not isinstance(items, list) or not items:
                self._fail(f"{path}.{key}", "expected a non-empty list of conditions")
                return None
            parsed = [self.parse(item, f"{path}.{key}[{i}]") for i, item in enumerate(items)]
            if any(p is None for p in parsed):
                return None
            children = tuple(p for p in parsed if p is not None)
            return All(children) if key == "all" else AnyOf(children)
        if keys == {"not"}:
            inner = self.parse(data["not"], f"{path}.not")
            return Not(inner) if inner is not None else None
        if keys == {"fact", "op", "value"}:
            return self._atom(data, path)
        self._fail(path, f"unexpected keys {sorted(keys)}; expected fact/op/value, all, any or not")
        return None

    def _atom(self, data: Mapping[str, Any], path: str) -> Atom | None:
        name, op, raw = data["fact"], data["op"], data["value"]
        spec = self.schema.get(name) if isinstance(name, str) else None
        if spec is None:
            self._fail(f"{path}.fact", f"unknown fact field {name!r}")
            return None
        if op not in OPERATORS:
            self._fail(f"{path}.op", f"unknown operator {op!r}; use one of {', '.join(OPERATORS)}")
            return None
        vtype = spec.type
        if op in ORDERING and not vtype.ordered:
            self._fail(f"{path}.op", f"{name} holds an unordered {vtype.name}: use == or in")
            return None
        wants_list = op in ("in", "not in")
        if isinstance(raw, Mapping):
            return self._param_atom(name, op, raw, vtype, wants_list, path)
        if wants_list:
            if not isinstance(raw, list):
                self._fail(f"{path}.value", f"{op} needs a list of {vtype.name} values")
                return None
            values = []
            for i, item in enumerate(raw):
                value = self._literal(vtype, item, f"{path}.value[{i}]", name)
                if value is None:
                    return None
                values.append(value)
            return Atom(name, op, tuple(sorted(set(values), key=_sort_key)))
        value = self._literal(vtype, raw, f"{path}.value", name)
        return Atom(name, op, value) if value is not None else None

    def _param_atom(
        self,
        name: str,
        op: str,
        raw: Mapping[str, Any],
        vtype: ValueType,
        wants_list: bool,
        path: str,
    ) -> Atom | None:
        if set(raw) != {"param"} or not isinstance(raw["param"], str):
            self._fail(f"{path}.value", "a parameter is written {param: name}")
            return None
        param = raw["param"]
        if param not in self.params:
            self._fail(f"{path}.value", f"unknown parameter {param!r}")
            return None
        ptype, is_list = self.params[param]
        if ptype.name != vtype.name or is_list != wants_list:
            shown = f"list of {ptype.name}" if is_list else ptype.name
            needed = f"list of {vtype.name}" if wants_list else vtype.name
            self._fail(
                f"{path}.value",
                f"parameter {param} is a {shown}; {name} {op} needs a {needed}",
            )
            return None
        self.used_params.add(param)
        return Atom(name, op, ParamRef(param))

    def _literal(self, vtype: ValueType, raw: object, path: str, name: str) -> EngineValue | None:
        try:
            return vtype.parse(raw)
        except LiteralError as exc:
            self._fail(path, f"{name} holds a {vtype.name}: {exc}")
            return None


def _sort_key(value: EngineValue) -> tuple[str, str]:
    return (type(value).__name__, repr(value))


def to_data(condition: Condition) -> dict[str, Any]:
    """Return the canonical data form of a condition (literals written as in a pack)."""
    if isinstance(condition, All):
        return {"all": [to_data(c) for c in condition.items]}
    if isinstance(condition, AnyOf):
        return {"any": [to_data(c) for c in condition.items]}
    if isinstance(condition, Not):
        return {"not": to_data(condition.item)}
    vtype = SPECS[condition.field].type
    value = condition.value
    written: object
    if isinstance(value, ParamRef):
        written = {"param": value.name}
    elif isinstance(value, tuple):
        written = [vtype.to_data(v) for v in value]
    else:
        written = vtype.to_data(value)
    return {"fact": condition.field, "op": condition.op, "value": written}


def resolve(condition: Condition, params: Mapping[str, Value]) -> Condition:
    """Return ``condition`` with every parameter replaced by its value for one level."""
    if isinstance(condition, All):
        return All(tuple(resolve(c, params) for c in condition.items))
    if isinstance(condition, AnyOf):
        return AnyOf(tuple(resolve(c, params) for c in condition.items))
    if isinstance(condition, Not):
        return Not(resolve(condition.item, params))
    if isinstance(condition.value, ParamRef):
        return Atom(condition.field, condition.op, params[condition.value.name])
    return condition


def atoms(condition: Condition) -> Iterable[Atom]:
    """Yield every comparison in ``condition``."""
    if isinstance(condition, Atom):
        yield condition
    elif isinstance(condition, Not):
        yield from atoms(condition.item)
    else:
        for item in condition.items:
            yield from atoms(item)


def fields(condition: Condition) -> tuple[str, ...]:
    """Return the fact fields ``condition`` reads, sorted."""
    return tuple(sorted({a.field for a in atoms(condition)}))


def params_used(condition: Condition) -> tuple[str, ...]:
    """Return the parameters ``condition`` refers to, sorted."""
    return tuple(sorted({a.value.name for a in atoms(condition) if isinstance(a.value, ParamRef)}))


def compare(atom: Atom, value: EngineValue) -> bool:
    """Return whether ``value op atom.value`` holds (both present, resolved)."""
    op, target = atom.op, atom.value
    if op == "==":
        return value == target
    if op == "!=":
        return value != target
    if op == "in":
        return value in target  # type: ignore[operator]
    if op == "not in":
        return value not in target  # type: ignore[operator]
    if op == "<":
        return value < target  # type: ignore[operator]
    if op == "<=":
        return value <= target  # type: ignore[operator]
    if op == ">":
        return value > target  # type: ignore[operator]
    return value >= target  # type: ignore[operator]


def holds(condition: Condition, fact: Mapping[str, EngineValue]) -> bool:
    """Return the two-valued truth of a resolved condition over a fact with every field present."""
    if isinstance(condition, Atom):
        return compare(condition, fact[condition.field])
    if isinstance(condition, All):
        return all(holds(c, fact) for c in condition.items)
    if isinstance(condition, AnyOf):
        return any(holds(c, fact) for c in condition.items)
    return not holds(condition.item, fact)


def compile_python(condition: Condition) -> Callable[[Mapping[str, EngineValue]], bool]:
    """Return a fast two-valued predicate for a resolved condition (fields must be present)."""
    if isinstance(condition, Atom):
        return _atom_predicate(condition)
    if isinstance(condition, Not):
        inner = compile_python(condition.item)
        return lambda fact: not inner(fact)
    parts = tuple(compile_python(c) for c in condition.items)
    if isinstance(condition, All):
        return lambda fact: all(p(fact) for p in parts)
    return lambda fact: any(p(fact) for p in parts)


def _atom_predicate(atom: Atom) -> Callable[[Mapping[str, EngineValue]], bool]:
    name, target = atom.field, atom.value
    table: dict[str, Callable[[Mapping[str, EngineValue]], bool]] = {
        "==": lambda f: f[name] == target,
        "!=": lambda f: f[name] != target,
        "<": lambda f: f[name] < target,  # type: ignore[operator]
        "<=": lambda f: f[name] <= target,  # type: ignore[operator]
        ">": lambda f: f[name] > target,  # type: ignore[operator]
        ">=": lambda f: f[name] >= target,  # type: ignore[operator]
        "in": lambda f: f[name] in target,  # type: ignore[operator]
        "not in": lambda f: f[name] not in target,  # type: ignore[operator]
    }
    return table[atom.op]


def negate_atom(atom: Atom) -> Atom:
    """Return the comparison that holds exactly when ``atom`` does not (fields present)."""
    return Atom(atom.field, NEGATION[atom.op], atom.value)


def nnf(condition: Condition, negated: bool = False) -> Condition:
    """Return the negation normal form of ``condition`` (or of its negation): no ``Not`` left."""
    if isinstance(condition, Atom):
        return negate_atom(condition) if negated else condition
    if isinstance(condition, Not):
        return nnf(condition.item, not negated)
    items = tuple(nnf(c, negated) for c in condition.items)
    if isinstance(condition, All):
        return AnyOf(items) if negated else All(items)
    return All(items) if negated else AnyOf(items)


# ---------------------------------------------------------------- finite analysis
#
# Every comparison is ``field op constant``, so the truth of a condition only changes where a
# field crosses one of its constants. Testing each field at its constants, one either side and the
# ends of its domain therefore covers every combination of truth values: enough to decide exactly
# whether a condition can pass, can fail, or which exclusive cubes make it true.


def representative_points(condition: Condition) -> dict[str, tuple[EngineValue, ...]]:
    """Return, per field, values that reach every truth combination of its comparisons."""
    constants: dict[str, set[EngineValue]] = {}
    for atom in atoms(condition):
        values = atom.value if isinstance(atom.value, tuple) else (atom.value,)
        constants.setdefault(atom.field, set()).update(
            v for v in values if not isinstance(v, ParamRef)
        )
    out: dict[str, tuple[EngineValue, ...]] = {}
    for name, found in constants.items():
        vtype = SPECS[name].type
        domain = vtype.domain_points()
        if vtype.kind != "int" or vtype.labels:
            out[name] = tuple(domain)
            continue
        low, high = domain[0], domain[1]
        assert isinstance(low, int)
        assert isinstance(high, int)
        points = {low, high}
        for v in found:
            assert isinstance(v, int)
            points.update(p for p in (v - 1, v, v + 1) if low <= p <= high)
        out[name] = tuple(sorted(points))
    return out


SEARCH_LIMIT: Final = 50_000
"""Largest number of point combinations the analysis enumerates; beyond it, it answers None."""


def truth_table(condition: Condition) -> set[bool] | None:
    """Return the set of truth values ``condition`` can take, or ``None`` if too large to check."""
    points = representative_points(condition)
    names = sorted(points)
    size = 1
    for name in names:
        size *= len(points[name])
    if size > SEARCH_LIMIT:
        return None
    predicate = compile_python(condition)
    seen: set[bool] = set()
    for combo in itertools.product(*(points[n] for n in names)):
        seen.add(predicate(dict(zip(names, combo, strict=True))))
        if len(seen) == 2:
            break
    return seen


def exclusive_cubes(condition: Condition) -> list[tuple[Atom, ...]]:
    """Return mutually exclusive conjunctions of comparisons whose union is ``condition``.

    With every field present exactly one cube (or none) holds, so a durable_rules rule built as
    the ``$or`` of these cubes fires at most once per fact (an ``$or`` whose branches overlap
    fires once per true branch).
    """
    points = representative_points(condition)
    form = nnf(condition)
    return _expand(form, points, ())


def _expand(
    form: Condition | bool, points: Mapping[str, Sequence[EngineValue]], cube: tuple[Atom, ...]
) -> list[tuple[Atom, ...]]:
    form = _simplify(form, points, cube)
    if form is True:
        return [cube]
    if form is False:
        return []
    atom = next(iter(atoms(form)))
    return _expand(form, points, (*cube, atom)) + _expand(form, points, (*cube, negate_atom(atom)))


def _feasible(
    name: str, points: Mapping[str, Sequence[EngineValue]], cube: tuple[Atom, ...]
) -> list[EngineValue]:
    return [p for p in points[name] if all(compare(a, p) for a in cube if a.field == name)]


def _simplify(
    form: Condition | bool, points: Mapping[str, Sequence[EngineValue]], cube: tuple[Atom, ...]
) -> Condition | bool:
    if isinstance(form, bool):
        return form
    if isinstance(form, Atom):
        feasible = _feasible(form.field, points, cube)
        if not feasible:
            return False
        truths = {compare(form, p) for p in feasible}
        if truths == {True}:
            return True
        if truths == {False}:
            return False
        return form
    assert isinstance(form, All | AnyOf)
    items = [_simplify(c, points, cube) for c in form.items]
    if isinstance(form, All):
        if any(i is False for i in items):
            return False
        kept = tuple(i for i in items if not isinstance(i, bool))
        if not kept:
            return True
        return kept[0] if len(kept) == 1 else All(kept)
    if any(i is True for i in items):
        return True
    kept = tuple(i for i in items if not isinstance(i, bool))
    if not kept:
        return False
    return kept[0] if len(kept) == 1 else AnyOf(kept)


# ---------------------------------------------------------------- rendering


def render_value(field: str, value: Value, lang: Lang = "en") -> str:
    """Return a literal of ``field`` as people read it (a list as ``a, b or c``)."""
    vtype = SPECS[field].type
    if isinstance(value, tuple):
        shown = [vtype.render(v, lang) for v in value]
        word = " atau " if lang == "id" else " or "
        return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + word + shown[-1]
    return vtype.render(value, lang)


def render(condition: Condition, lang: Lang = "en") -> str:
    """Return a resolved condition as text, e.g. ``rank ≥ III/d and age_years ≤ 56``."""
    if isinstance(condition, Atom):
        assert not isinstance(condition.value, ParamRef)
        shown = render_value(condition.field, condition.value, lang)
        if condition.op in ("in", "not in"):
            word = {"in": ("salah satu dari", "one of"), "not in": ("bukan", "none of")}
            return f"{condition.field} {word[condition.op][lang == 'en']} {shown}"
        return f"{condition.field} {_SYMBOL[condition.op]} {shown}"
    if isinstance(condition, Not):
        return f"{'bukan' if lang == 'id' else 'not'} ({render(condition.item, lang)})"
    joiner = {
        (True, "id"): " dan ",
        (True, "en"): " and ",
        (False, "id"): " atau ",
        (False, "en"): " or ",
    }[(isinstance(condition, All), lang)]
    return joiner.join(
        f"({render(c, lang)})" if isinstance(c, All | AnyOf) else render(c, lang)
        for c in condition.items
    )

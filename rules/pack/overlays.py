"""Overlays: an agency pack that names its parent and may only tighten it.

:func:`resolve_overlay` applies an overlay document to its parent's canonical form (new
parameters and criteria; parameter values changed per level; parent criteria made hard or applied
to more levels) and refuses what an overlay may never change. Once the resolved document is
validated, :func:`check_tightens` refuses every parameter value moved against its ``tighten``
direction, naming the parameter and the criteria that use it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, Protocol

from rules.conditions import ParamRef, Value, params_used
from rules.pack.model import Pack

_OVERLAY_KEYS: Final = frozenset(
    {
        "id", "version", "title", "effective_from", "effective_to", "legal_basis", "parent",
        "parameters", "criteria",
    }
)  # fmt: skip


class Fail(Protocol):
    """Records one problem of the document being read (the validator's ``fail``)."""

    def __call__(
        self, message: str, *, criterion: str | None = None, field: str | None = None
    ) -> None: ...


def resolve_overlay(data: object, parent: Pack, fail: Fail) -> object:
    """Return the resolved document of an overlay: the parent's, with the overlay applied."""
    if not isinstance(data, Mapping):
        return data
    for key in sorted(set(data) - _OVERLAY_KEYS, key=str):
        if key in ("levels", "derived", "ranking"):
            fail(
                f"an overlay inherits {key} from its parent and may not change it",
                field=str(key),
            )
        else:
            fail(f"unknown key {key!r}", field=str(key))
    ref = data.get("parent")
    if not isinstance(ref, Mapping) or set(ref) - {"id", "version"} or ref.get("id") != parent.id:
        fail(f"parent is {{id: {parent.id}, version: ...}}", field="parent")
    elif ref.get("version") != parent.version:
        fail(
            f"the overlay is written for {parent.id} {ref.get('version')}, "
            f"the parent found is {parent.version}",
            field="parent.version",
        )
    base = parent.to_canonical()
    resolved: dict[str, Any] = dict(base)
    for key in ("id", "version", "title", "effective_from", "effective_to"):
        if key in data:
            resolved[key] = data[key]
        elif key in ("id", "version", "title"):
            fail("an overlay names its own id, version and title", field=key)
    resolved["legal_basis"] = list(base["legal_basis"]) + list(data.get("legal_basis") or [])
    resolved["parent"] = {"id": parent.id, "version": parent.version, "digest": parent.digest}
    resolved["parameters"] = _overlay_params(
        base["parameters"], data.get("parameters") or {}, parent, fail
    )
    resolved["criteria"] = _overlay_criteria(
        base["criteria"], data.get("criteria") or [], parent, str(data.get("id")), fail
    )
    return resolved


def _overlay_params(
    base: Mapping[str, Any], changes: object, parent: Pack, fail: Fail
) -> dict[str, Any]:
    out = {k: dict(v) for k, v in base.items()}
    if not isinstance(changes, Mapping):
        fail("parameters is a mapping", field="parameters")
        return out
    for name, spec in changes.items():
        where = f"parameters.{name}"
        if name not in out:
            out[name] = spec
            continue
        if not isinstance(spec, Mapping):
            fail("expected {value} or {per_level}", field=where)
            continue
        for key in ("type", "list", "tighten"):
            if key in spec and spec[key] != out[name][key]:
                fail(f"an overlay may not change a parameter's {key}", field=f"{where}.{key}")
        for key in set(spec) - {
            "type",
            "list",
            "tighten",
            "value",
            "per_level",
            "note",
            "source",
        }:
            fail(f"unknown key {key!r}", field=f"{where}.{key}")
        merged = out[name]
        if "value" in spec:
            merged.pop("per_level", None)
            merged["value"] = spec["value"]
        if "per_level" in spec and isinstance(spec["per_level"], Mapping):
            table = dict(merged.get("per_level") or {})
            if "value" in merged:
                table = {lvl.value: merged["value"] for lvl in parent.levels} | table
                merged.pop("value")
            table.update({str(k): v for k, v in spec["per_level"].items()})
            merged["per_level"] = table
        if "note" in spec:
            merged["note"] = spec["note"]
    return out


def _overlay_criteria(
    base: Sequence[Mapping[str, Any]],
    changes: object,
    parent: Pack,
    overlay_id: str,
    fail: Fail,
) -> list[Any]:
    out: list[Any] = [dict(c) for c in base]
    index = {c["id"]: i for i, c in enumerate(out)}
    if not isinstance(changes, list):
        fail("criteria is a list", field="criteria")
        return out
    for item in changes:
        cid = item.get("id") if isinstance(item, Mapping) else None
        if cid not in index:
            if isinstance(item, Mapping) and "origin" in item:
                fail("unknown key 'origin'", criterion=str(cid), field="origin")
            out.append({**item, "origin": overlay_id} if isinstance(item, Mapping) else item)
            continue
        assert isinstance(item, Mapping)
        original = parent.criterion(str(cid))
        rewritten = sorted(set(item) - {"id", "hard", "applies_to"})
        if rewritten:
            fail(
                f"an overlay may not rewrite parent criterion {cid} ({', '.join(rewritten)}); "
                "add a new criterion instead",
                criterion=cid,
                field=rewritten[0],
            )
            continue
        amended = out[index[cid]]
        if "hard" in item:
            if item["hard"] is True:
                amended["hard"] = True
            elif item["hard"] != amended["hard"]:
                fail(
                    f"loosens parent criterion {cid}: a hard criterion stays hard",
                    criterion=cid,
                    field="hard",
                )
        if "applies_to" in item:
            wanted = item["applies_to"]
            if not isinstance(wanted, list):
                fail("applies_to is a list of levels", criterion=cid, field="applies_to")
                continue
            dropped = [lvl.value for lvl in original.applies_to if lvl.value not in wanted]
            if dropped:
                fail(
                    f"loosens parent criterion {cid}: it may not stop applying to "
                    f"{', '.join(dropped)}",
                    criterion=cid,
                    field="applies_to",
                )
            else:
                amended["applies_to"] = list(wanted)
    return out


def check_tightens(pack: Pack, parent: Pack, fail: Fail) -> None:
    """Refuse an overlay that loosens its parent, naming the parameter or criterion."""
    for name, before in parent.params.items():
        after = pack.params.get(name)
        if after is None:
            continue
        users = [
            c.id
            for c in pack.criteria
            if name in params_used(c.condition) or c.hard == ParamRef(name)
        ]
        for level in parent.levels:
            old, new = before.value_for(level), after.value_for(level)
            if old is None or new == old:
                continue
            if new is None or not _tightens(before.tighten, old, new):
                shown_old = before.render(old)
                shown_new = after.render(new) if new is not None else "nothing"
                affected = f" (criteria {', '.join(users)})" if users else ""
                fail(
                    f"loosens parameter {name} for {level.value}: {shown_old} → {shown_new} "
                    f"is not allowed (tighten: {before.tighten}){affected}",
                    criterion=users[0] if users else None,
                    field=f"parameters.{name}",
                )


def _tightens(direction: str, old: Value, new: Value) -> bool:
    if direction == "min":
        return new >= old  # type: ignore[operator]
    if direction == "max":
        return new <= old  # type: ignore[operator]
    if direction == "subset":
        return set(new) <= set(old)  # type: ignore[arg-type]
    if direction == "superset":
        return set(new) >= set(old)  # type: ignore[arg-type]
    return new == old

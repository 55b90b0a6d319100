"""Reading packs: YAML files (duplicate keys refused), pack directories, the shipped packs, and
the canonical JSON a published pack is stored as.

Every path ends in :func:`rules.pack.validation.pack_from_document`, so whatever is loaded has
been validated; an overlay's parent is loaded first (from ``parents`` or its sibling directory).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import yaml

from rules.errors import PackInvalid, Problem
from rules.pack.model import Pack
from rules.pack.validation import pack_from_document

PACKS_DIR: Final = Path(__file__).resolve().parent.parent / "packs"
"""Where the shipped packs live, one directory each."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses duplicate mapping keys (PyYAML keeps the last silently)."""


def _unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def read_yaml(path: Path) -> Any:
    """Return the YAML document at ``path``.

    :raises PackInvalid: the file is missing, unreadable, not YAML, or repeats a key.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PackInvalid(f"cannot read {path}", [Problem(str(exc), str(path))]) from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise PackInvalid(f"{path} is not valid YAML", [Problem(str(exc), str(path))]) from None


def pack_file(path: Path) -> Path:
    """Return the ``pack.yaml`` of a pack directory (or ``path`` itself if it is a file)."""
    return path / "pack.yaml" if path.is_dir() else path


def load_pack(path: Path | str, *, parents: Mapping[str, Pack] | None = None) -> Pack:
    """Load and validate the pack at ``path`` (a directory or its ``pack.yaml``).

    An overlay's parent is taken from ``parents`` (by id) or loaded from the sibling directory
    named after it.

    :raises PackInvalid: with every problem found, each naming file, criterion and field.
    """
    file = pack_file(Path(path))
    data = read_yaml(file)
    parent = None
    if isinstance(data, Mapping) and isinstance(data.get("parent"), Mapping):
        parent_id = data["parent"].get("id")
        if isinstance(parent_id, str):
            if parents is not None and parent_id in parents:
                parent = parents[parent_id]
            else:
                sibling = file.parent.parent / parent_id
                if not pack_file(sibling).exists():
                    raise PackInvalid(
                        f"{file}: parent pack {parent_id} not found",
                        [Problem(f"no pack {parent_id} at {sibling}", str(file), field="parent")],
                    )
                parent = load_pack(sibling, parents=parents)
    return pack_from_document(data, file=str(file), parent=parent)


def shipped_pack_dirs() -> list[Path]:
    """Return the directories of the shipped packs, sorted by name."""
    return sorted(p for p in PACKS_DIR.iterdir() if (p / "pack.yaml").is_file())


def load_shipped() -> dict[str, Pack]:
    """Load every shipped pack, parents before overlays, keyed by pack id.

    :raises PackInvalid: if any shipped pack is invalid.
    """
    loaded: dict[str, Pack] = {}
    pending = shipped_pack_dirs()
    while pending:
        progress = False
        for directory in list(pending):
            data = read_yaml(directory / "pack.yaml")
            parent = data.get("parent") if isinstance(data, Mapping) else None
            parent_id = parent.get("id") if isinstance(parent, Mapping) else None
            if parent_id is None or parent_id in loaded:
                pack = load_pack(directory, parents=loaded)
                loaded[pack.id] = pack
                pending.remove(directory)
                progress = True
        if not progress:
            names = ", ".join(p.name for p in pending)
            raise PackInvalid(f"packs with a missing or circular parent: {names}")
    return loaded


def pack_from_canonical(text: str | bytes) -> Pack:
    """Return the pack stored as canonical JSON, checking that it re-digests identically.

    :raises PackInvalid: the JSON is not a valid resolved pack, or its content changed.
    """
    data = json.loads(text)
    pack = pack_from_document(data, file="published", parent=None, resolved=True)
    raw = text.encode() if isinstance(text, str) else text
    if pack.canonical_json != raw:
        raise PackInvalid(
            f"stored pack {pack.id} {pack.version} is not in canonical form (altered?)"
        )
    return pack

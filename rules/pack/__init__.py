"""Rule packs: the YAML format, validation, overlays, canonical form and digest.

A pack (``rules/packs/<id>/pack.yaml``) has metadata (id, version, effective dates, legal basis,
parent), typed parameters, criteria (id, levels, declarative condition, hard or soft, citation,
message, remedy), the tables of the derived measures and the ranking; ``docs/rules.md`` documents
every key. Loading validates everything and names the file, criterion and field of each problem.
An overlay (a pack with a ``parent``) may only tighten its parent. The fully resolved pack has a
canonical JSON form (RFC 8785) whose SHA-256 is the pack's identity.

This module is the public API; the parts live in:

* :mod:`rules.pack.model` — :class:`Pack` and its parts, their canonical form and the digest;
* :mod:`rules.pack.loading` — YAML files, pack directories, the shipped packs, stored JSON;
* :mod:`rules.pack.validation` — every check of a pack document, with its problem messages;
* :mod:`rules.pack.overlays` — resolving an overlay against its parent; tighten-only checks.
"""

from rules.pack.loading import (
    PACKS_DIR,
    load_pack,
    load_shipped,
    pack_file,
    pack_from_canonical,
    read_yaml,
    shipped_pack_dirs,
)
from rules.pack.model import (
    CONVERTER_PARAMETERS,
    FORMAT,
    TIGHTEN,
    Criterion,
    Derived,
    LegalBasis,
    Pack,
    ParamDef,
    ParentRef,
    Ranking,
)
from rules.pack.validation import pack_from_document

__all__ = [
    "CONVERTER_PARAMETERS",
    "FORMAT",
    "PACKS_DIR",
    "TIGHTEN",
    "Criterion",
    "Derived",
    "LegalBasis",
    "Pack",
    "ParamDef",
    "ParentRef",
    "Ranking",
    "load_pack",
    "load_shipped",
    "pack_file",
    "pack_from_canonical",
    "pack_from_document",
    "read_yaml",
    "shipped_pack_dirs",
]

"""What every concept stands on: the database and its one transaction helper, typed errors, the
clock, pagination, streaming reads, canonical JSON, schema migrations, and who is acting with
which agencies they may read.

Everything other packages use is imported here; the modules beside it are private to the
concept (the import-linter contracts in pyproject.toml hold that).
"""

from workflow.core.actors import Actor, system_actor
from workflow.core.canonical import NotCanonicalisable, canonical_json, check_value
from workflow.core.clock import SystemClock
from workflow.core.db import UNAVAILABLE_ERRORS, Database, check_durability, connect, is_unavailable
from workflow.core.errors import (
    Conflict,
    DatabaseMisconfigured,
    GuardFailed,
    IdempotencyMismatch,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    Refused,
    Throttled,
    Unauthenticated,
    WorkflowError,
)
from workflow.core.migrate import current as schema_revision
from workflow.core.migrate import heads as schema_heads
from workflow.core.migrate import upgrade as upgrade_schema
from workflow.core.pagination import (
    DEFAULT_PER_PAGE,
    MAX_PAGE,
    MAX_PER_PAGE,
    Page,
    PageRequest,
    fetch_page,
)
from workflow.core.scope import ensure_readable, ensure_writable, readable
from workflow.core.streaming import batches, read_ahead

__all__ = [
    "DEFAULT_PER_PAGE",
    "MAX_PAGE",
    "MAX_PER_PAGE",
    "UNAVAILABLE_ERRORS",
    "Actor",
    "Conflict",
    "Database",
    "DatabaseMisconfigured",
    "GuardFailed",
    "IdempotencyMismatch",
    "InvalidInput",
    "NotCanonicalisable",
    "NotFound",
    "Page",
    "PageRequest",
    "PreconditionFailed",
    "Refused",
    "SystemClock",
    "Throttled",
    "Unauthenticated",
    "WorkflowError",
    "batches",
    "canonical_json",
    "check_durability",
    "check_value",
    "connect",
    "ensure_readable",
    "ensure_writable",
    "fetch_page",
    "is_unavailable",
    "read_ahead",
    "readable",
    "schema_heads",
    "schema_revision",
    "system_actor",
    "upgrade_schema",
]

"""What every concept stands on: the database and its one transaction helper, typed errors, the
clock, pagination, streaming reads, canonical JSON, strict bounded JSON decoding, CSV for people,
schema migrations, and who is acting with which agencies they may read.

Everything other packages use is imported here; the modules beside it are private to the
concept (the import-linter contracts in pyproject.toml hold that).
"""

from workflow.core.actors import Actor, system_actor
from workflow.core.backup import BackupUnavailable
from workflow.core.backup import backup as backup_database
from workflow.core.backup import restore as restore_database
from workflow.core.canonical import NotCanonicalisable, canonical_json, check_value
from workflow.core.clock import SystemClock
from workflow.core.csv_export import csv_writer
from workflow.core.csv_export import neutralise as neutralise_csv_cell
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
from workflow.core.strict_json import MAX_BODY_BYTES as MAX_JSON_BYTES
from workflow.core.strict_json import MAX_DEPTH as MAX_JSON_DEPTH
from workflow.core.strict_json import HostileJson
from workflow.core.strict_json import check_values as check_json_values
from workflow.core.strict_json import decode as decode_json

__all__ = [
    "DEFAULT_PER_PAGE",
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_PAGE",
    "MAX_PER_PAGE",
    "UNAVAILABLE_ERRORS",
    "Actor",
    "BackupUnavailable",
    "Conflict",
    "Database",
    "DatabaseMisconfigured",
    "GuardFailed",
    "HostileJson",
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
    "backup_database",
    "batches",
    "canonical_json",
    "check_durability",
    "check_json_values",
    "check_value",
    "connect",
    "csv_writer",
    "decode_json",
    "ensure_readable",
    "ensure_writable",
    "fetch_page",
    "is_unavailable",
    "neutralise_csv_cell",
    "read_ahead",
    "readable",
    "restore_database",
    "schema_heads",
    "schema_revision",
    "system_actor",
    "upgrade_schema",
]

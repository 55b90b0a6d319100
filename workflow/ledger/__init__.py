"""The tamper-evident ledger: append in the caller's transaction, verify, export, signed
checkpoints, and the auditor's scoped reads.

Everything other packages use is imported here; the modules beside it are private to the
concept (the import-linter contracts in pyproject.toml hold that).
"""

from workflow.ledger.audit import (
    EntryFilter,
    EntryView,
    create_checkpoints,
    get_entry,
    list_checkpoints,
    list_entries,
    readable_chains,
)
from workflow.ledger.audit import export as audit_export
from workflow.ledger.audit import verify as audit_verify
from workflow.ledger.chain import (
    ACTOR_PATTERN,
    KIND_PATTERN,
    MAX_KIND_LENGTH,
    ON_BEHALF_OF,
    Finding,
    LedgerKind,
    TenantReport,
    VerifyReport,
    actor_ref,
    append,
    body_hash,
    checkpoint,
    delegation_of,
    entry_body,
    export,
    export_chain,
    verify,
    verify_chain,
)
from workflow.ledger.checkpoints import (
    CheckpointStore,
    MalformedCheckpoint,
    VerifierKey,
    load_signer,
)

__all__ = [
    "ACTOR_PATTERN",
    "KIND_PATTERN",
    "MAX_KIND_LENGTH",
    "ON_BEHALF_OF",
    "CheckpointStore",
    "EntryFilter",
    "EntryView",
    "Finding",
    "LedgerKind",
    "MalformedCheckpoint",
    "TenantReport",
    "VerifierKey",
    "VerifyReport",
    "actor_ref",
    "append",
    "audit_export",
    "audit_verify",
    "body_hash",
    "checkpoint",
    "create_checkpoints",
    "delegation_of",
    "entry_body",
    "export",
    "export_chain",
    "get_entry",
    "list_checkpoints",
    "list_entries",
    "load_signer",
    "readable_chains",
    "verify",
    "verify_chain",
]

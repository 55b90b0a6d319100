"""The tamper-evident ledger: append in the caller's transaction, verify, export, signed checkpoints, and the auditor's scoped reads."""

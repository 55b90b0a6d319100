"""The vacancy domain: registry, workflow, ledger and the use cases that own transactions."""

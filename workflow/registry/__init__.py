"""The personnel registry: NIP rules, bulk import, demo data and scoped queries."""

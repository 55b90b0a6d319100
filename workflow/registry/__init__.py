"""The personnel registry: NIP rules, the bulk import of CSV sets and JSON profiles, demo data."""

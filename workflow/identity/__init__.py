"""Identity: users, roles, bearer tokens, delegations, their administration, the demo accounts, and the personal-data access log."""

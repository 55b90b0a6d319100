"""The personnel registry seen from outside: scoped queries over agencies, positions, employees."""

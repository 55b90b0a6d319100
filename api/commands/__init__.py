"""Click command groups attached to ``flask --app wsgi``; each command calls one use case."""

"""Click command groups attached to ``flask --app wsgi`` by :func:`api.cli.register`."""

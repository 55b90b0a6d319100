"""Command groups of ``flask --app wsgi …``, one module each; ``api/cli.py`` attaches them."""

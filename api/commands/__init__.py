"""Command groups of the ``flask --app wsgi`` command line, one module per group."""

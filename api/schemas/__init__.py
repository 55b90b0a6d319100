"""Marshmallow schemas: the HTTP contract and the shape of imported rows."""

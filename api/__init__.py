"""HTTP API and CLI: thin adapters that parse, call one use case, and render."""

from api.app import create_app

__all__ = ["create_app"]

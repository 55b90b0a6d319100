"""Typed configuration; nothing else in the project reads the environment."""

from config.settings import ConfigurationError, Settings, environment_value

__all__ = ["ConfigurationError", "Settings", "environment_value"]

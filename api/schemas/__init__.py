"""Marshmallow schemas named by direction (``XCreate``, ``XUpdate``, ``XRead``, ``XQuery``).

Request bodies derive from :class:`RequestSchema`: an unknown field (``state``, ``tenant``,
``version``, a score …) is a 422, never silently accepted or ignored.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema


class RequestSchema(Schema):
    """Base of every request body: unknown fields are refused."""

    class Meta:
        unknown = RAISE

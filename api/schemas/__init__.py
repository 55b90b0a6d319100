"""Marshmallow schemas named by direction (``XCreate``, ``XUpdate``, ``XRead``, ``XQuery``).

Request bodies derive from :class:`RequestSchema`: an unknown field (``state``, ``tenant``,
``version``, a score …) is a 422, never silently accepted or ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields


class RequestSchema(Schema):
    """Base of every request body: unknown fields are refused."""

    class Meta:
        unknown = RAISE


class StrictBoolean(fields.Boolean):
    """A JSON boolean only: ``0``, ``1`` or ``"true"`` in a body are type errors, not booleans."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("Not a valid boolean.")
        return value

"""Marshmallow schemas named by direction (``XCreate``, ``XUpdate``, ``XRead``, ``XQuery``).

Request bodies derive from :class:`RequestSchema`: an unknown field (``state``, ``tenant``,
``version``, a score …) is a 422, never silently accepted or ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

NO_NUL = r"^[^\x00]*$"
"""PostgreSQL text cannot hold NUL characters, so no input text may contain one."""


def text(max_length: int, **kwargs: Any) -> fields.String:
    """Return a field for 1..``max_length`` characters of text without NUL characters."""
    return fields.String(
        validate=[validate.Length(min=1, max=max_length), validate.Regexp(NO_NUL)], **kwargs
    )


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

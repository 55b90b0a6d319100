"""Errors on the command line: the same table, kind and text as the HTTP API's problems.

A domain error raised by a use case becomes a click error (exit status 1). Its first line is
the problem ``detail`` the API sends, then the error's kind and HTTP status from
:data:`api.errors.STATUS_BY_ERROR` and, if any, the rule that refused::

    Error: no vacancy 999 [NotFound 404]
    Error: hr1 submitted this vacancy and may not act at a later step [Refused 403, rule …]

followed by one line per listed problem (``field position: no position …``) and per other member
of the problem (``possible: submit, cancel``). Input a command validates with the HTTP view's
request schema (:func:`load`) fails as over HTTP: invalid input (422), one line per field.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import click
from marshmallow import Schema, ValidationError

from api.errors import DOMAIN_ERRORS, DomainProblem, describe
from workflow.core import InvalidInput

INVALID_INPUT = "the input is not valid"
"""The detail of input a request schema refuses (HTTP puts the field messages in ``errors``)."""


class DomainError(click.ClickException):
    """A domain error as the command line reports it; ``problem`` is what HTTP would send."""

    def __init__(self, problem: DomainProblem) -> None:
        super().__init__(render(problem))
        self.problem = problem


@contextmanager
def reported() -> Iterator[None]:
    """Report a domain error raised inside as a :class:`DomainError` (exit status 1)."""
    try:
        yield
    except DOMAIN_ERRORS as error:
        raise DomainError(describe(error)) from None


def load(schema: type[Schema], data: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``data`` loaded by the request schema the HTTP view uses for the same input.

    :raises InvalidInput: the schema refuses it; a problem per field, with the schema's message.
    """
    try:
        loaded: dict[str, Any] = schema().load(data)
    except ValidationError as error:
        raise InvalidInput(
            INVALID_INPUT,
            [{"field": name, "message": text} for name, text in _messages(error.messages)],
        ) from None
    return loaded


def _messages(messages: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            yield from _messages(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(messages, list):
        for message in messages:
            yield from _messages(message, prefix)
    else:
        yield prefix, str(messages)


def render(problem: DomainProblem) -> str:
    """Return the text of a domain error: the detail, its kind and status, then the members."""
    members = dict(problem.members)
    rule = members.pop("rule", None)
    problems = members.pop("problems", None) or []
    tag = f"{problem.kind} {problem.status}" + (f", rule {rule}" if rule else "")
    lines = [f"{problem.detail} [{tag}]"]
    lines += [f"  {_problem(item)}" for item in problems]
    lines += [f"  {name}: {_value(value)}" for name, value in members.items()]
    return "\n".join(lines)


def _problem(item: Any) -> str:
    if not isinstance(item, Mapping):
        return str(item)
    where = ", ".join(
        f"{key} {item[key]}" for key in ("file", "row", "criterion", "field") if item.get(key)
    )
    message = str(item.get("message", ""))
    return f"{where}: {message}" if where else message


def _value(value: Any) -> str:
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)

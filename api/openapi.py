"""What the OpenAPI document promises beyond what flask-smorest writes by itself.

* Every operation has a stable ``operationId``: the view function's name (with the method
  appended when one view serves several methods), so generated clients get real method names
  that change only when the view is renamed.
* A path parameter an operation declares itself (e.g. ``action`` with its ``enum``) is not
  declared a second time, without the enum, at the path level.
"""

from __future__ import annotations

from typing import Any

from apispec import BasePlugin

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class ContractPlugin(BasePlugin):
    """An apispec plugin giving operation ids and removing redeclared path parameters."""

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}

    def path_helper(
        self,
        path: str | None = None,
        operations: dict[str, Any] | None = None,
        parameters: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> str | None:
        """Drop path-level parameters that every operation of the path declares itself."""
        if not operations or parameters is None:
            return None
        for parameter in list(parameters):
            key = (parameter.get("in"), parameter.get("name"))
            if all(
                any((p.get("in"), p.get("name")) == key for p in op.get("parameters", []))
                for method, op in operations.items()
                if method in _METHODS
            ):
                parameters.remove(parameter)
        return None

    def operation_helper(
        self,
        path: str | None = None,
        operations: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Give each operation the view's name as its ``operationId``."""
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        name = rule.endpoint.rsplit(".", 1)[-1]
        methods = [m for m in operations if m in _METHODS]
        for method in methods:
            operation_id = name if len(methods) == 1 else f"{name}_{method}"
            operations[method].setdefault("operationId", operation_id)
            owner = f"{method.upper()} {path}"
            if self._seen.setdefault(operations[method]["operationId"], owner) != owner:
                raise ValueError(
                    f"operationId {operations[method]['operationId']!r} of {owner} is taken "
                    f"by {self._seen[operations[method]['operationId']]}"
                )

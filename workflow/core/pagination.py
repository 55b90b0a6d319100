"""One pagination pattern for every list: a bounded page request and a page with its total."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import ORMOption

T = TypeVar("T")

MAX_PER_PAGE = 100
"""No list returns more than this many items at once (OWASP API4)."""
DEFAULT_PER_PAGE = 20
MAX_PAGE = 2**31 - 1


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Which page of a list the caller wants."""

    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    def __post_init__(self) -> None:
        if not 1 <= self.page <= MAX_PAGE:
            raise ValueError(f"page must be within 1..{MAX_PAGE}")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be within 1..{MAX_PER_PAGE}")

    @property
    def offset(self) -> int:
        """Return how many items precede this page."""
        return (self.page - 1) * self.per_page


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of items, with the total number of items in the whole list."""

    items: Sequence[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Return the number of pages (0 for an empty list)."""
        return -(-self.total // self.per_page)


def fetch_page(
    session: Session, statement: Select[Any], request: PageRequest, *options: ORMOption
) -> Page[Any]:
    """Return one page of the rows ``statement`` selects (it must have a total order).

    ``options`` (eager loads) apply to the page's rows only, not to the count.
    """
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    page = statement.options(*options).limit(request.per_page).offset(request.offset)
    items = session.scalars(page).all()
    return Page(items=items, total=total or 0, page=request.page, per_page=request.per_page)

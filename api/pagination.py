"""The one pagination pattern of every list: ``page``/``per_page`` in, an envelope and Link out.

A list answers ``{"items": [...], "page": 2, "per_page": 20, "total": 341, "pages": 18}`` and a
``Link`` header (RFC 8288) with the ``first``, ``prev``, ``next`` and ``last`` pages.
"""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import urlencode

from flask import request
from marshmallow import Schema, fields, validate

from workflow.core import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, Page, PageRequest

LINK_HEADER = {
    "Link": {
        "description": "RFC 8288 links to the first, prev, next and last pages",
        "schema": {"type": "string"},
    }
}


class PageQuery(Schema):
    """Query parameters every list accepts; list filters extend this schema."""

    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "Page number, from 1"},
    )
    per_page = fields.Integer(
        load_default=DEFAULT_PER_PAGE,
        validate=validate.Range(min=1, max=MAX_PER_PAGE),
        metadata={"description": f"Items per page, at most {MAX_PER_PAGE}"},
    )


def page_request(args: dict[str, Any]) -> PageRequest:
    """Take ``page`` and ``per_page`` out of parsed query arguments."""
    return PageRequest(page=args.pop("page"), per_page=args.pop("per_page"))


@cache
def page_of(item: type[Schema]) -> type[Schema]:
    """Return the envelope schema of a page of ``item`` (named ``<Item>Page``)."""
    name = item.__name__.removesuffix("Read") + "Page"
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
            "total": fields.Integer(required=True, metadata={"description": "Items in all pages"}),
            "pages": fields.Integer(required=True, metadata={"description": "Number of pages"}),
        },
        name=name,
    )


def paged(page: Page[Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Return a view result for ``page``: the envelope, 200, and the ``Link`` header."""
    body = {
        "items": page.items,
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "pages": page.pages,
    }
    links = {"first": 1, "last": max(page.pages, 1)}
    if page.page > 1:
        links["prev"] = min(page.page - 1, max(page.pages, 1))
    if page.page < page.pages:
        links["next"] = page.page + 1
    header = ", ".join(f'<{_url(number)}>; rel="{rel}"' for rel, number in links.items())
    return body, 200, {"Link": header}


def _url(page: int) -> str:
    args = request.args.copy()
    args["page"] = str(page)
    return f"{request.base_url}?{urlencode(list(args.items(multi=True)))}"

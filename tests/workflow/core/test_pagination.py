"""Page requests are bounded; a page knows how many pages the list has."""

from __future__ import annotations

import pytest

from workflow.core.pagination import MAX_PER_PAGE, Page, PageRequest


def test_offset_of_a_page() -> None:
    assert PageRequest(page=3, per_page=20).offset == 40


@pytest.mark.parametrize(("page", "per_page"), [(0, 20), (1, 0), (1, MAX_PER_PAGE + 1), (2**31, 1)])
def test_out_of_bounds_requests_are_refused(page: int, per_page: int) -> None:
    with pytest.raises(ValueError, match="must be within"):
        PageRequest(page=page, per_page=per_page)


@pytest.mark.parametrize(("total", "pages"), [(0, 0), (1, 1), (20, 1), (21, 2)])
def test_page_count(total: int, pages: int) -> None:
    assert Page(items=[], total=total, page=1, per_page=20).pages == pages

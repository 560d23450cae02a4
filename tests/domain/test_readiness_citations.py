"""Which cited evidence a readiness page lists: the newest few, and pages of the rest, newest first."""

from __future__ import annotations

import pytest

from app.domain.readiness.citations import evidence_page, newest

# The knowledge dimension cites domain by domain, so citation order is not age order.
CITED = ("answer:7", "answer:2", "answer:9", "run:4", "answer:3", "check:1", "answer:12")


def test_the_newest_are_the_highest_numbers_whatever_the_citation_order():
    assert newest(CITED, 3) == ("answer:12", "answer:9", "answer:7")


def test_fewer_citations_than_asked_are_all_listed_and_none_is_empty():
    assert newest(("answer:1", "answer:5"), 5) == ("answer:5", "answer:1")
    assert newest((), 5) == ()


def test_equal_numbers_keep_the_citation_order_and_unnumbered_ones_come_last():
    assert newest(("odd", "run:3", "answer:3", "answer:1"), 4) == ("run:3", "answer:3", "answer:1", "odd")


def test_pages_cover_every_citation_once_newest_first():
    pages = [evidence_page(CITED, n, size=3) for n in (1, 2, 3)]
    assert [p.ids for p in pages] == [
        ("answer:12", "answer:9", "answer:7"),
        ("run:4", "answer:3", "answer:2"),
        ("check:1",),
    ]
    assert [(p.first, p.last, p.pages, p.total) for p in pages] == [(1, 3, 3, 7), (4, 6, 3, 7), (7, 7, 3, 7)]
    assert (pages[0].previous, pages[0].next) == (None, 2)
    assert (pages[2].previous, pages[2].next) == (2, None)


def test_the_first_page_of_nothing_is_empty_and_pages_past_the_end_do_not_exist():
    empty = evidence_page((), 1, size=3)
    assert (empty.ids, empty.pages, empty.total, empty.next) == ((), 1, 0, None)
    for number in (0, -1, 4):
        with pytest.raises(ValueError):
            evidence_page(CITED, number, size=3)

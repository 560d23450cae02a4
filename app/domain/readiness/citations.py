"""Which of a criterion's cited evidence a page lists: the newest few on the report, pages of the rest.

Rules
- Evidence is cited as "kind:N" ("answer:12", "run:3", "check:5"). Records are numbered in the order
  they are saved, so a higher N is newer; a criterion's citations are listed newest first, whatever order
  the model cited them in (the knowledge dimension cites domain by domain). Equal numbers keep the
  citation order; a citation without a number sorts after the numbered ones.
- `newest` costs time in the number of citations only, not in what they refer to, so the report page's
  cost stays flat as history grows; the records of the few it lists are loaded by the caller.
- Pages are numbered from 1; a page past the last is an error (the caller answers 404). An empty list
  has one empty page.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

REPORT_LATEST = 5  # citations per criterion the report lists; the rest are on the evidence pages
PAGE_SIZE = 50


@dataclass(frozen=True)
class EvidencePage:
    """One page of a criterion's citations, newest first; `first` is the 1-based position of ids[0]."""

    ids: tuple[str, ...]
    number: int
    pages: int
    total: int
    first: int

    @property
    def last(self) -> int:
        return self.first + len(self.ids) - 1

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None


def _recency(indexed: tuple[int, str]) -> tuple[int, int]:
    position, citation = indexed
    _, _, number = citation.rpartition(":")
    return (int(number) if number.isdigit() else -1, -position)


def newest(evidence: Sequence[str], count: int | None = None) -> tuple[str, ...]:
    """The `count` (default REPORT_LATEST) newest citations, newest first."""
    count = REPORT_LATEST if count is None else count
    return tuple(c for _, c in heapq.nlargest(count, enumerate(evidence), key=_recency))


def evidence_page(evidence: Sequence[str], number: int, size: int | None = None) -> EvidencePage:
    """Page `number` of the citations, newest first, `size` (default PAGE_SIZE) a page; ValueError when
    there is no such page."""
    size = PAGE_SIZE if size is None else size
    pages = max(1, -(-len(evidence) // size))
    if not 1 <= number <= pages:
        raise ValueError(f"page {number} of {pages}")
    ordered = [c for _, c in sorted(enumerate(evidence), key=_recency, reverse=True)]
    start = (number - 1) * size
    return EvidencePage(tuple(ordered[start : start + size]), number, pages, len(evidence), start + 1)

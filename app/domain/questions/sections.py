"""Cutting a question file's body into one section per `##` heading, and the text before the first one."""

from __future__ import annotations

from dataclasses import dataclass

from ..problems import Problem
from .syntax import HEADING, closes_fence, fence_opener, question_part, unsafe_html_messages


@dataclass(frozen=True)
class Section:
    """A question's lines: (1-based line number, text), the `##` heading first."""

    lines: tuple[tuple[int, str], ...]


def split_sections(lines: list[str], body_start: int) -> tuple[list[tuple[int, str]], list[Section]]:
    """Cut the body at `##` headings (not inside code blocks): (preamble lines, question sections)."""
    preamble: list[tuple[int, str]] = []
    sections: list[list[tuple[int, str]]] = []
    fence: str | None = None
    for index in range(body_start, len(lines)):
        line = lines[index]
        numbered = (index + 1, line)
        if fence is not None:
            if closes_fence(line, fence):
                fence = None
        elif (opener := fence_opener(line)) is not None:
            fence = opener
        elif HEADING.match(line):
            sections.append([numbered])
            continue
        (sections[-1] if sections else preamble).append(numbered)
    return preamble, [Section(tuple(s)) for s in sections]


def check_preamble(preamble: list[tuple[int, str]], path: str, problems: list[Problem]) -> None:
    """Text before the first question may be a title or an introduction, but not part of a question."""
    for number, line in preamble:
        problems.extend(Problem(path, number, f"{m}: remove it") for m in unsafe_html_messages(line))
    for number, line in preamble:
        what = question_part(line)
        if what:
            problems.append(
                Problem(
                    path,
                    number,
                    f"{what} comes before any question heading: start the "
                    "question with a `## <prompt> {#id}` line above it",
                )
            )
            return  # one orphaned question is one problem, however many lines it has

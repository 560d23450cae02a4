"""`parse_questions`: one question file in, its valid questions and every problem out."""

from __future__ import annotations

from ..problems import Problem
from .build import QuestionBuilder
from .front_matter import Defaults, parse_front_matter
from .reader import SectionReader
from .sections import Section, check_preamble, split_sections
from .syntax import split_lines
from .types import QuestionSpec


def parse_questions(text: str, path: str) -> tuple[list[QuestionSpec], list[Problem]]:
    """Parse one question file; return its valid questions and every problem found, sorted by line.

    Rules: a question with any error is left out (its problems are still reported); the second of two
    questions sharing an id is left out; an error in the front matter leaves every question out, since
    their defaults come from it. Never raises on any input.
    """
    lines = split_lines(text)
    problems: list[Problem] = []
    defaults, body_start = parse_front_matter(lines, path, problems)
    preamble, sections = split_sections(lines, body_start)
    check_preamble(preamble, path, problems)
    questions: list[QuestionSpec] = []
    first_use: dict[str, int] = {}
    for section in sections:
        parser, question = _parse_section(section, defaults, path)
        problems.extend(parser.problems)
        if parser.id is None:
            continue
        if parser.id in first_use:
            problems.append(
                Problem(
                    path,
                    parser.heading_line,
                    f"duplicate id `{parser.id}`: also used at line "
                    f"{first_use[parser.id]}; give each question "
                    "its own id",
                )
            )
            continue
        first_use[parser.id] = parser.heading_line
        if question is not None:
            questions.append(question)
    problems.sort(key=lambda p: p.line)
    return ([] if defaults.broken else questions), problems


def _parse_section(
    section: Section, defaults: Defaults, path: str
) -> tuple[SectionReader, QuestionSpec | None]:
    """Read then build one section; the question only when the section has no problem at all."""
    reader = SectionReader(section, defaults, path)
    if not reader.read():
        return reader, None
    question = QuestionBuilder(reader).build()
    return reader, (None if reader.problems else question)

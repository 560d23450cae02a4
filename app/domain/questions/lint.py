"""`lint_questions`: the checks that need every question file at once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..problems import Problem, Severity
from .types import QuestionSpec


def lint_questions(
    questions: Iterable[QuestionSpec], known_answer_keys: Mapping[str, str] | None = None
) -> list[Problem]:
    """Checks across files.

    - An id used again (in any file) is an error at each later use, naming the first one.
    - An id whose stored answer key (from an earlier sync) differs from its answer now is a warning:
      trainees' past answers were scored against the old key, so the item needs a new id.
    """
    problems: list[Problem] = []
    first: dict[str, QuestionSpec] = {}
    known = known_answer_keys or {}
    for question in questions:
        earlier = first.setdefault(question.id, question)
        if earlier is not question:
            problems.append(
                Problem(
                    question.path,
                    question.line,
                    f"duplicate id `{question.id}`: also used at {earlier.path}:{earlier.line}; "
                    "ids must be unique across all files",
                )
            )
        stored = known.get(question.id)
        if stored is not None and stored != question.answer_key():
            problems.append(
                Problem(
                    question.path,
                    question.line,
                    f"the correct answer of {question.id} changed: publish it under a new id, or in the "
                    "authoring workspace with a reason and regrade or void the old answers",
                    Severity.WARNING,
                )
            )
    return problems

"""A changed answer key under a stable id: what must be decided, and how old answers are rescored.

When a published question gets a new version whose correct answer differs (`QuestionSpec.answer_key`),
the answers trainees gave under the old key must not silently keep their old marks, nor silently
change: whoever publishes gives a reason and chooses, as Moodle does when a question is regraded,
- regrade: every answer of an older version with another key is rescored with the new key. Options are
  matched by their text, not their letter, since an edit may reorder them; an answer the new version
  cannot score (an option it no longer has, a value where it asks for options) is voided instead,
  since no mark fits it;
- void: the answers stay on record but no longer count as evidence (mastery, readiness, statistics)
  and leave the exams they were part of (an exam's score is then over the items that still count).
Pure: values in, values out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from .questions import QuestionSpec
from .scoring import AnswerScore, InvalidResponse, score_answer


class OldAnswers(StrEnum):
    REGRADE = "regrade"  # rescore with the new key
    VOID = "void"  # exclude from evidence


@dataclass(frozen=True)
class KeyChange:
    slug: str
    old_key: str
    new_key: str


def key_changes(questions: Iterable[QuestionSpec], stored_keys: Mapping[str, str]) -> list[KeyChange]:
    """The questions whose correct answer differs from the stored current version's, in text order.

    `stored_keys` holds only the ids this text may publish new versions of; a new id changes nothing.
    """
    return [
        KeyChange(q.id, stored_keys[q.id], q.answer_key())
        for q in questions
        if q.id in stored_keys and stored_keys[q.id] != q.answer_key()
    ]


def decision_problems(changes: Sequence[KeyChange], reason: str, decision: str | None) -> list[str]:
    """What is missing before key changes may be published: a reason, and regrade or void. [] if none."""
    if not changes:
        return []
    ids = ", ".join(c.slug for c in changes)
    problems = []
    if not reason.strip():
        problems.append(f"The correct answer of {ids} changes: say why, for the trainees whose marks change.")
    if decision not in {d.value for d in OldAnswers}:
        problems.append(
            f"Choose what happens to the answers given under the old key of {ids}: regrade or void."
        )
    return problems


@dataclass(frozen=True)
class GivenResponse:
    """An answer as given: option letters of the version it was given on (`options`: letter -> text)."""

    chosen: tuple[str, ...]
    value: float | None
    confidence: str | None
    options: Mapping[str, str]


@dataclass(frozen=True)
class Rescored:
    voided: bool
    score: AnswerScore | None  # the new score when regraded; None when voided


def rescore(question: QuestionSpec, response: GivenResponse, decision: OldAnswers) -> Rescored:
    """An old answer under the new key: regraded with `score_answer`, or voided (see the module rules)."""
    if decision is OldAnswers.VOID:
        return Rescored(True, None)
    letters = {option.text: option.key for option in question.options}
    chosen = tuple(letters.get(response.options.get(key, ""), "?") for key in response.chosen)
    try:
        return Rescored(False, score_answer(question, chosen, response.value, response.confidence))
    except InvalidResponse:
        return Rescored(True, None)


def exam_score(credits: Sequence[float], form_length: int, voided: int) -> float:
    """Proportion of credit over the items of the form that still count (0.0 when none does)."""
    counted = form_length - voided
    return sum(credits) / counted if counted > 0 else 0.0

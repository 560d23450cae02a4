"""Score one answer to a question, with optional certainty-based marking (CBM), and summarise CBM.

Rules (also in docs/authoring-questions.md, "Scoring"):

- single and true-false: exactly one option is chosen; credit 1 when it is the correct one, else 0.
- multiple: credit = max(0, (right options chosen - wrong options chosen) / number of correct options).
  Choosing every option therefore earns nothing unless every option is correct. The answer counts as
  correct only when credit == 1, i.e. all the right options and none of the wrong ones.
- numeric: correct, credit 1, when |value - answer| <= tolerance (inclusive, with a tiny allowance for
  floating-point rounding so that 94.1 vs 94.2 ± 0.1 counts); otherwise 0.
- matching: `chosen` holds `prompt=answer` keys (`p1=a3`); credit = prompts matched right / number of
  prompts (Moodle's rule). An unmatched prompt is simply not right; each prompt is matched at most once.
- short: `chosen` holds the typed text; credit is that of the accepted answer it equals once both are
  normalised (questions.normalise_answer: case, NFKC forms and whitespace do not count), else 0.
- CBM, after Moodle's certainty-based marking: the trainee says how sure they are.

      certainty   right   wrong
      low          +1       0
      medium       +2      -2
      high         +3      -6

  Partial credit f in [0, 1] earns f * right + (1 - f) * wrong at the chosen certainty (Moodle itself
  scales only the right mark; interpolating keeps a half-right answer at high certainty below a right
  one at low certainty). Without a certainty there is no CBM mark.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .questions import QuestionSpec, QuestionType, normalise_answer

CERTAINTY_MARKS: dict[str, tuple[float, float]] = {  # certainty -> (mark if right, mark if wrong)
    "low": (1.0, 0.0),
    "medium": (2.0, -2.0),
    "high": (3.0, -6.0),
}
# Moodle scales the bonus by 0.1, found empirically to make accuracy + bonus the most reliable score.
CBM_BONUS_FACTOR = 0.1
_RELATIVE_SLACK = 1e-9  # floating-point allowance for numeric tolerance


class InvalidResponse(ValueError):
    """The response does not fit the question (unknown option, nothing chosen, missing value...)."""


@dataclass(frozen=True)
class AnswerScore:
    correct: bool
    credit: float  # 0..1
    cbm_mark: float | None  # -6..3, None when no certainty was given


@dataclass(frozen=True)
class CbmSummary:
    """Moodle-style CBM report over a set of scored answers (see `cbm_summary`)."""

    count: int
    accuracy: float  # mean credit, 0..1, ignoring certainty
    average_mark: float  # mean CBM mark, -6..3
    bonus: float  # reward for telling reliable answers from unreliable ones

    @property
    def accuracy_and_bonus(self) -> float:
        return self.accuracy + self.bonus


def score_answer(
    question: QuestionSpec,
    chosen: Sequence[str] = (),
    value: float | None = None,
    confidence: str | None = None,
) -> AnswerScore:
    """Score a response: `chosen` option keys for choice items, `value` for numeric ones.

    Raises InvalidResponse for an unknown certainty, option keys that are not the item's, an empty
    choice, several choices on a single-answer or true-false item, a missing or non-finite numeric
    value, or a response of the wrong kind (options on a numeric item, a value on a choice item).
    Repeated keys count once.
    """
    if confidence is not None and confidence not in CERTAINTY_MARKS:
        raise InvalidResponse(f"unknown certainty {confidence!r}: use low, medium or high")
    if question.type is QuestionType.NUMERIC:
        credit = _numeric_credit(question, chosen, value)
    elif question.type is QuestionType.MATCHING:
        credit = _matching_credit(question, chosen, value)
    elif question.type is QuestionType.SHORT:
        credit = _short_credit(question, chosen, value)
    else:
        credit = _choice_credit(question, chosen, value)
    return AnswerScore(correct=credit == 1.0, credit=credit, cbm_mark=cbm_mark(credit, confidence))


def cbm_mark(credit: float, confidence: str | None) -> float | None:
    """The CBM mark for `credit` at a certainty: credit * right + (1 - credit) * wrong."""
    if confidence is None:
        return None
    right, wrong = CERTAINTY_MARKS[confidence]
    return credit * right + (1.0 - credit) * wrong


def _numeric_credit(question: QuestionSpec, chosen: Sequence[str], value: float | None) -> float:
    if chosen:
        raise InvalidResponse(f"{question.id} is a numeric item: it has no options to choose")
    if value is None or not math.isfinite(value):
        raise InvalidResponse(f"{question.id} is a numeric item: give a number")
    if question.answer is None or question.tolerance is None:
        raise InvalidResponse(f"{question.id} has no answer and tolerance to score against")
    slack = _RELATIVE_SLACK * max(1.0, abs(question.answer))
    return 1.0 if abs(value - question.answer) <= question.tolerance + slack else 0.0


def _matching_credit(question: QuestionSpec, chosen: Sequence[str], value: float | None) -> float:
    if value is not None:
        raise InvalidResponse(f"{question.id} is a matching item: match prompts, not a number")
    prompts = {p.key for p in question.pairs}
    answers = {key for key, _ in question.match_answers}
    matched: dict[str, str] = {}
    for pair in chosen:
        prompt, _, answer = pair.partition("=")
        if prompt not in prompts or answer not in answers:
            raise InvalidResponse(f"`{pair}` is not a prompt and answer of {question.id}")
        if matched.setdefault(prompt, answer) != answer:
            raise InvalidResponse(f"prompt {prompt} of {question.id} is matched twice: match it once")
    if not matched:
        raise InvalidResponse(f"nothing matched for {question.id}: match at least one prompt")
    if not prompts:
        raise InvalidResponse(f"{question.id} has no pairs to score against")
    right = set(question.correct_keys)
    return sum(1 for p, a in matched.items() if f"{p}={a}" in right) / len(prompts)


def _short_credit(question: QuestionSpec, chosen: Sequence[str], value: float | None) -> float:
    if value is not None or len(chosen) != 1:
        raise InvalidResponse(f"{question.id} is a short-answer item: type one answer")
    typed = normalise_answer(chosen[0])
    if not typed:
        raise InvalidResponse(f"no answer typed for {question.id}: type your answer")
    if not question.accepted:
        raise InvalidResponse(f"{question.id} has no accepted answer to score against")
    return max((a.credit for a in question.accepted if normalise_answer(a.text) == typed), default=0.0)


def _choice_credit(question: QuestionSpec, chosen: Sequence[str], value: float | None) -> float:
    if value is not None:
        raise InvalidResponse(f"{question.id} is a {question.type.value} item: choose options, not a number")
    picked = set(chosen)
    keys = [o.key for o in question.options]
    unknown = sorted(picked.difference(keys))
    if unknown:
        raise InvalidResponse(
            f"option {', '.join(unknown)} is not one of {question.id}'s options ({', '.join(keys)})"
        )
    if not picked:
        raise InvalidResponse(f"no option chosen for {question.id}: choose at least one")
    if len(picked) > 1 and question.type is not QuestionType.MULTIPLE:
        raise InvalidResponse(f"{question.id} is a {question.type.value} item: choose exactly one option")
    correct = set(question.correct_keys)
    if not correct:
        raise InvalidResponse(f"{question.id} has no correct option to score against")
    right, wrong = len(picked & correct), len(picked - correct)
    return max(0.0, (right - wrong) / len(correct))


def cbm_summary(scores: Iterable[AnswerScore]) -> CbmSummary:
    """Summarise answers as Moodle's CBM quiz report does (all items weigh the same).

    - accuracy: mean credit, ignoring certainty.
    - average_mark: mean CBM mark; an answer given without a certainty counts at `low` (Moodle's default
      certainty), i.e. its mark equals its credit.
    - bonus: 0.1 * (average_mark - the best average a trainee with this accuracy could expect from
      always using one certainty level), where the expected mark at a level is
      accuracy * right + (1 - accuracy) * wrong. It is positive only when certainty was used to tell
      reliable answers from shaky ones, not merely for knowing a lot. Moodle: calculate_bonus().
    An empty input gives count 0 and zeros.
    """
    scored = list(scores)
    if not scored:
        return CbmSummary(count=0, accuracy=0.0, average_mark=0.0, bonus=0.0)
    accuracy = sum(s.credit for s in scored) / len(scored)
    average = sum(s.credit if s.cbm_mark is None else s.cbm_mark for s in scored) / len(scored)
    expected = max(accuracy * right + (1.0 - accuracy) * wrong for right, wrong in CERTAINTY_MARKS.values())
    return CbmSummary(
        count=len(scored),
        accuracy=accuracy,
        average_mark=average,
        bonus=CBM_BONUS_FACTOR * (average - expected),
    )

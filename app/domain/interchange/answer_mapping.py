"""Map weighted answers (GIFT %weights%, Moodle fractions) onto our single, multiple, true-false and
numeric items, noting every place where credit or feedback cannot be carried over."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..questions import QuestionType, normalise_answer
from .drafts import DraftChoice, DraftSpec

FULL = Decimal("99.999")  # Moodle writes a third as 33.33333: compare weights with this much slack
SLACK = Decimal("0.01")


@dataclass(frozen=True)
class WeightedAnswer:
    text: str  # Markdown
    weight: Decimal  # percent: 100 full credit, 0 none, negative a penalty
    feedback: str  # Markdown, "" when none
    line: int


@dataclass(frozen=True)
class NumericAnswer:
    answer: Decimal | None  # None: Moodle's `*`, any other answer (it only carries feedback)
    tolerance: Decimal
    weight: Decimal
    feedback: str
    line: int
    written: str  # as the source wrote it, for notes: `5:0.5`, `4..6`


def _pct(weight: Decimal) -> str:
    text = format(weight.normalize(), "f")
    return f"%{text.rstrip('0').rstrip('.') if '.' in text else text}%"


def map_choices(draft: DraftSpec, answers: list[WeightedAnswer], single: bool) -> bool:
    """Fill in a choice draft; False when it cannot be imported (the reason is noted).

    Single answer (GIFT with an `=`, Moodle `single`): exactly one answer must give full credit; it is
    the correct option and every other answer a wrong one. Partial weights and penalties become wrong
    options with a note. Multiple answers: every answer with a positive weight is correct. Our scoring
    ((right chosen - wrong chosen) / number right, never below 0) equals Moodle's only when the right
    answers weigh 100/k each and every wrong one -100/k; anything else is noted.
    """
    if single:
        return _map_single(draft, answers)
    return _map_multiple(draft, answers)


def _map_single(draft: DraftSpec, answers: list[WeightedAnswer]) -> bool:
    full = [a for a in answers if a.weight >= FULL]
    if len(full) != 1:
        what = "no answer gives" if not full else f"{len(full)} answers give"
        draft.note(
            draft.line,
            f"{what} full credit, and a single-answer item needs exactly one right answer: skipped",
        )
        return False
    draft.type = QuestionType.SINGLE
    for answer in answers:
        if answer is not full[0] and answer.weight > 0:
            draft.note(
                answer.line,
                f"answer weights other than 100/0 ({_pct(answer.weight)}) are not supported: "
                "imported as a wrong option, partial credit lost",
            )
        elif answer.weight < 0:
            draft.note(
                answer.line,
                f"negative weights ({_pct(answer.weight)}) are not supported: imported as a wrong option, "
                "the penalty is lost",
            )
        draft.choices.append(DraftChoice(answer.text, answer is full[0], answer.feedback, answer.line))
    return True


def _map_multiple(draft: DraftSpec, answers: list[WeightedAnswer]) -> bool:
    right = [a for a in answers if a.weight > 0]
    if not right:
        draft.note(draft.line, "no answer carries credit, so no option can be marked correct: skipped")
        return False
    draft.type = QuestionType.MULTIPLE
    share = Decimal(100) / len(right)
    weights = sorted({_pct(a.weight) for a in right})
    if any(abs(a.weight - share) > SLACK for a in right):
        total = sum((a.weight for a in right), Decimal(0))
        if abs(total - 100) > SLACK:
            detail = f"add up to {_pct(total)}"
        else:
            detail = "are unequal (" + ", ".join(weights) + ")"
        draft.note(
            draft.line,
            f"the weights of the right answers {detail}: here each right option is worth the same share "
            "and choosing all of them scores 100%",
        )
    wrong = [a for a in answers if a.weight <= 0]
    if any(abs(a.weight + share) > SLACK for a in wrong):
        written = ", ".join(sorted({_pct(a.weight) for a in wrong}))
        draft.note(
            draft.line,
            f"wrong answers weigh {written} in the source; here each wrong option chosen takes one right "
            f"option's share ({_pct(-share)}) off, never below 0",
        )
    draft.choices.extend(DraftChoice(a.text, a.weight > 0, a.feedback, a.line) for a in answers)
    return True


def map_true_false(draft: DraftSpec, truth: bool, true_feedback: str, false_feedback: str, line: int) -> None:
    """Two options, True then False, each with the feedback a trainee choosing it would read."""
    draft.type = QuestionType.TRUE_FALSE
    draft.choices = [
        DraftChoice("True", truth, true_feedback, line),
        DraftChoice("False", not truth, false_feedback, line),
    ]


def map_numeric(draft: DraftSpec, answers: list[NumericAnswer]) -> bool:
    """Fill in a numeric draft from the one full-credit answer; False when there is not exactly one.

    Partial-credit answers and feedback on wrong answers have no place in our format and are noted;
    feedback on the right answer is added to the explanation.
    """
    full = [a for a in answers if a.answer is not None and a.weight >= FULL]
    if len(full) != 1:
        if full:
            written = ", ".join(a.written for a in full)
            what = f"{len(full)} answers give full credit ({written}), and a numeric item has one answer"
        else:
            what = "no numeric answer gives full credit"
        draft.note(draft.line, f"{what}: skipped")
        return False
    right = full[0]
    assert right.answer is not None
    draft.type = QuestionType.NUMERIC
    draft.answer = right.answer
    draft.tolerance = abs(right.tolerance)
    if right.tolerance < 0:
        draft.note(
            right.line, f"negative tolerance in `{right.written}` read as {abs(right.tolerance)}", lossy=False
        )
    for answer in answers:
        if answer is right:
            continue
        if answer.answer is not None and answer.weight != 0:
            draft.note(
                answer.line,
                f"partial-credit answer `{answer.written}` ({_pct(answer.weight)}) dropped: numeric items "
                "here are right or wrong",
            )
        elif answer.feedback:
            which = (
                f"the wrong answer `{answer.written}`" if answer.answer is not None else "any other answer"
            )
            draft.note(
                answer.line, f"feedback for {which} dropped: numeric items here have no per-answer feedback"
            )
    if right.feedback:
        draft.explanation = "\n\n".join(p for p in (draft.explanation, right.feedback) if p)
        draft.note(right.line, "the feedback on the right answer was added to the explanation", lossy=False)
    return True


def map_matching(draft: DraftSpec, pairs: list[tuple[str, str, int]]) -> bool:
    """Fill in a matching draft from (prompt, answer, line) in Markdown; an empty prompt is a distractor.

    Moodle's rule and ours agree (credit = share of prompts matched right), so nothing is lost unless a
    pair cannot be written: fewer than two prompts, a prompt or answer without text, or one prompt
    twice skip the question; a distractor that is also a right answer is dropped (it is listed anyway).
    """
    rights = [(p, a, line) for p, a, line in pairs if p.strip()]
    if len(rights) < 2:
        draft.note(draft.line, f"a matching question needs at least 2 prompts, found {len(rights)}: skipped")
        return False
    seen: set[str] = set()
    for prompt, answer, line in rights:
        flat = " ".join(prompt.split())
        if not answer.strip():
            draft.note(line, f"prompt `{flat}` has no answer: skipped")
            return False
        if flat in seen:
            draft.note(line, f"prompt `{flat}` appears twice, and each prompt here is matched once: skipped")
            return False
        seen.add(flat)
    draft.type = QuestionType.MATCHING
    # `->` separates prompt from answer in our format: inside a prompt it is written as an entity.
    draft.pairs = [(p.replace("->", "-&gt;"), a) for p, a, _ in rights]
    answers = {" ".join(a.split()) for _, a, _ in rights}
    for prompt, distractor, line in pairs:
        if prompt.strip() or not distractor.strip():
            continue
        if " ".join(distractor.split()) in answers:
            draft.note(line, f"distractor `{distractor}` is also a right answer: listed once", lossy=False)
        elif distractor not in draft.distractors:
            draft.distractors.append(distractor)
    return True


def map_short_answer(draft: DraftSpec, answers: list[WeightedAnswer]) -> bool:
    """Fill in a short-answer draft: answers with a positive weight are accepted, keeping partial credit.

    Moodle's `*` wildcard is matched literally here (noted); answers worth 0% or less are only feedback
    for a wrong answer and are dropped with a note; full-credit answers' feedback joins the explanation,
    other answers' feedback is noted as dropped. Without a full-credit answer the question is skipped.
    """
    accepted = [a for a in answers if a.weight > 0 and a.text.strip()]
    full = [a for a in accepted if a.weight >= FULL]
    if not full:
        draft.note(draft.line, "no answer gives full credit, and a short-answer item needs one: skipped")
        return False
    draft.type = QuestionType.SHORT
    for answer in answers:
        if answer.weight <= 0:
            what = "its feedback is lost" if answer.feedback else "any unlisted answer scores 0 anyway"
            draft.note(
                answer.line,
                f"answer `{answer.text}` ({_pct(answer.weight)}) dropped: {what}",
                lossy=bool(answer.feedback),
            )
            continue
        if "*" in answer.text:
            draft.note(
                answer.line, f"`*` in `{answer.text}` is a wildcard in Moodle; here it is matched literally"
            )
        weight = Decimal(100) if answer.weight >= FULL else answer.weight
        twin = next(
            (
                i
                for i, (t, _) in enumerate(draft.accepted)
                if normalise_answer(t) == normalise_answer(answer.text)
            ),
            None,
        )
        if twin is not None:
            draft.note(
                answer.line,
                f"answer `{answer.text}` repeats an earlier one once case and spacing are "
                "ignored: the higher credit is kept",
                lossy=False,
            )
            if weight > draft.accepted[twin][1]:
                draft.accepted[twin] = (draft.accepted[twin][0], weight)
            continue
        draft.accepted.append((answer.text, weight))
        if weight == 100 and answer.feedback:
            draft.explanation = "\n\n".join(p for p in (draft.explanation, answer.feedback) if p)
            draft.note(
                answer.line, "the feedback on the right answer was added to the explanation", lossy=False
            )
        elif answer.feedback:
            draft.note(
                answer.line, f"feedback for `{answer.text}` dropped: short answers here have one explanation"
            )
    return True

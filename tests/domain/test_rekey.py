"""Changed answer keys: the decision required, regrading with the new key, voiding, exam scores."""

from __future__ import annotations

from dataclasses import replace

from app.domain.questions import Option, QuestionSpec, QuestionType
from app.domain.rekey import (
    GivenResponse,
    KeyChange,
    OldAnswers,
    decision_problems,
    exam_score,
    key_changes,
    rescore,
)

OLD = {"A": "option A", "B": "option B", "C": "option C"}


def _question(correct: str, keys: str = "ABC", slug: str = "q") -> QuestionSpec:
    return QuestionSpec(
        id=slug,
        path="x.md",
        line=1,
        domain="D2",
        topics=("t",),
        difficulty=2,
        cognitive="recall",
        type=QuestionType.SINGLE,
        prompt="?",
        stem="",
        options=tuple(Option(k, f"option {k}", "", k == correct, 0) for k in keys),
    )


def test_only_a_stored_id_whose_key_differs_is_a_change():
    old, new, fresh = _question("A"), _question("B"), _question("A", slug="new")
    assert key_changes([new, fresh], {"q": old.answer_key()}) == [KeyChange("q", "option A", "option B")]
    assert key_changes([old], {"q": old.answer_key()}) == []


def test_a_key_change_needs_a_reason_and_a_choice():
    change = [KeyChange("q", "a", "b")]
    assert decision_problems([], "", None) == []
    problems = decision_problems(change, " ", "keep")
    assert len(problems) == 2 and "say why" in problems[0] and "regrade or void" in problems[1]
    assert decision_problems(change, "B is what the contract says", "regrade") == []


def test_regrade_rescores_with_the_new_key_and_keeps_the_certainty():
    new = _question("B")
    was_right = rescore(new, GivenResponse(("A",), None, "high", OLD), OldAnswers.REGRADE)
    now_right = rescore(new, GivenResponse(("B",), None, "high", OLD), OldAnswers.REGRADE)
    assert not was_right.voided and was_right.score.credit == 0.0 and was_right.score.cbm_mark == -6
    assert now_right.score.correct and now_right.score.cbm_mark == 3


def test_an_answer_the_new_version_cannot_score_is_voided_and_void_voids_all():
    shorter = _question("B", keys="AB")
    assert rescore(shorter, GivenResponse(("C",), None, None, OLD), OldAnswers.REGRADE).voided
    assert rescore(shorter, GivenResponse(("B",), None, None, OLD), OldAnswers.VOID) == rescore(
        shorter, GivenResponse(("A",), None, None, OLD), OldAnswers.VOID
    )


def test_options_are_matched_by_text_when_the_new_version_reorders_them():
    reordered = replace(
        _question("B"),
        options=tuple(
            Option(k, text, "", text == "option B", 0)
            for k, text in zip("ABC", ["option C", "option B", "option A"], strict=True)
        ),
    )
    assert rescore(reordered, GivenResponse(("B",), None, None, OLD), OldAnswers.REGRADE).score.correct
    assert not rescore(reordered, GivenResponse(("A",), None, None, OLD), OldAnswers.REGRADE).score.correct


def test_an_exam_score_counts_only_the_items_left():
    assert exam_score([1.0, 0.0, 1.0], 4, 1) == 2 / 3
    assert exam_score([], 1, 1) == 0.0

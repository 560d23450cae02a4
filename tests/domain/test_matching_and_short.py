"""Matching and short-answer items: the Markdown format, its errors at file:line, and scoring."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.questions import QuestionType, lint_questions, normalise_answer, parse_questions
from app.domain.scoring import InvalidResponse, score_answer

FIXTURE = Path(__file__).parents[1] / "fixtures" / "question_types" / "matching_and_short.md"
META = "difficulty: 2 · cognitive: recall · domain: D3"


def parsed():
    questions, problems = parse_questions(FIXTURE.read_text(), "fx.md")
    assert problems == []
    return {q.id: q for q in questions}


def one(body: str, qtype: str):
    text = f"## Q? {{#q-one}}\n{META} · type: {qtype}\n\n{body}\nExplanation: because.\n"
    return parse_questions(text, "q.md")


def messages(body: str, qtype: str) -> list[str]:
    return [f"{p.line}: {p.message}" for p in one(body, qtype)[1]]


def test_fixture_parses_with_pairs_distractors_and_weighted_answers():
    items = parsed()
    matching, short = items["fx-incoterm-carriage"], items["fx-no-credit-risk-term"]
    assert matching.type is QuestionType.MATCHING and short.type is QuestionType.SHORT
    assert [(p.key, p.prompt, p.answer) for p in matching.pairs][0] == ("p1", "EXW", "the buyer")
    assert matching.match_answers[-1] == ("a4", "the freight forwarder, always")
    assert matching.correct_keys == ("p1=a1", "p2=a2", "p3=a3")
    assert matching.stem.startswith("The sales contract") and matching.reference == "Incoterms 2020"
    assert [(a.text, a.credit) for a in short.accepted] == [
        ("cash in advance", 1.0),
        ("CIA", 1.0),
        ("prepayment", 0.5),
    ]
    assert lint_questions(items.values()) == []


def test_two_prompts_may_share_an_answer_which_is_listed_once():
    questions, problems = one("Match: EXW -> buyer\nMatch: FCA -> buyer\nDistractor: seller\n", "matching")
    assert problems == []
    assert questions[0].match_answers == (("a1", "buyer"), ("a2", "seller"))
    assert questions[0].correct_keys == ("p1=a1", "p2=a1")


@pytest.mark.parametrize(
    ("body", "qtype", "expected"),
    [
        ("Match: EXW -> buyer\n", "matching", "1: a matching item needs at least 2"),
        ("Match: EXW buyer\nMatch: FCA -> buyer\n", "matching", "4: a `Match:` line needs a prompt"),
        ("Match: EXW -> a\nMatch: EXW -> b\n", "matching", "5: prompt `EXW` is matched twice"),
        ("Match: A -> a\nMatch: B -> b\nDistractor: a\n", "matching", "6: distractor `a` is also a right"),
        ("Answer 50%: prepay\n", "short", "1: a short-answer item needs at least one full-credit"),
        ("Answer: CIA\nAnswer:  cia \n", "short", "5: answer `cia` repeats line 4"),
        ("Answer: CIA\nAnswer 150%: prepay\n", "short", "5: answer weight `150%` must be"),
        ("Answer: CIA\nTolerance: 1\n", "short", "5: `Tolerance:` is only for numeric items"),
        (
            "Match: A -> a\nMatch: B -> b\nAnswer: a\n",
            "matching",
            "6: `Answer:` is only for numeric items and short",
        ),
        ("- [x] CIA\n  : yes\n", "short", "4: a short item has no options"),
        (
            "Answer 50%: x\n- [x] A\n  : r\n- [ ] B\n  : r\n",
            "single",
            "4: `Answer 50%:` is only for short items",
        ),
    ],
)
def test_mistakes_are_reported_at_their_line(body, qtype, expected):
    found = messages(body, qtype)
    assert any(m.startswith(expected) or expected in m for m in found), found


def test_match_lines_in_a_single_items_stem_are_case_data():
    body = "Match: this is a PO note\n\n- [x] A\n  : r\n- [ ] B\n  : r\n"
    questions, problems = one(body, "single")
    assert problems == [] and "Match: this is a PO note" in questions[0].stem


def test_matching_credit_is_the_share_of_prompts_matched_right():
    item = parsed()["fx-incoterm-carriage"]
    assert score_answer(item, ["p1=a1", "p2=a2", "p3=a3"]).correct
    partly = score_answer(item, ["p1=a1", "p2=a4", "p3=a3"], confidence="medium")
    assert partly.credit == pytest.approx(2 / 3) and not partly.correct
    assert partly.cbm_mark == pytest.approx(2 / 3 * 2 + 1 / 3 * -2)
    assert score_answer(item, ["p2=a2"]).credit == pytest.approx(1 / 3)  # unmatched prompts are wrong
    for bad in (["p9=a1"], ["p1=a9"], ["p1=a1", "p1=a2"], [], ["p1"]):
        with pytest.raises(InvalidResponse):
            score_answer(item, bad)


def test_short_answer_credit_ignores_case_and_spacing_but_not_spelling():
    item = parsed()["fx-no-credit-risk-term"]
    assert score_answer(item, ["  Cash   in ADVANCE "]).credit == 1.0
    assert score_answer(item, ["ＣＩＡ"]).correct  # full-width letters fold
    assert score_answer(item, ["Prepayment"]).credit == 0.5
    assert score_answer(item, ["cash-in-advance"]).credit == 0.0
    for bad in ([], ["   "], ["a", "b"]):
        with pytest.raises(InvalidResponse):
            score_answer(item, bad)
    with pytest.raises(InvalidResponse):
        score_answer(item, ["CIA"], value=1.0)


def test_normalise_answer_rule():
    assert normalise_answer(" Net\t30\nDays ") == "net 30 days"


def test_answer_keys_and_hashes_follow_the_answers():
    items = parsed()
    text = FIXTURE.read_text()
    changed, _ = parse_questions(text.replace("Answer 50%: prepayment", "Answer 25%: prepayment"), "fx.md")
    new = {q.id: q for q in changed}["fx-no-credit-risk-term"]
    old = items["fx-no-credit-risk-term"]
    assert new.answer_key() != old.answer_key() and new.content_hash() != old.content_hash()
    known = {q.id: q.answer_key() for q in items.values()}
    assert any("changed" in p.message for p in lint_questions([new], known))


def test_a_sibling_stating_a_short_answer_key_is_reported_and_no_length_cue_applies():
    from app.domain.item_checks import has_length_cue, question_cues

    text = FIXTURE.read_text().replace("Answer: CIA", "Answer: cash in advance terms only")
    text = text.replace("The sales contract names the term", "Cash in advance terms only apply here")
    items = {q.id: q for q in parse_questions(text, "fx.md")[0]}
    leaks = [p.message for p in question_cues(list(items.values()))]
    assert any("fx-incoterm-carriage states the answer of fx-no-credit-risk-term" in m for m in leaks), leaks
    assert not any(has_length_cue(q) for q in items.values())

"""Item-writing checks: length cues, sibling giveaways, placeholders, the topic vocabulary, the bank report."""

from app.domain.item_checks import bank_report, parse_vocabulary, question_cues, vocabulary_problems
from app.domain.problems import Severity
from app.domain.questions import parse_questions

FILE = """---
domain: D6
topics: [dso]
---

## Which figure is DSO for the account? {#dso-cue}
difficulty: 2 · cognitive: application

- [ ] 40 days
  : Uses the wrong sales figure.
- [x] 50 days, because receivables of $1.25m over daily sales of $25,000 give fifty days of sales outstanding
  : AR over daily sales.
- [ ] 60 days
  : Counts the overdue part twice.

Explanation: DSO = AR / (annual sales / 365).

## What does the desk send the customer first? {#first-step}
difficulty: 2 · cognitive: application · set: halvorsen

- [x] A written credit hold notice with the exposure
  : It states the facts.
- [ ] A verbal promise of a Friday ship date for all of it
  : Not yours to give.

Explanation: As the previous item showed, a written credit hold notice with the exposure comes first.

## Who releases the hold? {#who-releases}
difficulty: 2 · cognitive: recall · set: halvorsen

- [x] The credit manager
  : Release authority.
- [ ] The sales representative
  : No authority.

Explanation: The desk sends a written credit hold notice with the exposure; credit decides.
"""


def _questions():
    questions, problems = parse_questions(FILE, "d6.md")
    assert not problems
    return questions


def test_a_key_far_longer_than_every_distractor_is_a_length_cue():
    problems = question_cues(_questions())
    cues = [p for p in problems if "length cue" in p.message]
    assert [(p.line, p.severity) for p in cues] == [(6, Severity.WARNING)]


def test_an_item_that_states_a_siblings_key_is_reported():
    leaks = [p for p in question_cues(_questions()) if "states the answer of first-step" in p.message]
    assert [p.line for p in leaks] == [
        28
    ]  # who-releases gives first-step away; first-step's own text is fine


def test_an_import_placeholder_is_an_error():
    text = FILE.replace(
        "Uses the wrong sales figure.", "(No rationale in the source: add one before publishing.)"
    )
    questions, _ = parse_questions(text, "d6.md")
    errors = [p for p in question_cues(questions) if p.severity is Severity.ERROR]
    assert len(errors) == 1 and "placeholder" in errors[0].message and errors[0].line == 9


def test_topics_outside_the_vocabulary_are_errors_at_their_item():
    vocabulary, problems = parse_vocabulary("D6:\n  - dso\nD7:\n  - otif\n", "topics.yaml")
    assert not problems
    wrong = vocabulary_problems(vocabulary, _questions(), [], [("root-cause", "policy.yaml", 12)])
    assert [(p.path, p.line) for p in wrong] == [("policy.yaml", 12)]
    _, twice = parse_vocabulary("D6:\n  - dso\nD7:\n  - dso\n", "topics.yaml")
    assert "listed twice" in twice[0].message and twice[0].line == 2


def test_the_bank_report_counts_size_against_four_forms_and_the_cue_rate():
    weights = {d: 0 for d in ("D1", "D2", "D3", "D4", "D5", "D7", "D8", "D9")} | {"D6": 100}
    d6 = next(r for r in bank_report(_questions(), weights, 10) if r.domain == "D6")
    assert d6.items == 3 and d6.needed == 40 and d6.length_cues == 1 and d6.singles == 3
    assert d6.key_positions == {"B": 1, "A": 2} and abs(d6.cue_rate - 1 / 3) < 1e-9

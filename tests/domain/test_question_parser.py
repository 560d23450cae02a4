"""Parsing valid question files: every type, tables in stems, defaults, sources and the docs example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.domain.questions import QuestionSpec, QuestionType, lint_questions, option_key, parse_questions
from bench.gen_questions import generate

ROOT = Path(__file__).resolve().parents[2]

# Line numbers matter in these tests: line 1 is the opening `---`.
VALID_FILE = """\
---
domain: D2
topics: [credit-check, escalation]
reference: Order desk credit policy, section 4
---

# Credit holds

Questions about holds that need someone else's decision.

## A strategic account's order is on credit hold at quarter end. What do you do first? {#credit-first-move}
difficulty: 3 · cognitive: application

Halvorsen Foods (tier: strategic) placed SO-48213 for $240,300.

| Measure | Amount |
|---|---:|
| Credit limit | $400,000 |
| Open AR | $212,750 |

- [ ] Release it yourself
  : Release authority sits with credit.
- [x] Send credit the exposure and ask for a decision
  : Credit owns the decision;
  the numbers make a fast answer possible.
- [ ] Tell sales it cannot ship
  : Premature.

Explanation: The order plus open AR exceeds the limit.

A second paragraph of explanation.

Reference: CSCP-style practice

## Which EDI documents describe a shipment and its bill? {#edi-ship-and-bill}
difficulty: 2 | cognitive: recall | type: multiple | domain: D4 | topics: edi, three-way-match

- [x] 856 advance ship notice
  : Describes the cartons before they arrive.
- [x] 810 invoice
  : States what is owed.
- [ ] 850 purchase order
  : The customer's order to you.

Explanation: The 856 and 810 describe the shipment and the bill.

## A ship-complete order waits until every line can ship. {#ship-complete-waits}
difficulty: 1 · cognitive: recall · type: true-false · domain: D3

- [x] True
  : One shipment with every line.
- [ ] False
  : That is the partial-shipment setting.

Explanation: Ship-complete trades speed for a single delivery.

## What was the line fill rate? {#line-fill-rate-week-12}
difficulty: 4 · cognitive: application · type: numeric · domain: D7 · topics: fill-rate

| Lines received | Lines filled completely |
|---:|---:|
| 850 | 801 |

Answer: 94.2
Tolerance: 0.1
Unit: %

Explanation: 801 / 850 = 94.2%.
"""


def parse_valid() -> dict[str, QuestionSpec]:
    questions, problems = parse_questions(VALID_FILE, "content/questions/credit.md")
    assert problems == []
    return {q.id: q for q in questions}


def test_every_question_of_a_valid_file_is_parsed_in_file_order() -> None:
    questions, problems = parse_questions(VALID_FILE, "content/questions/credit.md")
    assert problems == []
    assert [q.id for q in questions] == [
        "credit-first-move",
        "edi-ship-and-bill",
        "ship-complete-waits",
        "line-fill-rate-week-12",
    ]
    assert [q.line for q in questions] == [11, 35, 47, 57]
    assert {q.path for q in questions} == {"content/questions/credit.md"}


def test_single_choice_item_with_a_table_in_its_stem() -> None:
    q = parse_valid()["credit-first-move"]
    assert q.type is QuestionType.SINGLE
    assert q.prompt == "A strategic account's order is on credit hold at quarter end. What do you do first?"
    assert (q.domain, q.topics, q.difficulty, q.cognitive) == (
        "D2",
        ("credit-check", "escalation"),
        3,
        "application",
    )
    assert q.stem.startswith("Halvorsen Foods (tier: strategic) placed SO-48213")
    assert "| Credit limit | $400,000 |\n| Open AR | $212,750 |" in q.stem
    assert [o.key for o in q.options] == ["A", "B", "C"]
    assert q.correct_keys == ("B",)
    assert [o.line for o in q.options] == [21, 23, 26]
    assert q.options[1].text == "Send credit the exposure and ask for a decision"
    assert q.options[1].rationale == "Credit owns the decision;\nthe numbers make a fast answer possible."
    assert q.explanation == "The order plus open AR exceeds the limit.\n\nA second paragraph of explanation."
    assert q.reference == "CSCP-style practice"
    assert q.answer is None and q.tolerance is None and q.unit is None


def test_multiple_response_item_with_pipe_separators_and_overrides() -> None:
    q = parse_valid()["edi-ship-and-bill"]
    assert q.type is QuestionType.MULTIPLE
    assert (q.domain, q.topics, q.difficulty, q.cognitive) == ("D4", ("edi", "three-way-match"), 2, "recall")
    assert q.stem == ""
    assert q.correct_keys == ("A", "B")
    assert q.reference == "Order desk credit policy, section 4"  # the file default
    assert q.answer_key() == "810 invoice|856 advance ship notice"


def test_true_false_item_keeps_file_topics_when_only_the_domain_is_overridden() -> None:
    q = parse_valid()["ship-complete-waits"]
    assert q.type is QuestionType.TRUE_FALSE
    assert q.domain == "D3"
    assert q.topics == ("credit-check", "escalation")
    assert [(o.text, o.correct) for o in q.options] == [("True", True), ("False", False)]


def test_numeric_item() -> None:
    q = parse_valid()["line-fill-rate-week-12"]
    assert q.type is QuestionType.NUMERIC
    assert (q.answer, q.tolerance, q.unit) == (94.2, 0.1, "%")
    assert q.options == ()
    assert q.stem == "| Lines received | Lines filled completely |\n|---:|---:|\n| 850 | 801 |"
    assert q.answer_key() == "numeric:94.2±0.1"


def test_source_is_the_questions_own_section_verbatim() -> None:
    q = parse_valid()["ship-complete-waits"]
    expected = VALID_FILE.split("## A ship-complete")[1].split("\n## ")[0].rstrip("\n")
    assert q.source == "## A ship-complete" + expected + "\n"
    assert q.source.count("{#") == 1


def test_crlf_line_endings_and_a_bom_give_the_same_questions() -> None:
    unix, _ = parse_questions(VALID_FILE, "a.md")
    windows, problems = parse_questions("\ufeff" + VALID_FILE.replace("\n", "\r\n"), "a.md")
    assert problems == []
    assert windows == unix


def test_file_without_front_matter_uses_metadata_domains() -> None:
    text = """## Who owns a credit release? {#who-owns-release}
difficulty: 2 · cognitive: recall · domain: D9

- [x] Credit
  : They own the exposure.
- [ ] Sales
  : They own the relationship, not the exposure.

Explanation: Credit decides.
"""
    questions, problems = parse_questions(text, "x.md")
    assert problems == []
    assert questions[0].domain == "D9"
    assert questions[0].topics == ()
    assert questions[0].reference is None


def test_code_block_in_a_stem_is_stem_text_even_when_it_looks_like_structure() -> None:
    text = """---
domain: D4
---
## Read this 855 segment. What does it say? {#edi-855-segment}
difficulty: 3 · cognitive: analysis

```
## not a heading
- [x] not an option
Explanation: not the explanation
```

- [x] Accepted with changes
  : The AC code means accepted with detail changes.
- [ ] Rejected
  : Rejection uses RJ.

Explanation: Read the ack code.
"""
    questions, problems = parse_questions(text, "x.md")
    assert problems == []
    [q] = questions
    assert "## not a heading\n- [x] not an option" in q.stem
    assert q.correct_keys == ("A",)
    assert q.explanation == "Read the ack code."


def test_option_keys_run_past_z() -> None:
    assert [option_key(i) for i in (0, 1, 25, 26, 27, 51, 52)] == ["A", "B", "Z", "AA", "AB", "AZ", "BA"]


def docs_example_files() -> list[str]:
    docs = (ROOT / "docs" / "authoring-questions.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^````markdown\n(.*?)^````$", docs, flags=re.M | re.S)
    return [b for b in blocks if b.startswith("---\n")]


def test_the_full_example_in_the_docs_parses_cleanly_with_every_type() -> None:
    [example] = docs_example_files()
    questions, problems = parse_questions(example, "docs/authoring-questions.md")
    assert [str(p) for p in problems] == []
    assert {q.type for q in questions} == set(QuestionType)
    assert lint_questions(questions) == []


@pytest.mark.parametrize("seed", [1, 7])
def test_generated_benchmark_files_are_valid(seed: int) -> None:
    files = generate(250, seed)
    assert len(files) == 3
    questions = []
    for name, text in files.items():
        parsed, problems = parse_questions(text, name)
        assert problems == []
        questions.extend(parsed)
    assert len(questions) == 250
    # the benchmark bank keeps the four classic types, so its timings stay comparable across releases
    assert {q.type for q in questions} == set(QuestionType) - {QuestionType.MATCHING, QuestionType.SHORT}
    assert any("|---|" in q.stem for q in questions)
    assert lint_questions(questions) == []
    assert generate(250, seed) == files
